/**
 * Issue 8, point 6: a runner killed with SIGKILL at any point loses nothing and repeats nothing. The
 * job is driven by a child process (test/support/job-worker.ts) against a simulator this test serves;
 * the child is killed at a chosen instant, a second child (a new owner) takes the job over once the
 * lease has expired, resumes from the last persisted step, and RefreshPkgSource reaches the site
 * exactly once per job.
 */
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { AdminServiceSimulator } from '../../../src/services/demo/admin-service-simulator';
import { createDemoSite } from '../../../src/services/demo/demo-site';
import type { Job, JobEvent, JobStep, StageName } from '../../../src/services/jobs/job';
import { claimNextJob, getJob, insertJob, listEvents, listSteps, saveStep } from '../../../src/services/jobs/job-repository';
import type { Schema } from '../../../src/services/store/schema';
import { FAST_REFRESH, REPO_ROOT, approvedJob, insertApprovedJob, makeShare, waitFor } from '../../support/job-harness';
import { forEachDatabase } from '../../support/test-databases';

const WORKER = join(REPO_ROOT, 'test', 'support', 'job-worker.ts');
const LEASE_MS = 1_500;

interface Worker {
  child: ChildProcess;
  exited: Promise<NodeJS.Signals | number | null>;
}

forEachDatabase('a runner killed with SIGKILL', (database) => {
  let simulator: AdminServiceSimulator;
  let share: ReturnType<typeof makeShare>;
  let db: Kysely<Schema>;
  const workers: Worker[] = [];

  beforeEach(async function () {
    simulator = new AdminServiceSimulator({ site: createDemoSite(), refreshTiming: FAST_REFRESH });
    await simulator.start();
    share = makeShare();
    db = (await database.open()).db;
  });

  afterEach(async function () {
    for (const worker of workers.splice(0)) {
      if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
      await worker.exited;
    }
    await simulator.stop();
    share.cleanup();
  });

  async function startWorker(owner: string, refreshGraceMs = 3_000): Promise<Worker> {
    const settings = {
      databaseUrl: database.url(),
      adminServiceUrl: simulator.baseUrl,
      shareRoot: share.root,
      owner,
      leaseMs: LEASE_MS,
      refreshGraceMs,
      distributionPollMs: 50,
    };
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', WORKER, JSON.stringify(settings)], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
    const worker = { child, exited };
    workers.push(worker);
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve();
      });
      void exited.then((how) => reject(new Error(`worker ${owner} ended before it was ready (${String(how)}): ${stderr}`)));
    });
    return worker;
  }

  async function finished(jobId: string, timeoutMs = 40_000): Promise<Job> {
    return waitFor(
      `job ${jobId} to end`,
      async () => {
        const job = await getJob(db, jobId);
        return job && !['approved', 'running'].includes(job.state) ? job : undefined;
      },
      timeoutMs,
      50,
    );
  }

  async function stepOf(jobId: string, stage: StageName): Promise<JobStep | undefined> {
    return (await listSteps(db, jobId)).find((step) => step.stage === stage);
  }

  function count(events: JobEvent[], kind: JobEvent['kind'], stage: StageName): number {
    return events.filter((event) => event.kind === kind && event.detail?.stage === stage).length;
  }

  async function lease(jobId: string): Promise<{ owner: string; fence: number }> {
    const row = await db.selectFrom('job_leases').select(['owner', 'fence']).where('job_id', '=', jobId).executeTakeFirstOrThrow();
    return { owner: row.owner, fence: Number(row.fence) };
  }

  async function takeOver(first: Worker, jobId: string): Promise<{ job: Job; events: JobEvent[] }> {
    assert.equal(await first.exited, 'SIGKILL');
    const second = await startWorker('worker-2');
    const job = await finished(jobId);
    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0, 'the second worker stops cleanly on SIGTERM');
    return { job, events: await listEvents(db, jobId) };
  }

  it('killed as the site receives RefreshPkgSource, before it answers: the new owner sees the update happened and does not send it again', async function () {
    const job = await insertApprovedJob(db);
    let first: Worker | undefined;
    simulator.onMethodCall = (call) => {
      if (call.method === 'RefreshPkgSource') first?.child.kill('SIGKILL');
    };
    first = await startWorker('worker-1');
    const { job: ended, events } = await takeOver(first, job.id);

    assert.equal(ended.state, 'succeeded', ended.outcome ?? '');
    assert.equal(simulator.methodCallCount('RefreshPkgSource', 'PS100012'), 1);
    assert.equal(simulator.methodCallCount('ReloadImageProperties', 'PS100012'), 1, 'the reload is not run again');
    assert.equal(count(events, 'stage_done', 'verify_source'), 1);
    assert.equal(count(events, 'stage_started', 'verify_source'), 1, 'verify_source is not started again');
    const refresh = await stepOf(job.id, 'refresh_distribution_points');
    assert.equal(refresh?.result?.resumed, true, 'the refresh was judged from ConfigMgr, not repeated');
    assert.equal(count(events, 'stage_started', 'refresh_distribution_points'), 2);
    assert.equal(ended.newSourceVersion, 8);
    assert.deepEqual(await lease(job.id), { owner: 'worker-2', fence: 2 });
  });

  it('killed while watching distribution after the first progress: the new owner watches on to the end', async function () {
    const job = await insertApprovedJob(db);
    const first = await startWorker('worker-1');
    await waitFor('the first distribution progress', async () => (await stepOf(job.id, 'watch_distribution'))?.result ?? undefined);
    first.child.kill('SIGKILL');
    const { job: ended, events } = await takeOver(first, job.id);

    assert.equal(ended.state, 'succeeded', ended.outcome ?? '');
    assert.equal(simulator.methodCallCount('RefreshPkgSource', 'PS100012'), 1);
    assert.equal(simulator.methodCallCount('ReloadImageProperties', 'PS100012'), 1);
    assert.equal(count(events, 'stage_done', 'refresh_distribution_points'), 1);
    assert.equal(count(events, 'stage_started', 'refresh_distribution_points'), 1, 'the update stage is not started again');
    assert.equal(count(events, 'stage_started', 'watch_distribution'), 2, 'the watch resumed');
    assert.equal(count(events, 'stage_done', 'watch_distribution'), 1);
    assert.match(ended.outcome ?? '', /4 of 4 distribution points/);
  });

  it('killed right after verify_source is persisted: the new owner goes on from the reload', async function () {
    const job = await insertApprovedJob(db);
    // The reload is held up a little, so that the kill lands before the next stage persists anything.
    simulator.injectFault({ pathPattern: 'ReloadImageProperties', delayMs: 300, times: 1 });
    const first = await startWorker('worker-1');
    await waitFor('verify_source to be persisted', async () => (await stepOf(job.id, 'verify_source'))?.state === 'done', 20_000, 2);
    first.child.kill('SIGKILL');
    const { job: ended, events } = await takeOver(first, job.id);

    assert.equal(ended.state, 'succeeded', ended.outcome ?? '');
    assert.equal(count(events, 'stage_started', 'verify_source'), 1);
    assert.equal(count(events, 'stage_done', 'verify_source'), 1);
    assert.equal(simulator.methodCallCount('RefreshPkgSource', 'PS100012'), 1);
    assert.equal(ended.newBuild, '26100.8246');
    assert.deepEqual(await lease(job.id), { owner: 'worker-2', fence: 2 });
  });

  it('killed between recording the intent and calling: the new owner waits the grace period, then calls RefreshPkgSource exactly once', async function () {
    const now = Date.now();
    const job = approvedJob({ state: 'running', stage: 'refresh_distribution_points', newBuild: '26100.8246' });
    assert.ok((await insertJob(db, job)).inserted);
    const at = (ms: number) => new Date(now - ms);
    await saveStep(db, { jobId: job.id, stage: 'verify_source', state: 'done', intent: null, result: { build: '26100.8246' }, message: 'ok', startedAt: at(9_000), finishedAt: at(8_000) });
    await saveStep(db, { jobId: job.id, stage: 'reload_image_properties', state: 'done', intent: null, result: {}, message: 'ok', startedAt: at(8_000), finishedAt: at(7_000) });
    // As the crash left it: the intent with the version before, no `accepted` result, and the dead owner's lease.
    await saveStep(db, {
      jobId: job.id,
      stage: 'refresh_distribution_points',
      state: 'running',
      intent: { sourceVersionBefore: 7, at: at(5_000).toISOString() },
      result: null,
      message: null,
      startedAt: at(6_000),
      finishedAt: null,
    });
    await claimNextJob(db, { owner: 'crashed-worker', now: at(10_000), leaseMs: 1_000 });

    const calls: number[] = [];
    simulator.onMethodCall = (call) => {
      if (call.method === 'RefreshPkgSource') calls.push(Date.now());
    };
    const graceMs = 1_500;
    const startedAt = Date.now();
    const worker = await startWorker('worker-2', graceMs);
    const ended = await finished(job.id);
    worker.child.kill('SIGTERM');
    await worker.exited;

    assert.equal(ended.state, 'succeeded', ended.outcome ?? '');
    assert.equal(calls.length, 1, 'RefreshPkgSource exactly once');
    assert.ok(calls[0]! > startedAt);
    const events = await listEvents(db, job.id);
    const resumed = events.find((event) => event.kind === 'stage_started' && event.detail?.stage === 'refresh_distribution_points');
    assert.equal(resumed?.detail?.resumed, true);
    const waited = calls[0]! - resumed!.at.getTime();
    assert.ok(waited >= graceMs, `called ${waited} ms after the stage resumed, within the grace of ${graceMs} ms`);
    assert.equal(simulator.methodCallCount('ReloadImageProperties'), 0, 'earlier stages are not re-run');
    assert.equal(count(events, 'stage_started', 'verify_source'), 0);
    assert.equal(ended.newSourceVersion, 8);
    assert.deepEqual(await lease(job.id), { owner: 'worker-2', fence: 2 });
  });
});
