/**
 * The client's refresh calls against the demo AdminService over real HTTP: $metadata, the package methods and
 * their answers, SourceVersion, and the distribution rows as a refresh moves across the DPs (clock injected).
 */
import assert from 'node:assert/strict';
import pino from 'pino';
import { AdminServiceClient, type AdminServiceClientOptions } from '../../../src/services/configmgr/admin-service-client';
import { summarizeDistribution } from '../../../src/services/configmgr/distribution-status';
import {
  ConfigMgrBadResponse,
  ConfigMgrMethodFailed,
  ConfigMgrMethodUnavailable,
  ConfigMgrUnavailable,
  PackageNotFound,
} from '../../../src/services/errors';
import { AdminServiceSimulator, type SimulatorOptions } from '../../../src/services/demo/admin-service-simulator';
import { createDemoSite } from '../../../src/services/demo/demo-site';

const logger = pino({ level: 'silent' });
const UPGRADE = 'SMS_OperatingSystemInstallPackage';
const IMAGE = 'SMS_ImagePackage';
const TIMING = { sourceVersionDelayMs: 300, dpUpdatingAfterMs: 100, dpInstalledAfterMs: 500, dpStaggerMs: 200 };

describe('AdminServiceClient refresh calls, against the demo site', () => {
  let clock: number;
  let simulator: AdminServiceSimulator;
  let client: AdminServiceClient;

  async function start(options: Partial<SimulatorOptions> = {}, clientOptions: Partial<AdminServiceClientOptions> = {}): Promise<void> {
    clock = Date.parse('2026-04-20T10:00:00Z');
    simulator = new AdminServiceSimulator({ site: createDemoSite(), now: () => new Date(clock), refreshTiming: TIMING, ...options });
    const baseUrl = await simulator.start();
    client = new AdminServiceClient({ baseUrl, auth: { kind: 'none' }, logger, timeoutMs: 2000, retries: 2, retryBaseDelayMs: 5, ...clientOptions });
  }

  afterEach(async () => {
    await client?.close();
    await simulator?.stop();
  });

  describe('methodExists', () => {
    it('finds both methods on both package classes, reading $metadata once', async () => {
      await start();
      for (const packageClass of [UPGRADE, IMAGE] as const) {
        assert.equal(await client.methodExists(packageClass, 'RefreshPkgSource'), true);
        assert.equal(await client.methodExists(packageClass, 'ReloadImageProperties'), true);
      }
      assert.equal(await client.methodExists(IMAGE, 'FormatDisk'), false);
      assert.equal(simulator.stats.metadataRequests, 1);
      assert.ok(simulator.stats.recent.includes('GET /AdminService/wmi/$metadata'));
    });

    it('says false for a method the site leaves out, for that class only', async () => {
      await start({ omittedMethods: [{ method: 'RefreshPkgSource', packageClass: IMAGE }] });
      assert.equal(await client.methodExists(IMAGE, 'RefreshPkgSource'), false);
      assert.equal(await client.methodExists(UPGRADE, 'RefreshPkgSource'), true);
      assert.equal(await client.methodExists(IMAGE, 'ReloadImageProperties'), true);
    });

    it('reads $metadata again once the cache is older than metadataTtlMs', async () => {
      await start({}, { metadataTtlMs: 0 });
      await client.methodExists(IMAGE, 'RefreshPkgSource');
      await client.methodExists(IMAGE, 'RefreshPkgSource');
      assert.equal(simulator.stats.metadataRequests, 2);
    });

    it('throws ConfigMgrBadResponse for garbage metadata, and asks again next time', async () => {
      await start();
      simulator.injectFault({ pathPattern: '$metadata', status: 200, body: '<html><body>Sign in', contentType: 'text/html', times: 1 });
      await assert.rejects(client.methodExists(IMAGE, 'RefreshPkgSource'), ConfigMgrBadResponse);
      assert.equal(await client.methodExists(IMAGE, 'RefreshPkgSource'), true);
      assert.equal(simulator.stats.metadataRequests, 2);
    });

    it('refuses metadata larger than metadataMaxBytes without parsing it', async () => {
      await start({}, { metadataMaxBytes: 1000 });
      const error = await client.methodExists(IMAGE, 'RefreshPkgSource').catch((caught: unknown) => caught);
      assert.ok(error instanceof ConfigMgrBadResponse);
      assert.match(error.message, /larger than the bot reads/);
    });

    it('throws ConfigMgrUnavailable when $metadata keeps failing', async () => {
      await start();
      simulator.injectFault({ pathPattern: '$metadata', status: 500 });
      await assert.rejects(client.methodExists(IMAGE, 'RefreshPkgSource'), ConfigMgrUnavailable);
    });
  });

  describe('invokePackageMethod', () => {
    it('is accepted on 201 ReturnValue 0, and the site records exactly one call', async () => {
      await start();
      assert.deepEqual(await client.invokePackageMethod(UPGRADE, 'PS100012', 'RefreshPkgSource'), { ReturnValue: 0 });
      assert.equal(simulator.methodCallCount('RefreshPkgSource', 'PS100012'), 1);
      assert.equal(simulator.methodCallCount('RefreshPkgSource'), 1);
    });

    it('throws ConfigMgrMethodFailed for ReturnValue 5, saying where to look, and the site changes nothing', async () => {
      await start({ methodFaults: [{ method: 'RefreshPkgSource', returnValue: 5 }] });
      const error = await client.invokePackageMethod(UPGRADE, 'PS100012', 'RefreshPkgSource').catch((caught: unknown) => caught);
      assert.ok(error instanceof ConfigMgrMethodFailed);
      assert.equal(error.returnValue, 5);
      assert.match(error.userMessage, /RefreshPkgSource on PS100012 \(return value 5\); see SMSProv\.log/);
      clock += 10_000;
      assert.equal((await client.getSourceVersion(UPGRADE, 'PS100012')).sourceVersion, 7);
    });

    it('throws ConfigMgrUnavailable on 500 and does not call again (it may have run)', async () => {
      await start({ methodFaults: [{ method: 'RefreshPkgSource', status: 500 }] });
      await assert.rejects(client.invokePackageMethod(UPGRADE, 'PS100012', 'RefreshPkgSource'), ConfigMgrUnavailable);
      assert.equal(simulator.methodCallCount('RefreshPkgSource'), 1);
    });

    it('throws PackageNotFound for a package the site does not have', async () => {
      await start();
      await assert.rejects(client.invokePackageMethod(UPGRADE, 'PS1FFFFF', 'RefreshPkgSource'), PackageNotFound);
    });

    it('throws ConfigMgrMethodUnavailable when the method route answers 404 for a package that exists', async () => {
      await start({ omittedMethods: [{ method: 'ReloadImageProperties' }] });
      const error = await client.invokePackageMethod(IMAGE, 'PS100013', 'ReloadImageProperties').catch((caught: unknown) => caught);
      assert.ok(error instanceof ConfigMgrMethodUnavailable);
      assert.match(error.userMessage, /RUNNER=webhook/);
    });

    it('takes 201 with a garbage body as accepted (the effect shows on the package), not as a failure', async () => {
      await start({ methodFaults: [{ method: 'RefreshPkgSource', body: '<html>oops' }] });
      assert.deepEqual(await client.invokePackageMethod(UPGRADE, 'PS100012', 'RefreshPkgSource'), {});
      clock += TIMING.sourceVersionDelayMs;
      assert.equal((await client.getSourceVersion(UPGRADE, 'PS100012')).sourceVersion, 8);
    });

    it('takes 201 without a body as accepted', async () => {
      await start({ methodFaults: [{ method: 'ReloadImageProperties', body: '' }] });
      assert.deepEqual(await client.invokePackageMethod(IMAGE, 'PS100013', 'ReloadImageProperties'), {});
    });

    it('ReloadImageProperties brings the serviced build into ImageOSVersion', async () => {
      await start();
      assert.equal((await client.getSourceVersion(UPGRADE, 'PS100012')).imageOsVersion, '10.0.26100.4349');
      await client.invokePackageMethod(UPGRADE, 'PS100012', 'ReloadImageProperties');
      assert.equal((await client.getSourceVersion(UPGRADE, 'PS100012')).imageOsVersion, '10.0.26100.8246');
    });
  });

  describe('getSourceVersion', () => {
    it('reads SourceVersion, SourceDate and ImageOSVersion with one narrow key lookup', async () => {
      await start();
      assert.deepEqual(await client.getSourceVersion(UPGRADE, 'PS100012'), {
        sourceVersion: 7,
        sourceDate: new Date('2025-06-12T07:55:40Z'),
        imageOsVersion: '10.0.26100.4349',
      });
      assert.match(simulator.stats.recent.at(-1)!, /\('PS100012'\)\?\$select=PackageID%2CName%2CSourceVersion/);
    });

    it('throws PackageNotFound for an unknown package or the wrong class', async () => {
      await start();
      await assert.rejects(client.getSourceVersion(UPGRADE, 'PS1FFFFF'), PackageNotFound);
      await assert.rejects(client.getSourceVersion(IMAGE, 'PS100012'), PackageNotFound);
    });
  });

  describe('distributionStatus', () => {
    it('follows a refresh from the old version to every DP installed at the new one', async () => {
      await start();
      const { sourceVersion: before } = await client.getSourceVersion(UPGRADE, 'PS100012');
      await client.invokePackageMethod(UPGRADE, 'PS100012', 'RefreshPkgSource');
      const target = before + 1;
      const summary = async () => {
        const reading = await client.distributionStatus('PS100012');
        return summarizeDistribution(reading.points, target, { unreadable: reading.skipped });
      };

      const first = await client.distributionStatus('PS100012');
      assert.deepEqual(
        first.points.map((point) => [point.server, point.siteCode, point.state, point.sourceVersion]),
        [
          ['DP01.contoso.com', 'PS1', 0, 7],
          ['DP02.contoso.com', 'PS1', 0, 7],
          ['DP-BER01.contoso.com', 'PS1', 0, 7],
          ['DP-NYC01.contoso.com', 'PS1', 0, 7],
        ],
      );
      assert.equal(first.skipped, 0);
      assert.equal((await client.getSourceVersion(UPGRADE, 'PS100012')).sourceVersion, before, 'not at the 201');
      assert.deepEqual((await summary()).waiting, 4);

      clock += TIMING.sourceVersionDelayMs;
      assert.equal((await client.getSourceVersion(UPGRADE, 'PS100012')).sourceVersion, target);
      assert.equal((await summary()).inProgress, 4);

      clock += 600;
      const partway = await client.distributionStatus('PS100012');
      assert.deepEqual(
        partway.points.map((point) => point.stateName),
        ['installed', 'content updating', 'content updating', 'install pending'],
      );
      // Installed 800 ms after the call; the site writes whole seconds.
      assert.equal(partway.points[0]!.lastCopied?.toISOString(), '2026-04-20T10:00:00.000Z');

      clock += 600;
      const end = await summary();
      assert.deepEqual({ installed: end.installed, done: end.done }, { installed: 4, done: true });
      assert.equal(simulator.methodCallCount('RefreshPkgSource', 'PS100012'), 1);
    });

    it('names a DP that fails and settles without done', async () => {
      await start({ distributionFaults: [{ host: 'dp-ber01.contoso.com', outcome: 'failed' }] });
      await client.invokePackageMethod(IMAGE, 'PS100013', 'RefreshPkgSource');
      clock += 10_000;
      const reading = await client.distributionStatus('PS100013');
      const summary = summarizeDistribution(reading.points, 4);
      assert.deepEqual(
        { installed: summary.installed, failed: summary.failed, failedServers: summary.failedServers, done: summary.done, settled: summary.settled },
        { installed: 3, failed: 1, failedServers: ['DP-BER01.contoso.com'], done: false, settled: true },
      );
      assert.equal(reading.points.find((point) => point.server === 'DP-BER01.contoso.com')?.stateName, 'install failed');
    });

    it('keeps a DP that never finishes in progress', async () => {
      await start({ distributionFaults: [{ host: 'DP-NYC01.contoso.com', packageId: 'PS100013', outcome: 'stuck' }] });
      await client.invokePackageMethod(IMAGE, 'PS100013', 'RefreshPkgSource');
      clock += 3_600_000;
      const summary = summarizeDistribution((await client.distributionStatus('PS100013')).points, 4);
      assert.deepEqual({ installed: summary.installed, inProgress: summary.inProgress, done: summary.done, settled: summary.settled }, { installed: 3, inProgress: 1, done: false, settled: false });
    });

    it('escapes the package id in the filter, skips unreadable rows and counts them', async () => {
      await start();
      const pkg = simulator.site.packages.find((candidate) => candidate.record.PackageID === 'PS100013')!;
      pkg.distribution!.push({ host: 'not a host!', siteCode: 'PS1', state: 0, sourceVersion: 3, lastCopied: null, summaryDate: '2026-04-20T10:00:00Z' });
      const reading = await client.distributionStatus('PS100013');
      assert.equal(reading.points.length, 4);
      assert.equal(reading.skipped, 1);
      assert.equal(summarizeDistribution(reading.points, 3, { unreadable: reading.skipped }).done, false);
      assert.deepEqual(await client.distributionStatus("PS1'0013"), { points: [], skipped: 0 });
      assert.match(decodeURIComponent(simulator.stats.recent.at(-1)!), /PackageID eq 'PS1''0013'/);
    });
  });
});
