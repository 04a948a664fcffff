import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import type { Job, JobState } from '../../../src/services/jobs/job';
import {
  appendEvent,
  claimNextJob,
  DuplicateJobId,
  findActiveJob,
  getJob,
  getSetting,
  holdsLease,
  insertApproval,
  insertJob,
  listApprovals,
  listDueForExpiry,
  listDueForReminder,
  listEvents,
  listJobMessages,
  listJobs,
  listSteps,
  pruneWebhookReceipts,
  recordWebhookReceipt,
  releaseLease,
  renewLease,
  saveJobMessage,
  saveStep,
  setSetting,
  updateJob,
  withTransaction,
} from '../../../src/services/jobs/job-repository';
import { CorruptRecord } from '../../../src/services/store/corrupt-record';
import type { Schema } from '../../../src/services/store/schema';
import { at, sampleApproval, sampleEvent, sampleJob, sampleStep } from '../../support/sample-jobs';
import { forEachDatabase } from '../../support/test-databases';

const MINUTE = 60_000;

/** Job ids from the job alphabet: J2222, J2223, … */
function jobId(n: number): string {
  const alphabet = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
  let id = '';
  for (let i = 0; i < 4; i++) {
    id = alphabet[n % alphabet.length] + id;
    n = Math.floor(n / alphabet.length);
  }
  return `J${id}`;
}

