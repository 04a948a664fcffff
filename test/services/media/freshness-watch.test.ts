/**
 * Issue 9, freshness events: what a sync tells (freshness-signals.ts, pure) and the watch that writes it
 * into the outbox with its marks in one transaction (on both databases), and the inventory's hook.
 */
import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import pino from 'pino';
import { AdminServiceClient } from '../../../src/services/configmgr/admin-service-client';
import { AdminServiceSimulator } from '../../../src/services/demo/admin-service-simulator';
import { createDemoSite } from '../../../src/services/demo/demo-site';
import { compareWithMarks, findingIdentity, marksOf } from '../../../src/services/media/freshness-signals';
import { FreshnessWatch } from '../../../src/services/media/freshness-watch';
import { MediaInventory } from '../../../src/services/media/inventory';
import type { InventorySnapshot, MediaPackage } from '../../../src/services/media/media-package';
import type { FreshnessVerdict } from '../../../src/services/releases/freshness';
import type { Schema } from '../../../src/services/store/schema';
import { makeBuild, makeFinding, makeFreshness, makePackage, verdictExamples } from '../../support/media-fixtures';
import { forEachDatabase } from '../../support/test-databases';

const logger = pino({ level: 'silent' });
const T0 = new Date('2026-05-01T08:00:00Z');
const later = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

/** A 24H2 package whose release's latest revision is `latest`, `behind` revisions behind it. */
function pkg24h2(id: string, latest: number, behind: number, findings: MediaPackage['findings'] = []): MediaPackage {
  const verdict: FreshnessVerdict =
    behind > 0
      ? { ...verdictExamples.behind, latest: { revision: latest, kb: `KB50${latest}`, date: new Date('2026-04-14T00:00:00Z') }, revisionsBehind: behind, monthsBehind: behind }
      : { ...verdictExamples.current, latest: { revision: latest, kb: `KB50${latest}`, date: new Date('2026-04-14T00:00:00Z') } };
  return makePackage({
    id,
    name: `Windows 11 24H2 ${id}`,
    release: 'Windows 11 24H2',
    build: makeBuild(26100, latest - behind),
    freshness: makeFreshness(verdict, { judged: { source: 'share', build: makeBuild(26100, latest - behind) } }),
    findings,
  });
}

function snapshot(packages: MediaPackage[], at: Date): InventorySnapshot {
  return { packages, generation: 1, syncedAt: at, demo: true };
}

