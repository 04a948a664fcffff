/**
 * Issue 8, point 5 (RUNNER=webhook) end to end: the app as started in production, a local servicing
 * host that checks the bot's signature and posts signed callbacks to POST /api/jobs/:id/events, and a
 * simulator as the site (CM_ADMINSERVICE_URL). RefreshPkgSource must reach the site once per job, from
 * the bot or from a host that says it updated ConfigMgr itself, never from both.
 */
import { strict as assert } from 'node:assert';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, type RunningApp } from '../../../src/app';
import { loadConfig } from '../../../src/config';
import { createLogger } from '../../../src/logger';
import { AdminServiceSimulator } from '../../../src/services/demo/admin-service-simulator';
import { createDemoSite } from '../../../src/services/demo/demo-site';
import { plannedStages, type Job } from '../../../src/services/jobs/job';
import { getJob, listEvents } from '../../../src/services/jobs/job-repository';
import type { ServicingJobPayload } from '../../../src/services/jobs/servicing-host-client';
import { signatureHeaders, verifySignedRequest } from '../../../src/services/jobs/webhook-signature';
import type { JobsTuning } from '../../../src/app-jobs';
import { FAST_REFRESH, insertApprovedJob, makeShare, waitFor } from '../../support/job-harness';

const SECRET = 'a-runner-secret-of-32-characters';
const logger = createLogger({ logLevel: 'silent' });

interface Posted {
  status: number;
  body: Record<string, unknown>;
}

