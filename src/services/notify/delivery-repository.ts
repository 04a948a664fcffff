/**
 * The deliveries: one row per notification and conversation, the dispatcher's whole memory, so that a
 * restart neither loses nor repeats a delivery. One function per operation, each a statement or a
 * transaction of its own, on SQLite and PostgreSQL alike.
 *
 * Why claims and fences: several instances may share a PostgreSQL database. A claim marks deliveries
 * 'sending' for one instance until a lease expires (FOR UPDATE SKIP LOCKED keeps two claimers apart);
 * every write that ends a claim names the claim it ends (claimed_by and claim_expires_at), so an
 * instance whose claim was taken over cannot overwrite the newer one. Deliveries of one conversation
 * go out one at a time in notification-id order: only the first unfinished one of a conversation is
 * ever claimable.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import { dialectOf } from '../store/dialect';
import type { DeliveriesTable, NotificationsTable, Schema } from '../store/schema';
import { withTransaction } from '../store/transaction';
import { rowToConversation, disableConversation, type ConversationRecord } from './conversation-repository';
import { isTopic, matchingSubscriptions, type NotificationRecord, type SubscriptionKey } from './notification';
import { rowToNotification } from './outbox-repository';

export type DeliveryState = 'pending' | 'sending' | 'delivered' | 'failed' | 'stopped';

export interface Delivery {
  id: number;
  notificationId: number;
  conversationId: string;
  state: DeliveryState;
  /** 'card_sent' once the card is out and only the channel thread reply remains. */
  progress: 'card_sent' | null;
  /** The subscriptions the delivery answers. */
  matched: SubscriptionKey[];
  attempts: number;
  nextAttemptAt: Date;
  claimedBy: string | null;
  claimExpiresAt: Date | null;
  lastError: string | null;
  activityId: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

/** Names the claim a write ends; the write does nothing once the claim is not this one any more. */
export interface ClaimFence {
  deliveryId: number;
  claimedBy: string;
  claimExpiresAt: Date;
}

const iso = (date: Date): string => date.toISOString();

export function fenceOf(delivery: Delivery): ClaimFence {
  if (delivery.claimedBy === null || delivery.claimExpiresAt === null) throw new Error(`delivery ${delivery.id} is not claimed`);
  return { deliveryId: delivery.id, claimedBy: delivery.claimedBy, claimExpiresAt: delivery.claimExpiresAt };
}

export function rowToDelivery(row: Selectable<DeliveriesTable>): Delivery {
  return {
    id: Number(row.id),
    notificationId: Number(row.notification_id),
    conversationId: row.conversation_id,
    state: row.state as DeliveryState,
    progress: row.progress === 'card_sent' ? 'card_sent' : null,
    matched: parseMatched(row.matched),
    attempts: Number(row.attempts),
    nextAttemptAt: new Date(row.next_attempt_at),
    claimedBy: row.claimed_by,
    claimExpiresAt: row.claim_expires_at ? new Date(row.claim_expires_at) : null,
    lastError: row.last_error,
    activityId: row.activity_id,
    createdAt: new Date(row.created_at),
    finishedAt: row.finished_at ? new Date(row.finished_at) : null,
  };
}

/** `matched` as stored: [[topic, filter], …]; pairs that cannot be read are left out (they only feed "last delivered"). */
export function parseMatched(text: string): SubscriptionKey[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed.flatMap((pair: unknown) =>
    Array.isArray(pair) && pair.length === 2 && typeof pair[0] === 'string' && isTopic(pair[0]) && typeof pair[1] === 'string' ? [{ topic: pair[0], packageFilter: pair[1] }] : [],
  );
}

// ─── fan-out ─────────────────────────────────────────────────────────────────────────────────────

export interface FanOutRequest {
  now: Date;
  /** How many notifications one call fans out at most (default 100). */
  limit?: number;
  /** True when the conversation already shows the subject another way: it gets no delivery. */
  alreadyShown?: (subject: string, conversationId: string) => Promise<boolean>;
}

export interface FanOutResult {
  notifications: number;
  deliveries: number;
}

interface PlannedDelivery {
  conversationId: string;
  matched: string;
}

/** Rows per INSERT: well under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters. */
const INSERT_CHUNK = 500;

