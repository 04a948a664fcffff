import assert from 'node:assert/strict';
import { XMLValidator } from 'fast-xml-parser';
import { AdminServiceSimulator, type SimulatorOptions } from '../../../src/services/demo/admin-service-simulator';
import { createDemoSite } from '../../../src/services/demo/demo-site';
import { findDemoPackage } from '../../../src/services/demo/demo-media';
import { parseImageProperty } from '../../../src/services/media/image-property';

const UPGRADE = 'SMS_OperatingSystemInstallPackage';
const IMAGE = 'SMS_ImagePackage';

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed body, loosely typed: the tests read OData envelopes and error bodies by path. */
  json: any;
}

/** Sends a request to the simulator; `path` is below /AdminService and is sent as written (already encoded). */
async function call(base: string, path: string, init?: RequestInit): Promise<Answer> {
  const response = await fetch(path === '' ? base : `${base}/${path}`, init);
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

const q = (text: string): string => encodeURIComponent(text);

async function running(options: Partial<SimulatorOptions> = {}): Promise<{ simulator: AdminServiceSimulator; base: string }> {
  const simulator = new AdminServiceSimulator({ site: createDemoSite(), ...options });
  const base = await simulator.start();
  return { simulator, base };
}

describe('AdminServiceSimulator', () => {
  let simulator: AdminServiceSimulator;
  let base: string;

  before(async () => {
    // Refreshes take effect at once here; refresh-distribution.test.ts plays them out over time.
    ({ simulator, base } = await running({
      now: () => new Date('2026-04-20T10:00:00.000Z'),
      refreshTiming: { sourceVersionDelayMs: 0, dpUpdatingAfterMs: 0, dpInstalledAfterMs: 0, dpStaggerMs: 0 },
    }));
  });
  after(async () => {
    await simulator.stop();
  });
  beforeEach(() => {
    simulator.injectFault(null);
    simulator.stats.reset();
  });

  describe('queries', () => {
    it('answers on loopback with a base URL ending in /AdminService', () => {
      assert.match(base, /^http:\/\/127\.0\.0\.1:\d+\/AdminService$/);
    });

    it('lists a class in an OData envelope, lazy ImageProperty null and named in __LAZYPROPERTIES', async () => {
      const answer = await call(base, `wmi/${UPGRADE}`);
      assert.equal(answer.status, 200);
      assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(answer.json['@odata.context'], `${base}/wmi/$metadata#${UPGRADE}`);
      const expectedIds = simulator.site.packages.filter((p) => p.packageClass === UPGRADE).map((p) => p.record.PackageID);
      assert.deepEqual(answer.json.value.map((r: { PackageID: string }) => r.PackageID), expectedIds);
      for (const record of answer.json.value) {
        assert.equal(record.ImageProperty, null);
        assert.deepEqual(record.__LAZYPROPERTIES, ['ImageProperty']);
        assert.equal(record.__CLASS, UPGRADE);
        assert.equal(record.PackageType, 259);
      }
    });

    it('fills ImageProperty when one instance is fetched by key, still as value[0]', async () => {
      const answer = await call(base, `wmi/${IMAGE}('PS100013')`);
      assert.equal(answer.status, 200);
      assert.equal(answer.json.value.length, 1);
      const [record] = answer.json.value;
      assert.equal(record.PackageID, 'PS100013');
      assert.equal(record.ImageOSVersion, '10.0.26100.8246');
      assert.equal(parseImageProperty(record.ImageProperty)[0].name, 'Windows 11 Enterprise');
    });

    it('treats class names and keys case-insensitively', async () => {
      const answer = await call(base, `wmi/sms_imagepackage('ps100013')`);
      assert.equal(answer.status, 200);
      assert.equal(answer.json.value[0].PackageID, 'PS100013');
      assert.equal((await call(base, 'WMI/sms_operatingsysteminstallpackage')).status, 200);
    });

    it('accepts the PackageID= form of the key and percent-encoded quotes', async () => {
      assert.equal((await call(base, `wmi/${IMAGE}(PackageID='PS100013')`)).json.value[0].PackageID, 'PS100013');
      assert.equal((await call(base, `wmi/${IMAGE}(%27PS100013%27)`)).json.value[0].PackageID, 'PS100013');
    });

    it('returns only the $select properties', async () => {
      const answer = await call(base, `wmi/${UPGRADE}?$select=PackageID,Name,SourceVersion`);
      assert.equal(answer.status, 200);
      for (const record of answer.json.value) {
        assert.deepEqual(Object.keys(record).sort(), ['Name', 'PackageID', 'SourceVersion', '__LAZYPROPERTIES']);
      }
      const byKey = await call(base, `wmi/${UPGRADE}('PS100012')?$select=PackageID,ImageProperty`);
      assert.match(byKey.json.value[0].ImageProperty, /^<WIM>/);
    });

    const filters: [string, string, string[]][] = [
      ['eq on a string, ignoring case', "Name eq 'windows 11 24h2 enterprise x64'", ['PS100012']],
      ['eq on a number', 'SourceVersion eq 14', ['PS10000C']],
      ['contains', "contains(Name,'Server')", ['PS10001F', 'PS100021']],
      ['startswith eq true', "startswith(Name,'Windows 11 25H2') eq true", ['PS100018']],
      ['and', "contains(Name,'24H2') and contains(Name,'ARM64')", ['PS100017']],
      ['a doubled quote and unicode', "Name eq 'Windows 11 24H2 Pro – O''Brien''s \"lab\" media'", ['PS10001A']],
      ['a value matching nothing', "contains(Name,'Windows 7')", []],
    ];
    for (const [what, filter, expected] of filters) {
      it(`filters with ${what}`, async () => {
        const answer = await call(base, `wmi/${UPGRADE}?$filter=${q(filter)}`);
        assert.equal(answer.status, 200, answer.text);
        assert.deepEqual(answer.json.value.map((r: { PackageID: string }) => r.PackageID), expected);
        for (const record of answer.json.value) assert.equal(record.ImageProperty, null);
      });
    }

    it('reads "+" in the query as a space, as form encoding writes it', async () => {
      const answer = await call(base, `wmi/${UPGRADE}?$filter=SourceVersion+eq+14`);
      assert.deepEqual(answer.json.value.map((r: { PackageID: string }) => r.PackageID), ['PS10000C']);
    });

    it('applies $skip and $top after the filter', async () => {
      const all = (await call(base, `wmi/${IMAGE}`)).json.value.map((r: { PackageID: string }) => r.PackageID);
      const page = await call(base, `wmi/${IMAGE}?$skip=2&$top=3`);
      assert.deepEqual(page.json.value.map((r: { PackageID: string }) => r.PackageID), all.slice(2, 5));
      assert.equal(page.json['@odata.nextLink'], undefined);
    });
  });

  describe('errors', () => {
    const cases: [string, string, number, RegExp][] = [
      ['an unterminated string in $filter', `wmi/${UPGRADE}?$filter=${q("Name eq 'Win")}`, 400, /not closed/],
      ['an unknown property in $filter', `wmi/${UPGRADE}?$filter=${q("Colour eq 'red'")}`, 400, /Colour/],
      ['a lazy property in $filter', `wmi/${UPGRADE}?$filter=${q("contains(ImageProperty,'x')")}`, 400, /ImageProperty/],
      ['an unsupported operator', `wmi/${UPGRADE}?$filter=${q('SourceVersion gt 3')}`, 400, /"eq" or "ne"/],
      ['an unknown $select property', `wmi/${UPGRADE}?$select=PackageID,Colour`, 400, /Colour/],
      ['an unsupported query option', `wmi/${UPGRADE}?$orderby=Name`, 400, /\$orderby/],
      ['a negative $top', `wmi/${UPGRADE}?$top=-1`, 400, /\$top/],
      ['$skip that is not a number', `wmi/${UPGRADE}?$skip=ten`, 400, /\$skip/],
      ['an unknown class', 'wmi/SMS_Colour', 404, /SMS_Colour/],
      ['an unknown key', `wmi/${UPGRADE}('PS1FFFFF')`, 404, /PS1FFFFF/],
      ['a key of the other class', `wmi/${UPGRADE}('PS100013')`, 404, /PS100013/],
      ['an unquoted key', `wmi/${UPGRADE}(PS100012)`, 400, /not a quoted string/],
      ['a key with a lone quote', `wmi/${UPGRADE}('O'Brien')`, 400, /not a quoted string/],
      ['a path outside the AdminService', 'wmi/../../etc/passwd', 404, /No resource/],
      ['a bad percent-encoding', `wmi/${UPGRADE}('%E0%A4%A')`, 400, /percent-encoded/],
      ['a static method', `wmi/${IMAGE}.GetImageProperties`, 404, /Static methods/],
    ];
    for (const [what, path, status, message] of cases) {
      it(`answers ${status} with an OData error body for ${what}`, async () => {
        const answer = await call(base, path);
        assert.equal(answer.status, status, answer.text);
        assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);
        assert.equal(typeof answer.json.error.code, 'string');
        assert.match(answer.json.error.message, message);
      });
    }

    it('answers 405 for a method the resource does not take', async () => {
      assert.equal((await call(base, `wmi/${UPGRADE}`, { method: 'POST', body: '{}' })).status, 405);
      assert.equal((await call(base, `wmi/${UPGRADE}('PS100012')/AdminService.RefreshPkgSource`)).status, 405);
      assert.equal((await call(base, `wmi/${UPGRADE}('PS100012')`, { method: 'DELETE' })).status, 405);
    });
  });

  describe('instance methods', () => {
    it('RefreshPkgSource bumps SourceVersion and the refresh time, answering 201 ReturnValue 0', async () => {
      const record = findDemoPackage(simulator.site, 'PS100012')!.record;
      const before = record.SourceVersion;
      const answer = await call(base, `wmi/${UPGRADE}('PS100012')/AdminService.RefreshPkgSource`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{}',
      });
      assert.equal(answer.status, 201);
      assert.equal(answer.json.ReturnValue, 0);
      assert.equal(record.SourceVersion, before + 1);
      assert.equal(record.LastRefreshTime, '2026-04-20T10:00:00Z');
      const listed = await call(base, `wmi/${UPGRADE}?$filter=${q("PackageID eq 'PS100012'")}`);
      assert.equal(listed.json.value[0].SourceVersion, before + 1);
      assert.equal(simulator.stats.methodCalls, 1);
    });

    it('ReloadImageProperties copies the media into ImageOSVersion and ImageProperty', async () => {
      const pkg = findDemoPackage(simulator.site, 'PS100013')!;
      pkg.media!.build = { ...pkg.media!.build, revision: 8655 };
      assert.equal(pkg.record.ImageOSVersion, '10.0.26100.8246');
      const answer = await call(base, `wmi/${IMAGE}('PS100013')/AdminService.ReloadImageProperties`, { method: 'POST', body: '{}' });
      assert.equal(answer.status, 201);
      assert.equal(answer.json.ReturnValue, 0);
      const record = (await call(base, `wmi/${IMAGE}('PS100013')`)).json.value[0];
      assert.equal(record.ImageOSVersion, '10.0.26100.8655');
      assert.deepEqual(parseImageProperty(record.ImageProperty)[0].osVersion, pkg.media!.build);
    });

    it('accepts a call without a body', async () => {
      const answer = await call(base, `wmi/${IMAGE}('PS100013')/AdminService.ReloadImageProperties`, { method: 'POST' });
      assert.equal(answer.status, 201);
    });

    const bad: [string, string, string, number][] = [
      ['an unknown method', `wmi/${IMAGE}('PS100013')/AdminService.FormatDisk`, '{}', 400],
      ['a body that is not JSON', `wmi/${IMAGE}('PS100013')/AdminService.RefreshPkgSource`, '{oops', 400],
      ['a body that is a JSON array', `wmi/${IMAGE}('PS100013')/AdminService.RefreshPkgSource`, '[]', 400],
      ['an unknown key', `wmi/${IMAGE}('PS1FFFFF')/AdminService.RefreshPkgSource`, '{}', 404],
      ['a segment without AdminService.', `wmi/${IMAGE}('PS100013')/RefreshPkgSource`, '{}', 404],
    ];
    for (const [what, path, body, status] of bad) {
      it(`answers ${status} to a method call with ${what} and changes nothing`, async () => {
        const record = findDemoPackage(simulator.site, 'PS100013')!.record;
        const before = record.SourceVersion;
        const answer = await call(base, path, { method: 'POST', body });
        assert.equal(answer.status, status);
        assert.equal(typeof answer.json.error.message, 'string');
        assert.equal(record.SourceVersion, before);
      });
    }
  });

  it('serves EDMX metadata naming both package classes', async () => {
    for (const path of ['v1.0/$metadata', 'wmi/$metadata']) {
      const answer = await call(base, path);
      assert.equal(answer.status, 200);
      assert.match(answer.headers.get('content-type') ?? '', /xml/);
      assert.equal(XMLValidator.validate(answer.text), true);
      assert.match(answer.text, /<EntityType Name="SMS_OperatingSystemInstallPackage"[\s/>]/);
      assert.match(answer.text, /<EntityType Name="SMS_ImagePackage"[\s/>]/);
    }
    assert.equal(simulator.stats.metadataRequests, 2);
  });

  it('serves the site as it is now: added, changed and removed packages show at once', async () => {
    const site = simulator.site;
    const removed = site.packages.splice(
      site.packages.findIndex((p) => p.record.PackageID === 'PS100005'),
      1,
    )[0];
    try {
      const listed = await call(base, `wmi/${IMAGE}?$select=PackageID`);
      assert.ok(!listed.json.value.some((r: { PackageID: string }) => r.PackageID === 'PS100005'));
      assert.equal((await call(base, `wmi/${IMAGE}('PS100005')`)).status, 404);
    } finally {
      site.packages.push(removed);
    }
    assert.equal((await call(base, `wmi/${IMAGE}('PS100005')`)).status, 200);
  });

  it('counts requests by kind, and reset starts again', async () => {
    await call(base, `wmi/${UPGRADE}`);
    await call(base, `wmi/${IMAGE}('PS100013')`);
    await call(base, `wmi/${IMAGE}('PS100016')`);
    await call(base, `wmi/${IMAGE}('PS100016')/AdminService.ReloadImageProperties`, { method: 'POST', body: '{}' });
    const { requests, listRequests, keyRequests, methodCalls, keyRequestsInFlight, maxKeyRequestsInFlight } = simulator.stats;
    assert.deepEqual(
      { requests, listRequests, keyRequests, methodCalls, keyRequestsInFlight, maxKeyRequestsInFlight },
      { requests: 4, listRequests: 1, keyRequests: 2, methodCalls: 1, keyRequestsInFlight: 0, maxKeyRequestsInFlight: 1 },
    );
    assert.equal(simulator.stats.recent[0], `GET /AdminService/wmi/${UPGRADE}`);
    simulator.stats.reset();
    assert.equal(simulator.stats.requests, 0);
    assert.deepEqual(simulator.stats.recent, []);
  });

  describe('faults', () => {
    it('answers an injected status with Retry-After the given number of times, then normally', async () => {
      simulator.injectFault({ status: 429, retryAfter: 2, times: 2 });
      const first = await call(base, `wmi/${UPGRADE}`);
      const second = await call(base, `wmi/${UPGRADE}`);
      const third = await call(base, `wmi/${UPGRADE}`);
      assert.deepEqual([first.status, second.status, third.status], [429, 429, 200]);
      assert.equal(first.headers.get('retry-after'), '2');
      assert.equal(typeof first.json.error.message, 'string');
      assert.equal(simulator.stats.faultsInjected, 2);
    });

    for (const status of [401, 500, 503]) {
      it(`answers ${status} with an OData error body until the fault is cleared`, async () => {
        simulator.injectFault({ status });
        assert.equal((await call(base, `wmi/${IMAGE}`)).status, status);
        assert.equal((await call(base, `wmi/${IMAGE}('PS100013')`)).status, status);
        simulator.injectFault(null);
        assert.equal((await call(base, `wmi/${IMAGE}`)).status, 200);
      });
    }

    it('answers an HTML page with status 200, as a misdirected proxy does', async () => {
      simulator.injectFault({ status: 200, body: '<html><body>Sign in</body></html>', contentType: 'text/html', times: 1 });
      const answer = await call(base, `wmi/${IMAGE}`);
      assert.equal(answer.status, 200);
      assert.match(answer.headers.get('content-type') ?? '', /^text\/html/);
      assert.equal(answer.text, '<html><body>Sign in</body></html>');
    });

    it('answers truncated JSON when given a body without a status', async () => {
      simulator.injectFault({ body: '{"value":[{"PackageID":"PS1', times: 1 });
      const answer = await call(base, `wmi/${IMAGE}`);
      assert.equal(answer.status, 200);
      assert.equal(answer.json, undefined);
      assert.equal(answer.text, '{"value":[{"PackageID":"PS1');
    });

    it('drops the connection at once', async () => {
      simulator.injectFault({ destroySocket: true, times: 1 });
      await assert.rejects(fetch(`${base}/wmi/${IMAGE}`));
      assert.equal((await call(base, `wmi/${IMAGE}`)).status, 200);
    });

    it('drops the connection half-way through the body', async () => {
      simulator.injectFault({ destroySocket: 'mid-body', times: 1 });
      const response = await fetch(`${base}/wmi/${IMAGE}`);
      assert.equal(response.status, 200);
      await assert.rejects(response.text());
    });

    it('delays only the requests that match pathPattern', async () => {
      simulator.injectFault({ delayMs: 1000, pathPattern: "('PS100013')" });
      let started = Date.now();
      assert.equal((await call(base, `wmi/${IMAGE}('PS100016')`)).status, 200);
      assert.ok(Date.now() - started < 800, 'an unmatched request was delayed');
      started = Date.now();
      assert.equal((await call(base, `wmi/${IMAGE}('PS100013')`)).status, 200);
      assert.ok(Date.now() - started >= 980, 'the matched request was not delayed');
    });

    it('matches a RegExp pathPattern against the decoded URL', async () => {
      simulator.injectFault({ status: 500, pathPattern: /\$filter=Name eq/ });
      assert.equal((await call(base, `wmi/${IMAGE}?$filter=${q("Name eq 'x'")}`)).status, 500);
      assert.equal((await call(base, `wmi/${IMAGE}`)).status, 200);
    });

    it('refuses fault settings that make no sense', () => {
      assert.throws(() => simulator.injectFault({ status: 500, times: 0 }), RangeError);
      assert.throws(() => simulator.injectFault({ delayMs: -1 }), RangeError);
    });
  });
});

