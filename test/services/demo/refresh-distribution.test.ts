/** The demo AdminService playing out a refresh over time, its distribution rows and its faults, over raw HTTP. */
import assert from 'node:assert/strict';
import { AdminServiceSimulator, type SimulatorOptions } from '../../../src/services/demo/admin-service-simulator';
import { DEMO_REFRESH_TIMING } from '../../../src/services/demo/demo-distribution';
import { createDemoSite } from '../../../src/services/demo/demo-site';
import { findDemoPackage } from '../../../src/services/demo/demo-media';

const UPGRADE = 'SMS_OperatingSystemInstallPackage';
const IMAGE = 'SMS_ImagePackage';
const DP_CLASS = 'SMS_PackageStatusDistPointsSummarizer';
const TIMING = { sourceVersionDelayMs: 300, dpUpdatingAfterMs: 100, dpInstalledAfterMs: 500, dpStaggerMs: 200 };

interface Answer {
  status: number;
  text: string;
  json: any;
}

async function call(base: string, path: string, init?: RequestInit): Promise<Answer> {
  const response = await fetch(`${base}/${path}`, init);
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json };
}

const post = (base: string, path: string): Promise<Answer> => call(base, path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
const rows = async (base: string, packageId: string): Promise<any[]> =>
  (await call(base, `wmi/${DP_CLASS}?$filter=${encodeURIComponent(`PackageID eq '${packageId}'`)}`)).json.value;

describe('AdminServiceSimulator: a refresh over time', () => {
  let clock: number;
  let simulator: AdminServiceSimulator;
  let base: string;

  async function start(options: Partial<SimulatorOptions> = {}): Promise<void> {
    clock = Date.parse('2026-04-20T10:00:00Z');
    simulator = new AdminServiceSimulator({ site: createDemoSite(), now: () => new Date(clock), refreshTiming: TIMING, ...options });
    base = await simulator.start();
  }

  afterEach(async () => {
    await simulator?.stop();
  });

  it('gives every demo package 3 or 4 DPs with NAL paths as ConfigMgr writes them, installed at its SourceVersion', async () => {
    await start();
    for (const pkg of simulator.site.packages) {
      const answer = await rows(base, pkg.record.PackageID);
      assert.ok(answer.length === 3 || answer.length === 4, `${pkg.record.PackageID} has ${answer.length} DPs`);
      for (const row of answer) {
        assert.equal(row.PackageID, pkg.record.PackageID);
        assert.equal(row.State, 0);
        assert.equal(row.SourceVersion, pkg.record.SourceVersion);
        assert.equal(row.SiteCode, 'PS1');
      }
    }
    const [first] = await rows(base, 'PS100012');
    assert.equal(first.ServerNALPath, '["Display=\\\\DP01.contoso.com\\"]MSWNET:["SMS_SITE=PS1"]\\\\DP01.contoso.com\\');
  });

  it('answers $select, $filter on State and 405 to a POST on the status class', async () => {
    await start();
    const answer = await call(base, `wmi/${DP_CLASS}?$select=PackageID,State&$filter=${encodeURIComponent("PackageID eq 'PS100013' and State eq 0")}`);
    assert.equal(answer.status, 200);
    assert.deepEqual(Object.keys(answer.json.value[0]).sort(), ['PackageID', 'State']);
    assert.equal(answer.json.value.length, 4);
    assert.equal((await call(base, `wmi/${DP_CLASS}?$filter=${encodeURIComponent('State gt 0')}`)).status, 400);
    assert.equal((await post(base, `wmi/${DP_CLASS}`)).status, 405);
  });

  it('answers 201 at once, moves SourceVersion after the delay and each DP at its own pace', async () => {
    await start();
    const answer = await post(base, `wmi/${UPGRADE}('PS100012')/AdminService.RefreshPkgSource`);
    assert.equal(answer.status, 201);
    assert.equal(answer.json.ReturnValue, 0);
    const record = findDemoPackage(simulator.site, 'PS100012')!.record;
    assert.equal(record.SourceVersion, 7);
    assert.ok(simulator.refreshesUnderWay);

    const seen: Array<[number, number[], number[]]> = [];
    for (const at of [299, 300, 400, 800, 1000, 1100]) {
      clock = Date.parse('2026-04-20T10:00:00Z') + at;
      const answerRows = await rows(base, 'PS100012');
      seen.push([at, answerRows.map((row) => row.State), answerRows.map((row) => row.SourceVersion)]);
    }
    assert.deepEqual(seen, [
      [299, [0, 0, 0, 0], [7, 7, 7, 7]],
      [300, [1, 1, 1, 1], [7, 7, 7, 7]],
      [400, [7, 1, 1, 1], [7, 7, 7, 7]],
      [800, [0, 7, 7, 1], [8, 7, 7, 7]],
      [1000, [0, 0, 7, 7], [8, 8, 7, 7]],
      [1100, [0, 0, 7, 7], [8, 8, 7, 7]],
    ]);
    assert.equal(record.SourceVersion, 8);
    clock += 10_000;
    assert.deepEqual((await rows(base, 'PS100012')).map((row) => [row.State, row.SourceVersion]), [[0, 8], [0, 8], [0, 8], [0, 8]]);
    assert.equal(simulator.refreshesUnderWay, false);
    assert.equal(record.LastRefreshTime, '2026-04-20T10:00:00Z');
  });

  it('records every method call, answered or not', async () => {
    await start();
    await post(base, `wmi/${IMAGE}('PS100013')/AdminService.RefreshPkgSource`);
    await post(base, `wmi/${IMAGE}('PS1FFFFF')/AdminService.RefreshPkgSource`);
    await post(base, `wmi/${IMAGE}('PS100013')/AdminService.ReloadImageProperties`);
    assert.equal(simulator.methodCallCount('RefreshPkgSource'), 2);
    assert.equal(simulator.methodCallCount('refreshpkgsource', 'ps100013'), 1);
    assert.deepEqual(simulator.methodCallLog.map((entry) => [entry.packageId, entry.method]), [
      ['PS100013', 'RefreshPkgSource'],
      ['PS1FFFFF', 'RefreshPkgSource'],
      ['PS100013', 'ReloadImageProperties'],
    ]);
  });

  const faults: Array<{ why: string; options: Partial<SimulatorOptions>; status: number; body: RegExp; runs: boolean }> = [
    { why: 'an injected 500', options: { methodFaults: [{ method: 'RefreshPkgSource', status: 500 }] }, status: 500, body: /Injected fault/, runs: false },
    { why: 'ReturnValue 5', options: { methodFaults: [{ method: 'RefreshPkgSource', returnValue: 5 }] }, status: 201, body: /"ReturnValue":5/, runs: false },
    { why: 'a garbage body (the method did run)', options: { methodFaults: [{ method: 'RefreshPkgSource', body: 'garbage' }] }, status: 201, body: /^garbage$/, runs: true },
    { why: 'a fault for another package', options: { methodFaults: [{ method: 'RefreshPkgSource', packageId: 'PS100012', status: 500 }] }, status: 201, body: /"ReturnValue":0/, runs: true },
    { why: 'the method left out for this class', options: { omittedMethods: [{ method: 'RefreshPkgSource', packageClass: IMAGE }] }, status: 404, body: /No action RefreshPkgSource/, runs: false },
    { why: 'the method left out for the other class', options: { omittedMethods: [{ method: 'RefreshPkgSource', packageClass: UPGRADE }] }, status: 201, body: /"ReturnValue":0/, runs: true },
  ];
  for (const { why, options, status, body, runs } of faults) {
    it(`answers ${status} to RefreshPkgSource given ${why}, and ${runs ? 'runs' : 'does not run'} it`, async () => {
      await start({ ...options, refreshTiming: { ...TIMING, sourceVersionDelayMs: 0 } });
      const answer = await post(base, `wmi/${IMAGE}('PS100013')/AdminService.RefreshPkgSource`);
      assert.equal(answer.status, status);
      assert.match(answer.text, body);
      assert.equal(findDemoPackage(simulator.site, 'PS100013')!.record.SourceVersion, runs ? 4 : 3);
    });
  }

  it('applies a method fault only `times` times', async () => {
    await start({ methodFaults: [{ method: 'ReloadImageProperties', status: 503, times: 1 }] });
    assert.equal((await post(base, `wmi/${IMAGE}('PS100013')/AdminService.ReloadImageProperties`)).status, 503);
    assert.equal((await post(base, `wmi/${IMAGE}('PS100013')/AdminService.ReloadImageProperties`)).status, 201);
  });

  it('leaves omitted methods out of $metadata, per class', async () => {
    await start({ omittedMethods: [{ method: 'ReloadImageProperties', packageClass: UPGRADE }] });
    const text = (await call(base, 'wmi/$metadata')).text;
    assert.equal((text.match(/<Action Name="RefreshPkgSource"/g) ?? []).length, 2);
    assert.equal((text.match(/<Action Name="ReloadImageProperties"/g) ?? []).length, 1);
    assert.match(text, /<Action Name="ReloadImageProperties" IsBound="true"><Parameter Name="bindingParameter" Type="AdminService.SMS_ImagePackage"\/>/);
    assert.match(text, new RegExp(`<EntitySet Name="${DP_CLASS}"`));
  });

  it('fails a named DP (State 3 at the old version) and keeps a stuck one updating', async () => {
    await start({
      distributionFaults: [
        { host: 'DP02.contoso.com', outcome: 'failed' },
        { host: 'DP-NYC01.contoso.com', packageId: 'PS100013', outcome: 'stuck' },
      ],
    });
    await post(base, `wmi/${IMAGE}('PS100013')/AdminService.RefreshPkgSource`);
    clock += 60_000;
    assert.deepEqual((await rows(base, 'PS100013')).map((row) => [row.State, row.SourceVersion]), [[0, 4], [3, 3], [0, 4], [7, 3]]);
  });

  it('ReloadImageProperties shows the serviced build once, then re-reads the same media', async () => {
    await start();
    for (let round = 0; round < 2; round++) {
      assert.equal((await post(base, `wmi/${UPGRADE}('PS100012')/AdminService.ReloadImageProperties`)).status, 201);
      const record = (await call(base, `wmi/${UPGRADE}('PS100012')`)).json.value[0];
      assert.equal(record.ImageOSVersion, '10.0.26100.8246');
      assert.match(record.ImageProperty, /10\.0\.26100\.8246/);
    }
  });

  it('plays the demo at a pace a person can watch: seconds, not minutes', () => {
    const last = DEMO_REFRESH_TIMING.sourceVersionDelayMs + DEMO_REFRESH_TIMING.dpInstalledAfterMs + 3 * DEMO_REFRESH_TIMING.dpStaggerMs;
    assert.ok(DEMO_REFRESH_TIMING.sourceVersionDelayMs >= 1000 && last <= 20_000, `the last DP finishes after ${last} ms`);
  });

  it('refuses a negative timing', () => {
    assert.throws(() => new AdminServiceSimulator({ site: createDemoSite(), refreshTiming: { ...TIMING, dpStaggerMs: -1 } }), RangeError);
  });
});
