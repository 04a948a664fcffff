import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { createLogger } from '../../../src/logger';
import { AdminServiceClient } from '../../../src/services/configmgr/admin-service-client';
import { AdminServiceSimulator, type SimulatorOptions } from '../../../src/services/demo/admin-service-simulator';
import { applyMediaToRecord, findDemoPackage, type DemoSite } from '../../../src/services/demo/demo-media';
import { createDemoSite, demoPackage, demoPackageSpecs } from '../../../src/services/demo/demo-site';
import { createSyntheticSite } from '../../../src/services/demo/synthetic-site';
import { ConfigMgrUnavailable } from '../../../src/services/errors';
import { DEFAULT_LAZY_FETCH_CONCURRENCY, MAX_NAMED_SKIPPED_ROWS, MediaInventory, type InventoryOptions } from '../../../src/services/media/inventory';
import type { MediaPackage } from '../../../src/services/media/media-package';
import { GOOD_IMAGE, GOOD_UPGRADE, ODD_ROWS, oddSite } from '../../support/odd-package-rows';
import { json, startScriptedServer, type ScriptedServer } from '../configmgr/scripted-server';

const logger = pino({ level: 'silent' });

interface Rig {
  simulator: AdminServiceSimulator;
  inventory: MediaInventory;
  site: DemoSite;
}

const rigs: Rig[] = [];

/** inventory → the real AdminService client → the simulator, over HTTP on loopback. */
async function rig(
  simulatorOptions: Partial<SimulatorOptions> = {},
  inventoryOptions: Partial<InventoryOptions> = {},
): Promise<Rig> {
  const site = simulatorOptions.site ?? createDemoSite();
  const simulator = new AdminServiceSimulator({ site, ...simulatorOptions });
  const baseUrl = await simulator.start();
  // No retries: a fault injected by a test is meant to reach the inventory, and quickly.
  const adminService = new AdminServiceClient({ baseUrl, auth: { kind: 'none' }, logger, retries: 0, timeoutMs: 5000 });
  const inventory = new MediaInventory({ adminService, logger, demo: true, ...inventoryOptions });
  const created = { simulator, inventory, site };
  rigs.push(created);
  return created;
}

function byId(packages: readonly MediaPackage[], id: string): MediaPackage {
  const pkg = packages.find((candidate) => candidate.id === id);
  assert.ok(pkg, `${id} is not in the inventory`);
  return pkg;
}