describe('freshness signals (pure)', () => {
  const autorun = makeFinding('autorun-inf');
  const mismatch = makeFinding('version-mismatch');

  const cases: Array<{ why: string; before: MediaPackage[] | undefined; after: MediaPackage[]; told: string[] }> = [
    { why: 'the first sync records marks silently', before: undefined, after: [pkg24h2('PS1', 8246, 3, [autorun])], told: [] },
    { why: 'a newer revision while a package is behind: one per behind package', before: [pkg24h2('PS1', 8246, 3), pkg24h2('PS2', 8246, 0)], after: [pkg24h2('PS1', 8300, 4), pkg24h2('PS2', 8300, 1), pkg24h2('PS3', 8300, 0)], told: ['freshness.newer_revision PS1', 'freshness.newer_revision PS2'] },
    { why: 'the same revision again tells nothing', before: [pkg24h2('PS1', 8300, 4)], after: [pkg24h2('PS1', 8300, 4)], told: [] },
    { why: 'a package that falls behind without a new revision is not a newer revision', before: [pkg24h2('PS1', 8300, 0)], after: [pkg24h2('PS1', 8300, 2)], told: [] },
    { why: 'a release line seen for the first time is only marked', before: [], after: [pkg24h2('PS1', 8300, 2)], told: [] },
    { why: 'a drift finding that appears is told once', before: [pkg24h2('PS1', 8300, 0)], after: [pkg24h2('PS1', 8300, 0, [autorun, mismatch])], told: ['freshness.drift PS1 autorun-inf', 'freshness.drift PS1 version-mismatch'] },
    { why: 'a finding already told is not told again', before: [pkg24h2('PS1', 8300, 0, [autorun])], after: [pkg24h2('PS1', 8300, 0, [autorun])], told: [] },
    { why: 'the same kind with other facts is another finding', before: [pkg24h2('PS1', 8300, 0, [mismatch])], after: [pkg24h2('PS1', 8300, 0, [{ ...mismatch, message: 'ConfigMgr says 26100.1, the WIM 26100.2.' }])], told: ['freshness.drift PS1 version-mismatch'] },
    { why: 'what each index costs is no drift', before: [pkg24h2('PS1', 8300, 0)], after: [pkg24h2('PS1', 8300, 0, [makeFinding('edition-sizes')])], told: [] },
  ];
  for (const { why, before, after, told } of cases) {
    it(why, () => {
      const { signals } = compareWithMarks(after, before === undefined ? undefined : marksOf(before), T0);
      assert.deepEqual(
        signals.map((signal) => [signal.kind, signal.packageId, signal.payload.findingKind].filter(Boolean).join(' ')),
        told,
      );
    });
  }

  it('a newer revision signal carries the build, the new latest and how far behind, keyed by package and revision', () => {
    const { signals } = compareWithMarks([pkg24h2('PS1', 8300, 4)], marksOf([pkg24h2('PS1', 8246, 3)]), T0);
    assert.equal(signals[0].key, 'freshness:newer:PS1:26100.8300');
    assert.equal(signals[0].release, 'Windows 11 24H2');
    assert.deepEqual(
      { build: signals[0].payload.build, latest: signals[0].payload.latest, behind: signals[0].payload.revisionsBehind, kb: signals[0].payload.latestKb },
      { build: '26100.8296', latest: '26100.8300', behind: 4, kb: 'KB508300' },
    );
  });

  it('identifies a finding by its kind and facts, not its position', () => {
    assert.equal(findingIdentity(autorun), findingIdentity({ ...autorun }));
    assert.notEqual(findingIdentity(autorun), findingIdentity({ ...autorun, message: `${autorun.message} ` }));
  });
});

