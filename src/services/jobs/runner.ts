/**
 * Drives approved jobs through their stages, durably. An instance claims a job with a lease (owner,
 * expiry, fence), renews it while it works, and checks that it still holds it inside every write
 * transaction: an instance that lost its lease (paused, partitioned, killed) can no longer write,
 * and another takes over from the last persisted step. Stages that touch ConfigMgr record their
 * intent first (stage-executor.ts), so a resumed stage decides from ConfigMgr's state whether its
 * side effect already happened instead of repeating it.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { UserFacingError } from '../errors';
import type { NewNotification } from '../notify/notification';
import { enqueueNotification } from '../notify/outbox-repository';
import type { Schema } from '../store/schema';
import type { Job, JobEventKind, JobStep, StageName, StepState } from './job';
import {
  appendEvent,
  claimNextJob,
  getJob,
  holdsLease,
  listSteps,
  releaseLease,
  renewLease,
  saveStep,
  updateJob,
  withTransaction,
} from './job-repository';
import type { JobChange } from './job-service';
import { stageLabel } from './stage-names';

/** What a stage reports when it ends well. */
export interface StageOutcome {
  state: 'done' | 'skipped';
  /** One sentence for the job card and the timeline. */
  message: string;
  result?: Record<string, unknown>;
  newBuild?: string;
  newSourceVersion?: number;
}

/** A stage that cannot go on: its sentence says what happened and what to do. */
export class StageFailed extends UserFacingError {}

/** Thrown at a safe point when someone asked to cancel. */
class CancelRequested extends Error {}
/** Thrown when the lease is gone: another instance drives the job now, this one stops writing. */
class LeaseLost extends Error {}

export interface StageContext {
  /** The job as stored when the stage (re)started. */
  readonly job: Job;
  /** The stage's persisted step: `intent` survives a crash. */
  readonly step: JobStep;
  /** Every step of the job so far (earlier stages' results, e.g. the new build). */
  readonly steps: readonly JobStep[];
  /** Persists the intent before a side effect, under the lease. */
  recordIntent(intent: Record<string, unknown>): Promise<void>;
  /**
   * Persists progress (e.g. 3 of 4 DPs) and tells the observers, under the lease; `notifications` (a DP
   * that failed) go into the outbox in the same transaction, so a progress recorded is a progress told.
   */
  report(result: Record<string, unknown>, message: string, notifications?: readonly NewNotification[]): Promise<void>;
  /** A safe point: throws when a cancel was asked for. */
  checkpoint(): Promise<void>;
  /** Waits, unless the runner stops or the lease is lost. */
  sleep(ms: number): Promise<void>;
  readonly signal: AbortSignal;
  now(): Date;
}

export interface StageExecutor {
  run(stage: StageName, context: StageContext): Promise<StageOutcome>;
}

export interface JobRunnerOptions {
  db: Kysely<Schema>;
  executor: StageExecutor;
  /** Tells the job's observers (JobService.tell). */
  tell: (change: JobChange) => Promise<void>;
  logger: Logger;
  owner?: string;
  leaseMs?: number;
  heartbeatMs?: number;
  pollMs?: number;
  maxConcurrentJobs?: number;
  now?: () => Date;
}

const DEFAULT_LEASE_MS = 60_000;
const DEFAULT_POLL_MS = 2_000;
const DEFAULT_MAX_CONCURRENT_JOBS = 4;

