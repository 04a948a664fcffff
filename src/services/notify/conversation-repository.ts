/**
 * The conversations the bot can reach: the latest reference of each (saved on every turn and on
 * install, since Teams may move a conversation to another service URL) and whether it still receives.
 * A conversation is disabled when the bot is removed or Teams refuses for good, and enabled again
 * when the bot is back (any turn from it, or its re-install).
 */
import type { Kysely, Selectable } from 'kysely';
import type { ConversationsTable, Schema } from '../store/schema';

export type ConversationKind = 'personal' | 'groupChat' | 'channel' | 'unknown';

export interface ConversationRecord {
  conversationId: string;
  reference: Record<string, unknown>;
  kind: ConversationKind;
  name: string | null;
  enabled: boolean;
  disabledReason: string | null;
  disabledAt: Date | null;
  updatedAt: Date;
}

export interface ConversationSeen {
  conversationId: string;
  reference: Record<string, unknown>;
  kind: ConversationKind;
  name?: string;
  at: Date;
}

const KINDS: readonly ConversationKind[] = ['personal', 'groupChat', 'channel', 'unknown'];

/** Saves the latest reference and enables the conversation: the bot is evidently in it. */
export async function saveConversation(db: Kysely<Schema>, seen: ConversationSeen): Promise<void> {
  const row = {
    conversation_id: seen.conversationId,
    reference: JSON.stringify(seen.reference),
    updated_at: seen.at.toISOString(),
    kind: seen.kind,
    name: seen.name ?? null,
    enabled: 1,
    disabled_reason: null,
    disabled_at: null,
  };
  await db
    .insertInto('conversations')
    .values(row)
    .onConflict((oc) =>
      oc.column('conversation_id').doUpdateSet({
        reference: row.reference,
        updated_at: row.updated_at,
        // A turn without a kind (an old client) keeps what an earlier turn said.
        ...(seen.kind !== 'unknown' ? { kind: row.kind } : {}),
        ...(seen.name !== undefined ? { name: row.name } : {}),
        enabled: 1,
        disabled_reason: null,
        disabled_at: null,
      }),
    )
    .execute();
}

/** Stops deliveries to the conversation until the bot is back; returns whether it was enabled. */
export async function disableConversation(db: Kysely<Schema>, conversationId: string, reason: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('conversations')
    .set({ enabled: 0, disabled_reason: reason, disabled_at: at.toISOString() })
    .where('conversation_id', '=', conversationId)
    .where('enabled', '=', 1)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function getConversation(db: Kysely<Schema>, conversationId: string): Promise<ConversationRecord | undefined> {
  const row = await db.selectFrom('conversations').selectAll().where('conversation_id', '=', conversationId).executeTakeFirst();
  return row ? rowToConversation(row) : undefined;
}

/** Conversations that stopped receiving, most recent first. */
export async function listStoppedConversations(db: Kysely<Schema>, limit = 50): Promise<ConversationRecord[]> {
  const rows = await db.selectFrom('conversations').selectAll().where('enabled', '=', 0).orderBy('disabled_at', 'desc').limit(limit).execute();
  return rows.map(rowToConversation).filter((record): record is ConversationRecord => record !== undefined);
}

export async function countStoppedConversations(db: Kysely<Schema>): Promise<number> {
  const row = await db.selectFrom('conversations').select((eb) => eb.fn.countAll<string | number>().as('count')).where('enabled', '=', 0).executeTakeFirstOrThrow();
  return Number(row.count);
}

/** A row whose reference is not a JSON object comes back undefined (nothing can be delivered to it). */
export function rowToConversation(row: Selectable<ConversationsTable>): ConversationRecord | undefined {
  let reference: unknown;
  try {
    reference = JSON.parse(row.reference);
  } catch {
    return undefined;
  }
  if (typeof reference !== 'object' || reference === null || Array.isArray(reference)) return undefined;
  return {
    conversationId: row.conversation_id,
    reference: reference as Record<string, unknown>,
    kind: (KINDS as readonly string[]).includes(row.kind) ? (row.kind as ConversationKind) : 'unknown',
    name: row.name,
    enabled: Number(row.enabled) === 1,
    disabledReason: row.disabled_reason,
    disabledAt: row.disabled_at ? new Date(row.disabled_at) : null,
    updatedAt: new Date(row.updated_at),
  };
}
