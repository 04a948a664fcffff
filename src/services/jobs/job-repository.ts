/**
 * Every read and write of refresh jobs, one function per operation, each taking the Kysely to use
 * first: the database, or a transaction (which is a Kysely too), so that the service composes
 * several operations into one transaction without the repository knowing.
 *
 * Why these shapes: concurrency is settled by the database, not by checks in JS. One active job per
 * package is a unique partial index; a job row changes only from the version its writer read; a
 * lease is taken with a conditional upsert and carries a fence that grows with every claim, and a
 * runner checks its fence inside the transaction of each result write. The same statements serve
 * SQLite (one writer; every transaction begins IMMEDIATE) and PostgreSQL (row locks, SKIP LOCKED).
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import { CorruptRecord, type CorruptRecordSink } from '../store/corrupt-record';
import { dialectOf } from '../store/dialect';
import { enqueueNotification } from '../notify/outbox-repository';
import type { NotificationKind } from '../notify/notification';
import type { JobsTable, Schema } from '../store/schema';
import { ACTIVE_STATES, STAGE_ORDER, type Approval, type Job, type JobEvent, type JobEventKind, type JobState, type JobStep } from './job';
import {
  approvalToRow,
  eventToRow,
  jobToRow,
  messageToRow,
  readDate,
  readJsonObject,
  readJsonValue,
  rowToApproval,
  rowToEvent,
  rowToJob,
  rowToMessage,
  rowToStep,
  stepToRow,
  type JobMessage,
} from './job-rows';

export type { JobMessage, JobMessageRole } from './job-rows';

/** Another job already has this id: the service draws another id and tries again. */
export class DuplicateJobId extends Error {
  constructor(readonly jobId: string) {
    super(`A job with id ${jobId} already exists`);
    this.name = 'DuplicateJobId';
  }
}

/** States in which a job is the runner's to drive. */
const RUNNABLE_STATES: readonly JobState[] = ['approved', 'running'];
/** The most rows one listing returns, whatever the caller asks. */
const MAX_LIST = 1000;
/** A released lease keeps its row (and fence) with an expiry in the past, so that fences only grow. */
const RELEASED_AT = new Date(0).toISOString();
/** How often insertJob tries again when the job that blocked it finished before it could be read. */
const INSERT_ATTEMPTS = 5;

const iso = (date: Date): string => date.toISOString();

import { withTransaction } from '../store/transaction';

export { withTransaction };

// ─── jobs ────────────────────────────────────────────────────────────────────────────────────────

/**
 * Inserts a new job unless its package already has an active one, which is then returned. Settled by
 * the unique partial index with ON CONFLICT DO NOTHING (no error, so a surrounding PostgreSQL
 * transaction stays usable); which constraint held the row back is then read, not parsed from an
 * error message. Throws DuplicateJobId when the id is taken.
 */
export async function insertJob(db: Kysely<Schema>, job: Job): Promise<{ inserted: true } | { inserted: false; active: Job }> {
  for (let attempt = 0; attempt < INSERT_ATTEMPTS; attempt++) {
    const row = await db.insertInto('jobs').values(jobToRow(job)).onConflict((oc) => oc.doNothing()).returning('id').executeTakeFirst();
    if (row !== undefined) return { inserted: true };
    const sameId = await db.selectFrom('jobs').select('id').where('id', '=', job.id).executeTakeFirst();
    if (sameId !== undefined) throw new DuplicateJobId(job.id);
    const active = await findActiveJob(db, job.packageId);
    if (active !== undefined) return { inserted: false, active };
    // The blocking job finished between the insert and the read: the package is free again.
  }
  throw new Error(`Could not insert job ${job.id} for package ${job.packageId}: the package's active job kept changing`);
}

/** One job by id (case-insensitive). forUpdate locks the row until the transaction ends (PostgreSQL; SQLite's write transaction already excludes other writers). */
export async function getJob(db: Kysely<Schema>, id: string, options?: { forUpdate?: boolean }): Promise<Job | undefined> {
  let query = db.selectFrom('jobs').selectAll().where('id', '=', id.toUpperCase());
  if (options?.forUpdate && dialectOf(db) === 'postgres') query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row === undefined ? undefined : rowToJob(row);
}

/** The package's job in awaiting_approval, approved or running, if any (there is at most one). */
export async function findActiveJob(db: Kysely<Schema>, packageId: string): Promise<Job | undefined> {
  const row = await db.selectFrom('jobs').selectAll().where('package_id', '=', packageId).where('state', 'in', [...ACTIVE_STATES]).executeTakeFirst();
  return row === undefined ? undefined : rowToJob(row);
}