export class JobRunner {
  readonly owner: string;
  private readonly leaseMs: number;
  private readonly heartbeatMs: number;
  private readonly pollMs: number;
  private readonly maxConcurrent: number;
  private readonly now: () => Date;
  private readonly stopping = new AbortController();
  private readonly driving = new Map<string, Promise<void>>();
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly options: JobRunnerOptions) {
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.heartbeatMs = options.heartbeatMs ?? Math.max(50, Math.floor(this.leaseMs / 3));
    this.pollMs = options.pollMs ?? DEFAULT_POLL_MS;
    this.maxConcurrent = options.maxConcurrentJobs ?? DEFAULT_MAX_CONCURRENT_JOBS;
    this.now = options.now ?? (() => new Date());
  }

  start(): void {
    if (this.loop) return;
    this.loop = this.run();
  }

  /** Looks for work now rather than at the next poll (a job was just approved). */
  poke(): void {
    this.wake?.();
  }

  /** Stops claiming, stops the stages at their next wait, and lets the leases go so another instance resumes at once. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.wake?.();
    await this.loop;
    await Promise.allSettled([...this.driving.values()]);
  }

  /** One claim attempt; true when a job was claimed. The loop calls it; tests may too. */
  async claimOnce(): Promise<boolean> {
    if (this.driving.size >= this.maxConcurrent) return false;
    const claimed = await claimNextJob(this.options.db, {
      owner: this.owner,
      now: this.now(),
      leaseMs: this.leaseMs,
      onCorrupt: (error) => this.options.logger.warn({ table: error.table, key: error.key, problem: error.problem }, 'skipped a job the store could not read'),
    });
    if (!claimed) return false;
    const drive = this.drive(claimed.job, claimed.fence).finally(() => {
      this.driving.delete(claimed.job.id);
      this.wake?.();
    });
    this.driving.set(claimed.job.id, drive);
    return true;
  }

  /** Resolves when no job is being driven by this instance (for tests). */
  async idle(): Promise<void> {
    while (this.driving.size > 0) await Promise.allSettled([...this.driving.values()]);
  }

  private async run(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      let claimed = false;
      try {
        claimed = await this.claimOnce();
      } catch (error) {
        this.options.logger.warn({ err: error }, 'could not look for jobs to run');
      }
      if (claimed) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  private async drive(claimedJob: Job, fence: number): Promise<void> {
    const { db, logger } = this.options;
    const jobId = claimedJob.id;
    const lost = new AbortController();
    const signal = AbortSignal.any([lost.signal, this.stopping.signal]);
    const heartbeat = setInterval(() => {
      renewLease(db, jobId, this.owner, fence, this.now(), this.leaseMs).then(
        (held) => {
          if (!held) {
            logger.warn({ jobId, fence }, 'lost the lease of a job: another instance drives it now');
            lost.abort();
          }
        },
        (error: unknown) => logger.warn({ err: error, jobId }, 'could not renew a job lease'),
      );
    }, this.heartbeatMs);
    heartbeat.unref?.();

    /** A write under the lease: refused (LeaseLost) once another instance holds a newer fence. */
    const fenced = async <T>(write: (tx: Kysely<Schema>, job: Job) => Promise<T>): Promise<T> => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await withTransaction(db, async (tx) => {
            if (!(await holdsLease(tx, jobId, this.owner, fence, this.now()))) throw new LeaseLost();
            const job = await getJob(tx, jobId, { forUpdate: true });
            if (!job) throw new LeaseLost();
            return write(tx, job);
          });
        } catch (error) {
          if (error instanceof VersionMoved && attempt < 5) continue;
          throw error;
        }
      }
    };
    const update = async (tx: Kysely<Schema>, job: Job, changes: Parameters<typeof updateJob>[3]): Promise<Job> => {
      const updated = await updateJob(tx, jobId, job.version, changes, this.now());
      if (!updated) throw new VersionMoved();
      return updated;
    };
    const event = (tx: Kysely<Schema>, kind: JobEventKind, message: string, detail: Record<string, unknown> | null = null) =>
      appendEvent(tx, { jobId, at: this.now(), actor: null, kind, message, detail });
    const tell = (change: JobChange) => this.options.tell(change);

    try {
      let job = claimedJob;
      if (job.state === 'approved') {
        const change = await fenced(async (tx, current) => {
          if (current.state !== 'approved') return undefined;
          const updated = await update(tx, current, { state: 'running' });
          return { job: updated, event: await event(tx, 'started', 'The job started.', { owner: this.owner }) };
        });
        if (change) {
          job = change.job;
          await tell(change);
        }
      } else {
        logger.info({ jobId, fence }, 'resuming a job from its last persisted step');
      }

      const started = job.createdAt;
      for (const stage of job.stages) {
        const steps = await listSteps(db, jobId);
        const step = steps.find((candidate) => candidate.stage === stage) ?? pendingStep(jobId, stage);
        if (step.state === 'done' || step.state === 'skipped') continue;
        const current = await getJob(db, jobId);
        if (!current || current.state !== 'running') return;
        if (current.cancelRequested) throw new CancelRequested();

        const resumed = step.state === 'running';
        const running: JobStep = { ...step, state: 'running', startedAt: step.startedAt ?? this.now(), message: step.message };
        const startChange = await fenced(async (tx, latest) => {
          await saveStep(tx, running);
          const updated = await update(tx, latest, { stage });
          const message = resumed ? `${stageLabel(stage)}: resumed after a restart.` : `${stageLabel(stage)}: started.`;
          return { job: updated, event: await event(tx, 'stage_started', message, { stage, resumed }) };
        });
        await tell(startChange);

        let stepNow = running;
        const context: StageContext = {
          job: startChange.job,
          step: running,
          steps,
          recordIntent: async (intent) => {
            stepNow = { ...stepNow, intent };
            await fenced(async (tx) => saveStep(tx, stepNow));
          },
          report: async (result, message, notifications = []) => {
            stepNow = { ...stepNow, result, message };
            const change = await fenced(async (tx, latest) => {
              await saveStep(tx, stepNow);
              for (const notification of notifications) await enqueueNotification(tx, notification);
              return { job: await update(tx, latest, {}) };
            });
            // Progress is not an audit line: observers redraw the card from the step, nothing is appended.
            await tell(change);
          },
          checkpoint: async () => {
            if (signal.aborted) throw lost.signal.aborted ? new LeaseLost() : new Stopping();
            const latest = await getJob(db, jobId);
            if (latest?.cancelRequested) throw new CancelRequested();
          },
          sleep: (ms) => sleep(ms, signal).then(() => {
            if (lost.signal.aborted) throw new LeaseLost();
            if (this.stopping.signal.aborted) throw new Stopping();
          }),
          signal,
          now: this.now,
        };

        let outcome: StageOutcome;
        try {
          outcome = await this.options.executor.run(stage, context);
        } catch (error) {
          if (error instanceof CancelRequested || error instanceof LeaseLost || error instanceof Stopping) throw error;
          if (signal.aborted) throw lost.signal.aborted ? new LeaseLost() : new Stopping();
          const sentence = error instanceof UserFacingError ? error.userMessage : `${stageLabel(stage)} failed unexpectedly; the bot's log has the details.`;
          if (!(error instanceof UserFacingError)) logger.error({ err: error, jobId, stage }, 'a job stage failed unexpectedly');
          else logger.warn({ err: error, jobId, stage }, 'a job stage failed');
          const change = await fenced(async (tx, latest) => {
            await saveStep(tx, { ...stepNow, state: 'failed', message: sentence, finishedAt: this.now() });
            await event(tx, 'stage_failed', `${stageLabel(stage)} failed: ${sentence}`, { stage });
            const updated = await update(tx, latest, { state: 'failed', outcome: `Failed at ${stageLabel(stage)}: ${sentence}`, finishedAt: this.now() });
            return { job: updated, event: await event(tx, 'failed', `The job failed at ${stageLabel(stage)}.`, { stage }) };
          });
          await tell(change);
          return;
        }

        const doneChange = await fenced(async (tx, latest) => {
          await saveStep(tx, {
            ...stepNow,
            state: outcome.state satisfies StepState,
            result: { ...(stepNow.result ?? {}), ...(outcome.result ?? {}) },
            message: outcome.message,
            finishedAt: this.now(),
          });
          const updated = await update(tx, latest, {
            ...(outcome.newBuild !== undefined ? { newBuild: outcome.newBuild } : {}),
            ...(outcome.newSourceVersion !== undefined ? { newSourceVersion: outcome.newSourceVersion } : {}),
          });
          const kind: JobEventKind = outcome.state === 'done' ? 'stage_done' : 'stage_skipped';
          return { job: updated, event: await event(tx, kind, `${stageLabel(stage)}: ${outcome.message}`, { stage, ...(outcome.result ?? {}) }) };
        });
        await tell(doneChange);
      }

      const finish = await fenced(async (tx, latest) => {
        if (latest.state !== 'running') return undefined;
        const steps = await listSteps(tx, jobId);
        const firstStart = Math.min(...steps.map((step) => step.startedAt?.getTime() ?? Number.POSITIVE_INFINITY));
        const tookMs = this.now().getTime() - (Number.isFinite(firstStart) ? firstStart : started.getTime());
        const watched = steps.find((step) => step.stage === 'watch_distribution')?.result;
        const outcome = successSentence(latest, describeDuration(tookMs), watched);
        const updated = await update(tx, latest, { state: 'succeeded', outcome, finishedAt: this.now(), stage: null });
        return { job: updated, event: await event(tx, 'succeeded', outcome, { tookMs }) };
      });
      if (finish) await tell(finish);
    } catch (error) {
      if (error instanceof CancelRequested) {
        const change = await fenced(async (tx, latest) => {
          const steps = await listSteps(tx, jobId);
          // The stage it stopped in did not finish: the cards must not show it as still running.
          for (const step of steps.filter((candidate) => candidate.state === 'running')) {
            await saveStep(tx, { ...step, state: 'skipped', message: 'Stopped here: the job was cancelled.', finishedAt: this.now() });
          }
          const done = steps.filter((step) => step.state === 'done').map((step) => stageLabel(step.stage as StageName).toLowerCase());
          const outcome = done.length === 0 ? 'Cancelled before any stage had finished; nothing was changed.' : `Cancelled; already done: ${done.join(', ')}.`;
          const updated = await update(tx, latest, { state: 'cancelled', outcome, finishedAt: this.now() });
          return { job: updated, event: await event(tx, 'cancelled', outcome, { done }) };
        }).catch((inner: unknown) => {
          if (inner instanceof LeaseLost) return undefined;
          throw inner;
        });
        if (change) await tell(change);
      } else if (error instanceof LeaseLost || error instanceof Stopping) {
        logger.info({ jobId, reason: error.name }, 'stopped driving a job; it resumes from its last persisted step');
      } else {
        logger.error({ err: error, jobId }, 'driving a job failed; it resumes when its lease expires');
      }
    } finally {
      clearInterval(heartbeat);
      await releaseLease(db, jobId, this.owner, fence).catch((error: unknown) => logger.warn({ err: error, jobId }, 'could not release a job lease'));
    }
  }
}

class VersionMoved extends Error {}
class Stopping extends Error {
  override name = 'Stopping';
}

function pendingStep(jobId: string, stage: StageName): JobStep {
  return { jobId, stage, state: 'pending', intent: null, result: null, message: null, startedAt: null, finishedAt: null };
}

/** "13 s", "14 min", "3 h 5 min": how long a job ran, as its final sentence says it. */
export function describeDuration(ms: number): string {
  const seconds = Math.max(1, Math.round(ms / 1_000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
}

function successSentence(job: Job, took: string, watched: Record<string, unknown> | null | undefined): string {
  const build = job.newBuild ?? job.fromBuild ?? 'its build';
  const total = typeof watched?.total === 'number' ? watched.total : undefined;
  const where = total === undefined ? 'every distribution point has it' : `${total} of ${total} distribution points have it`;
  return `Succeeded: ${job.packageName} (${job.packageId}) carries ${build} and ${where}, in ${took}.`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
