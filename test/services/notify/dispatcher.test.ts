import assert from 'node:assert/strict';
import { sql, type Kysely } from 'kysely';
import { createLogger } from '../../../src/logger';
import { disableConversation, getConversation, saveConversation, type ConversationKind } from '../../../src/services/notify/conversation-repository';
import { DeliveryFailed, type ConversationAddress, type Deliverer, type OutgoingMessage } from '../../../src/services/notify/deliverer';
import {
  claimDue,
  fanOut,
  fenceOf,
  getStatusCard,
  listDeliveries,
  parseMatched,
  pruneFinished,
  recordDelivered,
  takeOverExpiredClaims,
  type Delivery,
} from '../../../src/services/notify/delivery-repository';
import { NotificationDispatcher, type DispatcherOptions } from '../../../src/services/notify/dispatcher';
import type { NewNotification, NotificationRecord, Topic } from '../../../src/services/notify/notification';
import type { NotificationRenderer, RenderedNotification } from '../../../src/services/notify/notification-renderer';
import { enqueueNotification } from '../../../src/services/notify/outbox-repository';
import { addSubscription, listSubscriptions } from '../../../src/services/notify/subscription-repository';
import type { Schema } from '../../../src/services/store/schema';
import { forEachDatabase } from '../../support/test-databases';

const T0 = new Date('2026-12-01T10:00:00.000Z');
const later = (ms: number, from = T0): Date => new Date(from.getTime() + ms);

type Operation = 'post' | 'update' | 'reply';

interface Call {
  operation: Operation;
  conversationId: string;
  /** The message updated or the thread replied in. */
  target?: string;
  text?: string;
  /** The activity id answered; undefined when the call failed. */
  answered?: string;
  by?: string;
}

const HANG = Symbol('hang');
type Fault = (call: Call, calls: readonly Call[]) => unknown;

/** The Deliverer port as a recorder: every call is kept in order; `fault` decides which fail. */
class RecordingDeliverer implements Deliverer {
  fault: Fault = () => undefined;
  private nextId = 1;

  constructor(
    readonly calls: Call[] = [],
    private readonly options: { by?: string; delayMs?: number } = {},
  ) {}

  post(address: ConversationAddress, message: OutgoingMessage): Promise<{ activityId?: string }> {
    return this.answer({ operation: 'post', conversationId: address.conversationId, text: message.text });
  }

  async update(address: ConversationAddress, activityId: string, message: OutgoingMessage): Promise<void> {
    await this.answer({ operation: 'update', conversationId: address.conversationId, target: activityId, text: message.text });
  }

  reply(address: ConversationAddress, threadActivityId: string, message: OutgoingMessage): Promise<{ activityId?: string }> {
    return this.answer({ operation: 'reply', conversationId: address.conversationId, target: threadActivityId, text: message.text });
  }

  private async answer(call: Call): Promise<{ activityId?: string }> {
    call.by = this.options.by;
    this.calls.push(call);
    if (this.options.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, Math.random() * this.options.delayMs!));
    const fault = this.fault(call, this.calls);
    if (fault === HANG) return new Promise(() => undefined);
    if (fault !== undefined) throw fault;
    call.answered = call.operation === 'update' ? call.target : `${this.options.by ?? 'act'}-${this.nextId++}`;
    return { activityId: call.answered };
  }
}

const succeeded = (calls: readonly Call[]) => calls.filter((call) => call.answered !== undefined);

/** Draws "kind subject #id"; a job's outcome also gets a thread reply. Counts its drawings. */
function recordingRenderer(overrides: Partial<NotificationRenderer> = {}): NotificationRenderer & { drawn: number[] } {
  const drawn: number[] = [];
  return {
    drawn,
    async render(notification: NotificationRecord): Promise<RenderedNotification | undefined> {
      drawn.push(notification.id);
      return {
        message: { text: `${notification.kind} ${notification.subject ?? '-'} #${notification.id}` },
        ...(notification.kind === 'job.succeeded' ? { threadReply: { text: `finished ${notification.subject}` } } : {}),
      };
    },
    ...overrides,
  };
}

async function conversation(db: Kysely<Schema>, id: string, options: { kind?: ConversationKind; subscriptions?: [Topic, string][] } = {}): Promise<void> {
  await saveConversation(db, { conversationId: id, reference: { conversation: { id }, serviceUrl: 'https://smba.example.test/' }, kind: options.kind ?? 'personal', at: T0 });
  for (const [topic, packageFilter] of options.subscriptions ?? [['all', '']]) await addSubscription(db, id, { topic, packageFilter }, null, T0);
}

async function notify(db: Kysely<Schema>, notification: Partial<NewNotification> = {}): Promise<number> {
  const id = await enqueueNotification(db, { kind: 'job.stage', packageId: 'PS100001', packageName: 'Windows 11 24H2 Enterprise', payload: {}, createdAt: T0, ...notification });
  assert.ok(id !== undefined);
  return id;
}

