/**
 * Rows ⇄ domain values for the job tables. Writing is plain mapping; reading validates every text
 * the domain types narrow (states, stages, kinds, JSON, dates) and throws CorruptRecord naming the
 * row and the column, because a row read back is data from outside this process like any other.
 */
import type { Selectable } from 'kysely';
import { z } from 'zod';
import { CorruptRecord } from '../store/corrupt-record';
import type { ApprovalsTable, JobEventsTable, JobMessagesTable, JobStepsTable, JobsTable } from '../store/schema';
import { ACTIVE_STATES, FINAL_STATES, STAGE_ORDER, type Approval, type Job, type JobEvent, type JobEventKind, type JobStep, type StepState } from './job';

export type JobMessageRole = 'requester' | 'approvers' | 'request';

/** A card posted for a job, kept so that it can be updated in place. */
export interface JobMessage {
  jobId: string;
  role: JobMessageRole;
  conversationId: string;
  activityId: string;
  /** The conversation reference (as the bot layer stores it) to reach the card again. */
  reference: Record<string, unknown>;
  postedAt: Date;
}

const JOB_EVENT_KINDS = [
  'requested', 'approved', 'rejected', 'decision_refused', 'expired', 'reminded', 'started', 'stage_started', 'stage_done',
  'stage_failed', 'stage_skipped', 'callback', 'callback_refused', 'cancel_requested', 'cancel_refused', 'cancelled', 'succeeded', 'failed',
] as const satisfies readonly JobEventKind[];

const jobState = z.enum([...ACTIVE_STATES, ...FINAL_STATES] as [string, ...string[]]);
const stageName = z.enum(STAGE_ORDER);
const stepState = z.enum(['pending', 'running', 'done', 'failed', 'skipped'] satisfies StepState[]);
const packageKind = z.enum(['upgrade', 'image']);
const verdict = z.enum(['approve', 'reject']);
const eventKind = z.enum(JOB_EVENT_KINDS);
const messageRole = z.enum(['requester', 'approvers', 'request'] satisfies JobMessageRole[]);
const jsonObject = z.record(z.string(), z.unknown());
const jobOptions = z.object({
  keepEditionIndexes: z.array(z.number().int()).optional(),
  removeAutorun: z.boolean().optional(),
  writeBuildFile: z.boolean().optional(),
});

/** Reads one row's columns, remembering which row it is so that a bad column names itself. */
class RowReader {
  constructor(
    private readonly table: string,
    private readonly key: string,
  ) {}

  fail(column: string, problem: string): never {
    throw new CorruptRecord(this.table, this.key, `${column}: ${problem}`);
  }

  one<T>(column: string, value: unknown, schema: z.ZodType<T>): T {
    const parsed = schema.safeParse(value);
    if (!parsed.success) this.fail(column, `unexpected value ${JSON.stringify(value)?.slice(0, 80)}`);
    return parsed.data;
  }

  json<T>(column: string, text: string, schema: z.ZodType<T>): T {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      this.fail(column, 'JSON that does not parse');
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) this.fail(column, `JSON of the wrong shape (${parsed.error.issues[0]?.message ?? 'invalid'})`);
    return parsed.data;
  }

  jsonOrNull<T>(column: string, text: string | null, schema: z.ZodType<T>): T | null {
    return text === null ? null : this.json(column, text, schema);
  }

  date(column: string, text: string): Date {
    const date = new Date(text);
    if (typeof text !== 'string' || Number.isNaN(date.getTime())) this.fail(column, `not a time: ${String(text).slice(0, 40)}`);
    return date;
  }

  dateOrNull(column: string, text: string | null): Date | null {
    return text === null ? null : this.date(column, text);
  }
}

const iso = (date: Date): string => date.toISOString();
const isoOrNull = (date: Date | null): string | null => (date === null ? null : date.toISOString());

export function jobToRow(job: Job): JobsTable {
  return {
    id: job.id,
    package_id: job.packageId,
    package_name: job.packageName,
    package_kind: job.packageKind,
    requester_id: job.requester.id,
    requester_name: job.requester.name,
    reason: job.reason,
    state: job.state,
    stages: JSON.stringify(job.stages),
    options: JSON.stringify(job.options),
    from_source_version: job.fromSourceVersion,
    from_build: job.fromBuild,
    latest_build: job.latestBuild,
    new_build: job.newBuild,
    new_source_version: job.newSourceVersion,
    stage: job.stage,
    cancel_requested: job.cancelRequested ? 1 : 0,
    outcome: job.outcome,
    created_at: iso(job.createdAt),
    updated_at: iso(job.updatedAt),
    expires_at: iso(job.expiresAt),
    finished_at: isoOrNull(job.finishedAt),
    reminded_at: null,
    version: job.version,
  };
}

