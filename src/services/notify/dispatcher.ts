/**
 * Delivers the outbox: fans each notification out into deliveries, claims the due ones in batches, and
 * sends each through the Deliverer within Teams' limits (per app and per conversation), recording every
 * outcome in the deliveries table so that a restart neither loses nor repeats one.
 *
 * Why it is built this way: the bot's chat turns run in the same process, so the dispatcher never
 * scans a table per delivery (a claim is one indexed statement for a batch, conversations and
 * notifications are read once per batch, a notification is drawn once for all its conversations) and
 * it never holds a send slot for a conversation that must wait long (the delivery goes back to the
 * queue with its time instead). Several instances on PostgreSQL share the work through claims with a
 * lease; the only repeat possible is a post whose answer was lost (Teams has no idempotency key).
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Schema } from '../store/schema';
import type { ConversationRecord } from './conversation-repository';
import type { ConversationAddress, Deliverer } from './deliverer';
import { backoffDelayMs, classifyDeliveryError, type BackoffPolicy, type DeliveryOperation, type DeliveryOutcome } from './delivery-outcome';
import {
  claimDue,
  fanOut,
  fenceOf,
  forgetStatusCard,
  getStatusCard,
  KEEP_FINISHED_MS,
  loadConversations,
  loadNotifications,
  pruneFinished,
  recordCardSent,
  recordDelivered,
  recordFailed,
  recordRetry,
  stopConversation,
  takeOverExpiredClaims,
  type ClaimFence,
  type Delivery,
} from './delivery-repository';
import type { NotificationRecord } from './notification';
import type { NotificationRenderer, RenderedNotification } from './notification-renderer';
import { APP_WINDOW_MARGIN_MS, appLimits, ConversationLimiters, SlidingWindowLimiter, TEAMS_CONVERSATION_LIMITS, type WindowLimit } from './rate-limit';

export { TEAMS_CONVERSATION_LIMITS, type WindowLimit } from './rate-limit';

export interface DispatcherOptions {
  db: Kysely<Schema>;
  deliverer: Deliverer;
  renderer: NotificationRenderer;
  logger: Logger;
  /** Claims carry it; default random per process. */
  instanceId?: string;
  /** App-wide requests/s, default 50. */
  ratePerSecond?: number;
  conversationLimits?: readonly WindowLimit[];
  /** Sends in flight, default 16. */
  concurrency?: number;
  /** Default 60_000; an expired 'sending' claim is taken over. */
  claimLeaseMs?: number;
  /** Default 20_000 (a hung connector = transient failure). */
  sendTimeoutMs?: number;
  /** 412/502/503/504/timeouts before giving up, default 6. */
  maxAttempts?: number;
  /** 429s before giving up, default 12. */
  maxThrottledAttempts?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  maxRetryAfterMs?: number;
  /** Default 1_000. */
  pollMs?: number;
  /**
   * Chat first: while the process's event loop is busy (the bot answering turns), at most this many
   * requests a second; off (undefined) by default, on in the app. The deliveries wait, none is lost.
   */
  whileBusy?: { pressure: { isBusy(): boolean }; ratePerSecond: number };
  now?: () => Date;
  random?: () => number;
}

/** A conversation that must wait longer than this for its next request goes back to the queue rather than hold a send slot. */
const LONG_WAIT_MS = 500;
/** Notifications drawn recently, kept so that every conversation of a notification shares one drawing. */
const RENDER_CACHE_SIZE = 64;
/** Notifications one fan-out call handles. */
const FAN_OUT_BATCH = 100;
/** How often finished deliveries older than KEEP_FINISHED_MS are deleted, and idle conversation limiters forgotten. */
const HOUSEKEEPING_EVERY_MS = 3_600_000;

class SendTimedOut extends Error {
  constructor(operation: DeliveryOperation, ms: number) {
    super(`the connector did not answer the ${operation} within ${ms} ms`);
    this.name = 'SendTimedOut';
  }
}

/** One delivery's requests under one claim. */
interface Trip {
  conversationId: string;
  fence: ClaimFence;
  requests: number;
}

interface Drawing {
  notification: NotificationRecord | undefined;
  rendered: RenderedNotification | undefined;
}

/** Thrown inside a delivery when its conversation must wait long: the delivery is put back, not failed. */
class MustWait {
  constructor(readonly untilMs: number) {}
}

