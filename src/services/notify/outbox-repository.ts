/**
 * The outbox: producers insert a notification with the same transaction (`db` may be a Kysely
 * transaction) as the change that caused it, so that a committed change always has its notification
 * and a rolled-back one never does. The dispatcher reads it back in id order.
 */
import type { Kysely, Selectable } from 'kysely';
import type { NotificationsTable, Schema } from '../store/schema';
import { isNotificationKind, type NewNotification, type NotificationRecord } from './notification';

/** Inserts the notification; with a dedupe key already stored, nothing is inserted and undefined returned. */
export async function enqueueNotification(db: Kysely<Schema>, notification: NewNotification): Promise<number | undefined> {
  const row = await db
    .insertInto('notifications')
    .values({
      kind: notification.kind,
      subject: notification.subject ?? null,
      package_id: notification.packageId ?? null,
      package_name: notification.packageName ?? null,
      payload: JSON.stringify({ ...notification.payload, ...(notification.packageWords ? { packageWords: notification.packageWords } : {}) }),
      dedupe_key: notification.dedupeKey ?? null,
      created_at: notification.createdAt.toISOString(),
      fanned_out_at: null,
    })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

/** A stored row as the domain sees it; a row whose kind or payload cannot be read comes back undefined. */
export function rowToNotification(row: Selectable<NotificationsTable>): NotificationRecord | undefined {
  if (!isNotificationKind(row.kind)) return undefined;
  let payload: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(row.payload);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    payload = parsed as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const { packageWords, ...rest } = payload;
  return {
    id: row.id,
    kind: row.kind,
    subject: row.subject ?? undefined,
    packageId: row.package_id ?? undefined,
    packageName: row.package_name ?? undefined,
    packageWords: typeof packageWords === 'string' ? packageWords : undefined,
    payload: rest,
    createdAt: new Date(row.created_at),
  };
}

export async function getNotification(db: Kysely<Schema>, id: number): Promise<NotificationRecord | undefined> {
  const row = await db.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? rowToNotification(row) : undefined;
}