export function rowToJob(row: Selectable<JobsTable>): Job {
  const read = new RowReader('job', row.id);
  return {
    id: row.id,
    packageId: row.package_id,
    packageName: row.package_name,
    packageKind: read.one('package_kind', row.package_kind, packageKind),
    requester: { id: row.requester_id, name: row.requester_name },
    reason: row.reason,
    state: read.one('state', row.state, jobState) as Job['state'],
    stages: read.json('stages', row.stages, z.array(stageName)),
    options: read.json('options', row.options, jobOptions),
    fromSourceVersion: Number(row.from_source_version),
    fromBuild: row.from_build,
    latestBuild: row.latest_build,
    newBuild: row.new_build,
    newSourceVersion: row.new_source_version === null ? null : Number(row.new_source_version),
    stage: row.stage === null ? null : read.one('stage', row.stage, stageName),
    cancelRequested: Number(row.cancel_requested) !== 0,
    outcome: row.outcome,
    createdAt: read.date('created_at', row.created_at),
    updatedAt: read.date('updated_at', row.updated_at),
    expiresAt: read.date('expires_at', row.expires_at),
    finishedAt: read.dateOrNull('finished_at', row.finished_at),
    version: Number(row.version),
  };
}

export function approvalToRow(approval: Approval): ApprovalsTable {
  return {
    job_id: approval.jobId,
    approver_id: approval.approver.id,
    approver_name: approval.approver.name,
    verdict: approval.verdict,
    comment: approval.comment,
    at: iso(approval.at),
  };
}

export function rowToApproval(row: Selectable<ApprovalsTable>): Approval {
  const read = new RowReader('approval', `${row.job_id}/${row.approver_id}`);
  return {
    jobId: row.job_id,
    approver: { id: row.approver_id, name: row.approver_name },
    verdict: read.one('verdict', row.verdict, verdict),
    comment: row.comment,
    at: read.date('at', row.at),
  };
}

export function eventToRow(event: Omit<JobEvent, 'id'>): Omit<JobEventsTable, 'id'> {
  return {
    job_id: event.jobId,
    at: iso(event.at),
    actor_id: event.actor?.id ?? null,
    actor_name: event.actor?.name ?? null,
    kind: event.kind,
    message: event.message,
    detail: event.detail === null ? null : JSON.stringify(event.detail),
  };
}

export function rowToEvent(row: Selectable<JobEventsTable>): JobEvent {
  const read = new RowReader('job event', `${row.job_id}#${row.id}`);
  return {
    id: Number(row.id),
    jobId: row.job_id,
    at: read.date('at', row.at),
    actor: row.actor_id === null ? null : { id: row.actor_id, name: row.actor_name ?? '' },
    kind: read.one('kind', row.kind, eventKind),
    message: row.message,
    detail: read.jsonOrNull('detail', row.detail, jsonObject),
  };
}

export function stepToRow(step: JobStep): JobStepsTable {
  return {
    job_id: step.jobId,
    stage: step.stage,
    state: step.state,
    intent: step.intent === null ? null : JSON.stringify(step.intent),
    result: step.result === null ? null : JSON.stringify(step.result),
    message: step.message,
    started_at: isoOrNull(step.startedAt),
    finished_at: isoOrNull(step.finishedAt),
  };
}

export function rowToStep(row: Selectable<JobStepsTable>): JobStep {
  const read = new RowReader('job step', `${row.job_id}/${row.stage}`);
  return {
    jobId: row.job_id,
    stage: read.one('stage', row.stage, stageName),
    state: read.one('state', row.state, stepState),
    intent: read.jsonOrNull('intent', row.intent, jsonObject),
    result: read.jsonOrNull('result', row.result, jsonObject),
    message: row.message,
    startedAt: read.dateOrNull('started_at', row.started_at),
    finishedAt: read.dateOrNull('finished_at', row.finished_at),
  };
}

export function messageToRow(message: JobMessage): JobMessagesTable {
  return {
    job_id: message.jobId,
    role: message.role,
    conversation_id: message.conversationId,
    activity_id: message.activityId,
    reference: JSON.stringify(message.reference),
    posted_at: iso(message.postedAt),
  };
}

export function rowToMessage(row: Selectable<JobMessagesTable>): JobMessage {
  const read = new RowReader('job message', `${row.job_id}/${row.role}/${row.conversation_id}`);
  return {
    jobId: row.job_id,
    role: read.one('role', row.role, messageRole),
    conversationId: row.conversation_id,
    activityId: row.activity_id,
    reference: read.json('reference', row.reference, jsonObject),
    postedAt: read.date('posted_at', row.posted_at),
  };
}

/** A JSON object column of the small tables (conversation references, settings). */
export function readJsonObject(table: string, key: string, column: string, text: string): Record<string, unknown> {
  return new RowReader(table, key).json(column, text, jsonObject);
}

export function readJsonValue(table: string, key: string, column: string, text: string): unknown {
  return new RowReader(table, key).json(column, text, z.unknown());
}

export function readDate(table: string, key: string, column: string, text: string): Date {
  return new RowReader(table, key).date(column, text);
}
