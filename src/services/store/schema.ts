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
  /** 'personal' | 'groupChat' | 'channel' | 'unknown' (a row saved before notifications existed). */
  kind: Generated<string>;
  /** The chat's or channel's name when Teams gave one. */
  name: string | null;
  /** 0 once the bot was removed or Teams refused for good (403, 404 ConversationNotFound); 1 again when it is back. */
  enabled: Generated<number>;
  disabled_reason: string | null;
  disabled_at: string | null;
}

/** What a conversation asked to hear: a topic, optionally of the packages a filter names ('' = all). */
export interface SubscriptionsTable {
  conversation_id: string;
  /** 'all' | 'failures' | 'approvals' | 'freshness' */
  topic: string;
  package_filter: string;
  created_at: string;
  created_by: string | null;
  last_delivered_at: string | null;
  last_failure_at: string | null;
  last_failure_reason: string | null;
}

/** The outbox: a notification is inserted in the transaction of the change that caused it. */
export interface NotificationsTable {
  id: Generated<number>;
  /** NotificationKind, e.g. 'job.stage' or 'freshness.newer_revision'. */
  kind: string;
  /** What one status card follows (e.g. 'job:K7P2Q'): later notifications of a subject update it in place. */
  subject: string | null;
  package_id: string | null;
  package_name: string | null;
  /** JSON: what the renderer needs, fixed when the change happened. */
  payload: string;
  /** Set when a notification must be made once whoever notices it (a new revision, a weekly digest). */
  dedupe_key: string | null;
  created_at: string;
  /** When its deliveries were created; null while it waits for the dispatcher. */
  fanned_out_at: string | null;
}

/** One notification to one conversation; unique per pair, so overlapping subscriptions deliver once. */
export interface DeliveriesTable {
  id: Generated<number>;
  notification_id: number;
  conversation_id: string;
  /** 'pending' | 'sending' | 'delivered' | 'failed' | 'stopped' */
  state: string;
  /** 'card_sent' once the card is out and only the thread reply remains (channels, final outcome). */
  progress: string | null;
  /** JSON array of [topic, packageFilter]: the subscriptions it answers, whose "last delivered" it sets. */
  matched: string;
  attempts: number;
  next_attempt_at: string;
  claimed_by: string | null;
  claim_expires_at: string | null;
  last_error: string | null;
  /** The message posted or updated. */
  activity_id: string | null;
  created_at: string;
  finished_at: string | null;
}

/** The card a subject (a job) has in a conversation, updated in place by its later notifications. */
export interface StatusCardsTable {
  subject: string;
  conversation_id: string;
  activity_id: string;
  posted_at: string;
  updated_at: string;
}

/** What the freshness watch has already told (the latest revision of a release, a package's drift findings). */
export interface NotifyMarksTable {
  key: string;
  value: string;
  seen_at: string;
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
  subscriptions: SubscriptionsTable;
  notifications: NotificationsTable;
  deliveries: DeliveriesTable;
  status_cards: StatusCardsTable;
  notify_marks: NotifyMarksTable;
}
