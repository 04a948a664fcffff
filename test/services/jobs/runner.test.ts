/**
 * Issue 8, point 5: leases and fencing on both databases. Two runners never drive one job; a runner
 * whose lease was taken over can no longer write; stop() lets the lease go so another instance resumes
 * at once; a cancel stops a running job at its next safe point.
 */
import { strict as assert } from 'node:assert';
import type { Kysely } from 'kysely';
import { createLogger } from '../../../src/logger';
import { AdminServiceSimulator } from '../../../src/services/demo/admin-service-simulator';
import { createDemoSite } from '../../../src/services/demo/demo-site';
import type { Job, JobEvent, StageName } from '../../../src/services/jobs/job';
import { getJob, listEvents, listSteps } from '../../../src/services/jobs/job-repository';
import { JobService } from '../../../src/services/jobs/job-service';
import { StageFailed, type JobRunner, type StageContext, type StageExecutor, type StageOutcome } from '../../../src/services/jobs/runner';
import type { Schema } from '../../../src/services/store/schema';
import { FAST_REFRESH, buildRunner, insertApprovedJob, makeShare, waitFor } from '../../support/job-harness';
import { forEachDatabase } from '../../support/test-databases';

const logger = createLogger({ logLevel: 'silent' });

/** A stage executor for the lease tests: `hold` makes a stage wait for the test's word. */
class HeldExecutor implements StageExecutor {
  readonly entered: StageName[] = [];
  readonly reportFailures: unknown[] = [];
  private release: (() => void) | undefined;
  private readonly released: Promise<void>;
  constructor(
    private readonly tag: string,
    private readonly hold: { stage: StageName; how: 'gate' | 'sleep' } | undefined,
  ) {
    this.released = new Promise((resolve) => (this.release = resolve));
  }

  open(): void {
    this.release?.();
  }

  async run(stage: StageName, context: StageContext): Promise<StageOutcome> {
    this.entered.push(stage);
    if (this.hold?.stage === stage && this.hold.how === 'sleep') await context.sleep(60_000);
    if (this.hold?.stage === stage && this.hold.how === 'gate') {
      await this.released;
      // The paused instance wakes up and writes as if it still drove the job.
      try {
        await context.report({ by: this.tag }, `${this.tag} wrote progress`);
      } catch (error) {
        this.reportFailures.push(error);
      }
      throw new StageFailed(`${this.tag} failed the stage`);
    }
    return { state: 'done', message: `${this.tag} did ${stage}.`, result: { by: this.tag } };
  }
}

