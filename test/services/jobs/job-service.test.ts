/**
 * The job service's use cases on both databases: requesting, deciding (with every refusal and its
 * audit line), the races that the store must settle (one job per package, one decision per request,
 * across two bot instances), cancelling, the sweep's expiry and reminder, and the observers.
 */
import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import { createLogger } from '../../../src/logger';
import type { ApprovalPolicy, Decider } from '../../../src/services/jobs/approvals';
import type { JobEvent } from '../../../src/services/jobs/job';
import { updateJob } from '../../../src/services/jobs/job-repository';
import { JobNotFound, JobService, RefreshNotPossible, type JobChange, type RunnerKind } from '../../../src/services/jobs/job-service';
import type { MediaPackage } from '../../../src/services/media/media-package';
import type { Schema } from '../../../src/services/store/schema';
import { makeFreshness, makePackage, verdictExamples } from '../../support/media-fixtures';
import { forEachDatabase } from '../../support/test-databases';

const ALICE = '11111111-1111-4111-8111-111111111111';
const BOB = '22222222-2222-4222-8222-222222222222';
const CAROL = '33333333-3333-4333-8333-333333333333';
const MALLORY = '99999999-9999-4999-8999-999999999999';
const T0 = new Date('2026-12-03T12:00:00.000Z');
const HOUR = 3_600_000;
const TTL = 24 * HOUR;

const person = (aad: string, name: string): Decider => ({ id: `29:${name.toLowerCase()}`, name, aadObjectId: aad });
const alice = person(ALICE, 'Alice');
const bob = person(BOB, 'Bob');
const carol = person(CAROL, 'Carol');
const mallory = person(MALLORY, 'Mallory');
const requester = { id: ALICE, name: 'Alice' };
/** Fifty distinct approvers, for the races. */
const crowd: Decider[] = Array.from({ length: 50 }, (_, i) => person(`44444444-4444-4444-8444-${String(i).padStart(12, '0')}`, `Approver ${i}`));

function junePackage(overrides: Partial<MediaPackage> = {}): MediaPackage {
  return makePackage({ freshness: makeFreshness(verdictExamples.behind), ...overrides });
}

const silent = createLogger({ level: 'silent' });

