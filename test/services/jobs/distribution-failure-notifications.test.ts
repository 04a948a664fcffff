/**
 * Issue 9, a DP fails for a package: the watch of a real job, driven by the real runner against the
 * simulator over HTTP, writes 'distribution.dp_failed' in the transaction that records the failure,
 * once per package, DP and source version.
 */
import { strict as assert } from 'node:assert';
import type { Kysely } from 'kysely';
import { createLogger } from '../../../src/logger';
import { AdminServiceSimulator, type SimulatorOptions } from '../../../src/services/demo/admin-service-simulator';
import { createDemoSite } from '../../../src/services/demo/demo-site';
import type { StageName } from '../../../src/services/jobs/job';
import { getJob, listSteps } from '../../../src/services/jobs/job-repository';
import { dpFailedNotification } from '../../../src/services/jobs/runners/configmgr-stages';
import { enqueueNotification, rowToNotification } from '../../../src/services/notify/outbox-repository';
import type { Schema } from '../../../src/services/store/schema';
import { FAST_REFRESH, buildRunner, insertApprovedJob, makeShare } from '../../support/job-harness';
import { forEachDatabase } from '../../support/test-databases';

const logger = createLogger({ logLevel: 'silent' });
const FULL: StageName[] = ['verify_source', 'reload_image_properties', 'refresh_distribution_points', 'watch_distribution'];

forEachDatabase('a DP that fails while a job watches distribution', ({ open }) => {
  let db: Kysely<Schema>;
  let simulator: AdminServiceSimulator | undefined;
  let share: ReturnType<typeof makeShare>;

  beforeEach(async () => {
    db = (await open()).db;
    share = makeShare();
  });
  afterEach(async () => {
    await simulator?.stop();
    simulator = undefined;
    share.cleanup();
  });

  async function runJob(simulatorOptions: Partial<SimulatorOptions>, distributionTimeoutMs = 60_000): Promise<void> {
    simulator = new AdminServiceSimulator({ site: createDemoSite(), refreshTiming: FAST_REFRESH, ...simulatorOptions });
    await simulator.start();
    const { runner, client } = buildRunner({ db, adminServiceUrl: simulator.baseUrl, shareRoot: share.root, logger, leaseMs: 10_000, distributionTimeoutMs });
    await insertApprovedJob(db, { stages: FULL });
    assert.ok(await runner.claimOnce());
    await runner.idle();
    await client.close();
  }

  const dpFailures = async () =>
    (await db.selectFrom('notifications').selectAll().where('kind', '=', 'distribution.dp_failed').orderBy('id').execute()).map((row) => ({ row, notification: rowToNotification(row) }));

  it('writes one dp_failed naming the DP, beside the failure the step recorded', async () => {
    await runJob({ distributionFaults: [{ host: 'DP-BER01.contoso.com', outcome: 'failed' }] });
    const job = await getJob(db, 'K7P2Q');
    assert.equal(job?.state, 'failed');
    const failures = await dpFailures();
    assert.equal(failures.length, 1);
    const [{ row, notification }] = failures;
    assert.equal(row.dedupe_key, 'dp_failed:PS100012:dp-ber01.contoso.com:8');
    assert.equal(notification?.packageId, 'PS100012');
    assert.equal(notification?.packageName, 'Windows 11 24H2 Enterprise x64');
    assert.equal(notification?.subject, undefined, 'a DP failure is a message of its own, not the job card');
    const { jobId, server, sourceVersion, stateName } = notification?.payload ?? {};
    assert.deepEqual({ jobId, server, sourceVersion, stateName }, { jobId: 'K7P2Q', server: 'DP-BER01.contoso.com', sourceVersion: 8, stateName: 'install failed' });
    const watch = (await listSteps(db, 'K7P2Q')).find((step) => step.stage === 'watch_distribution');
    assert.deepEqual(watch?.result?.failedServers, ['DP-BER01.contoso.com']);
  });

  it('writes none when the DPs are only slow', async () => {
    await runJob({ distributionFaults: [{ host: 'DP-NYC01.contoso.com', outcome: 'stuck' }] }, 1_500);
    assert.equal((await getJob(db, 'K7P2Q'))?.state, 'failed');
    assert.deepEqual(await dpFailures(), []);
  });

  it('writes none when every DP gets the package', async () => {
    await runJob({});
    assert.equal((await getJob(db, 'K7P2Q'))?.state, 'succeeded');
    assert.deepEqual(await dpFailures(), []);
  });

  it('tells a DP failure once per package, DP and source version, whoever sees it again', async () => {
    const point = { server: 'DP01.contoso.com', siteCode: 'PS1', state: 3, stateName: 'install failed', sourceVersion: 7 };
    const job = { id: 'K7P2Q', packageId: 'PS100012', packageName: 'Windows 11' };
    const now = new Date('2026-05-01T10:00:00Z');
    assert.ok((await enqueueNotification(db, dpFailedNotification(job, point, 8, now))) !== undefined);
    assert.equal(await enqueueNotification(db, dpFailedNotification({ ...job, id: 'B2222' }, { ...point, server: 'dp01.CONTOSO.com' }, 8, now)), undefined, 'same DP, same version, another job or instance');
    assert.ok((await enqueueNotification(db, dpFailedNotification(job, point, 9, now))) !== undefined, 'the next refresh failing there is news');
    assert.ok((await enqueueNotification(db, dpFailedNotification(job, { ...point, server: 'DP02.contoso.com' }, 8, now))) !== undefined, 'another DP');
    assert.equal((await dpFailures()).length, 3);
  });
});
