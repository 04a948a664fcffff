import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import type { JobEventKind } from '../../../src/services/jobs/job';
import { appendEvent, insertJob, updateJob, withTransaction } from '../../../src/services/jobs/job-repository';
import { getNotification } from '../../../src/services/notify/outbox-repository';
import type { NotificationKind } from '../../../src/services/notify/notification';
import type { Schema } from '../../../src/services/store/schema';
import { at, sampleEvent, sampleJob } from '../../support/sample-jobs';
import { forEachDatabase } from '../../support/test-databases';

/** Every audit event kind and the notification it makes; undefined = the audit trail's alone. */
const KINDS: ReadonlyArray<{ event: JobEventKind; kind: NotificationKind | undefined; why: string }> = [
  { event: 'requested', kind: 'job.requested', why: 'approvals subscribers hear of a new request' },
  { event: 'approved', kind: 'job.approved', why: 'a decision' },
  { event: 'rejected', kind: 'job.rejected', why: 'a decision' },
  { event: 'expired', kind: 'job.expired', why: 'nobody decided in time' },
  { event: 'cancelled', kind: 'job.cancelled', why: 'an outcome' },
  { event: 'succeeded', kind: 'job.succeeded', why: 'an outcome' },
  { event: 'failed', kind: 'job.failed', why: 'an outcome' },
  { event: 'stage_started', kind: 'job.stage', why: 'the status card moves on' },
  { event: 'stage_done', kind: 'job.stage', why: 'the status card moves on' },
  { event: 'stage_failed', kind: 'job.stage', why: 'the status card moves on' },
  { event: 'stage_skipped', kind: 'job.stage', why: 'the status card moves on' },
  { event: 'decision_refused', kind: undefined, why: 'a refused click changes nothing' },
  { event: 'reminded', kind: undefined, why: 'the approvers get the reminder itself' },
  { event: 'started', kind: undefined, why: 'the first stage_started follows at once' },
  { event: 'callback', kind: undefined, why: 'the stage it feeds reports the progress' },
  { event: 'callback_refused', kind: undefined, why: 'a refused callback changes nothing' },
  { event: 'cancel_requested', kind: undefined, why: 'the card shows it; the outcome follows' },
  { event: 'cancel_refused', kind: undefined, why: 'a refused click changes nothing' },
];

forEachDatabase('job events into the outbox', ({ open }) => {
  let db: Kysely<Schema>;
  beforeEach(async () => {
    db = (await open()).db;
    await insertJob(db, sampleJob());
  });

  const outbox = () => db.selectFrom('notifications').selectAll().orderBy('id').execute();

  for (const { event, kind, why } of KINDS) {
    it(`${event} → ${kind ?? 'no notification'} (${why})`, async () => {
      await withTransaction(db, (tx) => appendEvent(tx, sampleEvent({ kind: event, detail: event.startsWith('stage_') ? { stage: 'verify_source' } : null })));
      const rows = await outbox();
      assert.deepEqual(rows.map((row) => row.kind), kind === undefined ? [] : [kind]);
    });
  }

  it('a committed change has exactly its notification, with the job, its requester and the state the change left', async () => {
    const job = sampleJob();
    await withTransaction(db, async (tx) => {
      await updateJob(tx, job.id, job.version, { state: 'running', stage: 'verify_source' }, at(10));
      await appendEvent(tx, { jobId: job.id, at: at(10), actor: null, kind: 'stage_started', message: 'Verify source: started.', detail: { stage: 'verify_source', resumed: false } });
    });
    const rows = await outbox();
    assert.equal(rows.length, 1);
    const notification = await getNotification(db, rows[0].id);
    assert.deepEqual(notification, {
      id: rows[0].id,
      kind: 'job.stage',
      subject: 'job:K7P2Q',
      packageId: job.packageId,
      packageName: job.packageName,
      packageWords: undefined,
      payload: {
        jobId: 'K7P2Q',
        event: 'stage_started',
        message: 'Verify source: started.',
        stage: 'verify_source',
        requester: job.requester,
        state: 'running',
      },
      createdAt: at(10),
    });
    assert.equal(rows[0].dedupe_key, null);
  });

  it('a rolled-back transaction leaves neither the event nor its notification', async () => {
    await assert.rejects(
      withTransaction(db, async (tx) => {
        await appendEvent(tx, sampleEvent({ kind: 'approved' }));
        throw new Error('the update lost its race');
      }),
      /lost its race/,
    );
    assert.deepEqual(await outbox(), []);
    assert.deepEqual(await db.selectFrom('job_events').selectAll().execute(), []);
  });

  it('leaves the stage out of the payload of an event that names none', async () => {
    await withTransaction(db, (tx) => appendEvent(tx, sampleEvent({ kind: 'succeeded', detail: null })));
    const [row] = await outbox();
    assert.equal('stage' in (JSON.parse(row.payload) as object), false);
  });

  it('each event of a job is a notification of its own, in the order they happened', async () => {
    for (const kind of ['requested', 'approved', 'stage_started', 'stage_done', 'succeeded'] as const) {
      await withTransaction(db, (tx) => appendEvent(tx, sampleEvent({ kind, detail: null })));
    }
    assert.deepEqual((await outbox()).map((row) => row.kind), ['job.requested', 'job.approved', 'job.stage', 'job.stage', 'job.succeeded']);
  });
});