describe('AdminServiceSimulator paging', () => {
  let simulator: AdminServiceSimulator;
  let base: string;
  before(async () => {
    ({ simulator, base } = await running({ pageSize: 4 }));
  });
  after(async () => {
    await simulator.stop();
  });

  it('pages a collection with absolute @odata.nextLink URLs that keep $select and $filter', async () => {
    const expected = simulator.site.packages
      .filter((p) => p.packageClass === UPGRADE && p.record.Name.includes('Windows'))
      .map((p) => p.record.PackageID);
    assert.ok(expected.length > 4);
    const seen: string[] = [];
    let url: string | undefined = `${base}/wmi/${UPGRADE}?$select=PackageID,Name&$filter=${q("contains(Name,'Windows')")}`;
    let pages = 0;
    while (url) {
      const answer = await call(url, '');
      assert.equal(answer.status, 200, answer.text);
      assert.ok(answer.json.value.length <= 4);
      for (const record of answer.json.value) {
        assert.deepEqual(Object.keys(record).sort(), ['Name', 'PackageID', '__LAZYPROPERTIES']);
        seen.push(record.PackageID);
      }
      url = answer.json['@odata.nextLink'];
      if (url) assert.ok(url.startsWith(`${base}/wmi/${UPGRADE}?`), url);
      pages++;
    }
    assert.deepEqual(seen, expected);
    assert.equal(pages, Math.ceil(expected.length / 4));
  });

  it('pages within $top', async () => {
    const answer = await call(base, `wmi/${UPGRADE}?$top=6`);
    assert.equal(answer.json.value.length, 4);
    const next = await call(answer.json['@odata.nextLink'], '');
    assert.equal(next.json.value.length, 2);
    assert.equal(next.json['@odata.nextLink'], undefined);
  });

  it('refuses a page size that is not a positive integer', () => {
    for (const pageSize of [0, -1, 2.5]) {
      assert.throws(() => new AdminServiceSimulator({ site: createDemoSite(), pageSize }), RangeError);
    }
  });
});

