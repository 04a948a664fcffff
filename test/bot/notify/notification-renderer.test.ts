/**
 * The bot's NotificationRenderer on a real store (both databases) with the real JobService and JobViews:
 * a job's notification is its current status card (the requester's card drawing) with, for an outcome,
 * a thread reply @mentioning the requester; the other kinds draw the payloads their producers write;
 * a conversation that already shows the job is told so; a payload that cannot be read becomes a sentence.
 */
import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import pino from 'pino';
import { BotNotificationRenderer } from '../../../src/bot/notify/notification-renderer';
import { APPROVERS_CONVERSATION_SETTING } from '../../../src/bot/jobs/job-publisher';
import { JobViews } from '../../../src/bot/jobs/job-views';
import { jobStatusMessage } from '../../../src/cards/jobs/job-message';
import type { CardContext } from '../../../src/cards/kit/adaptive-card';
import type { JobState } from '../../../src/services/jobs/job';
import { appendEvent, insertJob, saveJobMessage, setSetting, updateJob, withTransaction } from '../../../src/services/jobs/job-repository';
import { JobService } from '../../../src/services/jobs/job-service';
import { dpFailedNotification } from '../../../src/services/jobs/runners/configmgr-stages';
import { compareWithMarks, marksOf } from '../../../src/services/media/freshness-signals';
import { enqueueNotification, getNotification } from '../../../src/services/notify/outbox-repository';
import type { NewNotification, NotificationKind, NotificationRecord } from '../../../src/services/notify/notification';
import type { Schema } from '../../../src/services/store/schema';
import { makeFinding, makeFreshness, makePackage, verdictExamples } from '../../support/media-fixtures';
import { at, sampleJob } from '../../support/sample-jobs';
import { assertValidCard, cardTexts } from '../../support/assert-valid-card';
import { forEachDatabase } from '../../support/test-databases';

const logger = pino({ level: 'silent' });
const context: CardContext = { demo: true, syncedAt: at(0) };

