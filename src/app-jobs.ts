/**
 * The refresh jobs' half of the composition: the store, the job service, the stage runners and the
 * runner that drives them, and the sweep that expires and reminds. app.ts wires the bot's side
 * (answers, cards, publisher) onto what this returns.
 */
import type { Logger } from 'pino';
import type { AppConfig } from './config';
import type { AdminService } from './services/configmgr/admin-service';
import type { ApprovalPolicy } from './services/jobs/approvals';
import { pruneWebhookReceipts, recordWebhookReceipt } from './services/jobs/job-repository';
import { JobService, type RunnerKind } from './services/jobs/job-service';
import { JobRunner } from './services/jobs/runner';
import { ConfigMgrStages } from './services/jobs/runners/configmgr-stages';
import { RefreshExecutor } from './services/jobs/runners/refresh-executor';
import { ServicingHostStages } from './services/jobs/runners/servicing-host-stages';
import { buildServicingJobPayload, ServicingHostClient } from './services/jobs/servicing-host-client';
import type { ServicingCallbackOptions } from './http/servicing-events';
import type { MediaPackage } from './services/media/media-package';
import type { MediaPathMapper } from './services/media/media-paths';
import type { MediaInspection } from './services/media/media-inspection';
import { openDatabase, type Database } from './services/store/database';

export interface JobsTuning {
  /** The runner's lease and polling; production uses the runner's defaults. */
  leaseMs?: number;
  runnerPollMs?: number;
  /** How often requests are expired and reminders sent. */
  sweepIntervalMs?: number;
  /** Overrides DISTRIBUTION_POLL_SECONDS (the demo site polls every second). */
  distributionPollMs?: number;
  refreshGraceMs?: number;
  /** Overrides SERVICING_TIMEOUT_MINUTES and DISTRIBUTION_TIMEOUT_MINUTES (whole minutes) for tests that watch a timeout. */
  servicingTimeoutMs?: number;
  /** How long the POST of a job to the servicing host may take (the client's 15 s by default). */
  servicingHostTimeoutMs?: number;
  distributionTimeoutMs?: number;
  /** Leaves the runner stopped (a test drives it, or another instance does). */
  runnerStopped?: boolean;
}

export interface JobsParts {
  database: Database;
  jobs: JobService;
  runner: JobRunner;
  runnerKind: RunnerKind;
  /** For the /api/jobs/:id/events route (RUNNER=webhook). */
  servicingCallbacks: Omit<ServicingCallbackOptions, 'secret'>;
  start(): void;
  stop(): Promise<void>;
}

const DEMO_POLL_MS = 1_000;
const DEFAULT_SWEEP_MS = 30_000;
/** Twice the callbacks' ±300 s window. */
const RECEIPT_KEEP_MS = 20 * 60_000;

export async function openJobs(options: {
  config: AppConfig;
  demo: boolean;
  adminService: AdminService;
  packageById: (packageId: string) => MediaPackage | undefined;
  inspect: (pkg: Pick<MediaPackage, 'kind' | 'sourcePath' | 'sourceVersion'>) => Promise<MediaInspection>;
  mapper: MediaPathMapper;
  /** The bot's public base URL for the servicing host's callbacks; known once the server listens. */
  publicUrl: () => string;
  logger: Logger;
  tuning?: JobsTuning;
}): Promise<JobsParts> {
  const { config, demo, logger } = options;
  const tuning = options.tuning ?? {};
  const runnerKind = runnerKindOf(config, demo);
  const database = await openDatabase(config.databaseUrl, { logger: logger.child({ component: 'store' }) });
  const { db } = database;

  const policy: ApprovalPolicy = {
    approvers: config.approvers,
    requiredApprovals: config.requiredApprovals,
    ttlMs: config.approvalTtlHours * 3_600_000,
    anyoneMayApprove: demo && config.approvers.length === 0,
  };
  const jobs = new JobService({ db, policy, runnerKind, logger: logger.child({ component: 'jobs' }) });

  const pollMs = tuning.distributionPollMs ?? (runnerKind === 'demo' ? DEMO_POLL_MS : config.distribution.pollSeconds * 1_000);
  const configMgrStages = new ConfigMgrStages({
    configMgr: options.adminService,
    packageById: options.packageById,
    inspect: options.inspect,
    mapper: options.mapper,
    buildFileName: config.buildFileName,
    pollMs,
    distributionTimeoutMs: tuning.distributionTimeoutMs ?? config.distribution.timeoutMinutes * 60_000,
    refreshGraceMs: tuning.refreshGraceMs ?? (runnerKind === 'demo' ? 5_000 : undefined),
  });
  let servicingHost: ServicingHostStages | undefined;
  if (runnerKind === 'webhook' && config.runner.webhookUrl && config.runner.secret) {
    const client = new ServicingHostClient({ url: config.runner.webhookUrl, secret: config.runner.secret, timeoutMs: tuning.servicingHostTimeoutMs, logger: logger.child({ component: 'servicing-host' }) });
    servicingHost = new ServicingHostStages({
      db,
      submit: async (job) => {
        const pkg = options.packageById(job.packageId);
        return client.submit(buildServicingJobPayload(job, pkg?.sourcePath ?? '', options.publicUrl()));
      },
      pollMs,
      servicingTimeoutMs: tuning.servicingTimeoutMs ?? config.servicingTimeoutMinutes * 60_000,
    });
  }
  const runner = new JobRunner({
    db,
    executor: new RefreshExecutor(db, configMgrStages, servicingHost),
    tell: (change) => jobs.tell(change),
    logger: logger.child({ component: 'runner' }),
    leaseMs: tuning.leaseMs,
    pollMs: tuning.runnerPollMs,
  });

  let sweepTimer: NodeJS.Timeout | undefined;
  let sweeping: Promise<unknown> = Promise.resolve();
  return {
    database,
    jobs,
    runner,
    runnerKind,
    servicingCallbacks: {
      ledger: { record: (signature, jobId, at) => recordWebhookReceipt(db, signature, jobId, at) },
      onServicingEvent: (jobId, event) => {
        const { contract: _contract, ...report } = event;
        return jobs.acceptServicingReport(jobId, report);
      },
    },
    start() {
      if (!tuning.runnerStopped) runner.start();
      sweepTimer = setInterval(() => {
        sweeping = Promise.all([
          jobs.sweep().catch((error: unknown) => logger.warn({ err: error }, 'could not expire or remind job requests')),
          // A receipt only has to outlive the callbacks' time window: an older signature fails its timestamp anyway.
          pruneWebhookReceipts(db, new Date(Date.now() - RECEIPT_KEEP_MS)).catch((error: unknown) => logger.warn({ err: error }, 'could not prune webhook receipts')),
        ]);
      }, tuning.sweepIntervalMs ?? DEFAULT_SWEEP_MS);
      sweepTimer.unref();
    },
    async stop() {
      clearInterval(sweepTimer);
      await sweeping;
      await runner.stop();
      await database.close();
    },
  };
}

/** On the demo site the ConfigMgr runner is the demo runner: the simulator plays a refresh out over seconds (config.ts refuses RUNNER=demo on a real site). */
function runnerKindOf(config: AppConfig, demo: boolean): RunnerKind {
  if (demo && config.runner.kind === 'configmgr') return 'demo';
  return config.runner.kind;
}