/**
 * Turns the oldest un-fanned notifications (id order) into deliveries: one per enabled conversation
 * whose subscriptions match, whatever the number that match. Exactly once across instances: the
 * notification rows are locked (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: the write transaction),
 * re-checked un-fanned, and the (notification, conversation) key is unique. An instance that finds an
 * older notification locked by another leaves the batch to it, so that fan-out stays in id order.
 * alreadyShown is asked before the transaction, since it may read the database itself.
 */
export async function fanOut(db: Kysely<Schema>, request: FanOutRequest): Promise<FanOutResult> {
  const limit = request.limit ?? 100;
  const waiting = await db.selectFrom('notifications').selectAll().where('fanned_out_at', 'is', null).orderBy('id').limit(limit).execute();
  if (waiting.length === 0) return { notifications: 0, deliveries: 0 };

  const subscriptions = await db
    .selectFrom('subscriptions')
    .innerJoin('conversations', 'conversations.conversation_id', 'subscriptions.conversation_id')
    .select(['subscriptions.conversation_id', 'subscriptions.topic', 'subscriptions.package_filter'])
    .where('conversations.enabled', '=', 1)
    .orderBy('subscriptions.conversation_id')
    .orderBy('subscriptions.topic')
    .orderBy('subscriptions.package_filter')
    .execute();
  const byConversation = new Map<string, SubscriptionKey[]>();
  for (const row of subscriptions) {
    if (!isTopic(row.topic)) continue;
    const keys = byConversation.get(row.conversation_id) ?? [];
    keys.push({ topic: row.topic, packageFilter: row.package_filter });
    byConversation.set(row.conversation_id, keys);
  }

  const shownCache = new Map<string, Promise<boolean>>();
  const shown = (subject: string, conversationId: string): Promise<boolean> => {
    const key = JSON.stringify([subject, conversationId]);
    let answer = shownCache.get(key);
    if (!answer) {
      answer = request.alreadyShown ? request.alreadyShown(subject, conversationId) : Promise.resolve(false);
      shownCache.set(key, answer);
    }
    return answer;
  };

  const plans = new Map<number, PlannedDelivery[]>();
  for (const row of waiting) {
    await yieldToEventLoop();
    const notification = rowToNotification(row);
    const planned: PlannedDelivery[] = [];
    // An unreadable notification is fanned out to nobody rather than blocking every later one.
    if (notification !== undefined) {
      for (const [conversationId, keys] of byConversation) {
        const matched = matchingSubscriptions(keys, notification);
        if (matched.length === 0) continue;
        if (notification.subject !== undefined && (await shown(notification.subject, conversationId))) continue;
        planned.push({ conversationId, matched: JSON.stringify(matched.map((key) => [key.topic, key.packageFilter])) });
      }
    }
    plans.set(Number(row.id), planned);
  }

  return withTransaction(db, async (tx) => {
    const ids = [...plans.keys()];
    let locking = tx.selectFrom('notifications').select('id').where('id', 'in', ids).where('fanned_out_at', 'is', null).orderBy('id');
    if (dialectOf(tx) === 'postgres') locking = locking.forUpdate().skipLocked();
    const locked = (await locking.execute()).map((row) => Number(row.id));
    if (locked.length === 0) return { notifications: 0, deliveries: 0 };
    const older = await tx.selectFrom('notifications').select('id').where('fanned_out_at', 'is', null).where('id', '<', locked[0]).limit(1).executeTakeFirst();
    if (older !== undefined) return { notifications: 0, deliveries: 0 };
    // Only a run without gaps: a skipped (locked) row in between belongs to another instance, and what follows it waits.
    const run: number[] = [];
    for (const id of ids) {
      if (id !== locked[run.length]) break;
      run.push(id);
    }

    const at = iso(request.now);
    const rows = run.flatMap((notificationId) =>
      (plans.get(notificationId) ?? []).map((plan) => ({
        notification_id: notificationId,
        conversation_id: plan.conversationId,
        state: 'pending',
        progress: null,
        matched: plan.matched,
        attempts: 0,
        next_attempt_at: at,
        claimed_by: null,
        claim_expires_at: null,
        last_error: null,
        activity_id: null,
        created_at: at,
        finished_at: null,
      })),
    );
    for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
      if (start > 0) await yieldToEventLoop();
      await tx
        .insertInto('deliveries')
        .values(rows.slice(start, start + INSERT_CHUNK))
        .onConflict((oc) => oc.columns(['notification_id', 'conversation_id']).doNothing())
        .execute();
    }
    if (run.length > 0) await tx.updateTable('notifications').set({ fanned_out_at: at }).where('id', 'in', run).execute();
    return { notifications: run.length, deliveries: rows.length };
  });
}