describe('MediaInventory (over HTTP, against the AdminService simulator)', () => {
  afterEach(async () => {
    for (const { inventory, simulator } of rigs.splice(0)) {
      await inventory.stop();
      await simulator.stop();
    }
  });

  it('builds the demo inventory with editions on the first sync', async () => {
    const { inventory, site } = await rig({}, { now: () => new Date('2026-04-20T08:00:00Z') });
    assert.deepEqual(inventory.snapshot(), { packages: [], generation: 0, syncedAt: null, demo: true });

    const report = await inventory.sync();
    assert.deepEqual(
      { ...report, durationMs: 0 },
      { durationMs: 0, listRequests: 2, lazyFetches: site.packages.length, lazyFailures: 0, added: site.packages.length, changed: 0, removed: 0 },
    );
    const snapshot = inventory.snapshot();
    assert.equal(snapshot.generation, 1);
    assert.deepEqual(snapshot.syncedAt, new Date('2026-04-20T08:00:00Z'));
    assert.equal(snapshot.demo, true);
    assert.equal(snapshot.packages.length, site.packages.length);

    const multi = byId(snapshot.packages, 'PS100015');
    assert.equal(multi.kind, 'upgrade');
    assert.equal(multi.release, 'Windows 11 24H2');
    assert.deepEqual(multi.build, { major: 10, minor: 0, build: 26100, revision: 8246 });
    assert.equal(multi.buildSource, 'ImageOSVersion');
    assert.deepEqual(multi.editionsState, { state: 'known' });
    assert.equal(multi.editions.length, 11);
    assert.deepEqual(multi.editions.slice(0, 3).map((e) => e.name), ['Windows 11 Home', 'Windows 11 Home N', 'Windows 11 Education']);
    assert.equal(multi.sourcePath, '\\\\cm01.contoso.com\\OSD$\\Upgrade\\Win11-24H2-x64-AllEditions');
    assert.deepEqual(multi.lastRefreshTime, new Date('2026-04-15T15:20:02Z'));

    assert.equal(byId(snapshot.packages, 'PS10000C').release, 'Windows 11 23H2');
    assert.equal(byId(snapshot.packages, 'PS100004').release, 'Windows 10 22H2');
    assert.equal(byId(snapshot.packages, 'PS100021').release, 'Windows Server 2025');
    assert.equal(byId(snapshot.packages, 'PS100013').kind, 'image');
    const quoted = byId(snapshot.packages, 'PS10001A');
    assert.equal(quoted.name, 'Windows 11 24H2 Pro – O\'Brien\'s "lab" media');

    const state = inventory.syncState();
    assert.equal(state.reachable, true);
    assert.deepEqual(state.lastSuccessAt, new Date('2026-04-20T08:00:00Z'));
    assert.equal(state.lastError, undefined);
    assert.equal(typeof state.lastDurationMs, 'number');
  });

  it('sorts packages by kind (upgrade packages first) then by name', async () => {
    const { inventory } = await rig();
    await inventory.sync();
    const packages = inventory.snapshot().packages;
    const kinds = packages.map((pkg) => pkg.kind);
    assert.deepEqual(kinds, [...kinds].sort((a, b) => (a === b ? 0 : a === 'upgrade' ? -1 : 1)));
    for (const kind of ['upgrade', 'image'] as const) {
      const names = packages.filter((pkg) => pkg.kind === kind).map((pkg) => pkg.name);
      assert.deepEqual(names, [...names].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base', numeric: true })));
    }
  });

  it('hands out a frozen snapshot that callers cannot change', async () => {
    const { inventory } = await rig();
    await inventory.sync();
    const snapshot = inventory.snapshot();
    assert.equal(inventory.snapshot(), snapshot, 'each call copied the snapshot');
    assert.throws(() => (snapshot.packages as MediaPackage[]).pop(), TypeError);
    assert.throws(() => {
      (snapshot.packages[0] as { name: string }).name = 'changed';
    }, TypeError);
    assert.throws(() => {
      (snapshot.packages[0].editions as { name: string }[])[0].name = 'changed';
    }, TypeError);
  });

  it('makes one list request per class and no lazy fetch when nothing changed', async () => {
    const { inventory, simulator } = await rig();
    await inventory.sync();
    const before = inventory.snapshot();
    simulator.stats.reset();

    const report = await inventory.sync();
    assert.equal(simulator.stats.listRequests, 2);
    assert.equal(simulator.stats.keyRequests, 0);
    assert.deepEqual([report.lazyFetches, report.added, report.changed, report.removed], [0, 0, 0, 0]);
    const after = inventory.snapshot();
    assert.equal(after.generation, before.generation);
    assert.equal(after.packages, before.packages, 'unchanged packages were rebuilt');
  });

  it('refetches only the package whose SourceVersion changed, and shows its new editions', async () => {
    const { inventory, simulator, site } = await rig();
    await inventory.sync();
    const generation = inventory.snapshot().generation;
    const pkg = findDemoPackage(site, 'PS100012')!;
    pkg.media!.editions = pkg.media!.editions.map((edition) => ({ ...edition, name: 'Windows 11 Enterprise (serviced)' }));
    applyMediaToRecord(pkg.record, pkg.media!);
    pkg.record.SourceVersion += 1;
    simulator.stats.reset();

    const report = await inventory.sync();
    assert.equal(simulator.stats.keyRequests, 1);
    assert.ok(simulator.stats.recent.some((line) => line.includes("('PS100012')")));
    assert.deepEqual([report.lazyFetches, report.changed, report.added, report.removed], [1, 1, 0, 0]);
    const snapshot = inventory.snapshot();
    assert.equal(snapshot.generation, generation + 1);
    assert.equal(byId(snapshot.packages, 'PS100012').sourceVersion, pkg.record.SourceVersion);
    assert.equal(byId(snapshot.packages, 'PS100012').editions[0].name, 'Windows 11 Enterprise (serviced)');
  });

  it('refetches after ReloadImageProperties rewrote the OS version without a new source version', async () => {
    const { inventory, simulator, site } = await rig();
    await inventory.sync();
    const pkg = findDemoPackage(site, 'PS100013')!;
    pkg.media!.build = { ...pkg.media!.build, revision: 8655 };
    applyMediaToRecord(pkg.record, pkg.media!);
    simulator.stats.reset();

    await inventory.sync();
    assert.equal(simulator.stats.keyRequests, 1);
    const updated = byId(inventory.snapshot().packages, 'PS100013');
    assert.equal(updated.build?.revision, 8655);
    assert.equal(updated.editions[0].osVersion?.revision, 8655);
  });

  it('adds new packages and drops removed ones', async () => {
    const { inventory, simulator, site } = await rig();
    await inventory.sync();
    const generation = inventory.snapshot().generation;
    site.packages = site.packages.filter((pkg) => pkg.record.PackageID !== 'PS100005');
    const spec = demoPackageSpecs().find((candidate) => candidate.id === 'PS100013')!;
    site.packages.push(demoPackage({ ...spec, id: 'PS100030', name: 'Windows 11 24H2 Enterprise x64 - 2026-05' }));
    simulator.stats.reset();

    const report = await inventory.sync();
    assert.deepEqual([report.added, report.removed, report.changed, report.lazyFetches], [1, 1, 0, 1]);
    const snapshot = inventory.snapshot();
    assert.equal(snapshot.generation, generation + 1);
    assert.ok(!snapshot.packages.some((pkg) => pkg.id === 'PS100005'));
    assert.equal(byId(snapshot.packages, 'PS100030').editionsState.state, 'known');
  });

  it('keeps the last inventory and reports the error when the AdminService goes down', async () => {
    let clock = new Date('2026-04-20T08:00:00Z');
    const { inventory, simulator } = await rig({}, { now: () => clock });
    await inventory.sync();
    const good = inventory.snapshot();

    clock = new Date('2026-04-20T08:15:00Z');
    simulator.injectFault({ status: 503 });
    await assert.rejects(inventory.sync(), ConfigMgrUnavailable);
    const stale = inventory.snapshot();
    assert.equal(stale.packages, good.packages);
    assert.equal(stale.generation, good.generation);
    assert.deepEqual(stale.syncedAt, new Date('2026-04-20T08:00:00Z'));
    assert.deepEqual(stale.lastSyncError?.at, new Date('2026-04-20T08:15:00Z'));
    assert.match(stale.lastSyncError?.message ?? '', /^ConfigMgr did not answer; .*try again\.$/);
    const state = inventory.syncState();
    assert.equal(state.reachable, false);
    assert.match(state.lastError ?? '', /^ConfigMgr did not answer/);
    assert.deepEqual(state.lastAttemptAt, new Date('2026-04-20T08:15:00Z'));
    assert.deepEqual(state.lastSuccessAt, new Date('2026-04-20T08:00:00Z'));

    clock = new Date('2026-04-20T08:30:00Z');
    simulator.injectFault(null);
    await inventory.sync();
    assert.equal(inventory.snapshot().lastSyncError, undefined);
    assert.deepEqual(inventory.syncState(), {
      lastAttemptAt: clock,
      lastSuccessAt: clock,
      lastDurationMs: inventory.syncState().lastDurationMs,
      reachable: true,
      skippedRows: 0,
      skippedRowExamples: [],
    });
  });

  it('fails the whole sync when only one class cannot be listed', async () => {
    const { inventory, simulator } = await rig();
    await inventory.sync();
    const good = inventory.snapshot();
    simulator.injectFault({ status: 200, body: '<html>proxy login</html>', contentType: 'text/html', pathPattern: 'SMS_ImagePackage?' });
    await assert.rejects(inventory.sync());
    assert.equal(inventory.snapshot().packages, good.packages);
    assert.equal(inventory.syncState().reachable, false);
  });

  it('keeps a package whose lazy fetch failed, without editions, and fetches it again next sync', async () => {
    const { inventory, simulator } = await rig();
    simulator.injectFault({ status: 500, pathPattern: "SMS_ImagePackage('PS100013')" });
    const first = await inventory.sync();
    assert.equal(first.lazyFailures, 1);
    const failed = byId(inventory.snapshot().packages, 'PS100013');
    assert.deepEqual(failed.editionsState, { state: 'not-fetched' });
    assert.deepEqual(failed.editions, []);
    assert.equal(failed.build?.revision, 8246, 'the listed properties were lost');
    assert.equal(byId(inventory.snapshot().packages, 'PS100016').editionsState.state, 'known');
    assert.equal(inventory.syncState().reachable, true);

    simulator.injectFault(null);
    simulator.stats.reset();
    const second = await inventory.sync();
    assert.equal(simulator.stats.keyRequests, 1);
    assert.deepEqual([second.lazyFetches, second.lazyFailures, second.changed], [1, 0, 1]);
    assert.equal(byId(inventory.snapshot().packages, 'PS100013').editions.length, 1);
  });

  it('marks the package whose ImageProperty is not XML unreadable, with the reason, and does not refetch it', async () => {
    const { inventory, simulator, site } = await rig();
    await inventory.sync();
    const broken = byId(inventory.snapshot().packages, 'PS10001C');
    assert.equal(broken.editionsState.state, 'unreadable');
    assert.match((broken.editionsState as { reason: string }).reason, /not XML/);
    assert.equal(broken.buildSource, 'Version', 'without ImageOSVersion the build comes from Version');
    assert.equal(broken.build?.revision, 1742);

    simulator.stats.reset();
    await inventory.sync();
    assert.equal(simulator.stats.keyRequests, 0);

    const record = findDemoPackage(site, 'PS10001C')!.record;
    record.ImageProperty = '<WIM><IMAGE INDEX="1"><PROPERTY NAME="Image name">Windows 11 Enterprise</PROPERTY></IMAGE></WIM>';
    record.SourceVersion += 1;
    await inventory.sync();
    const fixed = byId(inventory.snapshot().packages, 'PS10001C');
    assert.deepEqual(fixed.editionsState, { state: 'known' });
    assert.equal(fixed.editions[0].name, 'Windows 11 Enterprise');
  });

  it('marks a package with no ImageProperty at all unreadable, saying what to do', async () => {
    const { inventory, site } = await rig();
    findDemoPackage(site, 'PS100016')!.record.ImageProperty = null;
    await inventory.sync();
    const pkg = byId(inventory.snapshot().packages, 'PS100016');
    assert.equal(pkg.editionsState.state, 'unreadable');
    assert.match((pkg.editionsState as { reason: string }).reason, /Reload Image Properties/);
  });

  for (const concurrency of [undefined, 1, 3]) {
    it(`keeps at most ${concurrency ?? `the default ${DEFAULT_LAZY_FETCH_CONCURRENCY}`} key requests in flight at the site`, async () => {
      const { inventory, simulator } = await rig({ latencyMs: 40 }, { lazyFetchConcurrency: concurrency });
      await inventory.sync();
      assert.equal(simulator.stats.keyRequests, simulator.site.packages.length);
      assert.equal(simulator.stats.maxKeyRequestsInFlight, concurrency ?? DEFAULT_LAZY_FETCH_CONCURRENCY);
    });
  }

  it('refuses a concurrency that is not a positive integer', () => {
    for (const lazyFetchConcurrency of [0, -1, 1.5, Number.NaN]) {
      assert.throws(
        () => new MediaInventory({ adminService: null as never, logger, demo: false, lazyFetchConcurrency }),
        RangeError,
      );
    }
  });

  it('lets concurrent callers share the sync in flight', async () => {
    const { inventory, simulator } = await rig({ latencyMs: 30 });
    const [a, b] = [inventory.sync(), inventory.sync()];
    assert.equal(a, b);
    await Promise.all([a, b]);
    assert.equal(simulator.stats.listRequests, 2);
  });

  it('syncs a 500-package synthetic site through paged lists', async function () {
    this.timeout(30_000);
    const site = createSyntheticSite(500);
    const { inventory, simulator } = await rig({ site, pageSize: 50 }, { lazyFetchConcurrency: 8 });
    const report = await inventory.sync();
    const snapshot = inventory.snapshot();
    assert.equal(snapshot.packages.length, 500);
    assert.equal(report.lazyFetches, 500);
    assert.equal(report.lazyFailures, 0);
    assert.ok(snapshot.packages.every((pkg) => pkg.editionsState.state === 'known' && pkg.editions.length > 0));
    assert.ok(snapshot.packages.every((pkg) => pkg.release !== undefined));
    const upgrades = site.packages.filter((pkg) => pkg.packageClass === 'SMS_OperatingSystemInstallPackage').length;
    assert.equal(simulator.stats.listRequests, Math.ceil(upgrades / 50) + Math.ceil((500 - upgrades) / 50));
    assert.equal(new Set(snapshot.packages.map((pkg) => pkg.id)).size, 500);

    simulator.stats.reset();
    const again = await inventory.sync();
    assert.equal(again.lazyFetches, 0);
    assert.equal(simulator.stats.keyRequests, 0);
  });

  describe('start and stop', () => {
    it('syncs at once in the background, then every interval', async () => {
      const { inventory, simulator } = await rig();
      inventory.start(150);
      await inventory.whenFirstSyncSettled();
      assert.ok(inventory.snapshot().packages.length > 0);
      await new Promise((resolve) => setTimeout(resolve, 400));
      assert.ok(simulator.stats.listRequests >= 6, `only ${simulator.stats.listRequests} list requests`);
      await inventory.stop();
      const after = simulator.stats.listRequests;
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(simulator.stats.listRequests, after, 'it kept syncing after stop');
    });

    it('settles the first sync when it fails, and never throws from the timer', async () => {
      const { inventory, simulator } = await rig();
      simulator.injectFault({ status: 401 });
      inventory.start(60_000);
      await inventory.whenFirstSyncSettled();
      const state = inventory.syncState();
      assert.equal(state.reachable, false);
      assert.match(state.lastError ?? '', /refused the bot's credentials/);
      assert.equal(inventory.snapshot().packages.length, 0);
    });

    it('waits for the sync in flight when stopped', async () => {
      const { inventory } = await rig({ latencyMs: 200 });
      inventory.start(60_000);
      await inventory.stop();
      assert.equal(inventory.syncState().reachable, true);
      assert.ok(inventory.snapshot().packages.length > 0);
    });

    it('refuses an interval that is not a positive number', async () => {
      const { inventory } = await rig();
      for (const interval of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
        assert.throws(() => inventory.start(interval), RangeError);
      }
    });
  });
});

describe('MediaInventory when ConfigMgr answers fields of other JSON types (over HTTP, scripted server)', () => {
  let server: ScriptedServer;
  let inventory: MediaInventory;
  const lines: string[] = [];

  before(async () => {
    server = await startScriptedServer();
    server.script(oddSite);
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const adminService = new AdminServiceClient({ baseUrl: server.baseUrl, auth: { kind: 'none' }, logger, retries: 0, timeoutMs: 5000 });
    inventory = new MediaInventory({ adminService, logger: createLogger({ level: 'warn' }, destination), demo: false });
    await inventory.sync();
  });
  after(async () => {
    await inventory?.stop();
    await server?.close();
  });

  it('keeps the good rows: one odd value never blanks the site', () => {
    const ids = inventory.snapshot().packages.map((pkg) => pkg.id);
    for (const id of [GOOD_IMAGE.PackageID, GOOD_UPGRADE.PackageID]) assert.ok(ids.includes(id), `${id} is missing: ${ids.join(', ')}`);
    assert.equal(byId(inventory.snapshot().packages, GOOD_IMAGE.PackageID).name, GOOD_IMAGE.Name, 'the first of a repeated id is kept');
    assert.equal(inventory.syncState().reachable, true);
  });

  for (const { why, kept, skipped } of ODD_ROWS) {
    it(`${kept ? 'keeps' : 'skips and names'} a row when ${why}`, () => {
      const state = inventory.syncState();
      const named = state.skippedRowExamples.map(
        (row) => `${row.packageId ?? `${row.kind === 'image' ? 'OS image' : 'OS upgrade package'} row ${row.position}`} (${row.reason})`,
      );
      if (skipped) {
        assert.ok(named.includes(skipped), `${skipped} not in ${JSON.stringify(named)}`);
        const id = /^PS\w+/.exec(skipped)?.[0];
        if (id && id !== GOOD_IMAGE.PackageID) assert.equal(inventory.snapshot().packages.some((pkg) => pkg.id === id), false);
      } else {
        const pkg = byId(inventory.snapshot().packages, kept!.id) as unknown as Record<string, unknown>;
        for (const [field, value] of Object.entries(kept!.check)) assert.deepEqual(pkg[field], value, `${kept!.id}.${field}`);
      }
    });
  }

  it('counts every skipped row, and warns once per sync with a capped list', async () => {
    const expected = ODD_ROWS.filter((row) => row.skipped).length;
    assert.equal(inventory.syncState().skippedRows, expected);
    assert.ok(inventory.syncState().skippedRowExamples.length <= MAX_NAMED_SKIPPED_ROWS);
    const warnings = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => /rows or fields the bot cannot read/.test(String(line.msg)));
    assert.equal(warnings.length, 1, lines.join(''));
    assert.equal(warnings[0]!.skippedRows, expected);
    assert.equal(warnings[0]!.droppedFields, 4, 'SourceVersion, Description, ActionInProgress, SourceDate');
    assert.ok((warnings[0]!.skipped as string[]).includes('PS100101 (Name is a number, not text)'));
    assert.ok((warnings[0]!.dropped as string[]).includes('PS100103.SourceVersion: a number too large to hold exactly'));
    assert.equal(lines.join('').includes('evil.example'), false, 'a bad PackageID is never echoed');

    lines.length = 0;
    await inventory.sync();
    assert.equal(lines.filter((line) => /rows or fields the bot cannot read/.test(line)).length, 1, 'again once on the next sync');
  });

  it('caps the named rows of a site where many rows are broken, and counts them all', async () => {
    const broken = Array.from({ length: 40 }, (_, n) => ({ PackageID: n, Name: `Broken ${n}` }));
    server.script((request, response) => {
      if (request.url.includes('SMS_OperatingSystemInstallPackage') && !request.url.includes("('")) json(response, 200, { value: [GOOD_UPGRADE, ...broken] });
      else oddSite(request, response);
    });
    try {
      await inventory.sync();
      assert.equal(inventory.syncState().skippedRows, 40 + ODD_ROWS.filter((row) => row.skipped).length);
      assert.equal(inventory.syncState().skippedRowExamples.length, MAX_NAMED_SKIPPED_ROWS);
      assert.ok(byId(inventory.snapshot().packages, GOOD_UPGRADE.PackageID));
    } finally {
      server.script(oddSite);
    }
  });
});