export interface ListJobsQuery {
  packageId?: string;
  states?: JobState[];
  /** At most this many (1–1000). */
  limit: number;
  /** Only jobs created strictly after this time. */
  createdAfter?: Date;
  /** Told about each corrupt row skipped; the listing goes on without it. */
  onCorrupt?: CorruptRecordSink;
}

/** Jobs newest first. */
export async function listJobs(db: Kysely<Schema>, query: ListJobsQuery): Promise<Job[]> {
  if (query.states !== undefined && query.states.length === 0) return [];
  let select = db.selectFrom('jobs').selectAll();
  if (query.packageId !== undefined) select = select.where('package_id', '=', query.packageId);
  if (query.states !== undefined) select = select.where('state', 'in', query.states);
  if (query.createdAfter !== undefined) select = select.where('created_at', '>', iso(query.createdAfter));
  const rows = await select.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(boundedLimit(query.limit)).execute();
  return mapRows(rows, rowToJob, query.onCorrupt);
}

/** Jobs awaiting approval whose approval time has run out, oldest deadline first. */
export async function listDueForExpiry(db: Kysely<Schema>, now: Date, onCorrupt?: CorruptRecordSink): Promise<Job[]> {
  const rows = await db
    .selectFrom('jobs')
    .selectAll()
    .where('state', '=', 'awaiting_approval')
    .where('expires_at', '<=', iso(now))
    .orderBy('expires_at')
    .limit(MAX_LIST)
    .execute();
  return mapRows(rows, rowToJob, onCorrupt);
}

/**
 * Jobs awaiting approval, not reminded yet, whose deadline is within remindBeforeMs of now (and not
 * past: those are for the expiry). Mark each with updateJob(…, { remindedAt }) so it is reminded once.
 */
export async function listDueForReminder(db: Kysely<Schema>, now: Date, remindBeforeMs: number, onCorrupt?: CorruptRecordSink): Promise<Job[]> {
  const rows = await db
    .selectFrom('jobs')
    .selectAll()
    .where('state', '=', 'awaiting_approval')
    .where('reminded_at', 'is', null)
    .where('expires_at', '<=', iso(new Date(now.getTime() + remindBeforeMs)))
    .where('expires_at', '>', iso(now))
    .orderBy('expires_at')
    .limit(MAX_LIST)
    .execute();
  return mapRows(rows, rowToJob, onCorrupt);
}

export type JobChanges = Partial<Pick<Job, 'state' | 'stage' | 'newBuild' | 'newSourceVersion' | 'cancelRequested' | 'outcome' | 'finishedAt'>> & {
  remindedAt?: Date;
};

/**
 * Applies changes if the job is still at expectedVersion, bumping its version and updated_at.
 * Returns the job as written, or undefined when another writer moved it first (or it does not exist):
 * read it again and decide anew.
 */
export async function updateJob(db: Kysely<Schema>, id: string, expectedVersion: number, changes: JobChanges, now: Date): Promise<Job | undefined> {
  const set: Partial<JobsTable> = { updated_at: iso(now) };
  if (changes.state !== undefined) set.state = changes.state;
  if (changes.stage !== undefined) set.stage = changes.stage;
  if (changes.newBuild !== undefined) set.new_build = changes.newBuild;
  if (changes.newSourceVersion !== undefined) set.new_source_version = changes.newSourceVersion;
  if (changes.cancelRequested !== undefined) set.cancel_requested = changes.cancelRequested ? 1 : 0;
  if (changes.outcome !== undefined) set.outcome = changes.outcome;
  if (changes.finishedAt !== undefined) set.finished_at = changes.finishedAt === null ? null : iso(changes.finishedAt);
  if (changes.remindedAt !== undefined) set.reminded_at = iso(changes.remindedAt);
  const row = await db
    .updateTable('jobs')
    .set({ ...set, version: sql<number>`version + 1` })
    .where('id', '=', id.toUpperCase())
    .where('version', '=', expectedVersion)
    .returningAll()
    .executeTakeFirst();
  return row === undefined ? undefined : rowToJob(row);
}

/**
 * Marks a waiting job as reminded, once: false when it was reminded already or is no longer waiting
 * (another sweep, of this instance or another one, got there first). Bumps the version like updateJob.
 */
