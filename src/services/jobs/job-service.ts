/**
 * The refresh-job use cases: ask for a refresh, decide on it, cancel it, expire and remind, read the
 * jobs back. Every rule is judged from stored state inside a transaction, and every state change is
 * persisted with its audit event before anyone is told (observers run after the commit).
 */
import { randomInt as cryptoRandomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { UserFacingError } from '../errors';
import { formatBuild, type MediaPackage } from '../media/media-package';
import type { CorruptRecord } from '../store/corrupt-record';
import type { Schema } from '../store/schema';
import type { ServicingReport } from './runners/servicing-host-stages';
import type { ServicingEventAnswer } from './servicing-callback-ports';
import { judgeDecision, mayCancel, type ApprovalPolicy, type Decider } from './approvals';
import {
  isActive,
  newJobId,
  plannedStages,
  type Approval,
  type Job,
  type JobEvent,
  type JobEventKind,
  type JobOptions,
  type JobStep,
  type Person,
  type StageName,
  type Verdict,
} from './job';
import {
  appendEvent,
  DuplicateJobId,
  getJob,
  insertApproval,
  insertJob,
  listApprovals,
  listDueForExpiry,
  listDueForReminder,
  listEvents,
  listJobs,
  listSteps,
  markReminded,
  updateJob,
  withTransaction,
} from './job-repository';

export type RunnerKind = 'configmgr' | 'webhook' | 'demo';

/** What changed, after it was committed: the bot updates the job's cards and tells people. */
export interface JobChange {
  job: Job;
  /** The audit line it added; absent for progress (3 of 4 DPs), which redraws the card and adds no line. */
  event?: JobEvent;
}

export interface JobObserver {
  jobChanged(change: JobChange): void | Promise<void>;
}

export interface JobServiceOptions {
  db: Kysely<Schema>;
  policy: ApprovalPolicy;
  runnerKind: RunnerKind;
  logger: Logger;
  now?: () => Date;
  randomInt?: (max: number) => number;
  /** A reminder goes to the approvers this long before a request expires (capped at half its life). */
  remindBeforeMs?: number;
}

export class JobNotFound extends UserFacingError {
  constructor(readonly jobId: string) {
    super(`There is no job ${jobId}; type "jobs" to see the recent ones.`);
  }
}

export class RefreshNotPossible extends UserFacingError {}

export type RequestOutcome = { kind: 'created'; job: Job } | { kind: 'active'; job: Job };

export type DecisionResult =
  | { kind: 'refused'; message: string; job: Job }
  | { kind: 'recorded' | 'decided'; message: string; job: Job };

export interface CancelResult {
  message: string;
  job: Job;
  /** False when nothing changed (refused, or already stopping): the card stays, the sentence says why. */
  changed: boolean;
}

export interface JobDetails {
  job: Job;
  steps: JobStep[];
  approvals: Approval[];
  events: JobEvent[];
}

const DEFAULT_REMIND_BEFORE_MS = 2 * 3_600_000;
const MAX_DECISION_ATTEMPTS = 8;
/** A reason or comment longer than this is cut: it is read on a card, and it is stored forever. */
export const MAX_REASON_LENGTH = 500;

export class JobService {
  private readonly observers: JobObserver[] = [];
  private readonly now: () => Date;
  private readonly randomInt: (max: number) => number;

  /** A row the store could not read is skipped in listings; the log says which. */
  private readonly onCorrupt = (error: CorruptRecord) =>
    this.options.logger.warn({ table: error.table, key: error.key, problem: error.problem }, 'skipped a job record the store could not read');

  constructor(private readonly options: JobServiceOptions) {
    this.now = options.now ?? (() => new Date());
    this.randomInt = options.randomInt ?? cryptoRandomInt;
  }

  get policy(): ApprovalPolicy {
    return this.options.policy;
  }

  get runnerKind(): RunnerKind {
    return this.options.runnerKind;
  }

  /** Observers hear of every committed change, in order, from this instance. */
  observe(observer: JobObserver): void {
    this.observers.push(observer);
  }

  /** A refresh request: a new job awaiting approval, or the package's active job when it has one. */
  async request(pkg: MediaPackage, requester: Person, reason: string, options: JobOptions = {}): Promise<RequestOutcome> {
    const { policy } = this.options;
    if (!policy.anyoneMayApprove && policy.approvers.length === 0) {
      throw new RefreshNotPossible('Nobody may approve refreshes yet: your bot administrator must set APPROVERS to the approvers\' Azure AD object ids.');
    }
    if (options.keepEditionIndexes?.length && this.options.runnerKind !== 'webhook') {
      throw new RefreshNotPossible('Keeping only some editions rewrites the WIM, which only a servicing host can do; set RUNNER=webhook, or ask without "keep".');
    }
    if (options.keepEditionIndexes?.length) {
      const known = new Set(pkg.editions.map((edition) => edition.index));
      const unknown = options.keepEditionIndexes.filter((index) => !known.has(index));
      if (known.size > 0 && unknown.length > 0) {
        throw new RefreshNotPossible(`${pkg.id} has no edition at index ${unknown.join(', ')}; type "editions ${pkg.id}" to see its indexes.`);
      }
    }
    const now = this.now();
    for (let attempt = 0; attempt < 5; attempt++) {
      const job: Job = {
        id: newJobId(this.randomInt),
        packageId: pkg.id,
        packageName: pkg.name,
        packageKind: pkg.kind,
        requester,
        reason: reason.trim().slice(0, MAX_REASON_LENGTH),
        state: 'awaiting_approval',
        stages: plannedStages(this.options.runnerKind, options, pkg.kind),
        options,
        fromSourceVersion: pkg.sourceVersion,
        fromBuild: pkg.build ? formatBuild(pkg.build) : null,
        latestBuild: latestBuildOf(pkg),
        newBuild: null,
        newSourceVersion: null,
        stage: null,
        cancelRequested: false,
        outcome: null,
        createdAt: now,
        updatedAt: now,
        expiresAt: new Date(now.getTime() + policy.ttlMs),
        finishedAt: null,
        version: 1,
      };
      try {
        const outcome = await withTransaction(this.options.db, async (tx) => {
          const inserted = await insertJob(tx, job);
          if (!inserted.inserted) return { kind: 'active' as const, job: inserted.active };
          const event = await appendEvent(tx, {
            jobId: job.id,
            at: now,
            actor: requester,
            kind: 'requested',
            message: `${requester.name} asked to refresh ${pkg.name} (${pkg.id})${job.reason ? `: ${job.reason}` : '.'}`,
            detail: { fromBuild: job.fromBuild, fromSourceVersion: job.fromSourceVersion, latestBuild: job.latestBuild, stages: job.stages },
          });
          return { kind: 'created' as const, job, event };
        });
        if (outcome.kind === 'created') await this.tell({ job: outcome.job, event: outcome.event });
        return { kind: outcome.kind, job: outcome.job };
      } catch (error) {
        if (error instanceof DuplicateJobId) continue;
        throw error;
      }
    }
    throw new Error('could not find a free job id in 5 attempts');
  }

  /**
   * An Approve or Reject click. Concurrent clicks take turns on the job's row (a conditional update on
   * its version, FOR UPDATE on PostgreSQL), so however many arrive, at most one decides the request.
   */
  async decide(jobId: string, decider: Decider, verdict: Verdict, comment: string): Promise<DecisionResult> {
    const id = jobId.toUpperCase();
    for (let attempt = 0; attempt < MAX_DECISION_ATTEMPTS; attempt++) {
      const now = this.now();
      let expiredNow: JobChange | undefined;
      const result = await withTransaction(this.options.db, async (tx) => {
        const job = await getJob(tx, id, { forUpdate: true });
        if (!job) throw new JobNotFound(id);
        if (job.state === 'awaiting_approval' && now >= job.expiresAt) {
          // Expired while nobody swept: the click that finds it says so, and the cards follow.
          expiredNow = await this.expireIn(tx, job, now);
          if (expiredNow === undefined) return 'retry' as const;
        }
        const approvals = await listApprovals(tx, id);
        const outcome = judgeDecision(job, approvals, decider, verdict, this.options.policy, now);
        const actor: Person = { id: decider.aadObjectId ?? decider.id, name: decider.name };
        if (outcome.kind === 'refused') {
          const event = await appendEvent(tx, {
            jobId: id,
            at: now,
            actor,
            kind: 'decision_refused',
            message: `${decider.name} tried to ${verdict} and was refused: ${outcome.refusal}.`,
            detail: { verdict, refusal: outcome.refusal },
          });
          // The job as stored now: expired by this very click when its time had run out.
          return { result: { kind: 'refused' as const, message: outcome.message, job: expiredNow?.job ?? job }, change: undefined, event };
        }
        const cutComment = comment.trim().slice(0, MAX_REASON_LENGTH);
        if (!(await insertApproval(tx, { jobId: id, approver: actor, verdict, comment: cutComment, at: now }))) return 'retry' as const;
        const state = outcome.kind === 'decided' ? outcome.state : job.state;
        const updated = await updateJob(
          tx,
          id,
          job.version,
          outcome.kind === 'decided' && outcome.state === 'rejected'
            ? { state, outcome: `Rejected by ${decider.name}${cutComment ? `: ${cutComment}` : '.'}`, finishedAt: now }
            : { state },
          now,
        );
        if (!updated) return 'retry' as const;
        const kind: JobEventKind = verdict === 'approve' ? 'approved' : 'rejected';
        const event = await appendEvent(tx, {
          jobId: id,
          at: now,
          actor,
          kind,
          message:
            outcome.kind === 'recorded'
              ? `${decider.name} approved (${outcome.approvalsSoFar} of ${this.options.policy.requiredApprovals})${cutComment ? `: ${cutComment}` : '.'}`
              : `${decider.name} ${verdict === 'approve' ? 'approved' : 'rejected'} the request${cutComment ? `: ${cutComment}` : '.'}`,
          detail: { verdict, comment: cutComment, decided: outcome.kind === 'decided' },
        });
        return { result: { kind: outcome.kind, message: outcome.message, job: updated }, change: { job: updated, event }, event };
      }).catch((error: unknown) => {
        // A lost race on SQLite or a serialization failure on PostgreSQL: judge again from what is stored now.
        if (isConflict(error)) return 'retry' as const;
        throw error;
      });
      if (result === 'retry') continue;
      if (expiredNow) await this.tell(expiredNow);
      if (result.change) await this.tell(result.change);
      return result.result;
    }
    const job = await getJob(this.options.db, id);
    if (!job) throw new JobNotFound(id);
    return { kind: 'refused', message: `Job ${id} is being decided by someone else right now; look at its card again in a moment.`, job };
  }

  /** Cancel: at once while it waits; at the runner's next safe point while it runs. */
  async cancel(jobId: string, person: Decider): Promise<CancelResult> {
    const id = jobId.toUpperCase();
    for (let attempt = 0; attempt < MAX_DECISION_ATTEMPTS; attempt++) {
      const now = this.now();
      const actor: Person = { id: person.aadObjectId ?? person.id, name: person.name };
      const result = await withTransaction(this.options.db, async (tx) => {
        const job = await getJob(tx, id, { forUpdate: true });
        if (!job) throw new JobNotFound(id);
        const refuse = async (message: string, reason: string) => {
          const event = await appendEvent(tx, { jobId: id, at: now, actor, kind: 'cancel_refused', message: `${person.name} tried to cancel and was refused: ${reason}.`, detail: { reason } });
          return { result: { message, job, changed: false }, change: undefined, event };
        };
        if (!isActive(job.state)) return refuse(`Job ${id} has already ended (${job.state}); nothing to cancel.`, job.state);
        if (!mayCancel(job, person, this.options.policy)) {
          return refuse(`Only the requester or an approver can cancel job ${id}.`, 'not-allowed');
        }
        if (job.state === 'running') {
          if (job.cancelRequested) return { result: { message: `Job ${id} is already stopping at its next safe point.`, job, changed: false }, change: undefined };
          const updated = await updateJob(tx, id, job.version, { cancelRequested: true }, now);
          if (!updated) return 'retry' as const;
          const event = await appendEvent(tx, { jobId: id, at: now, actor, kind: 'cancel_requested', message: `${person.name} asked to cancel; the job stops at its next safe point.`, detail: null });
          return { result: { message: `Job ${id} will stop at its next safe point; its card says what was already done.`, job: updated, changed: true }, change: { job: updated, event } };
        }
        const updated = await updateJob(tx, id, job.version, { state: 'cancelled', outcome: `Cancelled by ${person.name} before it started; nothing was changed.`, finishedAt: now }, now);
        if (!updated) return 'retry' as const;
        const event = await appendEvent(tx, { jobId: id, at: now, actor, kind: 'cancelled', message: `${person.name} cancelled the job before it started.`, detail: null });
        return { result: { message: `Job ${id} is cancelled; nothing had been changed.`, job: updated, changed: true }, change: { job: updated, event } };
      }).catch((error: unknown) => {
        if (isConflict(error)) return 'retry' as const;
        throw error;
      });
      if (result === 'retry') continue;
      if (result.change) await this.tell(result.change);
      return result.result;
    }
    throw new UserFacingError(`Job ${id} is changing right now; try cancelling again in a moment.`);
  }

  /** Expires requests past their time and reminds approvers of those about to expire. Called on a timer. */
  async sweep(): Promise<{ expired: Job[]; reminded: Job[] }> {
    const now = this.now();
    const expired: Job[] = [];
    for (const due of await listDueForExpiry(this.options.db, now, this.onCorrupt)) {
      const change = await withTransaction(this.options.db, async (tx) => {
        const job = await getJob(tx, due.id, { forUpdate: true });
        if (!job || job.state !== 'awaiting_approval' || now < job.expiresAt) return undefined;
        return this.expireIn(tx, job, now);
      }).catch((error: unknown) => (isConflict(error) ? undefined : Promise.reject(error)));
      if (change) {
        expired.push(change.job);
        await this.tell(change);
      }
    }
    const reminded: Job[] = [];
    const ttl = this.options.policy.ttlMs;
    const remindBeforeMs = Math.min(this.options.remindBeforeMs ?? DEFAULT_REMIND_BEFORE_MS, ttl / 2);
    for (const due of await listDueForReminder(this.options.db, now, remindBeforeMs, this.onCorrupt)) {
      const change = await withTransaction(this.options.db, async (tx) => {
        const job = await getJob(tx, due.id, { forUpdate: true });
        if (!job || job.state !== 'awaiting_approval') return undefined;
        // Conditional on reminded_at still being empty: overlapping sweeps (a slow one and the next tick,
        // or two bot instances) each read the job as due, and only the first may remind.
        const updated = await markReminded(tx, job.id, now);
        if (!updated) return undefined;
        const left = Math.max(0, Math.round((job.expiresAt.getTime() - now.getTime()) / 60_000));
        const event = await appendEvent(tx, { jobId: job.id, at: now, actor: null, kind: 'reminded', message: `Reminded the approvers: the request expires in ${left} min.`, detail: { minutesLeft: left } });
        return { job: updated, event };
      }).catch((error: unknown) => (isConflict(error) ? undefined : Promise.reject(error)));
      if (change) {
        reminded.push(change.job);
        await this.tell(change);
      }
    }
    return { expired, reminded };
  }

  /**
   * A servicing host's callback (already signature-checked by the route): stored as a `callback` event
   * that the running stage reads. Refused when the job is not waiting for its servicing host.
   */
  async acceptServicingReport(jobId: string, report: ServicingReport): Promise<ServicingEventAnswer> {
    const id = jobId.toUpperCase();
    const now = this.now();
    const outcome = await withTransaction(this.options.db, async (tx) => {
      const job = await getJob(tx, id, { forUpdate: true });
      if (!job) return { status: 404 as const, message: `There is no job ${id}.` };
      const steps = await listSteps(tx, id);
      // Over once the host's last stage ended (keep_editions follows service_media when editions are removed), or any failed.
      const hostStages: StageName[] = job.stages.filter((stage) => stage === 'service_media' || stage === 'keep_editions');
      const servicingOver = steps.some(
        (step) => hostStages.includes(step.stage) && (step.state === 'failed' || (step.state === 'done' && step.stage === hostStages.at(-1))),
      );
      if (!job.stages.includes('service_media') || !isActive(job.state) || job.state === 'awaiting_approval' || servicingOver) {
        const event = await appendEvent(tx, { jobId: id, at: now, actor: null, kind: 'callback_refused', message: `Refused a servicing-host callback (${report.event}) while the job was ${job.state}.`, detail: { ...report } });
        return { status: 409 as const, message: `Job ${id} is not waiting for its servicing host (it is ${job.state}).`, event };
      }
      const what = [report.event.replace('_', ' '), report.stage, report.newBuild ? `build ${report.newBuild}` : undefined].filter(Boolean).join(', ');
      const event = await appendEvent(tx, {
        jobId: id,
        at: now,
        actor: null,
        kind: 'callback',
        message: `Servicing host: ${what}${report.message ? ` (${report.message})` : ''}.`,
        detail: { ...report },
      });
      return { status: 202 as const, job, event };
    });
    if (outcome.status === 202) await this.tell({ job: outcome.job, event: outcome.event });
    return outcome.status === 202 ? { status: 202 } : { status: outcome.status, message: outcome.message };
  }

  async details(jobId: string): Promise<JobDetails> {
    const id = jobId.toUpperCase();
    const job = await getJob(this.options.db, id);
    if (!job) throw new JobNotFound(id);
    const [steps, approvals, events] = await Promise.all([
      listSteps(this.options.db, id, this.onCorrupt),
      listApprovals(this.options.db, id),
      listEvents(this.options.db, id, undefined, this.onCorrupt),
    ]);
    return { job, steps, approvals, events };
  }

  async find(jobId: string): Promise<Job | undefined> {
    return getJob(this.options.db, jobId.toUpperCase());
  }

  /** Active jobs first, then the most recent ones; `packageId` narrows to one package. */
  async recent(options: { packageId?: string; limit?: number } = {}): Promise<Job[]> {
    const limit = options.limit ?? 20;
    const jobs = await listJobs(this.options.db, { packageId: options.packageId, limit, onCorrupt: this.onCorrupt });
    return [...jobs.filter((job) => isActive(job.state)), ...jobs.filter((job) => !isActive(job.state))];
  }

  /** For the runner and the webhook route: a change they committed, told to the observers. */
  async tell(change: JobChange): Promise<void> {
    for (const observer of this.observers) {
      try {
        await observer.jobChanged(change);
      } catch (error) {
        this.options.logger.warn({ err: error, jobId: change.job.id, event: change.event?.kind }, 'a job observer failed');
      }
    }
  }

  private async expireIn(tx: Kysely<Schema>, job: Job, now: Date): Promise<JobChange | undefined> {
    const updated = await updateJob(
      tx,
      job.id,
      job.version,
      { state: 'expired', outcome: 'Expired: nobody decided before the request ran out of time.', finishedAt: now },
      now,
    );
    if (!updated) return undefined;
    const event = await appendEvent(tx, { jobId: job.id, at: now, actor: null, kind: 'expired', message: 'The request expired before it was decided.', detail: null });
    return { job: updated, event };
  }
}

function latestBuildOf(pkg: MediaPackage): string | null {
  const verdict = pkg.freshness?.verdict;
  if (!verdict || verdict.state === 'unknown' || verdict.latest === undefined) return null;
  return `${verdict.releaseBuild}.${verdict.latest.revision}`;
}

/** SQLITE_BUSY, a PostgreSQL serialization failure or deadlock: the transaction may simply run again. */
export function isConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'SQLITE_BUSY' || code === '40001' || code === '40P01';
}
