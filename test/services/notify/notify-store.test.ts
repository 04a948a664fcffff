import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import { disableConversation, getConversation, listStoppedConversations, saveConversation, countStoppedConversations } from '../../../src/services/notify/conversation-repository';
import { enqueueNotification, getNotification } from '../../../src/services/notify/outbox-repository';
import { addSubscription, listSubscriptions, removeSubscriptions } from '../../../src/services/notify/subscription-repository';
import { readNotifyHealth } from '../../../src/services/notify/notify-health';
import type { Schema } from '../../../src/services/store/schema';
import { withTransaction } from '../../../src/services/store/transaction';
import { forEachDatabase } from '../../support/test-databases';

const at = (minute: number) => new Date(Date.UTC(2026, 11, 3, 9, minute));
const reference = (serviceUrl: string) => ({ serviceUrl, conversation: { id: '19:ops@thread.tacv2', conversationType: 'channel' }, bot: { id: '28:bot' } });

forEachDatabase('notification store', ({ open }) => {
  let db: Kysely<Schema>;
  beforeEach(async () => {
    db = (await open()).db;
  });

  describe('conversations', () => {
    it('keeps the latest reference and kind, and a name once given', async () => {
      await saveConversation(db, { conversationId: '19:ops', reference: reference('https://smba.one.test/'), kind: 'channel', name: 'OSD "ops" ✓', at: at(1) });
      await saveConversation(db, { conversationId: '19:ops', reference: reference('https://smba.two.test/'), kind: 'unknown', at: at(2) });
      const stored = await getConversation(db, '19:ops');
      assert.equal(stored?.reference.serviceUrl, 'https://smba.two.test/');
      assert.equal(stored?.kind, 'channel', 'a turn without a kind keeps the one known');
      assert.equal(stored?.name, 'OSD "ops" ✓');
      assert.deepEqual(stored?.updatedAt, at(2));
    });

    it('is disabled with a reason, listed as stopped, and enabled again by the next save', async () => {
      await saveConversation(db, { conversationId: 'a:1', reference: reference('https://smba.one.test/'), kind: 'personal', at: at(1) });
      assert.equal(await disableConversation(db, 'a:1', 'Teams answered 403 MessageWritesBlocked', at(2)), true);
      assert.equal(await disableConversation(db, 'a:1', 'again', at(3)), false, 'disabling twice keeps the first reason');
      const [stopped] = await listStoppedConversations(db);
      assert.equal(stopped?.disabledReason, 'Teams answered 403 MessageWritesBlocked');
      assert.deepEqual(stopped?.disabledAt, at(2));
      assert.equal(await countStoppedConversations(db), 1);
      await saveConversation(db, { conversationId: 'a:1', reference: reference('https://smba.one.test/'), kind: 'personal', at: at(4) });
      const back = await getConversation(db, 'a:1');
      assert.equal(back?.enabled, true);
      assert.equal(back?.disabledReason, null);
      assert.equal(await countStoppedConversations(db), 0);
    });

    it('reads a reference that is not a JSON object as no conversation rather than failing', async () => {
      await saveConversation(db, { conversationId: 'a:1', reference: reference('https://smba.one.test/'), kind: 'personal', at: at(1) });
      await db.updateTable('conversations').set({ reference: '[1,2]' }).execute();
      assert.equal(await getConversation(db, 'a:1'), undefined);
    });
  });

  describe('subscriptions', () => {
    it('adds a subscription once, whatever the case and spacing of its filter', async () => {
      assert.equal(await addSubscription(db, 'c', { topic: 'failures', packageFilter: ' 24H2  Enterprise' }, 'Ana', at(1)), true);
      assert.equal(await addSubscription(db, 'c', { topic: 'failures', packageFilter: '24h2 enterprise' }, 'Bo', at(2)), false);
      const [only, ...rest] = await listSubscriptions(db, 'c');
      assert.equal(rest.length, 0);
      assert.equal(only?.packageFilter, '24h2 enterprise');
      assert.equal(only?.createdBy, 'Ana');
      assert.equal(only?.lastDeliveredAt, null);
    });

    it('removes the one named, every topic of a filter, or all of a conversation, and says when there was none', async () => {
      await addSubscription(db, 'c', { topic: 'all', packageFilter: '' }, null, at(1));
      await addSubscription(db, 'c', { topic: 'failures', packageFilter: '24h2' }, null, at(2));
      await addSubscription(db, 'c', { topic: 'approvals', packageFilter: '24h2' }, null, at(3));
      await addSubscription(db, 'other', { topic: 'all', packageFilter: '' }, null, at(4));
      assert.deepEqual((await removeSubscriptions(db, 'c', { topic: 'freshness' })).length, 0);
      assert.deepEqual((await removeSubscriptions(db, 'c', { packageFilter: '24H2' })).map((s) => s.topic).sort(), ['approvals', 'failures']);
      assert.deepEqual((await removeSubscriptions(db, 'c', {})).map((s) => s.topic), ['all']);
      assert.equal((await listSubscriptions(db, 'other')).length, 1, "another conversation's subscription stays");
    });
  });

  describe('outbox', () => {
    const notification = { kind: 'job.stage' as const, subject: 'job:K7P2Q', packageId: 'PS100012', packageName: "O'Brien's 24H2", packageWords: 'Windows 11 24H2', payload: { stage: 'verify_source', text: '✓ "done"' }, createdAt: at(1) };

    it('stores a notification and reads it back as written', async () => {
      const id = await enqueueNotification(db, notification);
      assert.ok(id !== undefined);
      const { ...expected } = notification;
      assert.deepEqual(await getNotification(db, id), { ...expected, id });
    });

    it('makes a notification with a dedupe key once, whoever writes it first', async () => {
      assert.ok((await enqueueNotification(db, { ...notification, dedupeKey: 'rev:PS100012:26100.8246' })) !== undefined);
      assert.equal(await enqueueNotification(db, { ...notification, dedupeKey: 'rev:PS100012:26100.8246' }), undefined);
      assert.equal((await db.selectFrom('notifications').selectAll().execute()).length, 1);
    });

    it('keeps no notification of a change that rolled back', async () => {
      await assert.rejects(
        withTransaction(db, async (tx) => {
          await enqueueNotification(tx, notification);
          throw new Error('the change failed');
        }),
        /the change failed/,
      );
      assert.equal((await db.selectFrom('notifications').selectAll().execute()).length, 0);
    });

    it('reads an unknown kind or a payload that is not an object as nothing', async () => {
      const id = (await enqueueNotification(db, notification))!;
      await db.updateTable('notifications').set({ payload: '"text"' }).execute();
      assert.equal(await getNotification(db, id), undefined);
      await db.updateTable('notifications').set({ payload: '{}', kind: 'job.teleported' }).execute();
      assert.equal(await getNotification(db, id), undefined);
    });
  });

  describe('health', () => {
    it('counts what waits (un-fanned notifications and undelivered deliveries), the oldest, and the stopped conversations', async () => {
      assert.deepEqual(await readNotifyHealth(db), { outboxDepth: 0, oldestUndeliveredAt: null, stoppedConversations: 0, stopped: [] });
      const first = (await enqueueNotification(db, { kind: 'job.requested', payload: {}, createdAt: at(1) }))!;
      await enqueueNotification(db, { kind: 'job.approved', payload: {}, createdAt: at(5) });
      await db.updateTable('notifications').set({ fanned_out_at: at(2).toISOString() }).where('id', '=', first).execute();
      for (const [conversation, state] of [['a', 'pending'], ['b', 'sending'], ['c', 'delivered']] as const) {
        await db.insertInto('deliveries').values({ notification_id: first, conversation_id: conversation, state, matched: '[]', attempts: 0, next_attempt_at: at(2).toISOString(), created_at: at(2).toISOString() }).execute();
      }
      await saveConversation(db, { conversationId: 'gone', reference: reference('https://smba.one.test/'), kind: 'channel', at: at(1) });
      await disableConversation(db, 'gone', 'the bot was removed', at(3));
      const health = await readNotifyHealth(db);
      assert.equal(health.outboxDepth, 3, 'one un-fanned notification and two deliveries not yet made');
      assert.deepEqual(health.oldestUndeliveredAt, at(1));
      assert.equal(health.stoppedConversations, 1);
      assert.equal(health.stopped[0]?.disabledReason, 'the bot was removed');
    });
  });
});
