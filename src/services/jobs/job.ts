/**
 * A refresh job as the domain sees it: its states, the stages it runs and the people who act on it.
 * Plain values and pure functions only; the store persists them, the runner drives them.
 *
 *   awaiting_approval ─► approved ─► running(stage…) ─► succeeded
 *        │      │   │                   │
 *    rejected expired cancelled   failed / cancelled
 */
import type { PackageKind } from '../media/media-package';

export type JobState = 'awaiting_approval' | 'approved' | 'running' | 'succeeded' | 'failed' | 'rejected' | 'expired' | 'cancelled';

/** States in which a job still holds its package: a second request points at it. */
export const ACTIVE_STATES: readonly JobState[] = ['awaiting_approval', 'approved', 'running'];
export const FINAL_STATES: readonly JobState[] = ['succeeded', 'failed', 'rejected', 'expired', 'cancelled'];

export function isActive(state: JobState): boolean {
  return ACTIVE_STATES.includes(state);
}

/**
 * The stages, in the order a job runs them. `service_media` and `keep_editions` are done by the
 * servicing host (RUNNER=webhook); the file stages only on a mapped share; the last three are
 * ConfigMgr's, skipped when the servicing host says it already updated ConfigMgr itself.
 */
export const STAGE_ORDER = [
  'service_media',
  'keep_editions',
  'verify_source',
  'remove_autorun',
  'write_build_file',
  'reload_image_properties',
  'refresh_distribution_points',
  'watch_distribution',
] as const;

export type StageName = (typeof STAGE_ORDER)[number];

export type StepState = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

/** Someone who acted: the Azure AD object id when Teams gave one, else the channel's user id. */
export interface Person {
  id: string;
  name: string;
}

/** Media hygiene asked for with the request (or by the package's policy). */
export interface JobOptions {
  /** WIM indexes to keep; the others are removed by the servicing host. */
  keepEditionIndexes?: number[];
  removeAutorun?: boolean;
  writeBuildFile?: boolean;
}

export interface Job {
  /** Short and typeable: five characters of an unambiguous alphabet, e.g. `K7P2Q`. */
  id: string;
  packageId: string;
  packageName: string;
  packageKind: PackageKind;
  requester: Person;
  reason: string;
  state: JobState;
  /** The stages this job will run, fixed at request time and shown on the approval card. */
  stages: StageName[];
  options: JobOptions;
  /** What the package was when the job was asked for. */
  fromSourceVersion: number;
  fromBuild: string | null;
  /** The latest revision of the package's release when the job was asked for (freshness data). */
  latestBuild: string | null;
  /** The build the media carries after servicing or verification. */
  newBuild: string | null;
  /** The package's SourceVersion once the distribution points were updated. */
  newSourceVersion: number | null;
  /** The stage running or last run. */
  stage: StageName | null;
  cancelRequested: boolean;
  /** One sentence on how it ended (or why it failed). */
  outcome: string | null;
  createdAt: Date;
  updatedAt: Date;
  expiresAt: Date;
  finishedAt: Date | null;
  /** Bumped by every write to the row: a conditional update on it makes concurrent writers take turns. */
  version: number;
}

export type Verdict = 'approve' | 'reject';

export interface Approval {
  jobId: string;
  approver: Person;
  verdict: Verdict;
  comment: string;
  at: Date;
}

export interface JobStep {
  jobId: string;
  stage: StageName;
  state: StepState;
  /** What the stage recorded before its side effect (e.g. the SourceVersion before RefreshPkgSource). */
  intent: Record<string, unknown> | null;
  /** What it found or did (e.g. { installed: 3, total: 4 }). */
  result: Record<string, unknown> | null;
  message: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** One line of the audit trail: every decision, refusal, stage and callback. */
export interface JobEvent {
  id: number;
  jobId: string;
  at: Date;
  /** Null for the bot itself (runner, expiry) and for the servicing host. */
  actor: Person | null;
  kind: JobEventKind;
  /** One sentence, as the timeline shows it. */
  message: string;
  detail: Record<string, unknown> | null;
}

export type JobEventKind =
  | 'requested'
  | 'approved'
  | 'rejected'
  | 'decision_refused'
  | 'expired'
  | 'reminded'
  | 'started'
  | 'stage_started'
  | 'stage_done'
  | 'stage_failed'
  | 'stage_skipped'
  | 'callback'
  | 'callback_refused'
  | 'cancel_requested'
  | 'cancel_refused'
  | 'cancelled'
  | 'succeeded'
  | 'failed';

/** Crockford-style: no I, L, O, U, 0 or 1, so an id read aloud or retyped is not mistaken. */
export const JOB_ID_ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
export const JOB_ID_LENGTH = 5;

export function isJobId(text: string): boolean {
  if (text.length !== JOB_ID_LENGTH) return false;
  for (const char of text.toUpperCase()) if (!JOB_ID_ALPHABET.includes(char)) return false;
  return true;
}

/** `randomInt` is injected (crypto.randomInt in production) so that ids are unpredictable yet testable. */
export function newJobId(randomInt: (max: number) => number): string {
  let id = '';
  for (let i = 0; i < JOB_ID_LENGTH; i++) id += JOB_ID_ALPHABET[randomInt(JOB_ID_ALPHABET.length)];
  return id;
}

/** The stages a request will run, in order, for the runner kind and the hygiene asked for. */
export function plannedStages(runner: 'configmgr' | 'webhook' | 'demo', options: JobOptions, kind: PackageKind): StageName[] {
  const stages: StageName[] = [];
  if (runner === 'webhook') stages.push('service_media');
  if (runner === 'webhook' && options.keepEditionIndexes !== undefined && options.keepEditionIndexes.length > 0) stages.push('keep_editions');
  stages.push('verify_source');
  // An OS image is one WIM file: it has no media folder for autorun.inf or a build file.
  if (kind === 'upgrade' && options.removeAutorun) stages.push('remove_autorun');
  if (kind === 'upgrade' && options.writeBuildFile) stages.push('write_build_file');
  stages.push('reload_image_properties', 'refresh_distribution_points', 'watch_distribution');
  return stages;
}