export class NotificationDispatcher {
  private readonly db: Kysely<Schema>;
  private readonly logger: Logger;
  private readonly instanceId: string;
  private readonly concurrency: number;
  private readonly claimLeaseMs: number;
  private readonly sendTimeoutMs: number;
  private readonly maxAttempts: number;
  private readonly maxThrottledAttempts: number;
  private readonly pollMs: number;
  private readonly refillAt: number;
  private readonly now: () => Date;
  private readonly backoff: BackoffPolicy;
  private readonly appLimiter: SlidingWindowLimiter;
  /** The rate kept while the loop is busy with chat; every request is booked in it, so it knows the recent ones. */
  private readonly busyLimiter: SlidingWindowLimiter | undefined;
  private readonly conversationLimiters: ConversationLimiters;
  private readonly renders = new Map<number, Promise<Drawing>>();
  private readonly inFlight = new Set<Promise<void>>();
  private loop: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;
  private pokedWhileBusy = false;
  /** drain() calls under way: while any is, a conversation's wait is spent in its slot. */
  private draining = 0;
  private lastHousekeepingMs = 0;

  constructor(private readonly options: DispatcherOptions) {
    this.db = options.db;
    this.logger = options.logger;
    this.instanceId = options.instanceId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.concurrency = positive('concurrency', options.concurrency ?? 16);
    this.claimLeaseMs = positive('claimLeaseMs', options.claimLeaseMs ?? 60_000);
    this.sendTimeoutMs = positive('sendTimeoutMs', options.sendTimeoutMs ?? 20_000);
    this.maxAttempts = positive('maxAttempts', options.maxAttempts ?? 6);
    this.maxThrottledAttempts = positive('maxThrottledAttempts', options.maxThrottledAttempts ?? 12);
    this.pollMs = positive('pollMs', options.pollMs ?? 1_000);
    this.refillAt = Math.max(1, Math.floor(this.concurrency / 4));
    this.now = options.now ?? (() => new Date());
    this.backoff = {
      backoffBaseMs: positive('backoffBaseMs', options.backoffBaseMs ?? 1_000),
      backoffMaxMs: positive('backoffMaxMs', options.backoffMaxMs ?? 300_000),
      maxRetryAfterMs: positive('maxRetryAfterMs', options.maxRetryAfterMs ?? 600_000),
      random: options.random ?? Math.random,
    };
    this.appLimiter = new SlidingWindowLimiter(appLimits(positive('ratePerSecond', options.ratePerSecond ?? 50)), APP_WINDOW_MARGIN_MS);
    this.conversationLimiters = new ConversationLimiters(options.conversationLimits ?? TEAMS_CONVERSATION_LIMITS);
    this.busyLimiter = options.whileBusy ? new SlidingWindowLimiter(appLimits(positive('whileBusy.ratePerSecond', options.whileBusy.ratePerSecond)), 0) : undefined;
  }

  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.run();
  }

  /** Stops looking for work and waits for the sends in flight to end (and be recorded). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    this.loop = undefined;
    await this.settle();
  }

  /** Something was enqueued: look now rather than at the next poll. */
  poke(): void {
    // A poke while the loop is busy (not waiting) makes it look again before it waits.
    if (this.wake) this.wake();
    else this.pokedWhileBusy = true;
  }

  /**
   * Fans out and delivers until nothing is due now (tests, and shutdown paths that want the outbox
   * empty). A delivery that is due but must wait for its conversation's limits is waited for here, in
   * its slot, rather than put back: "due" includes it. One that failed and waits for a retry is not due.
   */
  async drain(): Promise<void> {
    this.draining++;
    try {
      for (;;) {
        const claimed = await this.cycle();
        if (claimed === 0 && this.inFlight.size === 0) {
          // One more look: a send that just ended may have made the conversation's next delivery due.
          if ((await this.cycle()) === 0 && this.inFlight.size === 0) return;
        }
        if (this.inFlight.size > 0) await Promise.race(this.inFlight);
      }
    } finally {
      this.draining--;
    }
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let claimed = 0;
      try {
        claimed = await this.cycle();
        await this.housekeeping();
      } catch (error) {
        this.logger.warn({ err: error }, 'could not look for notifications to deliver');
      }
      if (this.stopping) break;
      // Full slots: wait for a send to end; work claimed and slots left: look again at once.
      if (claimed > 0 && this.inFlight.size < this.concurrency) continue;
      if (this.pokedWhileBusy) {
        this.pokedWhileBusy = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.pollMs);
        timer.unref();
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** One round: fan out, take over expired claims, claim up to the free slots and start their sends. Returns how many it claimed. */
  private async cycle(): Promise<number> {
    await fanOut(this.db, {
      now: this.now(),
      limit: FAN_OUT_BATCH,
      alreadyShown: this.options.renderer.alreadyShown ? (subject, conversationId) => this.options.renderer.alreadyShown!(subject, conversationId) : undefined,
    });
    const takenOver = await takeOverExpiredClaims(this.db, this.now());
    if (takenOver > 0) this.logger.warn({ deliveries: takenOver }, 'took over notification deliveries whose claim expired');
    const free = this.concurrency - this.inFlight.size;
    if (free <= 0 || this.stopping) return 0;
    const claimed = await claimDue(this.db, { claimedBy: this.instanceId, now: this.now(), leaseMs: this.claimLeaseMs, limit: free });
    if (claimed.length === 0) return 0;
    const conversations = await loadConversations(
      this.db,
      claimed.map((delivery) => delivery.conversationId),
    );
    const notifications = await loadNotifications(
      this.db,
      claimed.map((delivery) => delivery.notificationId).filter((id) => !this.renders.has(id)),
    );
    for (const delivery of claimed) {
      const sending = this.deliver(delivery, conversations.get(delivery.conversationId), notifications)
        .catch((error: unknown) => this.logger.error({ err: error, deliveryId: delivery.id, notificationId: delivery.notificationId, conversationId: delivery.conversationId }, 'a notification delivery could not be recorded; its claim will be taken over'))
        .finally(() => {
          this.inFlight.delete(sending);
          // Claims come in batches: the loop looks again once a quarter of the slots are free (or all are).
          if (this.concurrency - this.inFlight.size >= this.refillAt || this.inFlight.size === 0) this.poke();
        });
      this.inFlight.add(sending);
    }
    return claimed.length;
  }

  private async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async housekeeping(): Promise<void> {
    const nowMs = this.now().getTime();
    if (nowMs - this.lastHousekeepingMs < HOUSEKEEPING_EVERY_MS) return;
    this.lastHousekeepingMs = nowMs;
    this.conversationLimiters.forgetIdle(nowMs);
    const pruned = await pruneFinished(this.db, new Date(nowMs - KEEP_FINISHED_MS));
    if (pruned.deliveries > 0 || pruned.notifications > 0) this.logger.info(pruned, 'deleted finished notification deliveries');
  }

  // ─── one delivery ──────────────────────────────────────────────────────────────────────────────

  private async deliver(delivery: Delivery, conversation: ConversationRecord | undefined, loaded: Map<number, NotificationRecord | undefined>): Promise<void> {
    const fence = fenceOf(delivery);
    const context = { deliveryId: delivery.id, notificationId: delivery.notificationId, conversationId: delivery.conversationId };
    if (conversation === undefined) {
      await this.giveUp(fence, delivery, 'the conversation is not known or its stored reference cannot be read', { counted: false });
      return;
    }
    if (!conversation.enabled) {
      const reason = conversation.disabledReason ?? 'the conversation was disabled';
      const stopped = await stopConversation(this.db, { conversationId: conversation.conversationId, reason, now: this.now() });
      this.logger.warn({ ...context, reason, stopped }, 'stopped notification deliveries to a disabled conversation');
      return;
    }

    let operation: DeliveryOperation = delivery.progress === 'card_sent' ? 'reply' : 'post';
    const trip: Trip = { conversationId: delivery.conversationId, fence, requests: 0 };
    try {
      const { notification, rendered } = await this.drawing(delivery.notificationId, loaded);
      if (rendered === undefined) {
        await recordDelivered(this.db, fence, { now: this.now(), conversationId: delivery.conversationId, matched: delivery.matched, sent: false, note: 'nothing left to show' });
        return;
      }
      const subject = notification?.subject;
      const address: ConversationAddress = { conversationId: conversation.conversationId, reference: conversation.reference };
      const wantsReply = conversation.kind === 'channel' && rendered.threadReply !== undefined;

      let cardActivityId = delivery.activityId ?? undefined;
      if (delivery.progress !== 'card_sent') {
        const existing = subject !== undefined ? await getStatusCard(this.db, subject, conversation.conversationId) : undefined;
        cardActivityId = undefined;
        if (existing !== undefined) {
          operation = 'update';
          try {
            await this.send(trip, 'update', () => this.options.deliverer.update(address, existing, rendered.message));
            cardActivityId = existing;
          } catch (error) {
            if (!(error instanceof SendFailed) || classifyDeliveryError(error.cause, 'update', delivery.attempts + 1, this.backoff).kind !== 'activity-gone') throw error;
            this.logger.info(context, 'a status card was deleted in Teams; posting a new one');
            await forgetStatusCard(this.db, subject!, conversation.conversationId);
          }
        }
        if (cardActivityId === undefined) {
          operation = 'post';
          cardActivityId = (await this.send(trip, 'post', () => this.options.deliverer.post(address, rendered.message))).activityId;
        }
        if (!wantsReply || cardActivityId === undefined) {
          await this.delivered(fence, delivery, { activityId: cardActivityId, subject });
          return;
        }
        if (!(await recordCardSent(this.db, fence, { now: this.now(), conversationId: conversation.conversationId, activityId: cardActivityId, subject }))) {
          this.logger.warn(context, 'lost the claim of a notification delivery while sending it; another instance may repeat it');
          return;
        }
      }
      if (cardActivityId === undefined || rendered.threadReply === undefined) {
        await this.delivered(fence, delivery, { activityId: cardActivityId, subject });
        return;
      }
      operation = 'reply';
      const threadReply = rendered.threadReply;
      const threadId = cardActivityId;
      await this.send(trip, 'reply', () => this.options.deliverer.reply(address, threadId, threadReply));
      await this.delivered(fence, delivery, { activityId: cardActivityId, subject });
    } catch (error) {
      if (error instanceof MustWait) {
        await recordRetry(this.db, fence, { nextAttemptAt: new Date(error.untilMs), failed: false });
        return;
      }
      // Only a send or a drawing that failed is the delivery's failure; a failed database write is not
      // (the claim is then taken over after its lease).
      if (error instanceof SendFailed) await this.failedTry(fence, delivery, operation, error.cause);
      else if (error instanceof RenderFailed) await this.failedTry(fence, delivery, operation, error);
      else throw error;
    }
  }

  private async delivered(fence: ClaimFence, delivery: Delivery, sent: { activityId?: string; subject?: string }): Promise<void> {
    const recorded = await recordDelivered(this.db, fence, { now: this.now(), conversationId: delivery.conversationId, matched: delivery.matched, ...sent });
    if (!recorded) this.logger.warn({ deliveryId: delivery.id, notificationId: delivery.notificationId, conversationId: delivery.conversationId }, 'lost the claim of a notification delivery while sending it; another instance may repeat it');
  }

  private async failedTry(fence: ClaimFence, delivery: Delivery, operation: DeliveryOperation, error: unknown): Promise<void> {
    const attempt = delivery.attempts + 1;
    const outcome: DeliveryOutcome = error instanceof RenderFailed ? { kind: 'transient', retryInMs: backoffDelayMs(attempt, this.backoff), reason: error.message } : classifyDeliveryError(error, operation, attempt, this.backoff);
    const context = { deliveryId: delivery.id, notificationId: delivery.notificationId, conversationId: delivery.conversationId, operation, status: outcome.status, code: outcome.code, attempts: attempt };
    switch (outcome.kind) {
      case 'delivered-later':
      case 'transient': {
        const bound = outcome.kind === 'delivered-later' ? this.maxThrottledAttempts : this.maxAttempts;
        if (attempt >= bound) {
          await this.giveUp(fence, delivery, `gave up after ${attempt} tries: ${outcome.reason}`, { status: outcome.status, code: outcome.code });
          return;
        }
        await recordRetry(this.db, fence, { nextAttemptAt: new Date(this.now().getTime() + outcome.retryInMs), error: outcome.reason, failed: true });
        this.logger.info({ ...context, retryInMs: outcome.retryInMs }, outcome.kind === 'delivered-later' ? 'Teams throttled a notification; it will be retried' : 'a notification delivery failed; it will be retried');
        return;
      }
      case 'conversation-gone': {
        const stopped = await stopConversation(this.db, { conversationId: delivery.conversationId, reason: outcome.reason, now: this.now() });
        this.logger.warn({ ...context, reason: outcome.reason, stopped }, 'Teams refused the conversation for good; stopped delivering notifications to it');
        return;
      }
      case 'activity-gone':
      case 'failed':
        await this.giveUp(fence, delivery, outcome.reason, { status: outcome.status, code: outcome.code });
        return;
    }
  }

  private async giveUp(fence: ClaimFence, delivery: Delivery, reason: string, detail: { status?: number; code?: string; counted?: boolean }): Promise<void> {
    await recordFailed(this.db, fence, { now: this.now(), conversationId: delivery.conversationId, matched: delivery.matched, reason, counted: detail.counted });
    this.logger.warn(
      { deliveryId: delivery.id, notificationId: delivery.notificationId, conversationId: delivery.conversationId, status: detail.status, code: detail.code, reason },
      'gave up a notification delivery',
    );
  }

  // ─── drawing ───────────────────────────────────────────────────────────────────────────────────

  /**
   * Draws the notification once for all its conversations (kept with the notification itself, so that a
   * cached drawing needs no read); a drawing that failed is not kept, so a retry draws again.
   */
  private drawing(id: number, loaded: Map<number, NotificationRecord | undefined>): Promise<Drawing> {
    const cached = this.renders.get(id);
    if (cached) {
      this.renders.delete(id);
      this.renders.set(id, cached);
      return cached;
    }
    const drawing = (async (): Promise<Drawing> => {
      const notification = loaded.has(id) ? loaded.get(id) : (await loadNotifications(this.db, [id])).get(id);
      if (notification === undefined) return { notification, rendered: undefined };
      try {
        return { notification, rendered: await this.options.renderer.render(notification) };
      } catch (error) {
        throw new RenderFailed(error);
      }
    })();
    this.renders.set(id, drawing);
    drawing.catch(() => {
      if (this.renders.get(id) === drawing) this.renders.delete(id);
    });
    while (this.renders.size > RENDER_CACHE_SIZE) this.renders.delete(this.renders.keys().next().value as number);
    return drawing;
  }

  // ─── sending ───────────────────────────────────────────────────────────────────────────────────

  /**
   * One request to Teams: waits for the conversation's and the app's limits (or throws MustWait when the
   * conversation must wait long), then sends with a timeout. A delivery's second request (the reply after
   * the card, the post after a failed update) waits for a fresh claim when the lease might end before its
   * answer, so that no other instance takes the delivery over while it is being sent.
   */
  private async send<T>(trip: Trip, operation: DeliveryOperation, request: () => Promise<T>): Promise<T> {
    const { conversationId } = trip;
    const nowMs = this.now().getTime();
    if (trip.requests > 0 && trip.fence.claimExpiresAt.getTime() - nowMs < this.sendTimeoutMs + LONG_WAIT_MS) throw new MustWait(nowMs);
    trip.requests++;
    const conversationAt = this.conversationLimiters.nextAllowedAt(conversationId, nowMs);
    if (conversationAt - nowMs > LONG_WAIT_MS && this.draining === 0) throw new MustWait(conversationAt);
    await this.waitForLimits(conversationId, nowMs);
    try {
      return await withTimeout(request(), this.sendTimeoutMs, operation);
    } catch (error) {
      throw new SendFailed(error);
    }
  }

  /**
   * Waits until one more request keeps the app's and the conversation's limits, and books it then, at the
   * moment it is sent rather than ahead: a send whose timer fired late (the event loop was busy) would
   * otherwise go out together with the ones booked after it, and Teams would see more than its limit within
   * a second. Waiters that wake together take turns: each looks again after the last one booked.
   */
  private async waitForLimits(conversationId: string, nowMs: number): Promise<void> {
    let current = nowMs;
    for (;;) {
      const busyAt = this.busyLimiter !== undefined && this.options.whileBusy!.pressure.isBusy() ? this.busyLimiter.nextAllowedAt(current) : current;
      const at = Math.max(this.appLimiter.nextAllowedAt(current), this.conversationLimiters.nextAllowedAt(conversationId, current), busyAt);
      if (at <= current) break;
      await sleep(at - current);
      const woke = this.now().getTime();
      // A clock that does not move (a test's fixed clock) would never reach `at`: book it as reached.
      if (woke === current) {
        current = at;
        break;
      }
      current = woke;
    }
    this.appLimiter.record(current);
    this.busyLimiter?.record(current);
    this.conversationLimiters.record(conversationId, current);
  }
}

/** What a request to Teams threw (or its timeout), told apart from the dispatcher's own failures. */
class SendFailed extends Error {
  constructor(cause: unknown) {
    super('a request to Teams failed', { cause });
    this.name = 'SendFailed';
  }
}

/** The renderer threw: retried like a transient failure, then given up with its message. */
class RenderFailed extends Error {
  constructor(cause: unknown) {
    super(`could not draw the notification: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'RenderFailed';
  }
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number, not ${value}`);
  return value;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function withTimeout<T>(work: Promise<T>, ms: number, operation: DeliveryOperation): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SendTimedOut(operation, ms)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