forEachDatabase('freshness watch', ({ open }) => {
  let db: Kysely<Schema>;
  let pokes: number;
  let watch: FreshnessWatch;
  beforeEach(async () => {
    db = (await open()).db;
    pokes = 0;
    watch = new FreshnessWatch({ db, logger, onEnqueued: () => pokes++ });
  });
  const outbox = async () => (await db.selectFrom('notifications').selectAll().orderBy('id').execute()).map((row) => `${row.kind} ${row.package_id}`);

  it('first sync silent; newer revision once; same revision none; drift appears, goes, comes back: told twice', async () => {
    const autorun = makeFinding('autorun-inf');
    assert.equal(await watch.synced(snapshot([pkg24h2('PS1', 8246, 3, [autorun])], T0)), 0, 'no flood at install');
    assert.equal(await watch.synced(snapshot([pkg24h2('PS1', 8300, 4, [autorun])], later(60))), 1);
    assert.equal(await watch.synced(snapshot([pkg24h2('PS1', 8300, 4, [autorun])], later(120))), 0);
    assert.equal(await watch.synced(snapshot([pkg24h2('PS1', 8300, 4)], later(180))), 0, 'a finding that disappears is forgotten quietly');
    assert.equal(await watch.synced(snapshot([pkg24h2('PS1', 8300, 4, [autorun])], later(240))), 1, 'and told again when it comes back');
    assert.equal(await watch.synced(snapshot([pkg24h2('PS1', 8300, 4, [autorun])], later(300))), 0);
    assert.deepEqual(await outbox(), ['freshness.newer_revision PS1', 'freshness.drift PS1']);
    assert.equal(pokes, 2);
    const rows = await db.selectFrom('notifications').select(['payload', 'dedupe_key']).orderBy('id').execute();
    assert.equal(rows[0].dedupe_key, 'freshness:newer:PS1:26100.8300');
    assert.equal((JSON.parse(rows[0].payload) as { packageWords: string }).packageWords, 'Windows 11 24H2', 'a "24H2" filter matches it');
  });

  it('tells a newer revision once even when its marks are lost (the dedupe key holds)', async () => {
    await watch.synced(snapshot([pkg24h2('PS1', 8246, 3)], T0));
    await watch.synced(snapshot([pkg24h2('PS1', 8300, 4)], later(60)));
    await db.updateTable('notify_marks').set({ value: '8246' }).where('key', '=', 'freshness:release:Windows 11 24H2').execute();
    assert.equal(await watch.synced(snapshot([pkg24h2('PS1', 8300, 4)], later(120))), 0);
    assert.deepEqual(await outbox(), ['freshness.newer_revision PS1']);
  });

  it('a drift mark that cannot be read tells its findings again rather than never', async () => {
    const autorun = makeFinding('autorun-inf');
    await watch.synced(snapshot([pkg24h2('PS1', 8300, 0, [autorun])], T0));
    await db.updateTable('notify_marks').set({ value: '{not json' }).where('key', '=', 'freshness:drift:PS1').execute();
    assert.equal(await watch.synced(snapshot([pkg24h2('PS1', 8300, 0, [autorun])], later(60))), 1);
  });

  it('a failing comparison rolls back: no notification and no new marks', async () => {
    await watch.synced(snapshot([pkg24h2('PS1', 8246, 3)], T0));
    const broken = pkg24h2('PS1', 8300, 4);
    Object.defineProperty(broken, 'findings', { get: () => { throw new Error('a broken package'); } });
    await assert.rejects(watch.synced(snapshot([broken], later(60))), /broken package/);
    assert.deepEqual(await outbox(), []);
    assert.equal(await watch.synced(snapshot([pkg24h2('PS1', 8300, 4)], later(120))), 1, 'the newer revision is still news');
  });

  it('a site of 3,000 packages is marked in one sync and compared in the next', async () => {
    const many = Array.from({ length: 3000 }, (_, i) => pkg24h2(`PS${String(i).padStart(6, '0')}`, 8246, i % 2, [makeFinding('autorun-inf')]));
    await watch.synced(snapshot(many, T0));
    const started = performance.now();
    const told = await watch.synced(snapshot(many.map((p) => pkg24h2(p.id, 8300, 1 + (Number(p.id.slice(2)) % 2), p.findings)), later(60)));
    assert.equal(told, 3000);
    assert.ok(performance.now() - started < 20_000);
    const marks = () => db.selectFrom('notify_marks').select(['key', 'value', 'seen_at']).where('key', '!=', 'freshness:watched-at').orderBy('key').execute();
    const before = await marks();
    assert.equal(before.length, 1 + 3000, 'the release line, each package\'s findings');
    await watch.synced(snapshot(many.map((p) => pkg24h2(p.id, 8300, 1 + (Number(p.id.slice(2)) % 2), p.findings)), later(120)));
    const after = await marks();
    assert.deepEqual(after, before, 'an unchanged site rewrites no mark');
    await watch.synced(snapshot(many.slice(0, 10).map((p) => pkg24h2(p.id, 8300, 1)), later(180)));
    assert.deepEqual((await marks()).map((row) => row.key), ['freshness:release:Windows 11 24H2'], 'findings gone and packages removed are forgotten');
  });

  it('the inventory calls it after each successful sync of the demo site (not after a failed one), and a failing hook does not fail the sync', async () => {
    const simulator = new AdminServiceSimulator({ site: createDemoSite() });
    const baseUrl = await simulator.start();
    const adminService = new AdminServiceClient({ baseUrl, auth: { kind: 'none' }, logger, retries: 0, timeoutMs: 5000 });
    const seen: number[] = [];
    const inventory = new MediaInventory({
      adminService,
      logger,
      demo: true,
      now: () => T0,
      onSynced: async (synced) => {
        seen.push(synced.packages.length);
        await watch.synced(synced);
        throw new Error('the hook failed');
      },
    });
    try {
      await inventory.sync();
      await inventory.sync();
      assert.equal(seen.length, 2);
      assert.ok(seen[0] > 0);
      assert.ok((await db.selectFrom('notify_marks').select('key').where('key', '=', 'freshness:watched-at').executeTakeFirst()) !== undefined);
      assert.deepEqual(await outbox(), [], 'the same site twice is no news');
      await simulator.stop();
      await assert.rejects(inventory.sync());
      assert.equal(seen.length, 2, 'a failed sync calls nothing');
    } finally {
      await inventory.stop();
      await simulator.stop();
    }
  });
});