export async function markReminded(db: Kysely<Schema>, id: string, now: Date): Promise<Job | undefined> {
  const row = await db
    .updateTable('jobs')
    .set({ reminded_at: iso(now), updated_at: iso(now), version: sql<number>`version + 1` })
    .where('id', '=', id.toUpperCase())
    .where('state', '=', 'awaiting_approval')
    .where('reminded_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  return row === undefined ? undefined : rowToJob(row);
}

// ─── approvals ───────────────────────────────────────────────────────────────────────────────────

/** Records a decision; false when this approver already decided on this job (the first decision stands). */
export async function insertApproval(db: Kysely<Schema>, approval: Approval): Promise<boolean> {
  const row = await db.insertInto('approvals').values(approvalToRow(approval)).onConflict((oc) => oc.doNothing()).returning('job_id').executeTakeFirst();
  return row !== undefined;
}

/** A job's decisions in the order they were made. */
export async function listApprovals(db: Kysely<Schema>, jobId: string): Promise<Approval[]> {
  const rows = await db.selectFrom('approvals').selectAll().where('job_id', '=', jobId).orderBy('at').orderBy('approver_id').execute();
  return rows.map(rowToApproval);
}

// ─── events and steps ────────────────────────────────────────────────────────────────────────────

/**
 * The notification each audit event makes, for the events subscribers hear about. Refusals, reminders,
 * callbacks, cancel requests and the runner's start are the audit trail's alone: the card's next update
 * shows what they changed.
 */
export const NOTIFIED_EVENTS: Readonly<Partial<Record<JobEventKind, NotificationKind>>> = {
  requested: 'job.requested',
  approved: 'job.approved',
  rejected: 'job.rejected',
  expired: 'job.expired',
  cancelled: 'job.cancelled',
  succeeded: 'job.succeeded',
  failed: 'job.failed',
  stage_started: 'job.stage',
  stage_done: 'job.stage',
  stage_failed: 'job.stage',
  stage_skipped: 'job.stage',
};

/**
 * Appends one line to the audit trail and, for the events subscribers hear about, its notification in the
 * outbox: always called inside the transaction of the change it records, so both commit or neither does.
 * The job row is read in that transaction, so the notification carries the state the change left.
 */
export async function appendEvent(db: Kysely<Schema>, event: Omit<JobEvent, 'id'>): Promise<JobEvent> {
  const row = await db.insertInto('job_events').values(eventToRow(event)).returningAll().executeTakeFirstOrThrow();
  const appended = rowToEvent(row);
  const kind = NOTIFIED_EVENTS[appended.kind];
  if (kind !== undefined) {
    const job = await getJob(db, appended.jobId);
    if (job !== undefined) {
      const stage = typeof appended.detail?.stage === 'string' ? appended.detail.stage : undefined;
      await enqueueNotification(db, {
        kind,
        subject: `job:${job.id}`,
        packageId: job.packageId,
        packageName: job.packageName,
        payload: {
          jobId: job.id,
          event: appended.kind,
          message: appended.message,
          ...(stage !== undefined ? { stage } : {}),
          requester: { id: job.requester.id, name: job.requester.name },
          state: job.state,
        },
        createdAt: appended.at,
      });
    }
  }
  return appended;
}

/** A job's events oldest first; with limit, the latest `limit` of them (still oldest first). */
export async function listEvents(db: Kysely<Schema>, jobId: string, limit?: number, onCorrupt?: CorruptRecordSink): Promise<JobEvent[]> {
  const rows = await db
    .selectFrom('job_events')
    .selectAll()
    .where('job_id', '=', jobId)
    .orderBy('id', 'desc')
    .limit(boundedLimit(limit ?? MAX_LIST))
    .execute();
  return mapRows(rows.reverse(), rowToEvent, onCorrupt);
}

/** Creates or replaces the step's row. */
export async function saveStep(db: Kysely<Schema>, step: JobStep): Promise<void> {
  const row = stepToRow(step);
  await db
    .insertInto('job_steps')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['job_id', 'stage']).doUpdateSet({
        state: row.state,
        intent: row.intent,
        result: row.result,
        message: row.message,
        started_at: row.started_at,
        finished_at: row.finished_at,
      }),
    )
    .execute();
}