forEachDatabase('job repository', ({ open }) => {
  let db: Kysely<Schema>;
  beforeEach(async () => {
    db = (await open()).db;
  });

  describe('jobs', () => {
    it('stores every field of a job and reads it back unchanged, unicode and quotes included', async () => {
      const job = sampleJob();
      assert.deepEqual(await insertJob(db, job), { inserted: true });
      assert.deepEqual(await getJob(db, job.id), job);
      const finished = sampleJob({
        id: 'ZZ9Y8',
        packageId: 'PS100099',
        packageKind: 'image',
        state: 'succeeded',
        stages: ['service_media', 'keep_editions', 'verify_source', 'write_build_file', 'reload_image_properties', 'refresh_distribution_points', 'watch_distribution'],
        options: {},
        fromBuild: null,
        latestBuild: null,
        newBuild: '26100.7171',
        newSourceVersion: 8,
        stage: 'watch_distribution',
        cancelRequested: true,
        outcome: 'Done: every DP has "version 8" ✓',
        finishedAt: at(90),
        version: 12,
      });
      await insertJob(db, finished);
      assert.deepEqual(await getJob(db, finished.id), finished);
    });

    it('finds a job by its id typed in lower case, and nothing for an unknown id', async () => {
      await insertJob(db, sampleJob());
      assert.equal((await getJob(db, 'k7p2q'))?.id, 'K7P2Q');
      assert.equal(await getJob(db, 'NOPE2'), undefined);
    });

    it('reads a job for update inside a transaction', async () => {
      await insertJob(db, sampleJob());
      const job = await withTransaction(db, (tx) => getJob(tx, 'K7P2Q', { forUpdate: true }));
      assert.equal(job?.id, 'K7P2Q');
    });

    it('refuses a second active job for a package and hands back the active one', async () => {
      const first = sampleJob();
      await insertJob(db, first);
      const second = await insertJob(db, sampleJob({ id: 'B2222', reason: 'again' }));
      assert.deepEqual(second, { inserted: false, active: first });
      assert.equal(await getJob(db, 'B2222'), undefined);
    });

    it('accepts a new job for a package once its last job has finished', async () => {
      await insertJob(db, sampleJob());
      await updateJob(db, 'K7P2Q', 1, { state: 'rejected', finishedAt: at(3) }, at(3));
      assert.deepEqual(await insertJob(db, sampleJob({ id: 'B2222' })), { inserted: true });
      assert.equal((await findActiveJob(db, 'PS100012'))?.id, 'B2222');
    });

    it('throws DuplicateJobId for an id already taken, even by another package', async () => {
      await insertJob(db, sampleJob());
      await assert.rejects(insertJob(db, sampleJob({ packageId: 'PS100013' })), (error: unknown) => error instanceof DuplicateJobId && error.jobId === 'K7P2Q');
    });

    it('lets exactly one of 20 concurrent requests for a package win; the 19 others get the winner', async () => {
      const results = await Promise.all(Array.from({ length: 20 }, (_, n) => insertJob(db, sampleJob({ id: jobId(n) }))));
      const winners = results.filter((result) => result.inserted);
      assert.equal(winners.length, 1);
      const stored = await listJobs(db, { packageId: 'PS100012', limit: 50 });
      assert.equal(stored.length, 1);
      for (const result of results) if (!result.inserted) assert.equal(result.active.id, stored[0]!.id);
    });

    it('leaves a surrounding transaction usable after a refused insert', async () => {
      await insertJob(db, sampleJob());
      const outcome = await withTransaction(db, async (tx) => {
        const result = await insertJob(tx, sampleJob({ id: 'B2222' }));
        await appendEvent(tx, sampleEvent({ kind: 'decision_refused', message: 'already running' }));
        return result;
      });
      assert.equal(outcome.inserted, false);
      assert.equal((await listEvents(db, 'K7P2Q')).length, 1);
    });

    it('finds the active job of a package and none for a package without one', async () => {
      await insertJob(db, sampleJob({ state: 'running' }));
      await insertJob(db, sampleJob({ id: 'B2222', packageId: 'PS100013', state: 'failed' }));
      assert.equal((await findActiveJob(db, 'PS100012'))?.id, 'K7P2Q');
      assert.equal(await findActiveJob(db, 'PS100013'), undefined);
    });

    describe('listJobs', () => {
      beforeEach(async () => {
        const rows: Array<[string, string, JobState, number]> = [
          ['A2222', 'PS1', 'succeeded', 0],
          ['A3333', 'PS1', 'failed', 10],
          ['A4444', 'PS1', 'running', 20],
          ['A5555', 'PS2', 'awaiting_approval', 30],
          ['A6666', 'PS3', 'rejected', 40],
        ];
        for (const [id, packageId, state, minute] of rows) await insertJob(db, sampleJob({ id, packageId, state, createdAt: at(minute) }));
      });
      const cases: Array<{ why: string; query: Parameters<typeof listJobs>[1]; ids: string[] }> = [
        { why: 'all, newest first', query: { limit: 10 }, ids: ['A6666', 'A5555', 'A4444', 'A3333', 'A2222'] },
        { why: 'the limit keeps the newest', query: { limit: 2 }, ids: ['A6666', 'A5555'] },
        { why: 'one package', query: { packageId: 'PS1', limit: 10 }, ids: ['A4444', 'A3333', 'A2222'] },
        { why: 'some states', query: { states: ['failed', 'rejected'], limit: 10 }, ids: ['A6666', 'A3333'] },
        { why: 'no states asked: nothing', query: { states: [], limit: 10 }, ids: [] },
        { why: 'created strictly after a time', query: { createdAfter: at(20), limit: 10 }, ids: ['A6666', 'A5555'] },
        { why: 'all filters at once', query: { packageId: 'PS1', states: ['failed', 'running', 'succeeded'], createdAfter: at(5), limit: 1 }, ids: ['A4444'] },
      ];
      for (const { why, query, ids } of cases) {
        it(`lists ${why}`, async () => {
          assert.deepEqual((await listJobs(db, query)).map((job) => job.id), ids);
        });
      }
    });

    describe('expiry and reminders', () => {
      const now = at(24 * 60);
      const remindBefore = 60 * MINUTE;
      const rows: Array<{ id: string; state: JobState; expiresIn: number; reminded?: boolean; expired: boolean; remind: boolean; why: string }> = [
        { id: 'E2222', state: 'awaiting_approval', expiresIn: -1, expired: true, remind: false, why: 'past its deadline: expire, no reminder' },
        { id: 'E3333', state: 'awaiting_approval', expiresIn: 0, expired: true, remind: false, why: 'at its deadline: expire' },
        { id: 'E4444', state: 'awaiting_approval', expiresIn: 30, expired: false, remind: true, why: 'within the reminder window' },
        { id: 'E5555', state: 'awaiting_approval', expiresIn: 60, expired: false, remind: true, why: 'at the window’s edge' },
        { id: 'E6666', state: 'awaiting_approval', expiresIn: 61, expired: false, remind: false, why: 'before the window' },
        { id: 'E7777', state: 'awaiting_approval', expiresIn: 30, reminded: true, expired: false, remind: false, why: 'reminded already' },
        { id: 'E8888', state: 'approved', expiresIn: -5, expired: false, remind: false, why: 'approved: its deadline no longer matters' },
      ];
      beforeEach(async () => {
        for (const [n, row] of rows.entries()) {
          await insertJob(db, sampleJob({ id: row.id, packageId: `PS20000${n}`, state: row.state, expiresAt: new Date(now.getTime() + row.expiresIn * MINUTE) }));
          if (row.reminded) assert.ok(await updateJob(db, row.id, 1, { remindedAt: at(-5, now) }, at(-5, now)));
        }
      });
      it('lists for expiry the jobs awaiting approval at or past their deadline', async () => {
        assert.deepEqual((await listDueForExpiry(db, now)).map((job) => job.id), rows.filter((row) => row.expired).map((row) => row.id));
      });
      it('lists for a reminder the jobs awaiting approval, not yet reminded, whose deadline is within the window', async () => {
        const due = (await listDueForReminder(db, now, remindBefore)).map((job) => job.id).sort();
        assert.deepEqual(due, rows.filter((row) => row.remind).map((row) => row.id), rows.map((row) => `${row.id}: ${row.why}`).join('\n'));
      });
    });

    describe('updateJob', () => {
      it('applies each change, bumps the version and updated_at, and returns the job as written', async () => {
        await insertJob(db, sampleJob());
        const updated = await updateJob(
          db,
          'k7p2q',
          1,
          { state: 'running', stage: 'refresh_distribution_points', newBuild: '26100.7171', newSourceVersion: 8, cancelRequested: true, outcome: `It's "done"`, finishedAt: at(60) },
          at(59),
        );
        const expected: Job = {
          ...sampleJob(),
          state: 'running',
          stage: 'refresh_distribution_points',
          newBuild: '26100.7171',
          newSourceVersion: 8,
          cancelRequested: true,
          outcome: `It's "done"`,
          finishedAt: at(60),
          updatedAt: at(59),
          version: 2,
        };
        assert.deepEqual(updated, expected);
        assert.deepEqual(await getJob(db, 'K7P2Q'), expected);
      });

      it('clears nullable fields when given null, and leaves unmentioned ones alone', async () => {
        await insertJob(db, sampleJob({ newBuild: '1.2', outcome: 'x', finishedAt: at(1), stage: 'verify_source' }));
        const updated = await updateJob(db, 'K7P2Q', 1, { newBuild: null, outcome: null, finishedAt: null }, at(2));
        assert.equal(updated?.newBuild, null);
        assert.equal(updated?.outcome, null);
        assert.equal(updated?.finishedAt, null);
        assert.equal(updated?.stage, 'verify_source');
      });

      it('returns undefined and changes nothing when the version moved on (or the job does not exist)', async () => {
        await insertJob(db, sampleJob());
        assert.ok(await updateJob(db, 'K7P2Q', 1, { state: 'approved' }, at(1)));
        assert.equal(await updateJob(db, 'K7P2Q', 1, { state: 'rejected' }, at(2)), undefined);
        assert.equal((await getJob(db, 'K7P2Q'))?.state, 'approved');
        assert.equal(await updateJob(db, 'NOPE2', 1, { state: 'rejected' }, at(2)), undefined);
      });

      it('lets exactly one of 10 concurrent writers from the same version win', async () => {
        await insertJob(db, sampleJob());
        const verdicts: JobState[] = ['approved', 'rejected', 'cancelled', 'expired', 'approved', 'rejected', 'cancelled', 'expired', 'approved', 'rejected'];
        const results = await Promise.all(verdicts.map((state, n) => updateJob(db, 'K7P2Q', 1, { state, outcome: `writer ${n}` }, at(1))));
        const winners = results.filter((result) => result !== undefined);
        assert.equal(winners.length, 1);
        const stored = await getJob(db, 'K7P2Q');
        assert.equal(stored?.version, 2);
        assert.equal(stored?.outcome, winners[0]!.outcome);
      });
    });
  });

  describe('approvals', () => {
    beforeEach(async () => {
      await insertJob(db, sampleJob());
    });

    it('records an approver’s decision once; a second decision by the same approver is refused', async () => {
      const approval = sampleApproval();
      assert.equal(await insertApproval(db, approval), true);
      assert.equal(await insertApproval(db, { ...approval, verdict: 'reject', comment: 'changed my mind', at: at(9) }), false);
      assert.deepEqual(await listApprovals(db, 'K7P2Q'), [approval]);
    });

    it('lists the decisions of several approvers in the order they were made', async () => {
      const later = sampleApproval({ approver: { id: 'aad-2', name: 'Chloé' }, verdict: 'reject', comment: '', at: at(8) });
      const earlier = sampleApproval({ at: at(6) });
      await insertApproval(db, later);
      await insertApproval(db, earlier);
      assert.deepEqual(await listApprovals(db, 'K7P2Q'), [earlier, later]);
    });
  });

  describe('events and steps', () => {
    beforeEach(async () => {
      await insertJob(db, sampleJob());
    });

    it('appends events with growing numeric ids and lists them oldest first; a limit keeps the latest', async () => {
      const first = await appendEvent(db, sampleEvent());
      const second = await appendEvent(db, sampleEvent({ actor: null, kind: 'stage_started', message: 'verify', detail: null, at: at(2) }));
      const third = await appendEvent(db, sampleEvent({ kind: 'callback', at: at(3) }));
      assert.equal(typeof first.id, 'number');
      assert.ok(first.id < second.id && second.id < third.id);
      assert.deepEqual(first, { ...sampleEvent(), id: first.id });
      assert.deepEqual(await listEvents(db, 'K7P2Q'), [first, second, third]);
      assert.deepEqual(await listEvents(db, 'K7P2Q', 2), [second, third]);
    });

    it('saves a step, replaces it on the next save, and lists steps in stage order', async () => {
      const refresh = sampleStep();
      const verify = sampleStep({ stage: 'verify_source', state: 'running', intent: null, result: null, message: null, startedAt: at(1), finishedAt: null });
      await saveStep(db, refresh);
      await saveStep(db, verify);
      assert.deepEqual(await listSteps(db, 'K7P2Q'), [verify, refresh]);
      const verified = { ...verify, state: 'done' as const, result: { build: '26100.7171' }, finishedAt: at(2) };
      await saveStep(db, verified);
      assert.deepEqual(await listSteps(db, 'K7P2Q'), [verified, refresh]);
    });
  });

  describe('leases', () => {
    const now = at(60);
    const lease = 5 * MINUTE;

    async function addJob(id: string, state: JobState, createdMinute: number): Promise<void> {
      await insertJob(db, sampleJob({ id, packageId: `PKG-${id}`, state, createdAt: at(createdMinute) }));
    }

    it('claims nothing when no job is approved or running', async () => {
      await addJob('L2222', 'awaiting_approval', 0);
      await addJob('L3333', 'succeeded', 1);
      assert.equal(await claimNextJob(db, { owner: 'a', now, leaseMs: lease }), undefined);
    });

    it('claims the oldest runnable job with fence 1, then the next one, then nothing while the leases run', async () => {
      await addJob('L3333', 'approved', 2);
      await addJob('L2222', 'running', 1);
      const first = await claimNextJob(db, { owner: 'a', now, leaseMs: lease });
      assert.equal(first?.job.id, 'L2222');
      assert.equal(first?.fence, 1);
      const second = await claimNextJob(db, { owner: 'b', now, leaseMs: lease });
      assert.equal(second?.job.id, 'L3333');
      assert.equal(await claimNextJob(db, { owner: 'c', now: at(4, now), leaseMs: lease }), undefined);
    });

    it('never hands the same job to two of 10 owners claiming at once', async () => {
      for (let n = 0; n < 4; n++) await addJob(jobId(n), 'approved', n);
      const claims = await Promise.all(Array.from({ length: 10 }, (_, n) => claimNextJob(db, { owner: `owner-${n}`, now, leaseMs: lease })));
      const claimed = claims.filter((claim) => claim !== undefined).map((claim) => claim.job.id);
      assert.equal(new Set(claimed).size, claimed.length, `one job twice: ${claimed.join(', ')}`);
      assert.ok(claimed.length >= 1);
      // What a concurrent claim missed is still there for the next one, and nothing is claimable twice.
      for (let n = 0; n < 4; n++) await claimNextJob(db, { owner: 'sweeper', now, leaseMs: lease });
      const leases = await db.selectFrom('job_leases').selectAll().execute();
      assert.equal(leases.length, 4);
      assert.ok(leases.every((row) => Number(row.fence) === 1));
    });

    it('takes an expired lease over with a higher fence; the old owner can then neither renew nor hold it', async () => {
      await addJob('L2222', 'running', 0);
      const old = await claimNextJob(db, { owner: 'a', now, leaseMs: lease });
      assert.equal(old?.fence, 1);
      const later = at(6, now);
      const taken = await claimNextJob(db, { owner: 'b', now: later, leaseMs: lease });
      assert.equal(taken?.job.id, 'L2222');
      assert.equal(taken?.fence, 2);
      assert.equal(await renewLease(db, 'L2222', 'a', 1, later, lease), false);
      assert.equal(await holdsLease(db, 'L2222', 'a', 1, later), false);
      assert.equal(await holdsLease(db, 'L2222', 'b', 2, later), true);
    });

    it('renews a lease that still runs, which keeps others off it past the first expiry', async () => {
      await addJob('L2222', 'running', 0);
      await claimNextJob(db, { owner: 'a', now, leaseMs: lease });
      assert.equal(await renewLease(db, 'L2222', 'a', 1, at(4, now), lease), true);
      assert.equal(await claimNextJob(db, { owner: 'b', now: at(6, now), leaseMs: lease }), undefined);
      assert.equal(await holdsLease(db, 'L2222', 'a', 1, at(6, now)), true);
      assert.equal(await holdsLease(db, 'L2222', 'a', 1, at(9, now)), false, 'expired without a renewal');
      assert.equal(await renewLease(db, 'L2222', 'a', 1, at(9, now), lease), false, 'an expired lease is not renewed');
    });

    const stale: Array<{ why: string; owner: string; fence: number }> = [
      { why: 'an older fence', owner: 'a', fence: 0 },
      { why: 'a newer fence', owner: 'a', fence: 2 },
      { why: 'another owner', owner: 'b', fence: 1 },
    ];
    for (const { why, owner, fence } of stale) {
      it(`refuses renew, hold and release with ${why}`, async () => {
        await addJob('L2222', 'running', 0);
        await claimNextJob(db, { owner: 'a', now, leaseMs: lease });
        assert.equal(await renewLease(db, 'L2222', owner, fence, now, lease), false);
        assert.equal(await holdsLease(db, 'L2222', owner, fence, now), false);
        assert.equal(await releaseLease(db, 'L2222', owner, fence), false);
        assert.equal(await holdsLease(db, 'L2222', 'a', 1, now), true);
      });
    }

    it('lets a released job be claimed again at once, with the next fence', async () => {
      await addJob('L2222', 'running', 0);
      await claimNextJob(db, { owner: 'a', now, leaseMs: lease });
      assert.equal(await releaseLease(db, 'L2222', 'a', 1), true);
      assert.equal(await holdsLease(db, 'L2222', 'a', 1, now), false);
      const again = await claimNextJob(db, { owner: 'a', now, leaseMs: lease });
      assert.deepEqual([again?.job.id, again?.fence], ['L2222', 2]);
    });

    it('writes a result only while the lease is held (fencing inside the write transaction)', async () => {
      await addJob('L2222', 'running', 0);
      await claimNextJob(db, { owner: 'a', now, leaseMs: lease });
      await claimNextJob(db, { owner: 'b', now: at(6, now), leaseMs: lease });
      const fencedWrite = (owner: string, fence: number, step: ReturnType<typeof sampleStep>) =>
        withTransaction(db, async (tx) => {
          if (!(await holdsLease(tx, 'L2222', owner, fence, at(7, now)))) return false;
          await saveStep(tx, step);
          return true;
        });
      assert.equal(await fencedWrite('a', 1, sampleStep({ jobId: 'L2222', message: 'stale' })), false);
      assert.equal(await fencedWrite('b', 2, sampleStep({ jobId: 'L2222', message: 'current' })), true);
      assert.deepEqual((await listSteps(db, 'L2222')).map((step) => step.message), ['current']);
    });

    it('lets no one take a job over while its holder writes under a held lease, and lets them once it is done', async () => {
      await addJob('L2222', 'running', 0);
      await claimNextJob(db, { owner: 'a', now, leaseMs: lease });
      const order: string[] = [];
      let takeover: ReturnType<typeof claimNextJob> | undefined;
      await withTransaction(db, async (tx) => {
        assert.equal(await holdsLease(tx, 'L2222', 'a', 1, at(4, now)), true);
        // Another instance whose clock says the lease ran out tries to take the job over meanwhile:
        // PostgreSQL skips the locked job, SQLite waits for the write transaction to end.
        takeover = claimNextJob(db, { owner: 'b', now: at(6, now), leaseMs: lease }).then((claim) => {
          order.push(claim === undefined ? 'passed over' : 'taken over');
          return claim;
        });
        await new Promise((resolve) => setTimeout(resolve, 300));
        await saveStep(tx, sampleStep({ jobId: 'L2222' }));
        await appendEvent(tx, sampleEvent({ jobId: 'L2222', kind: 'stage_done' }));
        assert.ok(await updateJob(tx, 'L2222', 1, { stage: 'refresh_distribution_points' }, at(4, now)));
        order.push('written by a');
      });
      const claim = (await takeover) ?? (await claimNextJob(db, { owner: 'b', now: at(6, now), leaseMs: lease }));
      assert.ok(order.indexOf('written by a') === 0 || order[0] === 'passed over', order.join(', '));
      assert.deepEqual([claim?.job.id, claim?.fence, claim?.job.stage], ['L2222', 2, 'refresh_distribution_points']);
    });

    it('skips a job whose row is corrupt, reports it, and claims the next', async () => {
      await addJob('L2222', 'approved', 0);
      await addJob('L3333', 'approved', 1);
      await db.updateTable('jobs').set({ stages: 'not json' }).where('id', '=', 'L2222').execute();
      const reported: CorruptRecord[] = [];
      const claim = await claimNextJob(db, { owner: 'a', now, leaseMs: lease, onCorrupt: (error) => reported.push(error) });
      assert.equal(claim?.job.id, 'L3333');
      assert.deepEqual(reported.map((error) => error.key), ['L2222']);
    });
  });

  describe('posted cards, conversations, settings and webhook receipts', () => {
    beforeEach(async () => {
      await insertJob(db, sampleJob());
    });

    it('keeps one card per job, role and conversation, replacing it when posted again', async () => {
      const reference = { serviceUrl: 'https://smba.example.test/emea/', conversation: { id: '19:abc@thread.tacv2' }, bot: { id: '28:x', name: 'Bot "Ü"' } };
      const requester = { jobId: 'K7P2Q', role: 'requester' as const, conversationId: 'a:1', activityId: '1700000000001', reference, postedAt: at(1) };
      const approvers = { ...requester, role: 'approvers' as const, conversationId: '19:abc@thread.tacv2', activityId: '2' };
      await saveJobMessage(db, requester);
      await saveJobMessage(db, approvers);
      const reposted = { ...requester, activityId: '1700000000099', postedAt: at(3) };
      await saveJobMessage(db, reposted);
      assert.deepEqual(await listJobMessages(db, 'K7P2Q'), [approvers, reposted]);
    });

    it('stores settings as JSON with who set them and when', async () => {
      assert.equal(await getSetting(db, 'approvals.conversation'), undefined);
      await setSetting(db, 'approvals.conversation', { conversationId: '19:x' }, null, at(1));
      await setSetting(db, 'approvals.conversation', { conversationId: '19:y', note: '"quoted"' }, 'aad-admin', at(2));
      assert.deepEqual(await getSetting(db, 'approvals.conversation'), { value: { conversationId: '19:y', note: '"quoted"' }, updatedAt: at(2), updatedBy: 'aad-admin' });
    });

    it('accepts a webhook signature once and calls its second arrival a replay; prunes old receipts', async () => {
      assert.equal(await recordWebhookReceipt(db, 'sha256=aa', 'K7P2Q', at(1)), true);
      assert.equal(await recordWebhookReceipt(db, 'sha256=aa', 'K7P2Q', at(2)), false);
      assert.equal(await recordWebhookReceipt(db, 'sha256=bb', 'K7P2Q', at(10)), true);
      assert.equal(await pruneWebhookReceipts(db, at(5)), 1);
      assert.equal(await recordWebhookReceipt(db, 'sha256=aa', 'K7P2Q', at(11)), true, 'forgotten after pruning');
      assert.equal(await recordWebhookReceipt(db, 'sha256=bb', 'K7P2Q', at(11)), false);
    });
  });

  describe('transactions', () => {
    it('rolls back every write of a transaction that throws', async () => {
      await assert.rejects(
        withTransaction(db, async (tx) => {
          await insertJob(tx, sampleJob());
          await appendEvent(tx, sampleEvent());
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.equal(await getJob(db, 'K7P2Q'), undefined);
    });

    it('runs a nested withTransaction inside the outer one', async () => {
      await assert.rejects(
        withTransaction(db, async (tx) => {
          await withTransaction(tx, (inner) => insertJob(inner, sampleJob()));
          throw new Error('outer fails');
        }),
      );
      assert.equal(await getJob(db, 'K7P2Q'), undefined);
    });
  });

  describe('corrupt rows', () => {
    const corruptions: Array<{ why: string; column: 'stages' | 'options' | 'state' | 'created_at' | 'package_kind' | 'stage'; value: string }> = [
      { why: 'stages that are not JSON', column: 'stages', value: '[verify_source' },
      { why: 'a stage nobody knows', column: 'stages', value: '["reboot_everything"]' },
      { why: 'options of the wrong shape', column: 'options', value: '{"removeAutorun":"yes"}' },
      { why: 'options that are an array', column: 'options', value: '[]' },
      { why: 'an unknown state', column: 'state', value: 'paused' },
      { why: 'a time that is not one', column: 'created_at', value: 'yesterday' },
      { why: 'an unknown package kind', column: 'package_kind', value: 'driver' },
      { why: 'an unknown current stage', column: 'stage', value: 'nap' },
    ];
    for (const { why, column, value } of corruptions) {
      it(`names a job with ${why} (${column}) in a CorruptRecord, and a listing skips it and goes on`, async () => {
        await insertJob(db, sampleJob({ id: 'C2222', packageId: 'PS1', state: 'failed', createdAt: at(1) }));
        await insertJob(db, sampleJob({ id: 'C3333', packageId: 'PS2', state: 'failed', createdAt: at(2) }));
        await db.updateTable('jobs').set({ [column]: value }).where('id', '=', 'C2222').execute();
        await assert.rejects(getJob(db, 'C2222'), (error: unknown) => error instanceof CorruptRecord && error.key === 'C2222' && error.problem.startsWith(column));
        const reported: CorruptRecord[] = [];
        const listed = await listJobs(db, { limit: 10, onCorrupt: (error) => reported.push(error) });
        assert.deepEqual(listed.map((job) => job.id), ['C3333']);
        assert.equal(reported.length, 1);
        assert.match(reported[0]!.userMessage, /cannot read; the bot logged the details for your administrator\.$/);
        assert.deepEqual((await listJobs(db, { limit: 10 })).map((job) => job.id), ['C3333'], 'without a sink too');
      });
    }

    it('skips an event whose detail is not a JSON object and reports it', async () => {
      await insertJob(db, sampleJob());
      const good = await appendEvent(db, sampleEvent());
      const bad = await appendEvent(db, sampleEvent({ at: at(2) }));
      await db.updateTable('job_events').set({ detail: '"just a string"' }).where('id', '=', bad.id).execute();
      const reported: CorruptRecord[] = [];
      assert.deepEqual(await listEvents(db, 'K7P2Q', undefined, (error) => reported.push(error)), [good]);
      assert.equal(reported.length, 1);
    });

    it('throws CorruptRecord for a setting that is not JSON', async () => {
      await setSetting(db, 's', { a: 1 }, null, at(1));
      await db.updateTable('settings').set({ value: '{oops' }).execute();
      await assert.rejects(getSetting(db, 's'), CorruptRecord);
    });
  });
});