forEachDatabase('JobService', (database) => {
  let db: Kysely<Schema>;
  let clock: Date;

  beforeEach(async () => {
    db = (await database.open()).db;
    clock = T0;
  });

  function policy(overrides: Partial<ApprovalPolicy> = {}): ApprovalPolicy {
    return { approvers: [ALICE, BOB, CAROL, ...crowd.map((c) => c.aadObjectId!)], requiredApprovals: 1, ttlMs: TTL, anyoneMayApprove: false, ...overrides };
  }

  function service(overrides: Partial<ApprovalPolicy> = {}, options: { runnerKind?: RunnerKind; on?: Kysely<Schema>; remindBeforeMs?: number } = {}): JobService {
    return new JobService({
      db: options.on ?? db,
      policy: policy(overrides),
      runnerKind: options.runnerKind ?? 'configmgr',
      logger: silent,
      now: () => clock,
      remindBeforeMs: options.remindBeforeMs,
    });
  }

  async function newJob(jobs: JobService, pkg = junePackage()) {
    const outcome = await jobs.request(pkg, requester, 'June CU');
    assert.equal(outcome.kind, 'created');
    return outcome.job;
  }

  async function eventsOf(jobs: JobService, id: string): Promise<JobEvent[]> {
    return (await jobs.details(id)).events;
  }

  describe('request', () => {
    it('creates a job awaiting approval with what the package was, the stages planned and its deadline', async () => {
      const jobs = service();
      const outcome = await jobs.request(junePackage(), requester, '  June CU  ', { removeAutorun: true, writeBuildFile: true });
      assert.equal(outcome.kind, 'created');
      const job = outcome.job;
      assert.match(job.id, /^[23456789ABCDEFGHJKMNPQRSTVWXYZ]{5}$/);
      assert.equal(job.state, 'awaiting_approval');
      assert.deepEqual(job.requester, requester);
      assert.equal(job.packageId, 'PS100012');
      assert.equal(job.packageName, 'Windows 11 24H2 Enterprise x64');
      assert.equal(job.reason, 'June CU');
      assert.equal(job.fromSourceVersion, 7);
      assert.equal(job.fromBuild, '26100.4349');
      assert.equal(job.latestBuild, '26100.8246');
      assert.deepEqual(job.stages, ['verify_source', 'remove_autorun', 'write_build_file', 'reload_image_properties', 'refresh_distribution_points', 'watch_distribution']);
      assert.deepEqual(job.options, { removeAutorun: true, writeBuildFile: true });
      assert.equal(job.expiresAt.getTime(), T0.getTime() + TTL);
      // What was stored is what was returned.
      assert.deepEqual(await jobs.find(job.id), job);
      const events = await eventsOf(jobs, job.id);
      assert.deepEqual(events.map((e) => e.kind), ['requested']);
      assert.deepEqual(events[0].actor, requester);
      assert.deepEqual(events[0].detail?.stages, job.stages);
    });

    it('plans no file stages for an OS image, and the servicing stages for RUNNER=webhook with editions kept', async () => {
      const image = await service().request(junePackage({ id: 'PS100020', kind: 'image' }), requester, '', { removeAutorun: true, writeBuildFile: true });
      assert.deepEqual(image.job.stages, ['verify_source', 'reload_image_properties', 'refresh_distribution_points', 'watch_distribution']);
      const kept = await service({}, { runnerKind: 'webhook' }).request(junePackage(), requester, '', { keepEditionIndexes: [2] });
      assert.deepEqual(kept.job.stages, ['service_media', 'keep_editions', 'verify_source', 'reload_image_properties', 'refresh_distribution_points', 'watch_distribution']);
    });

    it('answers a second request for the same package with the active job', async () => {
      const jobs = service();
      const first = await newJob(jobs);
      clock = new Date(T0.getTime() + 60_000);
      const second = await jobs.request(junePackage(), { id: BOB, name: 'Bob' }, 'me too');
      assert.equal(second.kind, 'active');
      assert.equal(second.job.id, first.id);
      assert.deepEqual(second.job.requester, requester);
      assert.equal((await jobs.recent()).length, 1);
      assert.deepEqual((await eventsOf(jobs, first.id)).map((e) => e.kind), ['requested']);
    });

    it('makes one job of 20 concurrent requests for one package', async () => {
      const jobs = service();
      const told: JobChange[] = [];
      jobs.observe({ jobChanged: (change) => void told.push(change) });
      const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => jobs.request(junePackage(), { id: crowd[i].aadObjectId!, name: crowd[i].name }, `ask ${i}`)));
      assert.equal(outcomes.filter((o) => o.kind === 'created').length, 1);
      assert.equal(new Set(outcomes.map((o) => o.job.id)).size, 1);
      assert.equal((await jobs.recent()).length, 1);
      assert.equal(told.length, 1, 'only the request that created the job is told');
    });

    it('a new request is possible once the package\'s job has ended', async () => {
      const jobs = service();
      const first = await newJob(jobs);
      await jobs.cancel(first.id, alice);
      const second = await jobs.request(junePackage(), requester, 'again');
      assert.equal(second.kind, 'created');
      assert.notEqual(second.job.id, first.id);
    });

    it('is refused on a real site with no APPROVERS, with the sentence, and stores nothing', async () => {
      const jobs = service({ approvers: [], anyoneMayApprove: false });
      await assert.rejects(jobs.request(junePackage(), requester, ''), (error: unknown) => {
        assert.ok(error instanceof RefreshNotPossible);
        assert.equal(error.userMessage, "Nobody may approve refreshes yet: your bot administrator must set APPROVERS to the approvers' Azure AD object ids.");
        return true;
      });
      assert.deepEqual(await jobs.recent(), []);
    });

    it('is allowed on the demo site with no APPROVERS (anyone may approve)', async () => {
      const outcome = await service({ approvers: [], anyoneMayApprove: true }).request(junePackage(), requester, '');
      assert.equal(outcome.kind, 'created');
    });

    for (const runnerKind of ['configmgr', 'demo'] as const) {
      it(`refuses keeping editions with RUNNER=${runnerKind}, with the sentence`, async () => {
        const jobs = service({}, { runnerKind });
        await assert.rejects(jobs.request(junePackage(), requester, '', { keepEditionIndexes: [2] }), (error: unknown) => {
          assert.ok(error instanceof RefreshNotPossible);
          assert.equal(error.userMessage, 'Keeping only some editions rewrites the WIM, which only a servicing host can do; set RUNNER=webhook, or ask without "keep".');
          return true;
        });
        assert.deepEqual(await jobs.recent(), []);
      });
    }

    it('refuses keeping an edition index the package does not have', async () => {
      await assert.rejects(service({}, { runnerKind: 'webhook' }).request(junePackage(), requester, '', { keepEditionIndexes: [2, 9] }), {
        userMessage: 'PS100012 has no edition at index 9; type "editions PS100012" to see its indexes.',
      });
    });

    it('cuts a reason to 500 characters', async () => {
      const job = (await service().request(junePackage(), requester, 'x'.repeat(5000))).job;
      assert.equal(job.reason.length, 500);
    });
  });

  describe('decide', () => {
    const refusals: Array<{ why: string; setup?: (jobs: JobService, id: string) => Promise<void>; decider: Decider; policy?: Partial<ApprovalPolicy>; sentence: (id: string) => string; refusal: string }> = [
      {
        why: 'someone not in APPROVERS',
        decider: mallory,
        sentence: (id) => `Only the approvers named in APPROVERS can decide on job ${id}; ask one of them to approve or reject it.`,
        refusal: 'not-approver',
      },
      {
        why: 'the requester approving their own request',
        decider: alice,
        sentence: (id) => `You asked for job ${id}, so another approver must decide on it.`,
        refusal: 'own-request',
      },
      {
        why: 'an approver deciding twice (two approvals required)',
        policy: { requiredApprovals: 2 },
        setup: async (jobs, id) => void (await jobs.decide(id, bob, 'approve', '')),
        decider: bob,
        sentence: (id) => `You have already decided on job ${id}; type "job ${id}" to see where it stands.`,
        refusal: 'already-decided',
      },
      {
        why: 'a request already decided by someone else',
        setup: async (jobs, id) => void (await jobs.decide(id, bob, 'approve', '')),
        decider: carol,
        sentence: (id) => `Job ${id} is already approved, so there is nothing left to decide; type "job ${id}" to see what happened.`,
        refusal: 'not-awaiting',
      },
      {
        why: 'a request already rejected',
        setup: async (jobs, id) => void (await jobs.decide(id, bob, 'reject', 'no')),
        decider: carol,
        sentence: (id) => `Job ${id} is already rejected, so there is nothing left to decide; type "job ${id}" to see what happened.`,
        refusal: 'not-awaiting',
      },
      {
        why: 'a request past its deadline',
        setup: async () => {
          clock = new Date(T0.getTime() + TTL);
        },
        decider: bob,
        sentence: (id) => `Job ${id} expired before it was decided; ask for the refresh again with "refresh PS100012".`,
        refusal: 'expired',
      },
    ];
    for (const row of refusals) {
      it(`refuses ${row.why} with its sentence and a decision_refused event`, async () => {
        const jobs = service(row.policy);
        const job = await newJob(jobs);
        await row.setup?.(jobs, job.id);
        const before = await jobs.find(job.id);
        const result = await jobs.decide(job.id.toLowerCase(), row.decider, 'approve', 'sneaky');
        assert.equal(result.kind, 'refused');
        assert.equal(result.message, row.sentence(job.id));
        const events = await eventsOf(jobs, job.id);
        const last = events[events.length - 1];
        assert.equal(last.kind, 'decision_refused');
        assert.deepEqual(last.actor, { id: row.decider.aadObjectId, name: row.decider.name });
        assert.equal(last.detail?.refusal, row.refusal);
        const after = await jobs.find(job.id);
        if (row.refusal !== 'expired') assert.deepEqual(after, before, 'a refusal changes nothing');
        assert.equal(result.job.state, after!.state, 'the job returned is the job as stored');
        assert.equal((await jobs.details(job.id)).approvals.filter((a) => a.comment === 'sneaky').length, 0);
      });
    }

    it('a click on an expired request expires it (event expired) before refusing it', async () => {
      const jobs = service();
      const job = await newJob(jobs);
      clock = new Date(T0.getTime() + TTL + 1);
      const result = await jobs.decide(job.id, bob, 'approve', '');
      assert.equal(result.kind, 'refused');
      assert.equal(result.job.state, 'expired');
      assert.deepEqual((await eventsOf(jobs, job.id)).map((e) => e.kind), ['requested', 'expired', 'decision_refused']);
      assert.equal((await jobs.find(job.id))?.state, 'expired');
    });

    it('answers an unknown job with JobNotFound and its sentence', async () => {
      const jobs = service();
      await assert.rejects(jobs.decide('zzzzz', bob, 'approve', ''), (error: unknown) => {
        assert.ok(error instanceof JobNotFound);
        assert.equal(error.userMessage, 'There is no job ZZZZZ; type "jobs" to see the recent ones.');
        return true;
      });
    });

    it('with REQUIRED_APPROVALS=2 records the first approval and a distinct second approver decides', async () => {
      const jobs = service({ requiredApprovals: 2 });
      const job = await newJob(jobs);
      const first = await jobs.decide(job.id, bob, 'approve', 'fine');
      assert.equal(first.kind, 'recorded');
      assert.equal(first.message, `You approved job ${job.id}: 1 of 2 approvals so far.`);
      assert.equal(first.job.state, 'awaiting_approval');
      const second = await jobs.decide(job.id, carol, 'approve', '');
      assert.equal(second.kind, 'decided');
      assert.equal(second.message, `You approved job ${job.id}; it starts now.`);
      assert.equal(second.job.state, 'approved');
      const details = await jobs.details(job.id);
      assert.deepEqual(details.approvals.map((a) => [a.approver.id, a.verdict, a.comment]), [[BOB, 'approve', 'fine'], [CAROL, 'approve', '']]);
      assert.deepEqual(details.events.map((e) => e.kind), ['requested', 'approved', 'approved']);
      assert.equal(details.events[1].message, 'Bob approved (1 of 2): fine');
      assert.equal(details.events[1].detail?.decided, false);
      assert.equal(details.events[2].detail?.decided, true);
    });

    it('one rejection ends the request, even after an approval', async () => {
      const jobs = service({ requiredApprovals: 3 });
      const job = await newJob(jobs);
      await jobs.decide(job.id, bob, 'approve', '');
      const rejected = await jobs.decide(job.id, carol, 'reject', 'not this month');
      assert.equal(rejected.kind, 'decided');
      assert.equal(rejected.message, `You rejected job ${job.id}; it will not run.`);
      const stored = await jobs.find(job.id);
      assert.equal(stored?.state, 'rejected');
      assert.equal(stored?.outcome, 'Rejected by Carol: not this month');
      assert.deepEqual(stored?.finishedAt, T0);
      const late = await jobs.decide(job.id, crowd[0], 'approve', '');
      assert.equal(late.kind, 'refused');
    });

    it('settles 50 concurrent approvals by 50 approvers as one decision and 49 refusals', async () => {
      const jobs = service({ requiredApprovals: 1 });
      const told: JobChange[] = [];
      jobs.observe({ jobChanged: (change) => void told.push(change) });
      const job = await newJob(jobs);
      const results = await Promise.all(crowd.map((approver) => jobs.decide(job.id, approver, 'approve', '')));
      assert.equal(results.filter((r) => r.kind === 'decided').length, 1, JSON.stringify(results.map((r) => r.message)));
      assert.equal(results.filter((r) => r.kind === 'refused').length, 49);
      for (const refused of results.filter((r) => r.kind === 'refused')) {
        assert.ok(/already approved/.test(refused.message) || /being decided by someone else/.test(refused.message), refused.message);
      }
      const details = await jobs.details(job.id);
      assert.equal(details.job.state, 'approved');
      assert.equal(details.job.version, 2, 'one state transition');
      assert.equal(details.approvals.length, 1);
      assert.equal(details.events.filter((e) => e.kind === 'approved').length, 1);
      assert.equal(details.events.filter((e) => e.kind === 'decision_refused').length, 49);
      assert.deepEqual(told.map((c) => c.event?.kind), ['requested', 'approved']);
    });

    it('with REQUIRED_APPROVALS=2, 50 concurrent approvers make exactly two approvals and one decision', async () => {
      const jobs = service({ requiredApprovals: 2 });
      const job = await newJob(jobs);
      const results = await Promise.all(crowd.map((approver) => jobs.decide(job.id, approver, 'approve', '')));
      assert.equal(results.filter((r) => r.kind === 'recorded').length, 1);
      assert.equal(results.filter((r) => r.kind === 'decided').length, 1);
      assert.equal(results.filter((r) => r.kind === 'refused').length, 48);
      const details = await jobs.details(job.id);
      assert.equal(details.job.state, 'approved');
      assert.equal(details.approvals.length, 2);
      assert.equal(details.events.filter((e) => e.kind === 'approved').length, 2);
    });

    it('settles a cancel racing approvals: one final outcome, never both', async () => {
      const jobs = service();
      const job = await newJob(jobs);
      const [cancelled, ...decided] = await Promise.all([jobs.cancel(job.id, alice), ...crowd.slice(0, 10).map((a) => jobs.decide(job.id, a, 'approve', ''))]);
      const stored = await jobs.find(job.id);
      const kinds = (await eventsOf(jobs, job.id)).map((e) => e.kind);
      if (stored?.state === 'cancelled') {
        assert.equal(cancelled.job.state, 'cancelled');
        assert.ok(decided.every((r) => r.kind === 'refused'));
        assert.equal(kinds.filter((k) => k === 'approved').length, 0);
      } else {
        assert.equal(stored?.state, 'approved');
        assert.equal(decided.filter((r) => r.kind === 'decided').length, 1);
        assert.equal(kinds.filter((k) => k === 'cancelled').length, 0);
      }
    });

    it('counts 50 concurrent clicks by the same approver once', async () => {
      const jobs = service({ requiredApprovals: 2 });
      const job = await newJob(jobs);
      const results = await Promise.all(Array.from({ length: 50 }, () => jobs.decide(job.id, bob, 'approve', '')));
      assert.equal(results.filter((r) => r.kind === 'recorded').length, 1);
      assert.equal(results.filter((r) => r.kind === 'refused').length, 49);
      const details = await jobs.details(job.id);
      assert.equal(details.job.state, 'awaiting_approval');
      assert.equal(details.approvals.length, 1);
      assert.equal(details.events.filter((e) => e.kind === 'approved').length, 1);
    });

    it('counts 50 concurrent clicks by the same approver once when one approval decides', async () => {
      const jobs = service({ requiredApprovals: 1 });
      const job = await newJob(jobs);
      const results = await Promise.all(Array.from({ length: 50 }, () => jobs.decide(job.id, bob, 'approve', '')));
      assert.equal(results.filter((r) => r.kind === 'decided').length, 1);
      const details = await jobs.details(job.id);
      assert.equal(details.job.version, 2);
      assert.equal(details.approvals.length, 1);
      assert.equal(details.events.filter((e) => e.kind === 'approved').length, 1);
    });

    // Two bot instances share a PostgreSQL database; SQLite is one process's store (and better-sqlite3
    // blocks the event loop while it waits for another connection's write lock, so two pools in one
    // process would only wait on each other).
    if (database.dialect === 'postgres') it('settles approvals raced across two bot instances (two pools on one database) as one transition', async () => {
      const other = (await database.open()).db;
      const one = service({ requiredApprovals: 1 });
      const two = service({ requiredApprovals: 1 }, { on: other });
      const told: string[] = [];
      one.observe({ jobChanged: (change) => void told.push(`one:${change.event?.kind}`) });
      two.observe({ jobChanged: (change) => void told.push(`two:${change.event?.kind}`) });
      const job = await newJob(one);
      const results = await Promise.all(crowd.map((approver, i) => (i % 2 === 0 ? one : two).decide(job.id, approver, i % 3 === 0 ? 'reject' : 'approve', '')));
      assert.equal(results.filter((r) => r.kind === 'decided').length, 1, JSON.stringify(results.map((r) => r.message)));
      const details = await two.details(job.id);
      assert.equal(details.job.version, 2, 'one state transition');
      assert.equal(details.approvals.length, 1);
      assert.equal(details.events.filter((e) => e.kind === 'approved' || e.kind === 'rejected').length, 1);
      assert.equal(details.events.filter((e) => e.kind === 'decision_refused').length, 49);
      assert.equal(told.filter((t) => t.endsWith(':approved') || t.endsWith(':rejected')).length, 1);
    });
  });

  describe('cancel', () => {
    it('cancels a waiting job at once, by its requester', async () => {
      const jobs = service();
      const job = await newJob(jobs);
      const result = await jobs.cancel(job.id, alice);
      assert.equal(result.message, `Job ${job.id} is cancelled; nothing had been changed.`);
      assert.equal(result.changed, true);
      assert.equal(result.job.state, 'cancelled');
      assert.equal((await jobs.find(job.id))?.state, 'cancelled');
      assert.deepEqual((await eventsOf(jobs, job.id)).map((e) => e.kind), ['requested', 'cancelled']);
    });

    it('lets an approver who did not ask cancel a waiting job', async () => {
      const jobs = service();
      const job = await newJob(jobs);
      assert.equal((await jobs.cancel(job.id, bob)).job.state, 'cancelled');
    });

    it('asks a running job to stop at its next safe point, once', async () => {
      const jobs = service();
      const job = await newJob(jobs);
      await jobs.decide(job.id, bob, 'approve', '');
      const approved = await jobs.find(job.id);
      assert.ok(await updateJob(db, job.id, approved!.version, { state: 'running', stage: 'verify_source' }, clock));
      const result = await jobs.cancel(job.id, alice);
      assert.equal(result.message, `Job ${job.id} will stop at its next safe point; its card says what was already done.`);
      const stored = await jobs.find(job.id);
      assert.equal(stored?.state, 'running');
      assert.equal(stored?.cancelRequested, true);
      const again = await jobs.cancel(job.id, bob);
      assert.equal(again.message, `Job ${job.id} is already stopping at its next safe point.`);
      assert.equal(again.changed, false);
      assert.equal((await eventsOf(jobs, job.id)).filter((e) => e.kind === 'cancel_requested').length, 1);
    });

    it('refuses to cancel a job that has ended, with its sentence and a cancel_refused event', async () => {
      const jobs = service();
      const job = await newJob(jobs);
      await jobs.decide(job.id, bob, 'reject', '');
      const result = await jobs.cancel(job.id, alice);
      assert.equal(result.message, `Job ${job.id} has already ended (rejected); nothing to cancel.`);
      const events = await eventsOf(jobs, job.id);
      assert.equal(events[events.length - 1].kind, 'cancel_refused');
      assert.equal((await jobs.find(job.id))?.state, 'rejected');
    });

    it('refuses someone who neither asked nor approves', async () => {
      const jobs = service();
      const job = await newJob(jobs);
      const result = await jobs.cancel(job.id, mallory);
      assert.equal(result.message, `Only the requester or an approver can cancel job ${job.id}.`);
      assert.equal(result.changed, false);
      assert.equal((await jobs.find(job.id))?.state, 'awaiting_approval');
      const events = await eventsOf(jobs, job.id);
      assert.equal(events[events.length - 1].kind, 'cancel_refused');
    });

    it('answers an unknown job with JobNotFound', async () => {
      await assert.rejects(service().cancel('K7P2Q', alice), JobNotFound);
    });
  });

  describe('sweep', () => {
    it('expires a request once its time is up, not before', async () => {
      const jobs = service();
      const job = await newJob(jobs);
      clock = new Date(T0.getTime() + TTL - 1);
      assert.deepEqual((await jobs.sweep()).expired, []);
      assert.equal((await jobs.find(job.id))?.state, 'awaiting_approval');
      clock = new Date(T0.getTime() + TTL);
      const swept = await jobs.sweep();
      assert.deepEqual(swept.expired.map((j) => j.id), [job.id]);
      const stored = await jobs.find(job.id);
      assert.equal(stored?.state, 'expired');
      assert.equal(stored?.outcome, 'Expired: nobody decided before the request ran out of time.');
      const kinds = (await eventsOf(jobs, job.id)).map((e) => e.kind);
      assert.equal(kinds.filter((k) => k === 'expired').length, 1);
      assert.deepEqual((await jobs.sweep()).expired, [], 'expired once');
    });

    it('reminds the approvers once before the request expires', async () => {
      const jobs = service({}, { remindBeforeMs: 2 * HOUR });
      const job = await newJob(jobs);
      clock = new Date(T0.getTime() + TTL - 2 * HOUR - 1);
      assert.deepEqual((await jobs.sweep()).reminded, [], 'too early');
      clock = new Date(T0.getTime() + TTL - 2 * HOUR + 60_000);
      assert.deepEqual((await jobs.sweep()).reminded.map((j) => j.id), [job.id]);
      const row = await db.selectFrom('jobs').select('reminded_at').where('id', '=', job.id).executeTakeFirstOrThrow();
      assert.equal(row.reminded_at, clock.toISOString());
      const reminder = (await eventsOf(jobs, job.id)).find((e) => e.kind === 'reminded');
      assert.equal(reminder?.message, 'Reminded the approvers: the request expires in 119 min.');
      clock = new Date(clock.getTime() + HOUR);
      assert.deepEqual((await jobs.sweep()).reminded, [], 'not twice');
      assert.equal((await eventsOf(jobs, job.id)).filter((e) => e.kind === 'reminded').length, 1);
      assert.equal((await jobs.find(job.id))?.state, 'awaiting_approval', 'a reminder does not decide');
    });

    it('reminds once when two sweeps overlap (a slow sweep and the next tick)', async () => {
      const jobs = service({}, { remindBeforeMs: 2 * HOUR });
      const job = await newJob(jobs);
      clock = new Date(T0.getTime() + TTL - HOUR);
      const swept = await Promise.all([jobs.sweep(), jobs.sweep(), jobs.sweep()]);
      assert.equal(swept.flatMap((s) => s.reminded).length, 1);
      assert.equal((await eventsOf(jobs, job.id)).filter((e) => e.kind === 'reminded').length, 1);
    });

    it('expires once when two sweeps overlap', async () => {
      const jobs = service();
      const job = await newJob(jobs);
      clock = new Date(T0.getTime() + TTL);
      const swept = await Promise.all([jobs.sweep(), jobs.sweep(), jobs.sweep()]);
      assert.equal(swept.flatMap((s) => s.expired).length, 1);
      assert.equal((await eventsOf(jobs, job.id)).filter((e) => e.kind === 'expired').length, 1);
    });

    if (database.dialect === 'postgres') {
      it('reminds and expires once when two bot instances sweep together', async () => {
        const other = (await database.open()).db;
        const one = service({}, { remindBeforeMs: 2 * HOUR });
        const two = service({}, { remindBeforeMs: 2 * HOUR, on: other });
        const soon = await newJob(one, junePackage());
        clock = new Date(T0.getTime() + HOUR);
        const later = await newJob(one, junePackage({ id: 'PS100015', name: 'Windows 11 24H2 Business Editions x64' }));
        clock = new Date(T0.getTime() + TTL + 1);
        // Now `soon` is past its deadline and `later` is within two hours of it.
        const swept = await Promise.all([one.sweep(), two.sweep(), one.sweep(), two.sweep()]);
        assert.deepEqual(swept.flatMap((s) => s.expired.map((j) => j.id)), [soon.id]);
        assert.deepEqual(swept.flatMap((s) => s.reminded.map((j) => j.id)), [later.id]);
        assert.equal((await eventsOf(one, soon.id)).filter((e) => e.kind === 'expired').length, 1);
        assert.equal((await eventsOf(one, later.id)).filter((e) => e.kind === 'reminded').length, 1);
      });
    }

    it('reminds no decided request', async () => {
      const jobs = service({}, { remindBeforeMs: 2 * HOUR });
      const job = await newJob(jobs);
      await jobs.decide(job.id, bob, 'approve', '');
      clock = new Date(T0.getTime() + TTL - HOUR);
      const swept = await jobs.sweep();
      assert.deepEqual([swept.reminded, swept.expired], [[], []]);
    });
  });

  describe('observers', () => {
    it('are told after the commit, in order', async () => {
      const reader = (await database.open()).db;
      const jobs = service({ requiredApprovals: 2 });
      const seen: string[] = [];
      jobs.observe({
        jobChanged: async (change) => {
          // Another connection sees the change: it was committed before anyone was told.
          const stored = await reader.selectFrom('job_events').select('kind').where('id', '=', change.event!.id).executeTakeFirst();
          const row = await reader.selectFrom('jobs').select('state').where('id', '=', change.job.id).executeTakeFirst();
          seen.push(`${change.event?.kind}:${stored?.kind}:${row?.state}`);
        },
      });
      const second: string[] = [];
      jobs.observe({ jobChanged: (change) => void second.push(change.event!.kind) });
      const job = await newJob(jobs);
      await jobs.decide(job.id, bob, 'approve', '');
      await jobs.decide(job.id, mallory, 'approve', '');
      await jobs.decide(job.id, carol, 'approve', '');
      assert.deepEqual(seen, ['requested:requested:awaiting_approval', 'approved:approved:awaiting_approval', 'approved:approved:approved']);
      assert.deepEqual(second, ['requested', 'approved', 'approved'], 'refusals change nothing and are not told');
    });

    it('a throwing observer breaks neither the use case nor the observers after it', async () => {
      const jobs = service();
      jobs.observe({
        jobChanged: () => {
          throw new Error('Teams is down');
        },
      });
      jobs.observe({ jobChanged: async () => Promise.reject(new Error('and so is the retry')) });
      const told: string[] = [];
      jobs.observe({ jobChanged: (change) => void told.push(change.event!.kind) });
      const job = await newJob(jobs);
      const decided = await jobs.decide(job.id, bob, 'approve', '');
      assert.equal(decided.kind, 'decided');
      assert.equal((await jobs.find(job.id))?.state, 'approved');
      assert.deepEqual(told, ['requested', 'approved']);
    });
  });
});
