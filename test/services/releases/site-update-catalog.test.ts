import assert from 'node:assert/strict';
import pino from 'pino';
import { AdminServiceClient } from '../../../src/services/configmgr/admin-service-client';
import { AdminServiceSimulator } from '../../../src/services/demo/admin-service-simulator';
import { createDemoSite, createDemoUpdateCatalog, type DemoSoftwareUpdate } from '../../../src/services/demo/demo-site';
import { ReleaseCatalog, type SiteCatalogStatus } from '../../../src/services/releases/release-catalog';
import { parseReleaseData } from '../../../src/services/releases/release-data-schema';
import aprilSnapshotJson from '../../fixtures/releases/snapshot-2026-04-19.json';

const logger = pino({ level: 'silent' });
const NOW = new Date('2026-12-03T12:00:00Z');

function row(title: string, overrides: Partial<DemoSoftwareUpdate> = {}): DemoSoftwareUpdate {
  return {
    CI_ID: 1,
    ArticleID: /KB(\d+)/.exec(title)?.[1] ?? '5000000',
    LocalizedDisplayName: title,
    DatePosted: '2026-05-12T17:00:00Z',
    IsSuperseded: false,
    IsExpired: false,
    LocalizedCategoryInstanceNames: ['Windows 11', 'Security Updates'],
    ...overrides,
  };
}

/** The snapshot as it was in April 2026: these tests must not change whenever the bundled one grows. */
const APRIL_SNAPSHOT = parseReleaseData(aprilSnapshotJson, 'snapshot');

const MAY_24H2 = '2026-05 Cumulative Update for Windows 11, version 24H2 for x64-based Systems (KB5089549) (26100.8457)';