forEachDatabase('job runner leases', (database) => {
  let db: Kysely<Schema>;
  let simulator: AdminServiceSimulator | undefined;
  let share: ReturnType<typeof makeShare>;
  const runners: JobRunner[] = [];

  beforeEach(async function () {
    db = (await database.open()).db;
    share = makeShare();
  });

  afterEach(async function () {
    await Promise.all(runners.splice(0).map((runner) => runner.stop()));
    await simulator?.stop();
    simulator = undefined;
    share.cleanup();
  });

  async function startSimulator(options: Partial<ConstructorParameters<typeof AdminServiceSimulator>[0]> = {}): Promise<AdminServiceSimulator> {
    simulator = new AdminServiceSimulator({ site: createDemoSite(), refreshTiming: FAST_REFRESH, ...options });
    await simulator.start();
    return simulator;
  }

  function runner(owner: string, extra: Partial<Parameters<typeof buildRunner>[0]> = {}): JobRunner {
    const built = buildRunner({ db, adminServiceUrl: simulator?.baseUrl ?? 'http://127.0.0.1:9/AdminService', shareRoot: share.root, logger, owner, ...extra });
    runners.push(built.runner);
    return built.runner;
  }

  async function ended(jobId: string): Promise<Job> {
    return waitFor(`job ${jobId} to end`, async () => {
      const job = await getJob(db, jobId);
      return job && !['approved', 'running'].includes(job.state) ? job : undefined;
    }, 30_000, 20);
  }

  /**
   * On PostgreSQL, its own pool, as another instance has: the database settles the race, not one pool's queue. On
   * SQLite the same connection: better-sqlite3 waits for a lock synchronously, so two connections in one process
   * would block the very event loop the lock holder needs (other processes are the kill test's business).
   */
  async function otherConnection(): Promise<Kysely<Schema>> {
    return database.dialect === 'postgres' ? (await database.open()).db : db;
  }

  const kinds = (events: JobEvent[], kind: JobEvent['kind']) => events.filter((event) => event.kind === kind);

  it('two runners racing for one approved job: exactly one claims it and drives it to the end', async () => {
    const site = await startSimulator();
    const job = await insertApprovedJob(db);
    const a = runner('runner-a');
    const b = runner('runner-b', { db: await otherConnection() });
    const claims = await Promise.all([a.claimOnce(), b.claimOnce(), a.claimOnce(), b.claimOnce()]);
    assert.equal(claims.filter(Boolean).length, 1, `claims: ${claims.join(', ')}`);
    a.start();
    b.start();
    const finished = await ended(job.id);
    assert.equal(finished.state, 'succeeded', finished.outcome ?? '');
    const events = await listEvents(db, job.id);
    assert.equal(kinds(events, 'started').length, 1);
    assert.equal(kinds(events, 'stage_started').length, job.stages.length, 'each stage started once');
    assert.equal(site.methodCallCount('RefreshPkgSource'), 1);
  });

  it('two runner loops started together on one job: one drives it, RefreshPkgSource once', async () => {
    const site = await startSimulator();
    const job = await insertApprovedJob(db);
    const a = runner('runner-a');
    const b = runner('runner-b', { db: await otherConnection() });
    a.start();
    b.start();
    const finished = await ended(job.id);
    assert.equal(finished.state, 'succeeded', finished.outcome ?? '');
    const events = await listEvents(db, job.id);
    assert.equal(kinds(events, 'started').length, 1);
    assert.equal(new Set(kinds(events, 'stage_started').map((event) => event.detail?.stage)).size, kinds(events, 'stage_started').length);
    assert.equal(site.methodCallCount('RefreshPkgSource'), 1);
  });

  it('a runner whose lease was taken over can no longer write: its progress and its failure are refused, the other finishes', async () => {
    const job = await insertApprovedJob(db, { stages: ['verify_source', 'reload_image_properties'] });
    const paused = new HeldExecutor('A', { stage: 'reload_image_properties', how: 'gate' });
    // A paused process: its heartbeat does not run while the lease runs out.
    const a = runner('runner-a', { executor: paused, leaseMs: 60_000, heartbeatMs: 600_000 });
    assert.ok(await a.claimOnce());
    await waitFor('A to reach the held stage', async () => paused.entered.includes('reload_image_properties'));

    await db.updateTable('job_leases').set({ expires_at: new Date(Date.now() - 1_000).toISOString() }).where('job_id', '=', job.id).execute();
    const taker = new HeldExecutor('B', undefined);
    const b = runner('runner-b', { executor: taker, leaseMs: 60_000 });
    assert.ok(await b.claimOnce(), 'B claims the expired lease');
    const lease = await db.selectFrom('job_leases').selectAll().where('job_id', '=', job.id).executeTakeFirstOrThrow();
    assert.equal(lease.owner, 'runner-b');
    assert.equal(Number(lease.fence), 2);

    paused.open();
    await a.idle();
    await b.idle();
    const finished = (await getJob(db, job.id))!;
    assert.equal(finished.state, 'succeeded', finished.outcome ?? '');
    assert.equal(paused.reportFailures.length, 1, 'A\'s progress write was refused');
    const steps = await listSteps(db, job.id);
    assert.deepEqual(steps.map((step) => [step.stage, step.state, step.result?.by]), [
      ['verify_source', 'done', 'A'],
      ['reload_image_properties', 'done', 'B'],
    ]);
    const events = await listEvents(db, job.id);
    assert.equal(kinds(events, 'stage_failed').length, 0, 'A\'s failure was not written');
    assert.ok(!events.some((event) => event.message.includes('A failed')));
    assert.equal(kinds(events, 'succeeded').length, 1);
  });

  it('stop() releases the lease so that another instance resumes at once', async () => {
    const job = await insertApprovedJob(db, { stages: ['verify_source', 'reload_image_properties', 'watch_distribution'] });
    const first = new HeldExecutor('A', { stage: 'reload_image_properties', how: 'sleep' });
    const a = runner('runner-a', { executor: first, leaseMs: 60_000 });
    assert.ok(await a.claimOnce());
    await waitFor('A to reach the long stage', async () => first.entered.includes('reload_image_properties'));
    const stopping = Date.now();
    await a.stop();
    assert.ok(Date.now() - stopping < 2_000, 'stop() does not wait for the stage to end');

    const second = new HeldExecutor('B', undefined);
    const b = runner('runner-b', { executor: second, leaseMs: 60_000 });
    assert.ok(await b.claimOnce(), 'the lease of 60 s was released, not left to expire');
    await b.idle();
    const finished = (await getJob(db, job.id))!;
    assert.equal(finished.state, 'succeeded', finished.outcome ?? '');
    assert.deepEqual(second.entered, ['reload_image_properties', 'watch_distribution'], 'B resumed after the done stage');
    const resumed = (await listEvents(db, job.id)).filter((event) => event.kind === 'stage_started' && event.detail?.resumed === true);
    assert.deepEqual(resumed.map((event) => event.detail?.stage), ['reload_image_properties']);
  });

  it('cancel while running stops at the next safe point, saying what was already done', async () => {
    const site = await startSimulator({ distributionFaults: [{ host: 'DP-NYC01.contoso.com', outcome: 'stuck' }] });
    const requester = { id: 'aad-requester-1', name: 'Zoë' };
    const job = await insertApprovedJob(db, { requester });
    const service = new JobService({ db, policy: { approvers: [], requiredApprovals: 1, ttlMs: 86_400_000, anyoneMayApprove: false }, runnerKind: 'configmgr', logger });
    const a = runner('runner-a', { leaseMs: 60_000, tell: (change) => service.tell(change) });
    assert.ok(await a.claimOnce());
    await waitFor('distribution to be watched', async () => (await listSteps(db, job.id)).find((step) => step.stage === 'watch_distribution')?.result ?? undefined);

    const answer = await service.cancel(job.id, { ...requester, aadObjectId: requester.id });
    assert.match(answer.message, /will stop at its next safe point/);
    await a.idle();
    const finished = (await getJob(db, job.id))!;
    assert.equal(finished.state, 'cancelled');
    assert.equal(
      finished.outcome,
      'Cancelled; already done: verify the install image, reload image properties, update distribution points.',
    );
    assert.equal(site.methodCallCount('RefreshPkgSource'), 1);
    const events = await listEvents(db, job.id);
    assert.deepEqual(events.slice(-1).map((event) => event.kind), ['cancelled']);
    assert.equal(kinds(events, 'cancel_requested').length, 1);
  });
});
