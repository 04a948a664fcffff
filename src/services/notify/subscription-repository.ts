/**
 * Subscriptions: what each conversation asked to hear. A subscription is its conversation, topic and
 * package filter; saying the same again changes nothing. The dispatcher sets "last delivered" and
 * "last failure" on the subscriptions a delivery answered, so that `subscriptions` can say when each
 * was last heard from and why it last failed.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Schema, SubscriptionsTable } from '../store/schema';
import { isTopic, type SubscriptionKey, type Topic } from './notification';

export interface Subscription extends SubscriptionKey {
  conversationId: string;
  createdAt: Date;
  createdBy: string | null;
  lastDeliveredAt: Date | null;
  lastFailureAt: Date | null;
  lastFailureReason: string | null;
}

/** Stored filters are trimmed and lower-cased, so "24H2" and " 24h2" are one subscription. */
export function normalizeFilter(packageFilter: string): string {
  return packageFilter.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Adds the subscription; false when the conversation already had it. */
export async function addSubscription(db: Kysely<Schema>, conversationId: string, key: SubscriptionKey, by: string | null, at: Date): Promise<boolean> {
  const row = await db
    .insertInto('subscriptions')
    .values({
      conversation_id: conversationId,
      topic: key.topic,
      package_filter: normalizeFilter(key.packageFilter),
      created_at: at.toISOString(),
      created_by: by,
      last_delivered_at: null,
      last_failure_at: null,
      last_failure_reason: null,
    })
    .onConflict((oc) => oc.columns(['conversation_id', 'topic', 'package_filter']).doNothing())
    .returning('topic')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Removes subscriptions of the conversation: the one named, or with no topic every one of them (and with
 * only a filter, every topic with that filter). Returns those removed: none means there was nothing to remove.
 */
export async function removeSubscriptions(db: Kysely<Schema>, conversationId: string, which: { topic?: Topic; packageFilter?: string }): Promise<Subscription[]> {
  let query = db.deleteFrom('subscriptions').where('conversation_id', '=', conversationId);
  if (which.topic !== undefined) query = query.where('topic', '=', which.topic);
  if (which.packageFilter !== undefined) query = query.where('package_filter', '=', normalizeFilter(which.packageFilter));
  const rows = await query.returningAll().execute();
  return rows.map(rowToSubscription).filter((s): s is Subscription => s !== undefined);
}

export async function listSubscriptions(db: Kysely<Schema>, conversationId: string): Promise<Subscription[]> {
  const rows = await db.selectFrom('subscriptions').selectAll().where('conversation_id', '=', conversationId).orderBy('created_at').orderBy('topic').orderBy('package_filter').execute();
  return rows.map(rowToSubscription).filter((s): s is Subscription => s !== undefined);
}

export function rowToSubscription(row: Selectable<SubscriptionsTable>): Subscription | undefined {
  if (!isTopic(row.topic)) return undefined;
  return {
    conversationId: row.conversation_id,
    topic: row.topic,
    packageFilter: row.package_filter,
    createdAt: new Date(row.created_at),
    createdBy: row.created_by,
    lastDeliveredAt: row.last_delivered_at ? new Date(row.last_delivered_at) : null,
    lastFailureAt: row.last_failure_at ? new Date(row.last_failure_at) : null,
    lastFailureReason: row.last_failure_reason,
  };
}
