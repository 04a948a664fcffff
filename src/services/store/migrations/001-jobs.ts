/**
 * The first schema: refresh jobs, their steps, audit events, approvals, leases and posted cards, plus
 * the conversation references, settings and webhook receipts they lean on. Shapes follow
 * ../schema.ts. Why per-dialect details: PostgreSQL text sorts by collation, so time columns use the
 * "C" collation to keep ISO-8601 text in time order whatever the database's locale; an event id is
 * `serial` there (a JS number, unlike bigint) and `integer primary key autoincrement` in SQLite.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import { dialectOf } from '../dialect';

/** The states in which a job holds its package (ACTIVE_STATES in jobs/job.ts), frozen here as the index was built. */
const ACTIVE_STATES_SQL = sql`state in ('awaiting_approval', 'approved', 'running')`;

export const jobsMigration: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    const postgres = dialectOf(db) === 'postgres';
    const time = postgres ? sql`text collate "C"` : sql`text`;

    await db.schema
      .createTable('jobs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('package_id', 'text', (c) => c.notNull())
      .addColumn('package_name', 'text', (c) => c.notNull())
      .addColumn('package_kind', 'text', (c) => c.notNull())
      .addColumn('requester_id', 'text', (c) => c.notNull())
      .addColumn('requester_name', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('stages', 'text', (c) => c.notNull())
      .addColumn('options', 'text', (c) => c.notNull())
      .addColumn('from_source_version', 'integer', (c) => c.notNull())
      .addColumn('from_build', 'text')
      .addColumn('latest_build', 'text')
      .addColumn('new_build', 'text')
      .addColumn('new_source_version', 'integer')
      .addColumn('stage', 'text')
      .addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('outcome', 'text')
      .addColumn('created_at', time, (c) => c.notNull())
      .addColumn('updated_at', time, (c) => c.notNull())
      .addColumn('expires_at', time, (c) => c.notNull())
      .addColumn('finished_at', time)
      .addColumn('reminded_at', time)
      .addColumn('version', 'integer', (c) => c.notNull())
      .execute();
    // One active job per package, enforced by the database so that two instances racing cannot both win.
    await sql`create unique index jobs_one_active_per_package on jobs (package_id) where ${ACTIVE_STATES_SQL}`.execute(db);
    await db.schema.createIndex('jobs_state').on('jobs').column('state').execute();
    await db.schema.createIndex('jobs_created_at').on('jobs').column('created_at').execute();
    await db.schema.createIndex('jobs_package_created_at').on('jobs').columns(['package_id', 'created_at']).execute();

    await db.schema
      .createTable('job_steps')
      .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
      .addColumn('stage', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('intent', 'text')
      .addColumn('result', 'text')
      .addColumn('message', 'text')
      .addColumn('started_at', time)
      .addColumn('finished_at', time)
      .addPrimaryKeyConstraint('job_steps_pk', ['job_id', 'stage'])
      .execute();

    await db.schema
      .createTable('job_events')
      .addColumn('id', postgres ? 'serial' : 'integer', (c) => (postgres ? c.primaryKey() : c.primaryKey().autoIncrement()))
      .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
      .addColumn('at', time, (c) => c.notNull())
      .addColumn('actor_id', 'text')
      .addColumn('actor_name', 'text')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('message', 'text', (c) => c.notNull())
      .addColumn('detail', 'text')
      .execute();
    await db.schema.createIndex('job_events_job_id_id').on('job_events').columns(['job_id', 'id']).execute();

    await db.schema
      .createTable('approvals')
      .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
      .addColumn('approver_id', 'text', (c) => c.notNull())
      .addColumn('approver_name', 'text', (c) => c.notNull())
      .addColumn('verdict', 'text', (c) => c.notNull())
      .addColumn('comment', 'text', (c) => c.notNull())
      .addColumn('at', time, (c) => c.notNull())
      .addPrimaryKeyConstraint('approvals_pk', ['job_id', 'approver_id'])
      .execute();

    await db.schema
      .createTable('job_leases')
      .addColumn('job_id', 'text', (c) => c.primaryKey().references('jobs.id').onDelete('cascade'))
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('fence', 'integer', (c) => c.notNull())
      .addColumn('expires_at', time, (c) => c.notNull())
      .addColumn('heartbeat_at', time, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('job_messages')
      .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('conversation_id', 'text', (c) => c.notNull())
      .addColumn('activity_id', 'text', (c) => c.notNull())
      .addColumn('reference', 'text', (c) => c.notNull())
      .addColumn('posted_at', time, (c) => c.notNull())
      .addPrimaryKeyConstraint('job_messages_pk', ['job_id', 'role', 'conversation_id'])
      .execute();

    await db.schema
      .createTable('conversations')
      .addColumn('conversation_id', 'text', (c) => c.primaryKey())
      .addColumn('reference', 'text', (c) => c.notNull())
      .addColumn('updated_at', time, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('settings')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('updated_at', time, (c) => c.notNull())
      .addColumn('updated_by', 'text')
      .execute();

    // No foreign key to jobs: a receipt is recorded before (and whether or not) the callback's job is found.
    await db.schema
      .createTable('webhook_receipts')
      .addColumn('signature', 'text', (c) => c.primaryKey())
      .addColumn('job_id', 'text', (c) => c.notNull())
      .addColumn('received_at', time, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('webhook_receipts_received_at').on('webhook_receipts').column('received_at').execute();
  },

  async down(db: Kysely<any>): Promise<void> {
    for (const table of ['webhook_receipts', 'settings', 'conversations', 'job_messages', 'job_leases', 'approvals', 'job_events', 'job_steps', 'jobs']) {
      await db.schema.dropTable(table).ifExists().execute();
    }
  },
};