/** A job's steps in stage order (STAGE_ORDER). */
export async function listSteps(db: Kysely<Schema>, jobId: string, onCorrupt?: CorruptRecordSink): Promise<JobStep[]> {
  const rows = await db.selectFrom('job_steps').selectAll().where('job_id', '=', jobId).execute();
  const steps = mapRows(rows, rowToStep, onCorrupt);
  return steps.sort((a, b) => STAGE_ORDER.indexOf(a.stage) - STAGE_ORDER.indexOf(b.stage));
}

// ─── leases ──────────────────────────────────────────────────────────────────────────────────────

export interface ClaimRequest {
  /** Who claims: unique per runner instance (e.g. host, pid and a random part). */
  owner: string;
  now: Date;
  leaseMs: number;
  /** Told about corrupt job rows passed over. */
  onCorrupt?: CorruptRecordSink;
}

/** How many candidates one claim looks at: more than one, so that a corrupt row cannot block the queue. */
const CLAIM_CANDIDATES = 10;

/**
 * Takes the oldest approved or running job whose lease is absent or expired, and leases it to owner
 * until now + leaseMs with a fence one above the last. Undefined when there is none (or another
 * claimer took it in the same instant). Two claimers never get the same job: PostgreSQL skips job
 * rows another claim or a fenced write (holdsLease) has locked, FOR NO KEY UPDATE so that a mere
 * foreign-key check (an event appended for the job) does not make it skip; on both, the lease upsert
 * only replaces an expired lease.
 */
export async function claimNextJob(db: Kysely<Schema>, request: ClaimRequest): Promise<{ job: Job; fence: number } | undefined> {
  const now = iso(request.now);
  const expiresAt = iso(new Date(request.now.getTime() + request.leaseMs));
  return withTransaction(db, async (tx) => {
    let candidates = tx
      .selectFrom('jobs')
      .leftJoin('job_leases', 'job_leases.job_id', 'jobs.id')
      .selectAll('jobs')
      .where('jobs.state', 'in', [...RUNNABLE_STATES])
      .where((eb) => eb.or([eb('job_leases.job_id', 'is', null), eb('job_leases.expires_at', '<=', now)]))
      .orderBy('jobs.created_at')
      .orderBy('jobs.id')
      .limit(CLAIM_CANDIDATES);
    if (dialectOf(tx) === 'postgres') candidates = candidates.forNoKeyUpdate('jobs').skipLocked();
    for (const row of await candidates.execute()) {
      const job = parseOrReport(row as Selectable<JobsTable>, rowToJob, request.onCorrupt);
      if (job === undefined) continue;
      const lease = await tx
        .insertInto('job_leases')
        .values({ job_id: job.id, owner: request.owner, fence: 1, expires_at: expiresAt, heartbeat_at: now })
        .onConflict((oc) =>
          oc
            .column('job_id')
            .doUpdateSet({
              owner: request.owner,
              fence: sql<number>`job_leases.fence + 1`,
              expires_at: expiresAt,
              heartbeat_at: now,
            })
            .where('job_leases.expires_at', '<=', now),
        )
        .returning('fence')
        .executeTakeFirst();
      if (lease !== undefined) return { job, fence: Number(lease.fence) };
    }
    return undefined;
  });
}