/** A servicing host: checks the bot's signature, answers, then plays `script` with signed callbacks. */
class FakeServicingHost {
  readonly jobs: ServicingJobPayload[] = [];
  refusedSignatures = 0;
  answer: 'accept' | 500 | 'never' = 'accept';
  script: (job: ServicingJobPayload) => Promise<void> = async () => undefined;
  private server?: http.Server;
  url = '';

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const verdict = verifySignedRequest({
          secret: SECRET,
          timestampHeader: req.headers['x-umb-timestamp'],
          signatureHeader: req.headers['x-umb-signature'],
          body,
          now: new Date(),
        });
        if (!verdict.ok) {
          this.refusedSignatures++;
          res.writeHead(401);
          res.end();
          return;
        }
        if (this.answer === 500) {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end('servicing queue is broken');
          return;
        }
        const job = JSON.parse(body) as ServicingJobPayload;
        this.jobs.push(job);
        if (this.answer === 'never') {
          setImmediate(() => void this.script(job).catch(() => undefined));
          return;
        }
        res.writeHead(202, { 'content-type': 'application/json' });
        res.end('{"queued":true}');
        setImmediate(() => void this.script(job).catch(() => undefined));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/jobs`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** A signed callback as a host sends it; returns the exact bytes and headers so that a test can replay them. */
async function callback(callbackUrl: string, event: Record<string, unknown>, replay?: { body: string; headers: Record<string, string> }): Promise<Posted & { sent: { body: string; headers: Record<string, string> } }> {
  const body = replay?.body ?? JSON.stringify({ contract: 1, ...event });
  const headers = replay?.headers ?? signatureHeaders(SECRET, Math.floor(Date.now() / 1000), body);
  const response = await fetch(callbackUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, sent: { body, headers } };
}

async function siteMethod(simulator: AdminServiceSimulator, method: string): Promise<void> {
  const response = await fetch(`${simulator.baseUrl}/wmi/SMS_OperatingSystemInstallPackage('PS100012')/AdminService.${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  assert.equal(response.status, 201);
}

describe('webhook runner end to end', function () {
  this.timeout(40_000);
  let simulator: AdminServiceSimulator;
  let host: FakeServicingHost;
  let share: ReturnType<typeof makeShare>;
  let dbDir: string;
  let app: RunningApp | undefined;

  beforeEach(async function () {
    simulator = new AdminServiceSimulator({ site: createDemoSite(), refreshTiming: FAST_REFRESH });
    await simulator.start();
    host = new FakeServicingHost();
    await host.start();
    share = makeShare();
    dbDir = mkdtempSync(join(tmpdir(), 'umb-webhook-'));
  });

  afterEach(async function () {
    await app?.stop();
    app = undefined;
    await host.stop();
    await simulator.stop();
    share.cleanup();
    rmSync(dbDir, { recursive: true, force: true });
  });

  async function start(tuning: JobsTuning = {}): Promise<RunningApp> {
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${join(dbDir, 'bot.db')}`,
      LOG_LEVEL: 'silent',
      RUNNER: 'webhook',
      RUNNER_WEBHOOK_URL: host.url,
      RUNNER_SECRET: SECRET,
      CM_ADMINSERVICE_URL: simulator.baseUrl,
      CM_AUTH: 'none',
      MEDIA_PATH_MAP: `\\\\cm01.contoso.com\\OSD$=${share.root}`,
    });
    app = await startApp(config, { logger, jobs: { runnerPollMs: 50, distributionPollMs: 50, leaseMs: 5_000, ...tuning } });
    return app;
  }

  async function runJob(running: RunningApp, overrides: Partial<Job> = {}): Promise<Job> {
    const job = await insertApprovedJob(running.jobs.database.db, { stages: plannedStages('webhook', {}, 'upgrade'), ...overrides });
    running.jobs.runner.poke();
    return waitFor(`job ${job.id} to end`, async () => {
      const current = await getJob(running.jobs.database.db, job.id);
      return current && !['approved', 'running'].includes(current.state) ? current : undefined;
    }, 30_000, 50);
  }

  it('stage_done with the new build, then completed: the bot runs the ConfigMgr stages, RefreshPkgSource once', async () => {
    const running = await start();
    let completed: Awaited<ReturnType<typeof callback>> | undefined;
    host.script = async (job) => {
      assert.equal(job.callbackUrl, `${running.url}/api/jobs/K7P2Q/events`, 'PUBLIC_URL unset: the listen URL');
      assert.equal((await callback(job.callbackUrl, { event: 'stage_done', stage: 'service_media', newBuild: '26100.8246' })).status, 202);
      completed = await callback(job.callbackUrl, { event: 'completed', newBuild: '26100.8246' });
      assert.equal(completed.status, 202);
    };
    const job = await runJob(running);
    assert.equal(job.state, 'succeeded', job.outcome ?? '');
    assert.equal(host.refusedSignatures, 0);
    assert.equal(host.jobs.length, 1);
    assert.equal(simulator.methodCallCount('RefreshPkgSource', 'PS100012'), 1);
    assert.equal(simulator.methodCallCount('ReloadImageProperties', 'PS100012'), 1);
    assert.equal(job.newBuild, '26100.8246');

    // The same callback again, byte for byte: refused by the ledger, and nothing is recorded.
    const before = (await listEvents(running.jobs.database.db, job.id)).length;
    const again = await callback(host.jobs[0]!.callbackUrl, {}, completed!.sent);
    assert.equal(again.status, 409);
    assert.equal(again.body.code, 'replayed');
    assert.equal((await listEvents(running.jobs.database.db, job.id)).length, before);
  });

  it('completed with configMgrUpdated after the host updated ConfigMgr itself: the bot skips reload and update, and watches', async () => {
    const running = await start();
    host.script = async (job) => {
      await callback(job.callbackUrl, { event: 'stage_done', stage: 'service_media', newBuild: '26100.8246' });
      // As WimWitch-tNG does with "update existing image": the host calls ConfigMgr itself, which takes a moment.
      await new Promise((resolve) => setTimeout(resolve, 400));
      await siteMethod(simulator, 'ReloadImageProperties');
      await siteMethod(simulator, 'RefreshPkgSource');
      await callback(job.callbackUrl, { event: 'completed', newBuild: '26100.8246', configMgrUpdated: true });
    };
    const job = await runJob(running);
    assert.equal(job.state, 'succeeded', job.outcome ?? '');
    assert.equal(simulator.methodCallCount('RefreshPkgSource', 'PS100012'), 1, 'the host\'s call only: the bot sent none');
    assert.equal(simulator.methodCallCount('ReloadImageProperties', 'PS100012'), 1, 'the host\'s call only');
    const events = await listEvents(running.jobs.database.db, job.id);
    const skipped = events.filter((event) => event.kind === 'stage_skipped').map((event) => event.detail?.stage);
    assert.deepEqual(skipped, ['reload_image_properties', 'refresh_distribution_points']);
    assert.ok(events.some((event) => event.kind === 'stage_done' && event.detail?.stage === 'watch_distribution'));
  });

  it("keep editions: the host's callbacks after service_media is done are taken, and the job ends with completed", async () => {
    const running = await start({ servicingTimeoutMs: 10_000 });
    const answers: number[] = [];
    host.script = async (job) => {
      assert.deepEqual(job.options, { keepEditionIndexes: [1] });
      answers.push((await callback(job.callbackUrl, { event: 'stage_done', stage: 'service_media', newBuild: '26100.8246' })).status);
      await new Promise((resolve) => setTimeout(resolve, 400));
      answers.push((await callback(job.callbackUrl, { event: 'stage_done', stage: 'keep_editions', message: 'Kept index 1.' })).status);
      answers.push((await callback(job.callbackUrl, { event: 'completed', newBuild: '26100.8246' })).status);
    };
    const job = await runJob(running, { options: { keepEditionIndexes: [1] }, stages: plannedStages('webhook', { keepEditionIndexes: [1] }, 'upgrade') });
    assert.deepEqual(answers, [202, 202, 202]);
    assert.equal(job.state, 'succeeded', job.outcome ?? '');
    assert.equal(simulator.methodCallCount('RefreshPkgSource', 'PS100012'), 1);
    const events = await listEvents(running.jobs.database.db, job.id);
    assert.equal(events.filter((event) => event.kind === 'callback_refused').length, 0);
  });

  it('a host that takes the job and never calls back: fails at SERVICING_TIMEOUT saying what to do', async () => {
    const running = await start({ servicingTimeoutMs: 1_500 });
    const started = Date.now();
    const job = await runJob(running);
    assert.equal(job.state, 'failed');
    assert.match(job.outcome ?? '', /^Failed at Service the media: The servicing host sent no result within .+; check the host's log, then cancel this job and ask again\.$/);
    assert.ok(Date.now() - started >= 1_500);
    assert.equal(simulator.methodCallCount('RefreshPkgSource'), 0);
  });

  it('a host that takes the job but never answers the POST, then calls back: the bot waits for its callbacks rather than failing', async () => {
    const running = await start({ servicingHostTimeoutMs: 1_000, servicingTimeoutMs: 15_000 });
    host.answer = 'never';
    host.script = async (job) => {
      // Calls back after the bot gave up waiting for the answer to its POST.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await callback(job.callbackUrl, { event: 'stage_done', stage: 'service_media', newBuild: '26100.8246' });
      await callback(job.callbackUrl, { event: 'completed', newBuild: '26100.8246' });
    };
    const job = await runJob(running);
    assert.equal(job.state, 'succeeded', job.outcome ?? '');
    assert.equal(host.jobs.length, 1, 'the job was sent once');
    assert.equal(simulator.methodCallCount('RefreshPkgSource', 'PS100012'), 1);
  });

  it('a host that never answers the POST and never calls back: fails at SERVICING_TIMEOUT saying what to do', async () => {
    const running = await start({ servicingHostTimeoutMs: 500, servicingTimeoutMs: 2_000 });
    host.answer = 'never';
    const job = await runJob(running);
    assert.equal(job.state, 'failed');
    assert.match(job.outcome ?? '', /The servicing host sent no result within .+; check the host's log, then cancel this job and ask again\.$/);
    assert.equal(host.jobs.length, 1);
  });

  it('a host that answers the job with HTTP 500: the stage fails with the sentence naming the host', async () => {
    const running = await start();
    host.answer = 500;
    const job = await runJob(running);
    assert.equal(job.state, 'failed');
    assert.match(job.outcome ?? '', /The servicing host at http:\/\/127\.0\.0\.1:\d+ did not accept the job \(HTTP 500\); check its log and that it shares RUNNER_SECRET with the bot/);
    assert.equal(simulator.methodCallCount('RefreshPkgSource'), 0);
  });

  const wrongStates: Array<{ state: Job['state']; why: string }> = [
    { state: 'succeeded', why: 'a late callback must not reopen a finished job' },
    { state: 'awaiting_approval', why: 'a host must not act before the approvals' },
  ];
  for (const { state, why } of wrongStates) {
    it(`a callback for a job that is ${state}: 409 and an audit line (${why})`, async () => {
      const running = await start({ runnerStopped: true });
      const job = await insertApprovedJob(running.jobs.database.db, { id: 'W8RNG', state, stages: plannedStages('webhook', {}, 'upgrade') });
      const answer = await callback(`${running.url}/api/jobs/${job.id}/events`, { event: 'completed', newBuild: '26100.8246', configMgrUpdated: true });
      assert.equal(answer.status, 409);
      assert.equal(answer.body.code, 'conflict');
      const events = await listEvents(running.jobs.database.db, job.id);
      assert.deepEqual(events.map((event) => event.kind), ['callback_refused']);
      assert.equal((await getJob(running.jobs.database.db, job.id))?.state, state);
    });
  }
});
