/**
 * The database's tables as Kysely sees them. Both dialects store the same shapes: times are ISO-8601
 * UTC text (`Date#toISOString`, so text order is time order), JSON is text, booleans are 0/1. That
 * keeps one repository for SQLite and PostgreSQL without per-dialect type parsers.
 */
import type { Generated } from 'kysely';

export interface JobsTable {
  id: string;
  package_id: string;
  package_name: string;
  package_kind: string;
  requester_id: string;
  requester_name: string;
  reason: string;
  state: string;
  /** JSON array of StageName. */
  stages: string;
  /** JSON JobOptions. */
  options: string;
  from_source_version: number;
  from_build: string | null;
  latest_build: string | null;
  new_build: string | null;
  new_source_version: number | null;
  stage: string | null;
  cancel_requested: number;
  outcome: string | null;
  created_at: string;
  updated_at: string;
  expires_at: string;
  finished_at: string | null;
  /** Set once the expiry reminder went out, so that it goes out once. */
  reminded_at: string | null;
  version: number;
}

export interface JobStepsTable {
  job_id: string;
  stage: string;
  state: string;
  intent: string | null;
  result: string | null;
  message: string | null;
  started_at: string | null;
  finished_at: string | null;
}

export interface JobEventsTable {
  id: Generated<number>;
  job_id: string;
  at: string;
  actor_id: string | null;
  actor_name: string | null;
  kind: string;
  message: string;
  detail: string | null;
}

export interface ApprovalsTable {
  job_id: string;
  approver_id: string;
  approver_name: string;
  verdict: string;
  comment: string;
  at: string;
}

/** Who drives a job now. `fence` grows with every claim; a write carrying an older fence is refused. */
export interface JobLeasesTable {
  job_id: string;
  owner: string;
  fence: number;
  expires_at: string;
  heartbeat_at: string;
}

/** Cards posted for a job (the requester's job card, the approval cards), so that they are updated in place. */
export interface JobMessagesTable {
  job_id: string;
  /** 'requester' | 'approvers' | 'request' (the approval card where the request was made). */
  role: string;
  conversation_id: string;
  activity_id: string;
  /** JSON conversation reference to reach it again. */
  reference: string;
  posted_at: string;
}

/** The latest conversation reference of each conversation the bot has seen (serviceUrl can change). */
export interface ConversationsTable {
  conversation_id: string;
  reference: string;
  updated_at: string;
}

/** Small settings the bot learns in chat, e.g. the approvers' conversation (`approvals here`). */
export interface SettingsTable {
  key: string;
  value: string;
  updated_at: string;
  updated_by: string | null;
}

/** Signatures of accepted servicing-host callbacks: the same signed request twice is a replay. */
export interface WebhookReceiptsTable {
  signature: string;
  job_id: string;
  received_at: string;
}

export interface Schema {
  jobs: JobsTable;
  job_steps: JobStepsTable;
  job_events: JobEventsTable;
  approvals: ApprovalsTable;
  job_leases: JobLeasesTable;
  job_messages: JobMessagesTable;
  conversations: ConversationsTable;
  settings: SettingsTable;
  webhook_receipts: WebhookReceiptsTable;
}