forEachDatabase('notification renderer', ({ open }) => {
  let db: Kysely<Schema>;
  let views: JobViews;
  let renderer: BotNotificationRenderer;
  let viewReads: number;

  beforeEach(async () => {
    db = (await open()).db;
    const jobs = new JobService({ db, policy: { approvers: [], requiredApprovals: 1, ttlMs: 86_400_000, anyoneMayApprove: true }, runnerKind: 'configmgr', logger });
    const real = new JobViews(jobs, () => context, async () => []);
    viewReads = 0;
    views = real;
    renderer = new BotNotificationRenderer({
      db,
      views: { view: (id) => (viewReads++, real.view(id)), jobCard: (view) => real.jobCard(view) },
      cardContext: () => context,
      logger,
    });
    await insertJob(db, sampleJob());
  });

  /** Moves the sample job to `state` with the event that makes `kind`, and reads back its notification. */
  async function jobNotification(state: JobState, event: Parameters<typeof appendEvent>[1]['kind']): Promise<NotificationRecord> {
    await withTransaction(db, async (tx) => {
      await updateJob(tx, 'K7P2Q', 1, { state, outcome: state === 'failed' ? 'Failed at Watch distribution: DP01 failed.' : null, finishedAt: ['succeeded', 'failed', 'cancelled', 'rejected', 'expired'].includes(state) ? at(30) : null }, at(30));
      await appendEvent(tx, { jobId: 'K7P2Q', at: at(30), actor: null, kind: event, message: 'It happened.', detail: event.startsWith('stage_') ? { stage: 'verify_source' } : null });
    });
    const row = await db.selectFrom('notifications').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow();
    return (await getNotification(db, row.id))!;
  }

  const jobCases: Array<{ state: JobState; event: Parameters<typeof appendEvent>[1]['kind']; kind: NotificationKind; reply: boolean }> = [
    { state: 'awaiting_approval', event: 'requested', kind: 'job.requested', reply: false },
    { state: 'approved', event: 'approved', kind: 'job.approved', reply: false },
    { state: 'running', event: 'stage_started', kind: 'job.stage', reply: false },
    { state: 'succeeded', event: 'succeeded', kind: 'job.succeeded', reply: true },
    { state: 'failed', event: 'failed', kind: 'job.failed', reply: true },
    { state: 'cancelled', event: 'cancelled', kind: 'job.cancelled', reply: true },
    { state: 'rejected', event: 'rejected', kind: 'job.rejected', reply: true },
    { state: 'expired', event: 'expired', kind: 'job.expired', reply: true },
  ];
  for (const { state, event, kind, reply } of jobCases) {
    it(`${kind}: the job's current card and status sentence${reply ? ', and the outcome in the thread @mentioning the requester' : ', no thread reply'}`, async () => {
      const notification = await jobNotification(state, event);
      assert.equal(notification.kind, kind);
      const rendered = await renderer.render(notification);
      const view = await views.view('K7P2Q');
      assert.deepEqual(rendered?.message, { card: views.jobCard(view), text: jobStatusMessage(view) });
      assertValidCard(rendered?.message.card);
      assert.equal(viewReads, 1, 'the view is read once per notification');
      if (!reply) {
        assert.equal(rendered?.threadReply, undefined);
        return;
      }
      const requester = sampleJob().requester;
      assert.deepEqual(rendered?.threadReply, { text: `${jobStatusMessage(view)} <at>${requester.name}</at>`, mentions: [{ id: requester.id, name: requester.name }] });
      assert.match(rendered?.threadReply?.text ?? '', new RegExp(`^Job K7P2Q .*${state === 'failed' ? 'failed' : ''}`));
    });
  }

  it('a requester whose name holds angle brackets is mentioned without them', async () => {
    await db.updateTable('jobs').set({ requester_name: 'Eve <script>' }).execute();
    const notification = await jobNotification('succeeded', 'succeeded');
    const rendered = await renderer.render(notification);
    const name = rendered?.threadReply?.mentions?.[0]?.name ?? '';
    assert.equal(name, 'Eve script');
    assert.ok(rendered?.threadReply?.text?.endsWith(`<at>${name}</at>`));
  });

  it('a job that no longer exists: nothing to show', async () => {
    const notification = await jobNotification('succeeded', 'succeeded');
    assert.equal(await renderer.render({ ...notification, payload: { ...notification.payload, jobId: 'ZZZZZ' } }), undefined);
  });

  it('alreadyShown: true where the job has a card (requester or approvers), false elsewhere and for other subjects', async () => {
    await saveJobMessage(db, { jobId: 'K7P2Q', role: 'approvers', conversationId: '19:approvers@thread.tacv2', activityId: '1', reference: {}, postedAt: at(1) });
    assert.equal(await renderer.alreadyShown('job:K7P2Q', '19:approvers@thread.tacv2'), true);
    assert.equal(await renderer.alreadyShown('job:k7p2q', '19:approvers@thread.tacv2'), true);
    assert.equal(await renderer.alreadyShown('job:K7P2Q', '19:ops@thread.tacv2'), false);
    assert.equal(await renderer.alreadyShown('package:PS100012', '19:approvers@thread.tacv2'), false);
    assert.equal(await renderer.alreadyShown("job:K7P2Q' or 1=1 --", '19:approvers@thread.tacv2'), false);
  });

  it('alreadyShown: the approvers\' conversation shows every job (its approval card), even before the card is remembered', async () => {
    assert.equal(await renderer.alreadyShown('job:K7P2Q', '19:approvers@thread.tacv2'), false);
    await setSetting(db, APPROVERS_CONVERSATION_SETTING, { conversationId: '19:approvers@thread.tacv2', reference: {} }, null, at(0));
    assert.equal(await renderer.alreadyShown('job:K7P2Q', '19:approvers@thread.tacv2'), true);
    assert.equal(await renderer.alreadyShown('job:K7P2Q', '19:ops@thread.tacv2'), false);
  });

  /** Writes what a producer made and reads it back as the dispatcher will. */
  async function stored(notification: NewNotification): Promise<NotificationRecord> {
    const id = await enqueueNotification(db, notification);
    return (await getNotification(db, id!))!;
  }

  it('draws the DP failure its producer writes', async () => {
    const point = { server: 'DP-BER01.contoso.com', siteCode: 'PS1', state: 3, stateName: 'install failed', sourceVersion: 7, summaryDate: at(20) };
    const rendered = await renderer.render(await stored(dpFailedNotification(sampleJob(), point, 8, at(20))));
    assertValidCard(rendered?.message.card);
    assert.match(rendered?.message.text ?? '', /failed on DP-BER01.+\(source version 8\)\.$/);
    assert.equal(rendered?.threadReply, undefined);
  });

  it('draws the freshness signals the watch writes: a newer revision and a drift finding', async () => {
    const behind = (revision: number, findings = [] as ReturnType<typeof makeFinding>[]) =>
      makePackage({ id: 'PS100012', name: 'Win 11 24H2', release: 'Windows 11 24H2', findings, freshness: makeFreshness({ ...verdictExamples.behind, latest: { ...verdictExamples.behind.latest, revision } }) });
    const { signals } = compareWithMarks([behind(8300, [makeFinding('autorun-inf')])], marksOf([behind(8246)]), at(0));
    assert.equal(signals.length, 2);
    for (const signal of signals) {
      const rendered = await renderer.render(await stored({ kind: signal.kind, packageId: signal.packageId, packageName: signal.packageName, payload: signal.payload, dedupeKey: signal.key, createdAt: at(0) }));
      assertValidCard(rendered?.message.card);
      assert.match(rendered?.message.text ?? '', signal.kind === 'freshness.newer_revision' ? /has a newer revision, 26100\.8300/ : /New drift on Win 11 24H2 \(PS100012\): autorun\.inf/);
    }
  });

  it('draws the digest from the payload the lead’s builder gives', async () => {
    const rendered = await renderer.render(
      await stored({
        kind: 'digest.weekly',
        payload: { from: at(0).toISOString(), to: at(7 * 24 * 60).toISOString(), packagesBehind: [{ id: 'PS100012', name: 'Win 11', build: '26100.1', latest: '26100.9', revisionsBehind: 4 }], jobs: [{ id: 'K7P2Q', packageId: 'PS100012', packageName: 'Win 11', outcome: 'succeeded' }] },
        dedupeKey: 'digest:2026-05-04',
        createdAt: at(0),
      }),
    );
    assertValidCard(rendered?.message.card);
    assert.match(cardTexts(rendered?.message.card).join('\n'), /Win 11 \(PS100012\): 26100\.1 → 26100\.9, 4 revisions behind/);
  });

  const unreadable: Array<{ kind: NotificationKind; payload: Record<string, unknown> }> = [
    { kind: 'distribution.dp_failed', payload: { server: 42 } },
    { kind: 'freshness.newer_revision', payload: { release: 'x', revisionsBehind: -1 } },
    { kind: 'freshness.drift', payload: { severity: 'catastrophic' } },
    { kind: 'digest.weekly', payload: { from: 'last week' } },
  ];
  for (const { kind, payload } of unreadable) {
    it(`a ${kind} payload that cannot be read becomes one plain sentence, not silence`, async () => {
      const rendered = await renderer.render(await stored({ kind, packageId: 'PS100012', packageName: 'Win *11*', payload, createdAt: at(0) }));
      assert.equal(rendered?.message.card, undefined);
      assert.equal(rendered?.message.text, `The bot has a ${kind} notification about Win \\*11\\* (PS100012) it could not draw; type "status" or look at the package for what changed.`);
    });
  }
});
