/**
 * The servicing host's stages (RUNNER=webhook): the bot sends the job to the host, then waits for the
 * host's signed callbacks, which the /api/jobs/:id/events route stores as `callback` events. The
 * stage reads them from the store, so whichever instance drives the job sees every callback, and a
 * restart loses none. A host that never answers fails the stage at SERVICING_TIMEOUT_MINUTES.
 */
import type { Kysely } from 'kysely';
import type { Schema } from '../../store/schema';
import type { ServicingEvent } from '../servicing-callback';
import type { Job, JobEvent, StageName } from '../job';
import { listEvents } from '../job-repository';
import { StageFailed, type StageContext, type StageOutcome } from '../runner';
import { ServicingHostUnavailable } from '../servicing-host-client';

/** A callback as the route stored it (the detail of a `callback` event): the parsed event without its contract number. */
export type ServicingReport = Omit<ServicingEvent, 'contract'>;

export interface ServicingHostStagesOptions {
  db: Kysely<Schema>;
  /** POSTs the job to RUNNER_WEBHOOK_URL; throws a UserFacingError when the host does not accept it. */
  submit: (job: Job) => Promise<{ reference?: string }>;
  pollMs: number;
  servicingTimeoutMs: number;
}

export function reportsOf(events: readonly JobEvent[]): ServicingReport[] {
  return events.filter((event) => event.kind === 'callback' && event.detail !== null).map((event) => event.detail as unknown as ServicingReport);
}

/** Whether the host said it already ran ConfigMgr's reload and update itself (they must never run twice). */
export function hostUpdatedConfigMgr(events: readonly JobEvent[]): boolean {
  return reportsOf(events).some((report) => report.event === 'completed' && report.configMgrUpdated === true);
}

export class ServicingHostStages {
  constructor(private readonly options: ServicingHostStagesOptions) {}

  handles(stage: StageName): boolean {
    return stage === 'service_media' || stage === 'keep_editions';
  }

  async run(stage: StageName, context: StageContext): Promise<StageOutcome> {
    let reference = typeof context.step.intent?.reference === 'string' ? context.step.intent.reference : undefined;
    if (stage === 'service_media' && context.step.intent?.submittedAt === undefined) {
      // After a crash before this is recorded the job is sent again: the contract has the host accept a job id once.
      let answered = true;
      try {
        reference = (await this.options.submit(context.job)).reference;
      } catch (error) {
        // Sent, then no answer: the host may hold the job and be servicing the media (perhaps updating ConfigMgr).
        // Failing now would refuse its callbacks; wait for them until SERVICING_TIMEOUT instead, like any job it took.
        if (!(error instanceof ServicingHostUnavailable && error.maybeDelivered)) throw error;
        answered = false;
      }
      await context.recordIntent({ submittedAt: context.now().toISOString(), ...(reference ? { reference } : {}), ...(answered ? {} : { answered: false }) });
    }
    const startedAt = (context.step.startedAt ?? context.now()).getTime();
    const deadline = startedAt + this.options.servicingTimeoutMs;
    for (;;) {
      await context.checkpoint();
      const reports = reportsOf(await listEvents(this.options.db, context.job.id));
      const outcome = this.outcomeOf(stage, reports, this.isLastHostStage(context.job, stage));
      if (outcome) return reference ? { ...outcome, message: `${outcome.message.replace(/\.$/, '')} (the host's run ${reference}).`, result: { ...(outcome.result ?? {}), reference } } : outcome;
      if (context.now().getTime() >= deadline) {
        throw new StageFailed(
          `The servicing host sent no result within ${Math.round(this.options.servicingTimeoutMs / 60_000)} min; check the host's log, then cancel this job and ask again.`,
        );
      }
      await context.sleep(this.options.pollMs);
    }
  }

  /**
   * The job's last host stage ends only with the host's `completed`: the host sends it last, and only it says
   * whether the host updated ConfigMgr itself. Ending at `stage_done` would let the bot's own reload and
   * RefreshPkgSource run while the host is still calling them (a second update of every DP).
   */
  private isLastHostStage(job: Job, stage: StageName): boolean {
    return job.stages.filter((candidate) => this.handles(candidate)).at(-1) === stage;
  }

  private outcomeOf(stage: StageName, reports: ServicingReport[], last: boolean): StageOutcome | undefined {
    const failed = reports.find((report) => report.event === 'failed' || (report.event === 'stage_failed' && (report.stage ?? 'service_media') === stage));
    if (failed) throw new StageFailed(`The servicing host reported a failure: ${failed.message ?? 'no reason given'}.`);
    const completed = reports.find((report) => report.event === 'completed');
    if (stage === 'keep_editions') {
      const done = reports.find((report) => report.event === 'stage_done' && report.stage === 'keep_editions');
      if (completed || (done && !last)) return { state: 'done', message: done?.message ?? 'The servicing host kept only the chosen editions.' };
      return undefined;
    }
    const serviced = reports.find((report) => report.event === 'stage_done' && report.stage === 'service_media');
    if (!completed && !(serviced && !last)) return undefined;
    const newBuild = completed?.newBuild ?? serviced?.newBuild;
    return {
      state: 'done',
      message: newBuild ? `The servicing host serviced the media to ${newBuild}.` : (serviced?.message ?? completed?.message ?? 'The servicing host serviced the media.'),
      result: { newBuild: newBuild ?? null, configMgrUpdated: completed?.configMgrUpdated === true },
      ...(newBuild ? { newBuild } : {}),
    };
  }
}