describe('the site update catalog, read over HTTP from the AdminService simulator', () => {
  let simulator: AdminServiceSimulator;
  let client: AdminServiceClient;
  let catalog: ReleaseCatalog;

  beforeEach(async () => {
    simulator = new AdminServiceSimulator({ site: createDemoSite(), softwareUpdates: createDemoUpdateCatalog() });
    const baseUrl = await simulator.start();
    client = new AdminServiceClient({ baseUrl, auth: { kind: 'none' }, logger, timeoutMs: 500, retries: 0 });
    catalog = new ReleaseCatalog({ logger, siteCatalog: client, now: () => NOW, baseline: APRIL_SNAPSHOT });
  });
  afterEach(async () => {
    await catalog.stop();
    await client.close();
    await simulator.stop();
  });

  const siteStatus = (): SiteCatalogStatus => catalog.status().siteCatalog!;
  const latest = (release: string) => catalog.data().lines.find((line) => line.release === release)?.updates.at(-1);
  const snapshotLatest = (release: string) => APRIL_SNAPSHOT.lines.find((line) => line.release === release)?.updates.at(-1);

  it("says it has not read the site's catalog before the first sync", () => {
    assert.deepEqual(siteStatus(), { state: 'not read' });
  });

  it("reads the demo site's catalog: newest per line, previews, .NET, Defender, Dynamic Update and expired rows left out", async () => {
    await catalog.refreshSiteCatalog();
    const status = siteStatus();
    assert.equal(status.state, 'used');
    if (status.state !== 'used') return;
    assert.deepEqual(status.newest, { release: 'Windows 11 24H2', kb: 'KB5129195', date: new Date('2026-09-14T00:00:00Z') });
    assert.ok(status.lines.includes('Windows 11 24H2') && status.lines.includes('Windows 11 25H2') && status.lines.includes('Windows Server 2022'), status.lines.join());
    assert.equal(status.rejectedRows, 0);
    assert.deepEqual(
      { revision: latest('Windows 11 24H2')?.revision, kb: latest('Windows 11 24H2')?.kb, from: latest('Windows 11 24H2')?.from, outOfBand: latest('Windows 11 24H2')?.outOfBand },
      { revision: 9457, kb: 'KB5129195', from: 'site catalog', outOfBand: true },
    );
    assert.equal(latest('Windows 11 25H2')?.revision, 9457);
    // The Windows 10 update has no build in its title, and the April snapshot does not know its KB.
    assert.equal(status.unnumbered.some((entry) => entry.kb === 'KB5122878'), true);
  });

  it('decides at least one line of the bundled snapshot, so that npm start shows it', async () => {
    const bundled = new ReleaseCatalog({ logger, siteCatalog: client, now: () => NOW });
    await bundled.refreshSiteCatalog();
    const decided = bundled.data().lines.filter((line) => line.updates.at(-1)?.from === 'site catalog');
    await bundled.stop();
    assert.ok(decided.length > 0, "the demo catalog should list the latest update of a line in the bundled snapshot");
  });

  it('is newer than an older snapshot for a line, and that newer update wins', async () => {
    await catalog.refreshSiteCatalog();
    const newer = catalog.data().lines.filter((line) => {
      const before = snapshotLatest(line.release);
      const after = line.updates.at(-1);
      return after?.from === 'site catalog' && (before === undefined || after.date.getTime() > before.date.getTime());
    });
    assert.ok(newer.length > 0, 'the demo catalog should hold an update newer than the April snapshot');
  });

  it('asks for six properties, only non-expired rows with a title clue, and at most 2000 rows (one more, to tell whether there are more)', async () => {
    await catalog.refreshSiteCatalog();
    const request = decodeURIComponent(simulator.stats.recent.find((line) => line.includes('SMS_SoftwareUpdate'))!);
    assert.match(request, /\$select=ArticleID,LocalizedDisplayName,DatePosted,IsSuperseded,IsExpired,LocalizedCategoryInstanceNames/);
    assert.match(request, /\$filter=IsExpired eq false and \(contains\(LocalizedDisplayName,'Cumulative Update'\) or contains\(LocalizedDisplayName,'Security Update'\)\)/);
    assert.match(request, /\$top=2001/);
  });

  const keepsTheOtherSources: Array<{ why: string; arrange: () => Promise<void> | void; state: SiteCatalogStatus['state']; says: RegExp }> = [
    { why: 'a site that syncs no updates at all', arrange: () => void (simulator.softwareUpdates = []), state: 'no windows updates', says: /./ },
    {
      why: 'a site that syncs only .NET and Defender updates',
      arrange: () =>
        void (simulator.softwareUpdates = [
          row('2025-01 Cumulative Update for .NET Framework 3.5 and 4.8.1 for Windows 11, version 24H2 for x64 (KB5049622)'),
          row('Security Intelligence Update for Microsoft Defender Antivirus - KB2267602 (Version 1.421.1234.0)'),
        ]),
      state: 'no windows updates',
      says: /./,
    },
    { why: 'an answer that is not JSON', arrange: () => simulator.injectFault({ pathPattern: 'SMS_SoftwareUpdate', body: '{"value": [', contentType: 'application/json' }), state: 'failed', says: /cannot read/ },
    { why: 'an HTML page', arrange: () => simulator.injectFault({ pathPattern: 'SMS_SoftwareUpdate', body: '<html>login</html>', contentType: 'text/html' }), state: 'failed', says: /cannot read/ },
    { why: 'the wrong shape', arrange: () => simulator.injectFault({ pathPattern: 'SMS_SoftwareUpdate', body: '{"value": 5}' }), state: 'failed', says: /cannot read/ },
    { why: 'a body larger than the bot reads', arrange: () => simulator.injectFault({ pathPattern: 'SMS_SoftwareUpdate', body: JSON.stringify({ value: [row('x'.repeat(5 * 1024 * 1024))] }) }), state: 'failed', says: /cannot read/ },
    { why: 'a site that answers too slowly', arrange: () => simulator.injectFault({ pathPattern: 'SMS_SoftwareUpdate', delayMs: 1500 }), state: 'failed', says: /did not answer/ },
    { why: 'a site that is down', arrange: () => simulator.stop(), state: 'failed', says: /did not answer/ },
    { why: 'a site that refuses the class', arrange: () => simulator.injectFault({ pathPattern: 'SMS_SoftwareUpdate', status: 403 }), state: 'failed', says: /credentials/ },
  ];
  for (const { why, arrange, state, says } of keepsTheOtherSources) {
    it(`keeps the snapshot and says so after ${why}`, async () => {
      await arrange();
      await catalog.refreshSiteCatalog();
      const status = siteStatus();
      assert.equal(status.state, state);
      if (status.state === 'failed') assert.match(status.lastError, says);
      assert.deepEqual(latest('Windows 11 24H2'), snapshotLatest('Windows 11 24H2') && { ...snapshotLatest('Windows 11 24H2'), from: 'snapshot' });
    });
  }

  it('keeps the last good reading when a later read fails, and says the read failed', async () => {
    await catalog.refreshSiteCatalog();
    simulator.injectFault({ pathPattern: 'SMS_SoftwareUpdate', status: 500 });
    await catalog.refreshSiteCatalog();
    const status = siteStatus();
    assert.equal(status.state, 'used');
    assert.equal(status.state === 'used' && status.lastError, 'ConfigMgr did not answer the update query');
    assert.equal(latest('Windows 11 24H2')?.kb, 'KB5129195');
  });

  it('leaves out rows it cannot trust and uses the others', async () => {
    simulator.softwareUpdates = [
      row(MAY_24H2),
      row('2026-06 Cumulative Update for Windows 11, version 24H2 for x64-based Systems (KB5094126) (26100.8655)', { ArticleID: 'n/a' }),
      row('2026-06 Cumulative Update for Windows 11, version 24H2 for x64-based Systems (KB5094126) (26100.8655)', { DatePosted: '2027-06-09T17:00:00Z' }),
      row('2026-06 Cumulative Update for Windows 11, version 24H2 for x64-based Systems (KB5094126) (26100.8655)', { DatePosted: 'soon' }),
      row('2026-06 Cumulative Update for Windows 11, version 24H2 for x64-based Systems (KB5094126) (26100.8655)', { ArticleID: '5000001' }),
      row(`2026-06 Cumulative Update for Windows 11, version 24H2 ${'a'.repeat(100_000)} (KB5094126) (26100.8655)`),
      row('Totally unrelated title'),
      { ...row('2026-06 Cumulative Update for Windows 11, version 24H2 for x64-based Systems (KB5094126) (26100.8655)', { ArticleID: 'KB' }), LocalizedCategoryInstanceNames: 'Windows 11' as unknown as string[] },
    ];
    await catalog.refreshSiteCatalog();
    const status = siteStatus();
    assert.equal(status.state, 'used');
    if (status.state !== 'used') return;
    assert.equal(status.rejectedRows, 6);
    assert.equal(latest('Windows 11 24H2')?.kb, 'KB5089549');
  });

  it('leaves out rows of the wrong shape that a confused site answers', async () => {
    const body = { value: [null, [1], 'text', { ...row(MAY_24H2), LocalizedDisplayName: 42 }, { ...row(MAY_24H2), DatePosted: 20260512 }, row(MAY_24H2)] };
    simulator.injectFault({ pathPattern: 'SMS_SoftwareUpdate', body: JSON.stringify(body) });
    await catalog.refreshSiteCatalog();
    const status = siteStatus();
    assert.equal(status.state === 'used' && status.rejectedRows, 5);
    assert.equal(latest('Windows 11 24H2')?.kb, 'KB5089549');
  });

  it('reads at most 2000 of a 10,000-row catalog and says it read only part', async () => {
    simulator.softwareUpdates = Array.from({ length: 10_000 }, (_, index) => row(MAY_24H2, { CI_ID: index }));
    const started = performance.now();
    await catalog.refreshSiteCatalog();
    const status = siteStatus();
    assert.equal(status.state === 'used' && status.truncated, true);
    assert.equal(status.state === 'used' && status.rowsRead, 2000);
    assert.ok(performance.now() - started < 5000);
  });

  it('reads a catalog that ignores $top only up to 2000 rows', async () => {
    const rows = Array.from({ length: 10_000 }, (_, index) => row(MAY_24H2, { CI_ID: index }));
    simulator.injectFault({ pathPattern: 'SMS_SoftwareUpdate', body: JSON.stringify({ value: rows }) });
    await catalog.refreshSiteCatalog();
    const status = siteStatus();
    assert.equal(status.state === 'used' && status.rowsRead, 2000);
    assert.equal(status.state === 'used' && status.truncated, true);
  });

  it('follows @odata.nextLink pages', async () => {
    await simulator.stop();
    simulator = new AdminServiceSimulator({ site: createDemoSite(), softwareUpdates: createDemoUpdateCatalog(), pageSize: 3 });
    const baseUrl = await simulator.start();
    await client.close();
    client = new AdminServiceClient({ baseUrl, auth: { kind: 'none' }, logger, timeoutMs: 500, retries: 0 });
    catalog = new ReleaseCatalog({ logger, siteCatalog: client, now: () => NOW, baseline: APRIL_SNAPSHOT });
    await catalog.refreshSiteCatalog();
    assert.equal(latest('Windows 11 24H2')?.kb, 'KB5129195');
    assert.ok(simulator.stats.listRequests > 1);
  });

  it('asks again without the title filter when the site refuses it, and says so', async () => {
    simulator.injectFault({ pathPattern: 'contains(', status: 400, times: 1 });
    await catalog.refreshSiteCatalog();
    const status = siteStatus();
    assert.equal(status.state === 'used' && status.titleFilterRefused, true);
    assert.equal(latest('Windows 11 24H2')?.kb, 'KB5129195');
  });

  it('shares one read between concurrent refreshes', async () => {
    simulator.stats.reset();
    await Promise.all([catalog.refreshSiteCatalog(), catalog.refreshSiteCatalog()]);
    assert.equal(simulator.stats.listRequests, 1);
  });
});
