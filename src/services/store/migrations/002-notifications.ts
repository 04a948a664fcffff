/**
 * Status notifications: what each conversation is (and whether it still receives), its subscriptions,
 * the outbox of notifications written in the same transaction as the change that caused them, one
 * delivery row per notification and conversation (its unique key is "at most once per conversation"),
 * the status card each subject has in each conversation, and the marks by which the freshness watch
 * remembers what it already told. Times use the "C" collation on PostgreSQL, as in 001.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import { dialectOf } from '../dialect';

export const notificationsMigration: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    const postgres = dialectOf(db) === 'postgres';
    const time = postgres ? sql`text collate "C"` : sql`text`;
    const serial = (c: any) => (postgres ? c.primaryKey() : c.primaryKey().autoIncrement());

    await db.schema.alterTable('conversations').addColumn('kind', 'text', (c) => c.notNull().defaultTo('unknown')).execute();
    await db.schema.alterTable('conversations').addColumn('name', 'text').execute();
    await db.schema.alterTable('conversations').addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1)).execute();
    await db.schema.alterTable('conversations').addColumn('disabled_reason', 'text').execute();
    await db.schema.alterTable('conversations').addColumn('disabled_at', time).execute();

    await db.schema
      .createTable('subscriptions')
      .addColumn('conversation_id', 'text', (c) => c.notNull())
      .addColumn('topic', 'text', (c) => c.notNull())
      .addColumn('package_filter', 'text', (c) => c.notNull())
      .addColumn('created_at', time, (c) => c.notNull())
      .addColumn('created_by', 'text')
      .addColumn('last_delivered_at', time)
      .addColumn('last_failure_at', time)
      .addColumn('last_failure_reason', 'text')
      .addPrimaryKeyConstraint('subscriptions_pk', ['conversation_id', 'topic', 'package_filter'])
      .execute();

    await db.schema
      .createTable('notifications')
      .addColumn('id', postgres ? 'serial' : 'integer', serial)
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('subject', 'text')
      .addColumn('package_id', 'text')
      .addColumn('package_name', 'text')
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('dedupe_key', 'text', (c) => c.unique())
      .addColumn('created_at', time, (c) => c.notNull())
      .addColumn('fanned_out_at', time)
      .execute();
    await db.schema.createIndex('notifications_fanned_out_at').on('notifications').columns(['fanned_out_at', 'id']).execute();

    await db.schema
      .createTable('deliveries')
      .addColumn('id', postgres ? 'serial' : 'integer', serial)
      .addColumn('notification_id', 'integer', (c) => c.notNull().references('notifications.id').onDelete('cascade'))
      .addColumn('conversation_id', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('progress', 'text')
      .addColumn('matched', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', time, (c) => c.notNull())
      .addColumn('claimed_by', 'text')
      .addColumn('claim_expires_at', time)
      .addColumn('last_error', 'text')
      .addColumn('activity_id', 'text')
      .addColumn('created_at', time, (c) => c.notNull())
      .addColumn('finished_at', time)
      .addUniqueConstraint('deliveries_once_per_conversation', ['notification_id', 'conversation_id'])
      .execute();
    await db.schema.createIndex('deliveries_conversation_state').on('deliveries').columns(['conversation_id', 'state', 'notification_id']).execute();
    await db.schema.createIndex('deliveries_state_next_attempt').on('deliveries').columns(['state', 'next_attempt_at']).execute();

    await db.schema
      .createTable('status_cards')
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('conversation_id', 'text', (c) => c.notNull())
      .addColumn('activity_id', 'text', (c) => c.notNull())
      .addColumn('posted_at', time, (c) => c.notNull())
      .addColumn('updated_at', time, (c) => c.notNull())
      .addPrimaryKeyConstraint('status_cards_pk', ['subject', 'conversation_id'])
      .execute();

    await db.schema
      .createTable('notify_marks')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('seen_at', time, (c) => c.notNull())
      .execute();
  },

  async down(db: Kysely<any>): Promise<void> {
    for (const table of ['notify_marks', 'status_cards', 'deliveries', 'notifications', 'subscriptions']) {
      await db.schema.dropTable(table).ifExists().execute();
    }
    for (const column of ['disabled_at', 'disabled_reason', 'enabled', 'name', 'kind']) {
      await db.schema.alterTable('conversations').dropColumn(column).execute();
    }
  },
};