function captureLogs(): { logger: ReturnType<typeof createLogger>; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ logLevel: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

forEachDatabase('notification dispatcher', ({ open, dialect }) => {
  let db: Kysely<Schema>;
  let clock: Date;
  let deliverer: RecordingDeliverer;
  const silent = createLogger({ logLevel: 'silent' });

  beforeEach(async () => {
    db = (await open()).db;
    clock = T0;
    deliverer = new RecordingDeliverer();
  });

  function dispatcher(options: Partial<DispatcherOptions> = {}): NotificationDispatcher {
    return new NotificationDispatcher({ db, deliverer, renderer: recordingRenderer(), logger: silent, now: () => clock, random: () => 0.5, ratePerSecond: 1000, ...options });
  }

  const deliveriesOf = (conversationId: string): Promise<Delivery[]> => listDeliveries(db, { conversationId });

  describe('fan-out', () => {
    beforeEach(async () => {
      await conversation(db, 'chat-all');
      await conversation(db, 'chat-failures-24h2', { subscriptions: [['failures', '24h2']] });
      await conversation(db, 'chat-both', { subscriptions: [['failures', ''], ['all', '']] });
      await conversation(db, 'chat-freshness', { subscriptions: [['freshness', '']] });
      await conversation(db, 'chat-23h2', { subscriptions: [['all', '23h2']] });
      await conversation(db, 'chat-disabled');
      await disableConversation(db, 'chat-disabled', 'HTTP 403', T0);
      await conversation(db, 'chat-no-subscriptions', { subscriptions: [] });
    });

    const cases: { why: string; notification: Partial<NewNotification>; reaches: string[] }[] = [
      { why: 'a failure reaches "all", "failures" and a filter naming its release', notification: { kind: 'job.failed' }, reaches: ['chat-all', 'chat-both', 'chat-failures-24h2'] },
      { why: 'a stage reaches only "all" of every package', notification: { kind: 'job.stage' }, reaches: ['chat-all', 'chat-both'] },
      {
        why: 'a 23H2 drift reaches "freshness" and the 23H2 filter',
        notification: { kind: 'freshness.drift', packageName: 'Windows 11 23H2 Enterprise' },
        reaches: ['chat-23h2', 'chat-all', 'chat-both', 'chat-freshness'],
      },
      { why: 'a notification of no package passes every filter', notification: { kind: 'digest.weekly', packageId: undefined, packageName: undefined }, reaches: ['chat-23h2', 'chat-all', 'chat-both', 'chat-freshness'] },
      { why: 'a failure of another release misses the 24H2 filter', notification: { kind: 'distribution.dp_failed', packageName: 'Windows 10 22H2' }, reaches: ['chat-all', 'chat-both'] },
    ];
    for (const c of cases) {
      it(`makes one delivery per matching enabled conversation: ${c.why}`, async () => {
        const id = await notify(db, c.notification);
        assert.deepEqual(await fanOut(db, { now: T0 }), { notifications: 1, deliveries: c.reaches.length });
        const deliveries = await listDeliveries(db, { notificationId: id });
        assert.deepEqual(deliveries.map((d) => d.conversationId).sort(), c.reaches);
        assert.ok(deliveries.every((d) => d.state === 'pending' && d.attempts === 0 && d.nextAttemptAt.getTime() === T0.getTime()));
      });
    }

    it('delivers once to a conversation that several subscriptions match, naming them all', async () => {
      const id = await notify(db, { kind: 'job.failed' });
      await fanOut(db, { now: T0 });
      const [both] = (await listDeliveries(db, { notificationId: id })).filter((d) => d.conversationId === 'chat-both');
      assert.deepEqual(both.matched, [
        { topic: 'all', packageFilter: '' },
        { topic: 'failures', packageFilter: '' },
      ]);
    });

    it('fans each notification out once, in id order, however often it runs', async () => {
      const first = await notify(db);
      const second = await notify(db);
      assert.deepEqual(await fanOut(db, { now: T0, limit: 1 }), { notifications: 1, deliveries: 2 });
      assert.deepEqual(await fanOut(db, { now: T0 }), { notifications: 1, deliveries: 2 });
      assert.deepEqual(await fanOut(db, { now: T0 }), { notifications: 0, deliveries: 0 });
      assert.equal((await listDeliveries(db, { notificationId: first })).length, 2);
      assert.equal((await listDeliveries(db, { notificationId: second })).length, 2);
      const row = await db.selectFrom('notifications').select('fanned_out_at').where('id', '=', first).executeTakeFirstOrThrow();
      assert.equal(row.fanned_out_at, T0.toISOString());
    });

    it('skips a conversation that already shows the subject, asking once per subject and conversation', async () => {
      const asked: string[] = [];
      const alreadyShown = async (subject: string, conversationId: string) => {
        asked.push(`${subject}@${conversationId}`);
        return subject === 'job:A' && conversationId === 'chat-all';
      };
      const a1 = await notify(db, { subject: 'job:A' });
      const a2 = await notify(db, { subject: 'job:A' });
      const b = await notify(db, { subject: 'job:B' });
      const plain = await notify(db);
      await fanOut(db, { now: T0, alreadyShown });
      for (const id of [a1, a2]) assert.deepEqual((await listDeliveries(db, { notificationId: id })).map((d) => d.conversationId), ['chat-both']);
      assert.deepEqual((await listDeliveries(db, { notificationId: b })).map((d) => d.conversationId).sort(), ['chat-all', 'chat-both']);
      assert.deepEqual((await listDeliveries(db, { notificationId: plain })).map((d) => d.conversationId).sort(), ['chat-all', 'chat-both']);
      assert.deepEqual(asked.sort(), ['job:A@chat-all', 'job:A@chat-both', 'job:B@chat-all', 'job:B@chat-both']);
    });

    it('fans an unreadable notification out to nobody rather than blocking the later ones', async () => {
      const broken = await notify(db);
      await db.updateTable('notifications').set({ payload: 'not json' }).where('id', '=', broken).execute();
      const fine = await notify(db);
      assert.deepEqual(await fanOut(db, { now: T0 }), { notifications: 2, deliveries: 2 });
      assert.equal((await listDeliveries(db, { notificationId: broken })).length, 0);
      assert.equal((await listDeliveries(db, { notificationId: fine })).length, 2);
    });
  });

  describe('delivery', () => {
    it('delivers the deliveries of each conversation one at a time in notification order, even after a failure', async () => {
      await conversation(db, 'a');
      await conversation(db, 'b');
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) ids.push(await notify(db));
      let failedOnce = false;
      deliverer.fault = (call) => {
        if (call.conversationId === 'a' && !failedOnce) {
          failedOnce = true;
          return new DeliveryFailed(503, false, 'busy');
        }
        return undefined;
      };
      await dispatcher().drain();
      assert.equal(succeeded(deliverer.calls).filter((c) => c.conversationId === 'a').length, 0, "a's later notifications wait for its first");
      assert.deepEqual(
        succeeded(deliverer.calls).filter((c) => c.conversationId === 'b').map((c) => c.text),
        ids.map((id) => `job.stage - #${id}`),
      );
      clock = later(60_000);
      await dispatcher().drain();
      assert.deepEqual(
        succeeded(deliverer.calls).filter((c) => c.conversationId === 'a').map((c) => c.text),
        ids.map((id) => `job.stage - #${id}`),
      );
      assert.ok((await deliveriesOf('a')).every((d) => d.state === 'delivered'));
      const [subscription] = await listSubscriptions(db, 'a');
      assert.equal(subscription.lastDeliveredAt?.toISOString(), clock.toISOString());
    });

    it("posts a subject's first card and updates it in place afterwards", async () => {
      await conversation(db, 'a');
      for (let i = 0; i < 3; i++) await notify(db, { subject: 'job:A' });
      await dispatcher().drain();
      assert.deepEqual(
        deliverer.calls.map((c) => [c.operation, c.target]),
        [
          ['post', undefined],
          ['update', 'act-1'],
          ['update', 'act-1'],
        ],
      );
      assert.equal(await getStatusCard(db, 'job:A', 'a'), 'act-1');
      assert.deepEqual(
        (await deliveriesOf('a')).map((d) => [d.state, d.activityId]),
        [
          ['delivered', 'act-1'],
          ['delivered', 'act-1'],
          ['delivered', 'act-1'],
        ],
      );
    });

    it('posts a new card when the update answers 404 (the card was deleted) and follows the new one', async () => {
      await conversation(db, 'a');
      await notify(db, { subject: 'job:A' });
      await dispatcher().drain();
      deliverer.fault = (call) => (call.operation === 'update' && call.target === 'act-1' ? new DeliveryFailed(404, true, 'gone', { code: 'ActivityNotFoundInConversation' }) : undefined);
      await notify(db, { subject: 'job:A' });
      await notify(db, { subject: 'job:A' });
      await dispatcher().drain();
      assert.deepEqual(
        deliverer.calls.map((c) => [c.operation, c.target, c.answered]),
        [
          ['post', undefined, 'act-1'],
          ['update', 'act-1', undefined],
          ['post', undefined, 'act-2'],
          ['update', 'act-2', 'act-2'],
        ],
      );
      assert.equal(await getStatusCard(db, 'job:A', 'a'), 'act-2');
      assert.ok((await deliveriesOf('a')).every((d) => d.state === 'delivered' && d.attempts === 0));
      assert.equal((await getConversation(db, 'a'))?.enabled, true);
    });

    it("replies in the card's thread in a channel, and only there", async () => {
      await conversation(db, 'channel', { kind: 'channel' });
      await conversation(db, 'chat');
      const firstId = await notify(db, { subject: 'job:A' });
      const secondId = await notify(db, { subject: 'job:A', kind: 'job.succeeded' });
      await dispatcher().drain();
      const card = deliverer.calls.find((c) => c.conversationId === 'channel')!.answered;
      assert.ok(card !== undefined);
      assert.deepEqual(
        deliverer.calls.filter((c) => c.conversationId === 'channel').map((c) => [c.operation, c.target, c.text]),
        [
          ['post', undefined, `job.stage job:A #${firstId}`],
          ['update', card, `job.succeeded job:A #${secondId}`],
          ['reply', card, 'finished job:A'],
        ],
      );
      assert.deepEqual(
        deliverer.calls.filter((c) => c.conversationId === 'chat').map((c) => c.operation),
        ['post', 'update'],
      );
    });

    it('keeps the card sent across a failed thread reply and sends only the reply again', async () => {
      await conversation(db, 'channel', { kind: 'channel' });
      await notify(db, { kind: 'job.succeeded', subject: 'job:A' });
      deliverer.fault = (call, calls) => (call.operation === 'reply' && calls.filter((c) => c.operation === 'reply').length === 1 ? new DeliveryFailed(502, false, 'bad gateway') : undefined);
      await dispatcher().drain();
      const [waiting] = await deliveriesOf('channel');
      assert.deepEqual([waiting.state, waiting.progress, waiting.activityId, waiting.attempts], ['pending', 'card_sent', 'act-1', 1]);
      assert.equal(await getStatusCard(db, 'job:A', 'channel'), 'act-1');
      clock = later(60_000);
      await dispatcher().drain();
      assert.deepEqual(
        deliverer.calls.map((c) => [c.operation, c.target, c.answered !== undefined]),
        [
          ['post', undefined, true],
          ['reply', 'act-1', false],
          ['reply', 'act-1', true],
        ],
      );
      const [done] = await deliveriesOf('channel');
      assert.deepEqual([done.state, done.activityId], ['delivered', 'act-1']);
    });

    it('sends the thread reply under a fresh claim when the lease might end before its answer', async () => {
      await conversation(db, 'channel', { kind: 'channel' });
      await notify(db, { kind: 'job.succeeded', subject: 'job:A' });
      const leases: (string | undefined)[] = [];
      const leaseNow = async () => (await deliveriesOf('channel'))[0].claimExpiresAt?.toISOString();
      const post = deliverer.post.bind(deliverer);
      const reply = deliverer.reply.bind(deliverer);
      deliverer.post = async (address, message) => (leases.push(await leaseNow()), post(address, message));
      deliverer.reply = async (address, thread, message) => (leases.push(await leaseNow()), reply(address, thread, message));
      let tick = 0;
      await dispatcher({ claimLeaseMs: 1000, sendTimeoutMs: 5000, now: () => later(tick++) }).drain();
      assert.equal(leases.length, 2);
      assert.notEqual(leases[0], leases[1], 'the reply went under a new claim');
      const [delivery] = await deliveriesOf('channel');
      assert.deepEqual([delivery.state, delivery.progress, delivery.attempts], ['delivered', 'card_sent', 0]);
      assert.deepEqual(
        deliverer.calls.map((c) => [c.operation, c.target]),
        [
          ['post', undefined],
          ['reply', 'act-1'],
        ],
      );
    });

    it('does not count a failed database write after a send as a failed send: the claim is taken over after its lease', async () => {
      const { logger, lines } = captureLogs();
      await conversation(db, 'a');
      await notify(db, { subject: 'job:A' });
      const post = deliverer.post.bind(deliverer);
      deliverer.post = async (address, message) => {
        const answer = await post(address, message);
        await sql`alter table status_cards rename to status_cards_away`.execute(db);
        return answer;
      };
      try {
        await dispatcher({ logger }).drain();
      } finally {
        await sql`alter table status_cards_away rename to status_cards`.execute(db);
      }
      const [held] = await deliveriesOf('a');
      assert.deepEqual([held.state, held.attempts, held.lastError], ['sending', 0, null]);
      assert.ok(lines.some((line) => line.msg === 'a notification delivery could not be recorded; its claim will be taken over' && line.notificationId === held.notificationId));
      deliverer.post = post;
      clock = later(60_001);
      await dispatcher().drain();
      const [done] = await deliveriesOf('a');
      assert.equal(done.state, 'delivered');
      assert.equal(deliverer.calls.filter((c) => c.operation === 'post').length, 2, 'the one repeat allowed: a post whose outcome was not recorded');
    });

    it('waits out a 429 for its Retry-After, then delivers', async () => {
      await conversation(db, 'a');
      await notify(db);
      deliverer.fault = (_call, calls) => (calls.length === 1 ? new DeliveryFailed(429, false, 'slow down', { retryAfterMs: 30_000 }) : undefined);
      await dispatcher().drain();
      let [delivery] = await deliveriesOf('a');
      assert.deepEqual([delivery.state, delivery.attempts, delivery.nextAttemptAt.toISOString()], ['pending', 1, later(30_000).toISOString()]);
      clock = later(29_999);
      await dispatcher().drain();
      assert.equal(deliverer.calls.length, 1, 'nothing is sent before Retry-After');
      clock = later(30_000);
      await dispatcher().drain();
      [delivery] = await deliveriesOf('a');
      assert.deepEqual([delivery.state, deliverer.calls.length], ['delivered', 2]);
    });

    it('gives up after maxThrottledAttempts 429s', async () => {
      await conversation(db, 'a');
      await notify(db);
      deliverer.fault = () => new DeliveryFailed(429, false, 'slow down', { retryAfterMs: 1000 });
      for (let i = 0; i < 3; i++) {
        await dispatcher({ maxThrottledAttempts: 3 }).drain();
        clock = later(1000, clock);
      }
      const [delivery] = await deliveriesOf('a');
      assert.deepEqual([delivery.state, delivery.attempts, deliverer.calls.length], ['failed', 3, 3]);
    });

    it('retries transient failures with jittered exponential backoff up to maxAttempts, then fails and says why on the subscription', async () => {
      const { logger, lines } = captureLogs();
      await conversation(db, 'a', { subscriptions: [['all', ''], ['failures', '']] });
      const id = await notify(db, { kind: 'job.failed' });
      deliverer.fault = () => new DeliveryFailed(503, false, 'unavailable');
      const options = { maxAttempts: 3, backoffBaseMs: 1000, random: () => 0.25, logger };
      const waits: number[] = [];
      for (let i = 0; i < 2; i++) {
        await dispatcher(options).drain();
        const [delivery] = await deliveriesOf('a');
        assert.equal(delivery.state, 'pending');
        waits.push(delivery.nextAttemptAt.getTime() - clock.getTime());
        clock = delivery.nextAttemptAt;
      }
      // Ceilings 1 s then 2 s, jittered down to between half and all of it (random 0.25 → 62.5%).
      assert.deepEqual(waits, [625, 1250]);
      await dispatcher(options).drain();
      const [delivery] = await deliveriesOf('a');
      assert.deepEqual([delivery.state, delivery.attempts, deliverer.calls.length], ['failed', 3, 3]);
      assert.match(delivery.lastError ?? '', /HTTP 503/);
      const subscriptions = await listSubscriptions(db, 'a');
      assert.equal(subscriptions.length, 2);
      for (const subscription of subscriptions) {
        assert.equal(subscription.lastFailureAt?.toISOString(), clock.toISOString());
        assert.match(subscription.lastFailureReason ?? '', /gave up after 3 tries: HTTP 503: unavailable/);
        assert.equal(subscription.lastDeliveredAt, null);
      }
      const gaveUp = lines.find((line) => line.msg === 'gave up a notification delivery');
      assert.ok(gaveUp);
      assert.deepEqual([gaveUp.notificationId, gaveUp.conversationId, gaveUp.status], [id, 'a', 503]);
    });

    it('treats a send that never answers as transient after sendTimeoutMs', async () => {
      await conversation(db, 'a');
      await notify(db);
      deliverer.fault = (_call, calls) => (calls.length === 1 ? HANG : undefined);
      await dispatcher({ sendTimeoutMs: 50 }).drain();
      const [delivery] = await deliveriesOf('a');
      assert.deepEqual([delivery.state, delivery.attempts], ['pending', 1]);
      assert.match(delivery.lastError ?? '', /did not answer the post within 50 ms/);
    });

    it('stops a conversation that answers 403, with its pending deliveries, and says why', async () => {
      const { logger, lines } = captureLogs();
      await conversation(db, 'gone');
      await conversation(db, 'fine');
      for (let i = 0; i < 3; i++) await notify(db);
      deliverer.fault = (call) => (call.conversationId === 'gone' ? new DeliveryFailed(403, true, 'the bot was blocked', { code: 'MessageWritesBlocked' }) : undefined);
      await dispatcher({ logger }).drain();
      const gone = await getConversation(db, 'gone');
      assert.equal(gone?.enabled, false);
      assert.equal(gone?.disabledReason, 'HTTP 403 MessageWritesBlocked: the bot was blocked');
      assert.deepEqual(
        (await deliveriesOf('gone')).map((d) => d.state),
        ['stopped', 'stopped', 'stopped'],
      );
      assert.equal(deliverer.calls.filter((c) => c.conversationId === 'gone').length, 1);
      assert.equal(succeeded(deliverer.calls).filter((c) => c.conversationId === 'fine').length, 3);
      const [subscription] = await listSubscriptions(db, 'gone');
      assert.match(subscription.lastFailureReason ?? '', /MessageWritesBlocked/);
      const stopped = lines.find((line) => line.msg === 'Teams refused the conversation for good; stopped delivering notifications to it');
      assert.deepEqual([stopped?.conversationId, stopped?.status, stopped?.code], ['gone', 403, 'MessageWritesBlocked']);
      await notify(db);
      await dispatcher().drain();
      assert.equal((await deliveriesOf('gone')).length, 3, 'a stopped conversation gets no new deliveries');
    });

    const refusals: { why: string; error: DeliveryFailed; subject?: boolean; state: Delivery['state']; enabled: boolean }[] = [
      { why: '404 ConversationNotFound on an update stops the conversation', error: new DeliveryFailed(404, true, 'no such conversation', { code: 'ConversationNotFound' }), subject: true, state: 'stopped', enabled: false },
      { why: '404 on a post stops the conversation', error: new DeliveryFailed(404, true, 'not found'), state: 'stopped', enabled: false },
      { why: '400 fails the delivery only', error: new DeliveryFailed(400, true, 'bad card', { code: 'BadArgument' }), state: 'failed', enabled: true },
      { why: '401 fails the delivery only', error: new DeliveryFailed(401, true, 'unauthorized'), state: 'failed', enabled: true },
      { why: '500 fails the delivery only', error: new DeliveryFailed(500, true, 'server error'), state: 'failed', enabled: true },
    ];
    for (const c of refusals) {
      it(`ends a delivery Teams refuses: ${c.why}`, async () => {
        await conversation(db, 'a');
        if (c.subject) {
          await notify(db, { subject: 'job:A' });
          await dispatcher().drain();
        }
        await notify(db, { subject: c.subject ? 'job:A' : undefined });
        deliverer.fault = () => c.error;
        await dispatcher().drain();
        const last = (await deliveriesOf('a')).at(-1)!;
        assert.equal(last.state, c.state);
        assert.equal((await getConversation(db, 'a'))?.enabled, c.enabled);
        assert.equal(deliverer.calls.filter((call) => call.answered === undefined).length, 1, 'never retried');
      });
    }

    it('stops the deliveries of a conversation disabled after fan-out without sending them', async () => {
      await conversation(db, 'a');
      await notify(db);
      await fanOut(db, { now: T0 });
      await disableConversation(db, 'a', 'the bot was removed', T0);
      await dispatcher().drain();
      assert.deepEqual(
        (await deliveriesOf('a')).map((d) => [d.state, d.lastError]),
        [['stopped', 'the bot was removed']],
      );
      assert.equal(deliverer.calls.length, 0);
    });

    it('draws each notification once for all its conversations', async () => {
      for (const id of ['a', 'b', 'c']) await conversation(db, id);
      await notify(db);
      const renderer = recordingRenderer();
      await dispatcher({ renderer }).drain();
      assert.equal(renderer.drawn.length, 1);
      assert.equal(succeeded(deliverer.calls).length, 3);
    });

    it('ends the deliveries without a message when the renderer has nothing left to show', async () => {
      await conversation(db, 'a');
      await notify(db);
      await dispatcher({ renderer: recordingRenderer({ render: async () => undefined }) }).drain();
      const [delivery] = await deliveriesOf('a');
      assert.deepEqual([delivery.state, delivery.lastError, deliverer.calls.length], ['delivered', 'nothing left to show', 0]);
      const [subscription] = await listSubscriptions(db, 'a');
      assert.equal(subscription.lastDeliveredAt, null, 'nothing was delivered');
    });

    it('retries a renderer that throws, draws again, and gives up after maxAttempts', async () => {
      await conversation(db, 'a');
      await notify(db);
      let draws = 0;
      const renderer = recordingRenderer({
        render: async () => {
          draws++;
          throw new Error('the job view is unreadable');
        },
      });
      for (let i = 0; i < 2; i++) {
        await dispatcher({ renderer, maxAttempts: 2 }).drain();
        clock = later(3_600_000, clock);
      }
      const [delivery] = await deliveriesOf('a');
      assert.deepEqual([delivery.state, delivery.attempts, draws, deliverer.calls.length], ['failed', 2, 2, 0]);
      const [subscription] = await listSubscriptions(db, 'a');
      assert.match(subscription.lastFailureReason ?? '', /could not draw the notification: the job view is unreadable/);
    });

    it('puts a conversation that must wait long back in the queue instead of holding a slot', async () => {
      await conversation(db, 'a');
      await conversation(db, 'b');
      const running = dispatcher({ conversationLimits: [{ count: 1, perMs: 10_000 }], pollMs: 60_000 });
      running.start();
      try {
        await notify(db);
        await notify(db);
        running.poke();
        const putBack = async (conversationId: string) => {
          const [first, second] = await deliveriesOf(conversationId);
          return first?.state === 'delivered' && second?.state === 'pending' && second.nextAttemptAt > T0;
        };
        const settled = async () => (await putBack('a')) && (await putBack('b'));
        while (!(await settled())) await new Promise((resolve) => setTimeout(resolve, 10));
      } finally {
        await running.stop();
      }
      for (const conversationId of ['a', 'b']) {
        const [, second] = await deliveriesOf(conversationId);
        assert.deepEqual([second.state, second.attempts, second.claimedBy, second.nextAttemptAt.toISOString()], ['pending', 0, null, later(10_040).toISOString()]);
      }
      assert.equal(deliverer.calls.length, 2);
    });

    it("waits in its slot for the conversation's limits while draining, so that drain delivers everything due", async () => {
      await conversation(db, 'a');
      for (let i = 0; i < 4; i++) await notify(db);
      const sentAt: number[] = [];
      deliverer.fault = () => void sentAt.push(Date.now());
      await dispatcher({ conversationLimits: [{ count: 2, perMs: 300 }], now: () => new Date() }).drain();
      assert.deepEqual(
        (await deliveriesOf('a')).map((d) => d.state),
        ['delivered', 'delivered', 'delivered', 'delivered'],
      );
      for (let i = 2; i < 4; i++) assert.ok(sentAt[i] - sentAt[i - 2] >= 300, `request ${i} came ${sentAt[i] - sentAt[i - 2]} ms after request ${i - 2}`);
    });

    it('keeps the app-wide rate over every second, with its margin', async () => {
      for (let i = 0; i < 12; i++) await conversation(db, `c${i}`);
      await notify(db);
      const sentAt: number[] = [];
      deliverer.fault = () => void sentAt.push(Date.now());
      await dispatcher({ ratePerSecond: 5, now: () => new Date() }).drain();
      assert.equal(sentAt.length, 12);
      for (let i = 5; i < sentAt.length; i++) assert.ok(sentAt[i] - sentAt[i - 5] >= 1000, `request ${i} came ${sentAt[i] - sentAt[i - 5]} ms after request ${i - 5}`);
    });
  });

  describe('claims', () => {
    it('takes over a claim whose lease expired, keeping its attempts, and fences the old claim out', async () => {
      await conversation(db, 'a');
      await notify(db);
      await fanOut(db, { now: T0 });
      const [dead] = await claimDue(db, { claimedBy: 'dead-instance', now: T0, leaseMs: 60_000, limit: 10 });
      await db.updateTable('deliveries').set({ attempts: 2 }).where('id', '=', dead.id).execute();
      clock = later(30_000);
      await dispatcher().drain();
      assert.equal(deliverer.calls.length, 0, 'a live claim is left alone');
      assert.equal(await takeOverExpiredClaims(db, later(60_000)), 0, 'not before the lease ends');
      assert.equal(await takeOverExpiredClaims(db, later(60_001)), 1);
      const [taken] = await deliveriesOf('a');
      assert.deepEqual([taken.state, taken.attempts, taken.claimedBy], ['pending', 2, null]);
      clock = later(60_001);
      await dispatcher({ instanceId: 'live-instance' }).drain();
      assert.equal(deliverer.calls.length, 1);
      assert.equal(await recordDelivered(db, fenceOf(dead), { now: clock, conversationId: 'a', matched: [], activityId: 'stale' }), false);
      const [done] = await deliveriesOf('a');
      assert.deepEqual([done.state, done.activityId], ['delivered', 'act-1']);
    });

    it('claims only the first unfinished delivery of each conversation, and only when due', async () => {
      await conversation(db, 'a');
      await conversation(db, 'b');
      const first = await notify(db);
      for (let i = 0; i < 2; i++) await notify(db);
      await fanOut(db, { now: T0 });
      await db.updateTable('deliveries').set({ next_attempt_at: later(5000).toISOString() }).where('conversation_id', '=', 'b').execute();
      const claimed = await claimDue(db, { claimedBy: 'me', now: T0, leaseMs: 60_000, limit: 10 });
      assert.deepEqual(
        claimed.map((d) => [d.conversationId, d.notificationId, d.state, d.claimedBy, d.claimExpiresAt?.toISOString()]),
        [['a', first, 'sending', 'me', later(60_000).toISOString()]],
      );
      assert.deepEqual(await claimDue(db, { claimedBy: 'me', now: T0, leaseMs: 60_000, limit: 10 }), []);
    });

    // PostgreSQL: two pools, as two instances would have. SQLite serves one instance: two dispatchers share its one connection.
    it('delivers each of 300 deliveries exactly once with two dispatchers on one database, in order per conversation', async function () {
      this.timeout(60_000);
      const calls: Call[] = [];
      const first = await open();
      const second = dialect === 'postgres' ? await open() : first;
      for (let i = 0; i < 60; i++) await conversation(first.db, `conv-${String(i).padStart(2, '0')}`);
      for (let i = 0; i < 5; i++) await notify(first.db);
      // Fanned out first, so that neither drain can find nothing due before the other's fan-out commits.
      await fanOut(first.db, { now: new Date() });
      const options = { renderer: recordingRenderer(), logger: silent, ratePerSecond: 100_000, concurrency: 8 };
      const one = new NotificationDispatcher({ ...options, db: first.db, deliverer: new RecordingDeliverer(calls, { by: 'one', delayMs: 3 }), instanceId: 'one' });
      const two = new NotificationDispatcher({ ...options, db: second.db, deliverer: new RecordingDeliverer(calls, { by: 'two', delayMs: 3 }), instanceId: 'two' });
      await Promise.all([one.drain(), two.drain()]);
      const deliveries = await listDeliveries(db, {});
      assert.equal(deliveries.length, 300);
      assert.ok(deliveries.every((d) => d.state === 'delivered'));
      assert.equal(calls.length, 300, 'no delivery was sent twice');
      assert.equal(new Set(calls.map((c) => `${c.conversationId} ${c.text}`)).size, 300);
      assert.ok(calls.some((c) => c.by === 'one') && calls.some((c) => c.by === 'two'), `both instances delivered: ${calls.filter((c) => c.by === 'one').length} + ${calls.filter((c) => c.by === 'two').length}`);
      const byConversation = new Map<string, number[]>();
      for (const call of calls) byConversation.set(call.conversationId, [...(byConversation.get(call.conversationId) ?? []), Number(/#(\d+)/.exec(call.text ?? '')![1])]);
      for (const [conversationId, order] of byConversation) assert.deepEqual(order, [...order].sort((x, y) => x - y), conversationId);
    });
  });

  describe('running', () => {
    it('delivers what is poked at once and lets stop() wait for a send in flight', async () => {
      await conversation(db, 'a');
      const slow = new RecordingDeliverer([], { delayMs: 0 });
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const posting = slow.post.bind(slow);
      slow.post = async (address, message) => {
        await held;
        return posting(address, message);
      };
      const running = dispatcher({ deliverer: slow, pollMs: 60_000 });
      running.start();
      await notify(db);
      running.poke();
      while ((await deliveriesOf('a')).at(0)?.state !== 'sending') await new Promise((resolve) => setTimeout(resolve, 5));
      const stopped = running.stop();
      setTimeout(release, 50);
      await stopped;
      const [delivery] = await deliveriesOf('a');
      assert.equal(delivery.state, 'delivered', 'stop() waited for the send and its record');
    });

    it('prunes finished deliveries and fully finished notifications older than the cut-off', async () => {
      await conversation(db, 'a');
      await conversation(db, 'b');
      const old = await notify(db);
      const mixed = await notify(db);
      const recent = await notify(db);
      await fanOut(db, { now: T0 });
      const day = 86_400_000;
      await db.updateTable('deliveries').set({ state: 'delivered', finished_at: T0.toISOString() }).where('notification_id', '=', old).execute();
      await db.updateTable('deliveries').set({ state: 'failed', finished_at: T0.toISOString() }).where('notification_id', '=', mixed).where('conversation_id', '=', 'a').execute();
      await db.updateTable('deliveries').set({ state: 'stopped', finished_at: later(20 * day).toISOString() }).where('notification_id', '=', recent).execute();
      assert.deepEqual(await pruneFinished(db, later(14 * day)), { deliveries: 3, notifications: 1 });
      const left = await db.selectFrom('notifications').select('id').orderBy('id').execute();
      assert.deepEqual(
        left.map((row) => row.id),
        [mixed, recent],
      );
      assert.deepEqual(
        (await listDeliveries(db, {})).map((d) => [d.notificationId, d.conversationId, d.state]),
        [
          [mixed, 'b', 'pending'],
          [recent, 'a', 'stopped'],
          [recent, 'b', 'stopped'],
        ],
      );
    });
  });
});

describe('dispatcher settings and stored matches', () => {
  const badOptions: { why: string; options: Partial<DispatcherOptions> }[] = [
    { why: 'no send slots', options: { concurrency: 0 } },
    { why: 'a negative lease', options: { claimLeaseMs: -1 } },
    { why: 'a send timeout that is not a number', options: { sendTimeoutMs: Number.NaN } },
    { why: 'no attempts', options: { maxAttempts: 0 } },
    { why: 'an app rate of zero', options: { ratePerSecond: 0 } },
    { why: 'a conversation limit of zero', options: { conversationLimits: [{ count: 0, perMs: 1000 }] } },
    { why: 'an endless poll', options: { pollMs: Infinity } },
  ];
  for (const c of badOptions) {
    it(`refuses a setting that cannot work: ${c.why}`, () => {
      const deliverer = new RecordingDeliverer();
      assert.throws(
        () => new NotificationDispatcher({ db: {} as Kysely<Schema>, deliverer, renderer: recordingRenderer(), logger: createLogger({ logLevel: 'silent' }), ...c.options }),
        RangeError,
      );
    });
  }

  const matches: { why: string; stored: string; parsed: { topic: string; packageFilter: string }[] }[] = [
    { why: 'pairs as written', stored: '[["all",""],["failures","24h2"]]', parsed: [{ topic: 'all', packageFilter: '' }, { topic: 'failures', packageFilter: '24h2' }] },
    { why: 'not JSON', stored: 'all', parsed: [] },
    { why: 'not a list', stored: '{"all":""}', parsed: [] },
    { why: 'an unknown topic and a short pair left out', stored: '[["everything",""],["all"],["approvals",""]]', parsed: [{ topic: 'approvals', packageFilter: '' }] },
  ];
  for (const c of matches) {
    it(`reads the stored matched subscriptions: ${c.why}`, () => {
      assert.deepEqual(parseMatched(c.stored), c.parsed);
    });
  }
});
