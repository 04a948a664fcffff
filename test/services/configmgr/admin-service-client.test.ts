import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import pino from 'pino';
import { PACKAGE_LIST_PROPERTIES, PackageFilter } from '../../../src/services/configmgr/admin-service';
import { AdminServiceClient, AdminServiceClientOptions } from '../../../src/services/configmgr/admin-service-client';
import {
  ConfigMgrAccessDenied,
  ConfigMgrBadResponse,
  ConfigMgrRequestRejected,
  ConfigMgrUnavailable,
  PackageNotFound,
} from '../../../src/services/errors';
import { makeSelfSignedCertificate, SelfSignedCertificate } from '../../support/self-signed-tls';
import { json, startScriptedServer, ScriptedServer } from './scripted-server';

const logger = pino({ level: 'silent' });
const IMAGE = 'SMS_ImagePackage';
const record = (id: string, extra: Record<string, unknown> = {}) => ({ PackageID: id, Name: `Package ${id}`, ...extra });

function envelope(records: unknown[], nextLink?: string): unknown {
  return {
    '@odata.context': 'https://cm01/AdminService/wmi/$metadata#SMS_ImagePackage',
    value: records,
    ...(nextLink ? { '@odata.nextLink': nextLink } : {}),
  };
}

/** Resolves with the error a promise rejects with, failing the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  assert.fail('expected a rejection');
}

describe('AdminServiceClient', () => {
  let server: ScriptedServer;
  const clients: AdminServiceClient[] = [];

  function client(overrides: Partial<AdminServiceClientOptions> = {}): AdminServiceClient {
    const made = new AdminServiceClient({
      baseUrl: server.baseUrl,
      auth: { kind: 'none' },
      logger,
      timeoutMs: 2000,
      retries: 3,
      retryBaseDelayMs: 5,
      ...overrides,
    });
    clients.push(made);
    return made;
  }

  before(async () => {
    server = await startScriptedServer();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((made) => made.close()));
  });
  after(async () => {
    await server.close();
  });

  describe('collection queries', () => {
    it('asks for the list properties with $select and returns the records', async () => {
      server.script((_request, response) => json(response, 200, envelope([record('PS100001', { '@odata.etag': 'e', SourceVersion: 3 })])));
      const { records } = await client().listPackages(IMAGE);
      assert.deepEqual(records, [{ PackageID: 'PS100001', Name: 'Package PS100001', SourceVersion: 3 }]);
      const url = new URL(server.requests[0]!.url, server.origin);
      assert.equal(url.pathname, '/AdminService/wmi/SMS_ImagePackage');
      assert.equal(url.searchParams.get('$select'), PACKAGE_LIST_PROPERTIES.join(','));
      assert.equal(url.searchParams.has('$filter'), false);
      assert.equal(server.requests[0]!.headers.authorization, undefined);
    });

    it('follows relative and absolute @odata.nextLink until it is absent', async () => {
      server.script((request, response) => {
        const page = new URL(request.url, server.origin).searchParams.get('page');
        if (page === null) json(response, 200, envelope([record('PS100001')], 'SMS_ImagePackage?page=2'));
        else if (page === '2') json(response, 200, envelope([record('PS100002')], `${server.baseUrl}/wmi/SMS_ImagePackage?page=3`));
        else json(response, 200, envelope([record('PS100003')]));
      });
      const { records } = await client().listPackages(IMAGE);
      assert.deepEqual(records.map((r) => r.PackageID), ['PS100001', 'PS100002', 'PS100003']);
      assert.deepEqual(server.requests.map((r) => r.url.replace(/\?\$select.*/, '?…')), [
        '/AdminService/wmi/SMS_ImagePackage?…',
        '/AdminService/wmi/SMS_ImagePackage?page=2',
        '/AdminService/wmi/SMS_ImagePackage?page=3',
      ]);
    });

    it('skips only the unusable rows, numbering them across pages, and keeps the rest', async () => {
      server.script((request, response) => {
        const page = new URL(request.url, server.origin).searchParams.get('page');
        if (page === null) json(response, 200, envelope([record('PS100001'), { Name: 'no id' }], 'SMS_ImagePackage?page=2'));
        else json(response, 200, envelope([record('PS100002', { SourceVersion: '18446744073709551615' }), { PackageID: 'PS100003', Name: 3 }, record('PS100004')]));
      });
      const listing = await client().listPackages(IMAGE);
      assert.deepEqual(listing.records.map((r) => r.PackageID), ['PS100001', 'PS100002', 'PS100004']);
      assert.deepEqual(listing.skipped, [
        { packageClass: IMAGE, position: 2, reason: 'PackageID missing' },
        { packageClass: IMAGE, position: 4, packageId: 'PS100003', reason: 'Name is a number, not text' },
      ]);
      assert.deepEqual(listing.dropped, [{ packageId: 'PS100002', field: 'SourceVersion', reason: 'a number too large to hold exactly' }]);
    });

    it('stops a @odata.nextLink loop with ConfigMgrBadResponse', async () => {
      server.script((request, response) => {
        const page = new URL(request.url, server.origin).searchParams.get('page');
        json(response, 200, envelope([record('PS10000' + (page ?? '0'))], page === '1' ? 'SMS_ImagePackage?page=2' : 'SMS_ImagePackage?page=1'));
      });
      const error = await rejection(client().listPackages(IMAGE));
      assert.ok(error instanceof ConfigMgrBadResponse);
      assert.match(error.message, /nextLink loops/);
      assert.equal(server.requests.length, 3);
    });

    it('refuses a @odata.nextLink to another server, so credentials never follow it', async () => {
      const other = await startScriptedServer();
      try {
        other.script((_request, response) => json(response, 200, envelope([])));
        server.script((_request, response) => json(response, 200, envelope([record('PS100001')], `${other.baseUrl}/wmi/SMS_ImagePackage`)));
        const error = await rejection(client({ auth: { kind: 'bearer', token: 'secret-token' } }).listPackages(IMAGE));
        assert.ok(error instanceof ConfigMgrBadResponse);
        assert.match(error.message, /leaves/);
        assert.equal(other.requests.length, 0);
      } finally {
        await other.close();
      }
    });

    const filters: Array<{ filter: PackageFilter; expected: string }> = [
      { filter: { property: 'Name', op: 'eq', value: "O'Brien's 24H2" }, expected: "Name eq 'O''Brien''s 24H2'" },
      { filter: { property: 'Name', op: 'contains', value: "' or 1 eq 1" }, expected: "contains(Name,''' or 1 eq 1')" },
      { filter: { property: 'Name', op: 'startswith', value: 'Ünïcødé/(x)%#&=+?' }, expected: "startswith(Name,'Ünïcødé/(x)%#&=+?')" },
      { filter: { property: 'SourceVersion', op: 'eq', value: 12 }, expected: 'SourceVersion eq 12' },
    ];
    for (const { filter, expected } of filters) {
      it(`sends the filter ${expected} to the server exactly`, async () => {
        server.script((_request, response) => json(response, 200, envelope([])));
        await client().listPackages(IMAGE, { filter });
        const url = new URL(server.requests[0]!.url, server.origin);
        assert.equal(url.searchParams.get('$filter'), expected);
        assert.equal(url.searchParams.get('$select'), PACKAGE_LIST_PROPERTIES.join(','));
        assert.deepEqual([...url.searchParams.keys()], ['$select', '$filter']);
      });
    }

    it('refuses a filter on a property that is not an identifier before sending anything', async () => {
      server.script((_request, response) => json(response, 200, envelope([])));
      await assert.rejects(client().listPackages(IMAGE, { filter: { property: 'Name) or (1', op: 'eq', value: 'x' } }), /property name/);
      assert.equal(server.requests.length, 0);
    });
  });

  describe('key lookups', () => {
    it('fetches one instance by key and reads value[0] with its lazy properties', async () => {
      server.script((_request, response) =>
        json(response, 200, envelope([record('PS100012', { ImageProperty: '<WIM></WIM>', __LAZYPROPERTIES: ['ImageProperty'] })])),
      );
      const found = await client().getPackage(IMAGE, 'PS100012');
      assert.deepEqual(found, { PackageID: 'PS100012', Name: 'Package PS100012', ImageProperty: '<WIM></WIM>' });
      assert.equal(server.requests[0]!.url, "/AdminService/wmi/SMS_ImagePackage('PS100012')");
    });

    const keys: Array<[string, string]> = [
      ["PS1'00", "SMS_ImagePackage('PS1''00')"],
      ["x') or ('1", "SMS_ImagePackage('x'') or (''1')"],
      ['a/b?c#d&e%f Ü', "SMS_ImagePackage('a/b?c#d&e%f Ü')"],
    ];
    for (const [key, expected] of keys) {
      it(`escapes the key ${JSON.stringify(key)} so the server reads ${expected}`, async () => {
        server.script((_request, response) => json(response, 200, envelope([record('PS100012')])));
        await client().getPackage(IMAGE, key);
        const raw = server.requests[0]!.url;
        assert.equal(raw.includes('?') || raw.includes('#'), false);
        assert.equal(decodeURIComponent(raw), `/AdminService/wmi/${expected}`);
      });
    }

    const missing: Array<[string, (response: import('node:http').ServerResponse) => void]> = [
      ['a 404', (response) => json(response, 404, { error: { code: '404', message: 'Not found' } })],
      ['an empty value', (response) => json(response, 200, envelope([]))],
    ];
    for (const [name, answer] of missing) {
      it(`throws PackageNotFound on ${name}`, async () => {
        server.script((_request, response) => answer(response));
        const error = await rejection(client().getPackage(IMAGE, 'PS999999'));
        assert.ok(error instanceof PackageNotFound);
        assert.equal(error.packageId, 'PS999999');
        assert.equal(server.requests.length, 1);
      });
    }

    it('reads a key answer with an odd field, leaving that field out', async () => {
      server.script((_request, response) => json(response, 200, envelope([record('PS100012', { ImageProperty: { xml: 1 }, PackageSize: '12' })])));
      const found = await client().getPackage(IMAGE, 'PS100012');
      assert.deepEqual(found, { PackageID: 'PS100012', Name: 'Package PS100012', PackageSize: 12 });
    });

    it('throws ConfigMgrBadResponse when the key answer is a row the bot cannot use', async () => {
      server.script((_request, response) => json(response, 200, envelope([{ PackageID: 'PS100012', Name: null }])));
      const error = await rejection(client().getPackage(IMAGE, 'PS100012'));
      assert.ok(error instanceof ConfigMgrBadResponse);
      assert.match(error.message, /unusable row \(Name missing\)/);
    });

    it('throws PackageNotFound for an empty id without asking the server', async () => {
      server.script((_request, response) => json(response, 200, envelope([record('PS100012')])));
      await assert.rejects(client().getPackage(IMAGE, '  '), PackageNotFound);
      assert.equal(server.requests.length, 0);
    });
  });

  describe('instance methods', () => {
    it('POSTs {} to Class(key)/AdminService.Method and returns the result', async () => {
      server.script((_request, response) => json(response, 201, { '@odata.context': 'x', ReturnValue: 0 }));
      const result = await client().invokePackageMethod(IMAGE, 'PS100012', 'RefreshPkgSource');
      assert.deepEqual(result, { ReturnValue: 0 });
      const sent = server.requests[0]!;
      assert.equal(sent.method, 'POST');
      assert.equal(sent.url, "/AdminService/wmi/SMS_ImagePackage('PS100012')/AdminService.RefreshPkgSource");
      assert.equal(sent.body, '{}');
      assert.match(String(sent.headers['content-type']), /^application\/json/);
    });

    it('sends the parameters as the JSON body', async () => {
      server.script((_request, response) => json(response, 200, { ReturnValue: 0, Out: 'x' }));
      const result = await client().invokePackageMethod('SMS_OperatingSystemInstallPackage', 'PS100013', 'Run', { SiteCode: 'PS1', PackageType: 259 });
      assert.deepEqual(result, { ReturnValue: 0, Out: 'x' });
      assert.deepEqual(JSON.parse(server.requests[0]!.body), { SiteCode: 'PS1', PackageType: 259 });
    });

    it('refuses a method name that is not an identifier before sending anything', async () => {
      server.script((_request, response) => json(response, 200, { ReturnValue: 0 }));
      await assert.rejects(client().invokePackageMethod(IMAGE, 'PS100012', 'Refresh/../x'), ConfigMgrRequestRejected);
      assert.equal(server.requests.length, 0);
    });

    it('does not repeat a method call after a 500, which may have acted', async () => {
      server.script((_request, response) => json(response, 500, { error: 'boom' }));
      await assert.rejects(client().invokePackageMethod(IMAGE, 'PS100012', 'RefreshPkgSource'), ConfigMgrUnavailable);
      assert.equal(server.requests.length, 1);
    });

    it('repeats a method call after a 503, which did not act', async () => {
      let calls = 0;
      server.script((_request, response) => {
        calls += 1;
        if (calls === 1) json(response, 503, { error: 'busy' });
        else json(response, 201, { ReturnValue: 0 });
      });
      assert.deepEqual(await client().invokePackageMethod(IMAGE, 'PS100012', 'RefreshPkgSource'), { ReturnValue: 0 });
      assert.equal(server.requests.length, 2);
    });
  });

  describe('failures', () => {
    it('gives up on a server slower than timeoutMs with ConfigMgrUnavailable', async () => {
      server.script((_request, response) => {
        setTimeout(() => json(response, 200, envelope([])), 600);
      });
      const started = Date.now();
      const error = await rejection(client({ timeoutMs: 150, retries: 0 }).listPackages(IMAGE));
      assert.ok(error instanceof ConfigMgrUnavailable);
      assert.match(error.message, /timed out after 150 ms/);
      assert.ok(Date.now() - started < 550, 'did not wait for the slow answer');
    });

    it('retries a timeout and succeeds when the server answers in time', async () => {
      let calls = 0;
      server.script((_request, response) => {
        calls += 1;
        if (calls === 1) setTimeout(() => json(response, 200, envelope([])), 600);
        else json(response, 200, envelope([record('PS100001')]));
      });
      const { records } = await client({ timeoutMs: 150 }).listPackages(IMAGE);
      assert.equal(records.length, 1);
    });

    it('retries 503 twice, then succeeds', async () => {
      let calls = 0;
      server.script((_request, response) => {
        calls += 1;
        if (calls <= 2) json(response, 503, { error: 'busy' });
        else json(response, 200, envelope([record('PS100001')]));
      });
      const { records } = await client().listPackages(IMAGE);
      assert.deepEqual(records.map((r) => r.PackageID), ['PS100001']);
      assert.equal(server.requests.length, 3);
    });

    it('waits as long as the Retry-After of a 429 says', async () => {
      const times: number[] = [];
      server.script((_request, response) => {
        times.push(Date.now());
        if (times.length === 1) json(response, 429, { error: 'slow down' }, { 'Retry-After': '1' });
        else json(response, 200, envelope([]));
      });
      await client({ retryBaseDelayMs: 1 }).listPackages(IMAGE);
      assert.equal(times.length, 2);
      assert.ok(times[1]! - times[0]! >= 950, `waited ${times[1]! - times[0]!} ms`);
    });

    it('backs off exponentially between retries', async () => {
      const times: number[] = [];
      server.script((_request, response) => {
        times.push(Date.now());
        json(response, 503, { error: 'busy' });
      });
      await assert.rejects(client({ retries: 3, retryBaseDelayMs: 40 }).listPackages(IMAGE), ConfigMgrUnavailable);
      const gaps = times.slice(1).map((time, index) => time - times[index]!);
      // 2^n × 40 ms plus up to 20 % jitter: about 80, 160, 320 ms.
      assert.equal(gaps.length, 3);
      assert.ok(gaps[0]! >= 75 && gaps[1]! >= 155 && gaps[2]! >= 315, `gaps ${gaps.join(', ')}`);
    });

    it('gives up after the configured retries with ConfigMgrUnavailable naming the status', async () => {
      server.script((_request, response) => json(response, 502, { error: 'bad gateway' }));
      const error = await rejection(client({ retries: 2 }).listPackages(IMAGE));
      assert.ok(error instanceof ConfigMgrUnavailable);
      assert.match(error.message, /HTTP 502.*after 2 retries/);
      assert.equal(server.requests.length, 3);
    });

    it('reports a refused connection (server stopped) as ConfigMgrUnavailable', async () => {
      const stopped = await startScriptedServer();
      await stopped.close();
      const error = await rejection(client({ baseUrl: stopped.baseUrl, retries: 1 }).listPackages(IMAGE));
      assert.ok(error instanceof ConfigMgrUnavailable);
      assert.match(error.message, /ECONNREFUSED/);
    });

    it('reports a connection dropped in the middle of the body as ConfigMgrUnavailable', async () => {
      server.script((_request, response) => {
        response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '5000' });
        response.write('{"value":[{"PackageID":"PS1');
        setTimeout(() => response.socket?.destroy(), 20);
      });
      const error = await rejection(client({ retries: 1 }).listPackages(IMAGE));
      assert.ok(error instanceof ConfigMgrUnavailable, `${error.name}: ${error.message}`);
      assert.match(error.message, /connection broke while the body was read/);
      assert.equal(server.requests.length, 2);
    });

    it('recovers when a dropped connection is followed by a good answer', async () => {
      let calls = 0;
      server.script((_request, response) => {
        calls += 1;
        if (calls === 1) {
          response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '5000' });
          response.write('{"value":[');
          setTimeout(() => response.socket?.destroy(), 20);
        } else json(response, 200, envelope([record('PS100001')]));
      });
      assert.equal((await client().listPackages(IMAGE)).records.length, 1);
    });

    const denied: Array<[number, Record<string, string>]> = [
      [401, { 'WWW-Authenticate': 'Negotiate' }],
      [403, {}],
    ];
    for (const [status, headers] of denied) {
      it(`throws ConfigMgrAccessDenied on ${status} without retrying`, async () => {
        server.script((_request, response) => json(response, status, { error: 'denied' }, headers));
        const error = await rejection(client().listPackages(IMAGE));
        assert.ok(error instanceof ConfigMgrAccessDenied);
        assert.match(error.message, new RegExp(`HTTP ${status}`));
        assert.equal(server.requests.length, 1);
      });
    }

    it('throws ConfigMgrRequestRejected with the status on another 4xx', async () => {
      server.script((_request, response) => json(response, 400, { error: { message: 'Invalid $filter' } }));
      const error = await rejection(client().listPackages(IMAGE));
      assert.ok(error instanceof ConfigMgrRequestRejected);
      assert.equal(error.status, 400);
      assert.match(error.message, /Invalid \$filter/);
      assert.equal(server.requests.length, 1);
    });

    const badBodies: Array<{ name: string; contentType: string; body: string; detail: RegExp }> = [
      { name: 'an HTML page', contentType: 'text/html', body: '<html><body>IIS Welcome</body></html>', detail: /not JSON.*IIS Welcome/ },
      { name: 'truncated JSON', contentType: 'application/json', body: '{"value":[{"PackageID":"PS1', detail: /truncated JSON/ },
      { name: 'JSON labelled text/plain', contentType: 'text/plain', body: JSON.stringify(envelope([])), detail: /text\/plain/ },
      { name: 'JSON of the wrong shape', contentType: 'application/json', body: '{"value":{"Name":"x"}}', detail: /unexpected shape.*value/ },
      { name: 'a nextLink that is not text', contentType: 'application/json', body: '{"value":[],"@odata.nextLink":7}', detail: /unexpected shape.*nextLink/ },
      { name: 'an empty body', contentType: 'application/json', body: '', detail: /truncated JSON/ },
    ];
    for (const { name, contentType, body, detail } of badBodies) {
      it(`throws ConfigMgrBadResponse on ${name}`, async () => {
        server.script((_request, response) => {
          response.writeHead(200, { 'Content-Type': contentType });
          response.end(body);
        });
        const error = await rejection(client().listPackages(IMAGE));
        assert.ok(error instanceof ConfigMgrBadResponse);
        assert.match(error.message, detail);
        assert.equal(server.requests.length, 1);
      });
    }

    it('keeps the detail short when the body is large', async () => {
      server.script((_request, response) => {
        response.writeHead(200, { 'Content-Type': 'text/html' });
        response.end(`<html>${'x'.repeat(100_000)}</html>`);
      });
      const error = await rejection(client().listPackages(IMAGE));
      assert.equal(error.message.includes('x'.repeat(201)), false);
      assert.match(error.message, /x…$/);
    });
  });

  describe('bearer authentication', () => {
    it('sends the token in the Authorization header', async () => {
      server.script((_request, response) => json(response, 200, envelope([])));
      await client({ auth: { kind: 'bearer', token: 'eyJ.token.sig' } }).listPackages(IMAGE);
      assert.equal(server.requests[0]!.headers.authorization, 'Bearer eyJ.token.sig');
    });

    it('never puts the token in a refused request\'s error, cause or log', async () => {
      const lines: string[] = [];
      const capture = pino({ level: 'trace' }, { write: (line: string) => lines.push(line) });
      server.script((request, response) => {
        if (server.requests.length === 1) json(response, 503, {});
        else json(response, 401, { error: 'expired' }, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
      });
      const error = await rejection(client({ auth: { kind: 'bearer', token: 'top-secret-token' }, logger: capture }).listPackages(IMAGE));
      assert.ok(error instanceof ConfigMgrAccessDenied);
      capture.error({ err: error }, 'sync failed');
      for (const text of [inspect(error, { depth: 10 }), JSON.stringify(error), ...lines]) {
        assert.equal(text.includes('top-secret-token'), false, text);
      }
      assert.ok(lines.length >= 2);
    });

    it('refuses an empty token at construction', () => {
      assert.throws(() => client({ auth: { kind: 'bearer', token: ' ' } }), /CM_BEARER_TOKEN/);
    });
  });

  describe('configuration', () => {
    const badUrls: Array<[string, RegExp]> = [
      ['cm01/AdminService', /not a URL/],
      ['ftp://cm01/AdminService', /https/],
      ['https://user:pass@cm01/AdminService', /must not carry credentials/],
      ['https://cm01/AdminService?x=1', /query/],
    ];
    for (const [baseUrl, message] of badUrls) {
      it(`refuses the base URL ${baseUrl}`, () => {
        assert.throws(() => client({ baseUrl }), message);
      });
    }

    it('accepts a base URL with a trailing slash', async () => {
      server.script((_request, response) => json(response, 200, envelope([])));
      await client({ baseUrl: `${server.baseUrl}/` }).listPackages(IMAGE);
      assert.match(server.requests[0]!.url, /^\/AdminService\/wmi\/SMS_ImagePackage\?/);
    });

    it('refuses a CA file that does not exist or holds no certificate', () => {
      assert.throws(() => client({ caFile: '/nonexistent/ca.pem' }), /CM_CA_FILE cannot be read.*ENOENT/);
      assert.throws(() => client({ caFile: __filename }), /holds no PEM certificate/);
    });
  });

  describe('HTTPS with the site\'s self-signed certificate', () => {
    let certificate: SelfSignedCertificate;
    let tlsServer: ScriptedServer;
    before(async () => {
      certificate = await makeSelfSignedCertificate();
      tlsServer = await startScriptedServer(certificate);
      tlsServer.script((_request, response) => json(response, 200, envelope([record('PS100001')])));
    });
    after(async () => {
      await tlsServer.close();
      certificate.remove();
    });

    it('trusts the certificate given as caFile', async () => {
      const { records } = await client({ baseUrl: tlsServer.baseUrl, caFile: certificate.certFile }).listPackages(IMAGE);
      assert.equal(records.length, 1);
    });

    it('rejects it without caFile: ConfigMgrUnavailable with a TLS detail, not retried', async () => {
      tlsServer.requests.length = 0;
      const error = await rejection(client({ baseUrl: tlsServer.baseUrl }).listPackages(IMAGE));
      assert.ok(error instanceof ConfigMgrUnavailable);
      assert.match(error.message, /TLS: (DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN).*CM_CA_FILE/);
      assert.match(error.message, /^GET https:\/\/127\.0\.0\.1/);
      assert.doesNotMatch(error.message, /retr/);
      assert.equal(tlsServer.requests.length, 0);
    });
  });
});