describe('AdminServiceSimulator latency', () => {
  it('applies latency to each request without holding up the others: 50 at 2 s finish in about 2 s', async () => {
    const { simulator, base } = await running({ latencyMs: 2000 });
    try {
      const started = Date.now();
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, n) => call(base, n % 2 ? `wmi/${IMAGE}('PS100013')` : `wmi/${UPGRADE}`)),
      );
      const elapsed = Date.now() - started;
      assert.ok(answers.every((answer) => answer.status === 200));
      // One after another they would take 100 s; the margin is for a busy test machine.
      assert.ok(elapsed >= 1950 && elapsed < 4500, `took ${elapsed} ms`);
      assert.equal(simulator.stats.maxKeyRequestsInFlight, 25);
    } finally {
      await simulator.stop();
    }
  });

  it('stops at once even with slow requests pending', async () => {
    const { simulator, base } = await running({ latencyMs: 10_000 });
    const pending = fetch(`${base}/wmi/${IMAGE}`).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await simulator.stop();
    assert.ok(Date.now() - started < 1000);
    assert.ok((await pending) instanceof Error);
  });

  it('refuses a negative latency', () => {
    assert.throws(() => new AdminServiceSimulator({ site: createDemoSite(), latencyMs: -5 }), RangeError);
  });
});