/**
 * Lets timers and I/O run between the pieces of a large fan-out: better-sqlite3 runs each statement
 * synchronously and an await of a settled promise does not leave the microtask queue, so without this
 * a thousand-conversation fan-out would hold the chat turns of the same process for its whole length.
 */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

// ─── claims ──────────────────────────────────────────────────────────────────────────────────────

export interface ClaimRequest {
  claimedBy: string;
  now: Date;
  leaseMs: number;
  limit: number;
}

/**
 * Claims up to `limit` due deliveries, each the first unfinished one of its conversation (no pending or
 * sending delivery of an older notification there), oldest due first, and marks them 'sending' for
 * claimedBy until now + leaseMs. PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED, then UPDATE those ids, in one
 * transaction, so that concurrent claimers take disjoint rows; SQLite: the same inside the write transaction.
 */
export async function claimDue(db: Kysely<Schema>, request: ClaimRequest): Promise<Delivery[]> {
  if (request.limit <= 0) return [];
  const now = iso(request.now);
  const expiresAt = iso(new Date(request.now.getTime() + request.leaseMs));
  return withTransaction(db, async (tx) => {
    let due = tx
      .selectFrom('deliveries as d')
      .select('d.id')
      .where('d.state', '=', 'pending')
      .where('d.next_attempt_at', '<=', now)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('deliveries as e')
              .select('e.id')
              .whereRef('e.conversation_id', '=', 'd.conversation_id')
              .where('e.state', 'in', ['pending', 'sending'])
              .whereRef('e.notification_id', '<', 'd.notification_id'),
          ),
        ),
      )
      // next_attempt_at alone: the (state, next_attempt_at) index then yields rows in order and the LIMIT stops the scan.
      .orderBy('d.next_attempt_at')
      .limit(request.limit);
    if (dialectOf(tx) === 'postgres') due = due.forUpdate().skipLocked();
    // The ids are read first, then updated: as a sub-select of the UPDATE, PostgreSQL may evaluate it more than
    // once, and with SKIP LOCKED each pass yields other rows, so far more than `limit` were claimed.
    const ids = (await due.execute()).map((row) => row.id);
    if (ids.length === 0) return [];
    const rows = await tx
      .updateTable('deliveries')
      .set({ state: 'sending', claimed_by: request.claimedBy, claim_expires_at: expiresAt })
      .where('id', 'in', ids)
      .where('state', '=', 'pending')
      .returningAll()
      .execute();
    return rows.map(rowToDelivery).sort((a, b) => a.notificationId - b.notificationId || a.id - b.id);
  });
}

