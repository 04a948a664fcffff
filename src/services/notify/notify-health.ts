/**
 * What `status` and /healthz say about notifications: how many wait, since when, and which
 * conversations stopped receiving (and why). Silence must be visible: a conversation that stopped is
 * named here rather than just receiving nothing.
 */
import type { Kysely } from 'kysely';
import type { Schema } from '../store/schema';
import { countStoppedConversations, listStoppedConversations, type ConversationRecord } from './conversation-repository';

export interface NotifyHealth {
  /** Notifications not yet fanned out plus deliveries not yet made (pending or being sent). */
  outboxDepth: number;
  /** When the oldest of them was created; null when nothing waits. */
  oldestUndeliveredAt: Date | null;
  stoppedConversations: number;
  /** The most recently stopped, at most `limit`. */
  stopped: ConversationRecord[];
}

export async function readNotifyHealth(db: Kysely<Schema>, limit = 10): Promise<NotifyHealth> {
  const waitingEvents = await db
    .selectFrom('notifications')
    .select((eb) => [eb.fn.countAll<string | number>().as('count'), eb.fn.min('created_at').as('oldest')])
    .where('fanned_out_at', 'is', null)
    .executeTakeFirstOrThrow();
  const waitingDeliveries = await db
    .selectFrom('deliveries')
    .innerJoin('notifications', 'notifications.id', 'deliveries.notification_id')
    .select((eb) => [eb.fn.countAll<string | number>().as('count'), eb.fn.min('notifications.created_at').as('oldest')])
    .where('deliveries.state', 'in', ['pending', 'sending'])
    .executeTakeFirstOrThrow();
  const oldest = [waitingEvents.oldest, waitingDeliveries.oldest].filter((value): value is string => typeof value === 'string').sort()[0];
  return {
    outboxDepth: Number(waitingEvents.count) + Number(waitingDeliveries.count),
    oldestUndeliveredAt: oldest ? new Date(oldest) : null,
    stoppedConversations: await countStoppedConversations(db),
    // /healthz asks for numbers only: no list, no query for it.
    stopped: limit > 0 ? await listStoppedConversations(db, limit) : [],
  };
}