/** Extends owner's lease to now + leaseMs; false when the lease expired, or moved to another owner or fence. */
export async function renewLease(db: Kysely<Schema>, jobId: string, owner: string, fence: number, now: Date, leaseMs: number): Promise<boolean> {
  const result = await db
    .updateTable('job_leases')
    .set({ expires_at: iso(new Date(now.getTime() + leaseMs)), heartbeat_at: iso(now) })
    .where('job_id', '=', jobId)
    .where('owner', '=', owner)
    .where('fence', '=', fence)
    .where('expires_at', '>', iso(now))
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Gives the job up (the row stays, expired, so that the next claim's fence is higher); false when it was not owner's any more. */
export async function releaseLease(db: Kysely<Schema>, jobId: string, owner: string, fence: number): Promise<boolean> {
  const result = await db
    .updateTable('job_leases')
    .set({ expires_at: RELEASED_AT })
    .where('job_id', '=', jobId)
    .where('owner', '=', owner)
    .where('fence', '=', fence)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * True while owner holds the job with this fence and the lease has not expired. Call it inside the
 * transaction of a result write and write only when true. On PostgreSQL it first locks the job's row
 * (FOR NO KEY UPDATE): a claim skips a locked job, so nobody takes the job over before that
 * transaction ends, and since both take the job row before the lease row they cannot deadlock. On
 * SQLite the write transaction already excludes every other writer. Renew the lease outside such a
 * transaction (a heartbeat is a statement of its own).
 */
export async function holdsLease(db: Kysely<Schema>, jobId: string, owner: string, fence: number, now: Date): Promise<boolean> {
  if (dialectOf(db) === 'postgres') await db.selectFrom('jobs').select('id').where('id', '=', jobId).forNoKeyUpdate().execute();
  const lease = await db
    .selectFrom('job_leases')
    .select('job_id')
    .where('job_id', '=', jobId)
    .where('owner', '=', owner)
    .where('fence', '=', fence)
    .where('expires_at', '>', iso(now))
    .executeTakeFirst();
  return lease !== undefined;
}

// ─── posted cards, conversations, settings, webhook receipts ─────────────────────────────────────

/** Records (or replaces) the card posted for a job in a conversation under a role. */
export async function saveJobMessage(db: Kysely<Schema>, message: JobMessage): Promise<void> {
  const row = messageToRow(message);
  await db
    .insertInto('job_messages')
    .values(row)
    .onConflict((oc) => oc.columns(['job_id', 'role', 'conversation_id']).doUpdateSet({ activity_id: row.activity_id, reference: row.reference, posted_at: row.posted_at }))
    .execute();
}

export async function listJobMessages(db: Kysely<Schema>, jobId: string, onCorrupt?: CorruptRecordSink): Promise<JobMessage[]> {
  const rows = await db.selectFrom('job_messages').selectAll().where('job_id', '=', jobId).orderBy('posted_at').orderBy('role').orderBy('conversation_id').execute();
  return mapRows(rows, rowToMessage, onCorrupt);
}

export interface StoredSetting {
  /** Parsed JSON: check its shape (zod) before use. */
  value: unknown;
  updatedAt: Date;
  updatedBy: string | null;
}

/** A setting, or undefined; throws CorruptRecord when its value is not JSON. */
export async function getSetting(db: Kysely<Schema>, key: string): Promise<StoredSetting | undefined> {
  const row = await db.selectFrom('settings').selectAll().where('key', '=', key).executeTakeFirst();
  if (row === undefined) return undefined;
  return {
    value: readJsonValue('setting', key, 'value', row.value),
    updatedAt: readDate('setting', key, 'updated_at', row.updated_at),
    updatedBy: row.updated_by,
  };
}

export async function setSetting(db: Kysely<Schema>, key: string, value: object, by: string | null, now: Date): Promise<void> {
  const row = { key, value: JSON.stringify(value), updated_at: iso(now), updated_by: by };
  await db
    .insertInto('settings')
    .values(row)
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: row.value, updated_at: row.updated_at, updated_by: row.updated_by }))
    .execute();
}

/** Records a callback's signature; false when it was recorded before (a replay, to refuse). */
export async function recordWebhookReceipt(db: Kysely<Schema>, signature: string, jobId: string, now: Date): Promise<boolean> {
  const row = await db
    .insertInto('webhook_receipts')
    .values({ signature, job_id: jobId, received_at: iso(now) })
    .onConflict((oc) => oc.doNothing())
    .returning('signature')
    .executeTakeFirst();
  return row !== undefined;
}

/** Forgets receipts older than before (callbacks that old are refused by their timestamp anyway); returns how many. */
export async function pruneWebhookReceipts(db: Kysely<Schema>, before: Date): Promise<number> {
  const result = await db.deleteFrom('webhook_receipts').where('received_at', '<', iso(before)).executeTakeFirst();
  return Number(result.numDeletedRows);
}

// ─── helpers ─────────────────────────────────────────────────────────────────────────────────────

function boundedLimit(limit: number): number {
  return Number.isFinite(limit) ? Math.min(MAX_LIST, Math.max(1, Math.floor(limit))) : MAX_LIST;
}

function parseOrReport<R, T>(row: R, parse: (row: R) => T, onCorrupt: CorruptRecordSink | undefined): T | undefined {
  try {
    return parse(row);
  } catch (error) {
    if (!(error instanceof CorruptRecord)) throw error;
    onCorrupt?.(error);
    return undefined;
  }
}

/** Maps rows, skipping the corrupt ones (told to onCorrupt) so that one bad row cannot hide the others. */
function mapRows<R, T>(rows: R[], parse: (row: R) => T, onCorrupt: CorruptRecordSink | undefined): T[] {
  const values: T[] = [];
  for (const row of rows) {
    const value = parseOrReport(row, parse, onCorrupt);
    if (value !== undefined) values.push(value);
  }
  return values;
}