/** Gives the 'sending' deliveries whose lease ran out (their instance died or hung) back to the queue; returns how many. */
export async function takeOverExpiredClaims(db: Kysely<Schema>, now: Date): Promise<number> {
  const result = await db
    .updateTable('deliveries')
    .set({ state: 'pending', claimed_by: null, claim_expires_at: null })
    .where('state', '=', 'sending')
    .where('claim_expires_at', '<', iso(now))
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

// ─── what a claim needs ──────────────────────────────────────────────────────────────────────────

/** The conversations of the given ids (one query); an unreadable row maps to undefined. */
export async function loadConversations(db: Kysely<Schema>, conversationIds: readonly string[]): Promise<Map<string, ConversationRecord | undefined>> {
  const found = new Map<string, ConversationRecord | undefined>();
  const unique = [...new Set(conversationIds)];
  if (unique.length === 0) return found;
  const rows = await db.selectFrom('conversations').selectAll().where('conversation_id', 'in', unique).execute();
  for (const row of rows) found.set(row.conversation_id, rowToConversation(row));
  return found;
}

/** The notifications of the given ids (one query); an unreadable row maps to undefined. */
export async function loadNotifications(db: Kysely<Schema>, ids: readonly number[]): Promise<Map<number, NotificationRecord | undefined>> {
  const found = new Map<number, NotificationRecord | undefined>();
  const unique = [...new Set(ids)];
  if (unique.length === 0) return found;
  const rows: Selectable<NotificationsTable>[] = await db.selectFrom('notifications').selectAll().where('id', 'in', unique).execute();
  for (const row of rows) found.set(Number(row.id), rowToNotification(row));
  return found;
}

export async function getStatusCard(db: Kysely<Schema>, subject: string, conversationId: string): Promise<string | undefined> {
  const row = await db.selectFrom('status_cards').select('activity_id').where('subject', '=', subject).where('conversation_id', '=', conversationId).executeTakeFirst();
  return row?.activity_id;
}

/** The card was deleted in Teams: the subject's next notification posts a new one. */
export async function forgetStatusCard(db: Kysely<Schema>, subject: string, conversationId: string): Promise<void> {
  await db.deleteFrom('status_cards').where('subject', '=', subject).where('conversation_id', '=', conversationId).execute();
}

async function saveStatusCard(db: Kysely<Schema>, subject: string, conversationId: string, activityId: string, now: Date): Promise<void> {
  const at = iso(now);
  await db
    .insertInto('status_cards')
    .values({ subject, conversation_id: conversationId, activity_id: activityId, posted_at: at, updated_at: at })
    .onConflict((oc) =>
      oc.columns(['subject', 'conversation_id']).doUpdateSet((eb) => ({
        activity_id: eb.ref('excluded.activity_id'),
        updated_at: eb.ref('excluded.updated_at'),
        // A card updated in place keeps the day it was posted; a new card starts anew.
        posted_at: sql<string>`case when status_cards.activity_id = excluded.activity_id then status_cards.posted_at else excluded.posted_at end`,
      })),
    )
    .execute();
}

// ─── ending a claim ──────────────────────────────────────────────────────────────────────────────

function fenced(db: Kysely<Schema>, fence: ClaimFence) {
  return db
    .updateTable('deliveries')
    .where('id', '=', fence.deliveryId)
    .where('state', '=', 'sending')
    .where('claimed_by', '=', fence.claimedBy)
    .where('claim_expires_at', '=', iso(fence.claimExpiresAt));
}

async function touchSubscriptions(db: Kysely<Schema>, conversationId: string, matched: readonly SubscriptionKey[], set: { last_delivered_at: string } | { last_failure_at: string; last_failure_reason: string }): Promise<void> {
  if (matched.length === 0) return;
  await db
    .updateTable('subscriptions')
    .set(set)
    .where('conversation_id', '=', conversationId)
    .where((eb) => eb.or(matched.map((key) => eb.and([eb('topic', '=', key.topic), eb('package_filter', '=', key.packageFilter)]))))
    .execute();
}

export interface Delivered {
  now: Date;
  conversationId: string;
  matched: readonly SubscriptionKey[];
  /** The message posted or updated (the card's, when a thread reply followed it). */
  activityId?: string;
  /** The subject whose status card is that message. */
  subject?: string;
  /** False when nothing was sent (nothing left to show): the subscriptions' "last delivered" stays. */
  sent?: boolean;
  note?: string;
}

/** Marks the claimed delivery delivered; false (and nothing written) when the claim is no longer ours. */
export async function recordDelivered(db: Kysely<Schema>, fence: ClaimFence, delivered: Delivered): Promise<boolean> {
  return withTransaction(db, async (tx) => {
    const result = await fenced(tx, fence)
      .set({ state: 'delivered', finished_at: iso(delivered.now), claimed_by: null, claim_expires_at: null, activity_id: delivered.activityId ?? null, last_error: delivered.note ?? null })
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return false;
    if (delivered.subject !== undefined && delivered.activityId !== undefined) await saveStatusCard(tx, delivered.subject, delivered.conversationId, delivered.activityId, delivered.now);
    if (delivered.sent !== false) await touchSubscriptions(tx, delivered.conversationId, delivered.matched, { last_delivered_at: iso(delivered.now) });
    return true;
  });
}

/**
 * The card is out; the thread reply is still to go. Kept 'sending' under the same claim, with progress
 * 'card_sent', so that a retry after a failure sends only the reply.
 */
export async function recordCardSent(db: Kysely<Schema>, fence: ClaimFence, sent: { now: Date; conversationId: string; activityId: string; subject?: string }): Promise<boolean> {
  return withTransaction(db, async (tx) => {
    const result = await fenced(tx, fence).set({ progress: 'card_sent', activity_id: sent.activityId }).executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return false;
    if (sent.subject !== undefined) await saveStatusCard(tx, sent.subject, sent.conversationId, sent.activityId, sent.now);
    return true;
  });
}

/** Back to the queue until nextAttemptAt; `failed` counts the try (a send that failed), otherwise it only waited its turn. */
export async function recordRetry(db: Kysely<Schema>, fence: ClaimFence, retry: { nextAttemptAt: Date; error?: string; failed: boolean }): Promise<boolean> {
  const result = await fenced(db, fence)
    .set((eb) => ({
      state: 'pending',
      next_attempt_at: iso(retry.nextAttemptAt),
      claimed_by: null,
      claim_expires_at: null,
      ...(retry.failed ? { attempts: eb('attempts', '+', 1), last_error: retry.error ?? null } : {}),
    }))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Gives the delivery up and says why on the subscriptions it answers. */
export async function recordFailed(db: Kysely<Schema>, fence: ClaimFence, failure: { now: Date; conversationId: string; matched: readonly SubscriptionKey[]; reason: string; counted?: boolean }): Promise<boolean> {
  return withTransaction(db, async (tx) => {
    const result = await fenced(tx, fence)
      .set((eb) => ({
        state: 'failed',
        finished_at: iso(failure.now),
        claimed_by: null,
        claim_expires_at: null,
        last_error: failure.reason,
        ...(failure.counted === false ? {} : { attempts: eb('attempts', '+', 1) }),
      }))
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return false;
    await touchSubscriptions(tx, failure.conversationId, failure.matched, { last_failure_at: iso(failure.now), last_failure_reason: failure.reason });
    return true;
  });
}

/**
 * The conversation cannot be reached (403, 404 ConversationNotFound, or it was disabled meanwhile):
 * disables it with the reason, stops its pending and sending deliveries, and says why on all its
 * subscriptions. Returns how many deliveries stopped.
 */
export async function stopConversation(db: Kysely<Schema>, stop: { conversationId: string; reason: string; now: Date }): Promise<number> {
  return withTransaction(db, async (tx) => {
    await disableConversation(tx, stop.conversationId, stop.reason, stop.now);
    const at = iso(stop.now);
    const result = await tx
      .updateTable('deliveries')
      .set({ state: 'stopped', finished_at: at, claimed_by: null, claim_expires_at: null, last_error: stop.reason })
      .where('conversation_id', '=', stop.conversationId)
      .where('state', 'in', ['pending', 'sending'])
      .executeTakeFirst();
    await tx.updateTable('subscriptions').set({ last_failure_at: at, last_failure_reason: stop.reason }).where('conversation_id', '=', stop.conversationId).execute();
    return Number(result.numUpdatedRows);
  });
}

// ─── reading and pruning ─────────────────────────────────────────────────────────────────────────

export async function getDelivery(db: Kysely<Schema>, id: number): Promise<Delivery | undefined> {
  const row = await db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? rowToDelivery(row) : undefined;
}

/** The deliveries of a notification, or of a conversation, in notification-id order (status, tests). */
export async function listDeliveries(db: Kysely<Schema>, which: { notificationId?: number; conversationId?: string }): Promise<Delivery[]> {
  let query = db.selectFrom('deliveries').selectAll().orderBy('notification_id').orderBy('id');
  if (which.notificationId !== undefined) query = query.where('notification_id', '=', which.notificationId);
  if (which.conversationId !== undefined) query = query.where('conversation_id', '=', which.conversationId);
  return (await query.execute()).map(rowToDelivery);
}

/** How long finished deliveries and notifications are kept by default: a fortnight. */
export const KEEP_FINISHED_MS = 14 * 24 * 3_600_000;

/**
 * Deletes deliveries that finished before olderThan, then notifications fanned out before olderThan
 * that have no delivery left (all finished and deleted, or none was ever made). Status cards stay:
 * a subject's card is updated in place however old.
 */
export async function pruneFinished(db: Kysely<Schema>, olderThan: Date): Promise<{ deliveries: number; notifications: number }> {
  const before = iso(olderThan);
  return withTransaction(db, async (tx) => {
    const deliveries = await tx.deleteFrom('deliveries').where('state', 'in', ['delivered', 'failed', 'stopped']).where('finished_at', '<', before).executeTakeFirst();
    const notifications = await tx
      .deleteFrom('notifications')
      .where('fanned_out_at', '<', before)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('deliveries').select('deliveries.id').whereRef('deliveries.notification_id', '=', 'notifications.id'))))
      .executeTakeFirst();
    return { deliveries: Number(deliveries.numDeletedRows), notifications: Number(notifications.numDeletedRows) };
  });
}
