/** Builds the running bot from a config: services, bot, HTTP server. index.ts and tests both use it. */
import type { Logger } from 'pino';
import type { AddressInfo } from 'node:net';
import { mediaActionRoutes } from './bot/actions/media-actions';
import { createChannelEdge, type ChannelOptions } from './bot/activity-processor';
import { jobActionRoutes } from './bot/actions/job-actions';
import { JobAnswers } from './bot/answers/job-answers';
import { ApproverDirectory } from './bot/jobs/approver-directory';
import { JobPublisher } from './bot/jobs/job-publisher';
import { JobViews } from './bot/jobs/job-views';
import { subscriptionActionRoutes } from './bot/actions/subscription-actions';
import { SubscriptionAnswers } from './bot/answers/subscription-answers';
import { ConversationReferences } from './bot/conversation-references';
import { readNotifyHealth } from './services/notify/notify-health';
import { openJobs, type JobsTuning } from './app-jobs';
import { notifyHealthProbe, openNotifications, type NotifyTuning } from './app-notify';
import { BotNotificationRenderer } from './bot/notify/notification-renderer';
import { digestPayloadBuilder } from './bot/notify/digest-payload';
import type { NotificationDispatcher } from './services/notify/dispatcher';
import type { FreshnessWatch } from './services/media/freshness-watch';
import type { JobService, RunnerKind } from './services/jobs/job-service';
import type { JobRunner } from './services/jobs/runner';
import type { Database } from './services/store/database';
import { MediaAnswers } from './bot/media-answers';
import { createReplySerializer } from './bot/reply-serializer';
import { MediaBot, type MediaBotOptions } from './bot/media-bot';
import type { AppConfig, MediaPathMapping } from './config';
import { createLogger } from './logger';
import type { ServicingCallbackOptions } from './http/servicing-events';
import { createServer, type HttpLimits } from './server';
import { AdminServiceClient, type AdminServiceAuth, type AdminServiceClientOptions } from './services/configmgr/admin-service-client';
import { AdminServiceSimulator } from './services/demo/admin-service-simulator';
import { createDemoSite, createDemoUpdateCatalog, DEMO_EDITIONS_IN_USE } from './services/demo/demo-site';
import { demoMediaPathMap, findDemoMediaRoot } from './services/demo/demo-media-root';
import { parseEditionsPolicy } from './services/media/editions-policy';
import { MediaInventory } from './services/media/inventory';
import { MediaPathMapper } from './services/media/media-paths';
import { SourceInspector } from './services/media/source-folder';
import { ReleaseCatalog } from './services/releases/release-catalog';

export interface RunningApp {
  /** http://host:port of the bot; the channel posts to `${url}/api/messages`. */
  url: string;
  /** PUBLIC_URL, or `url` when it is unset: the base of the callback URL a servicing host is given. */
  publicUrl: string;
  port: number;
  inventory: MediaInventory;
  /** The refresh jobs' parts, for tests and the bench. */
  jobs: { service: JobService; runner: JobRunner; database: Database; publisher: JobPublisher; runnerKind: RunnerKind };
  /** The notifications' parts, for tests and the bench. */
  notifications: { dispatcher: NotificationDispatcher; freshnessWatch: FreshnessWatch };
  stop(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** How long to wait for the first inventory sync before serving (the demo site answers at once). */
  firstSyncWaitMs?: number;
  /** Client tuning for tests and the bench; production uses the client's defaults. */
  adminService?: Pick<AdminServiceClientOptions, 'timeoutMs' | 'retries' | 'retryBaseDelayMs'>;
  lazyFetchConcurrency?: number;
  /** Time limits for tests; production uses the inventory's and the inspector's defaults. */
  syncTimeLimitMs?: number;
  inspectionTimeLimitMs?: number;
  /** Per-user limit on messages and card buttons (MediaBot's defaults when absent); false for the bench. */
  rateLimit?: MediaBotOptions['rateLimit'];
  /** Body size, JSON depth and connection timeouts; production uses DEFAULT_HTTP_LIMITS. */
  http?: Partial<HttpLimits>;
  /** Job runner and sweep timing for tests; production uses the defaults. */
  jobs?: JobsTuning;
  /** Notification dispatcher timing for tests and the bench; production uses the defaults. */
  notify?: NotifyTuning;
  /** Channel token keys and turn/connector time limits; production uses the public cloud and defaults. */
  channel?: ChannelOptions;
  /** The job service's port and the shared receipt ledger; used only with RUNNER=webhook (the secret comes from config). */
  servicingCallbacks?: Omit<ServicingCallbackOptions, 'secret'>;
}

function authFromConfig(settings: NonNullable<AppConfig['configMgr']>): AdminServiceAuth {
  switch (settings.auth) {
    case 'none':
      return { kind: 'none' };
    case 'bearer':
      return { kind: 'bearer', token: settings.bearerToken ?? '' };
    case 'ntlm':
      return { kind: 'ntlm', username: settings.username ?? '', password: settings.password ?? '', domain: settings.domain };
    case 'negotiate':
      return { kind: 'negotiate', username: settings.username, password: settings.password, domain: settings.domain };
  }
}

/** MEDIA_PATH_MAP when set; on the demo site, the bundled demo-media folders. */
function mediaPathMap(config: AppConfig, demo: boolean, logger: Logger): MediaPathMapping[] {
  if (config.mediaPathMap.length > 0 || !demo) return config.mediaPathMap;
  const root = findDemoMediaRoot();
  if (root === undefined) logger.warn('the demo-media folder is missing: the demo site shows no source-folder checks');
  return root === undefined ? [] : demoMediaPathMap(root);
}

export async function startApp(config: AppConfig, options: StartOptions = {}): Promise<RunningApp> {
  const logger = options.logger ?? createLogger(config);
  const stops: Array<() => Promise<void>> = [];

  let adminServiceUrl: string;
  let auth: AdminServiceAuth;
  let simulator: AdminServiceSimulator | undefined;
  if (config.configMgr) {
    adminServiceUrl = config.configMgr.adminServiceUrl;
    auth = authFromConfig(config.configMgr);
  } else {
    simulator = new AdminServiceSimulator({
      site: createDemoSite(),
      softwareUpdates: createDemoUpdateCatalog(),
      logger: logger.child({ component: 'demo-site' }),
    });
    adminServiceUrl = await simulator.start();
    auth = { kind: 'none' };
    const demoSite = simulator;
    stops.push(() => demoSite.stop());
    logger.info({ adminServiceUrl }, 'no CM_ADMINSERVICE_URL: serving the built-in demo site');
  }

  const adminService = new AdminServiceClient({
    baseUrl: adminServiceUrl,
    auth,
    caFile: config.configMgr?.caFile,
    ...options.adminService,
    logger: logger.child({ component: 'adminservice' }),
  });
  stops.unshift(() => adminService.close());
  const releases = new ReleaseCatalog({
    feedUrl: config.releasesFeedUrl,
    // The site's own update catalog, read at every inventory sync (see refreshReleases below).
    siteCatalog: adminService,
    logger: logger.child({ component: 'releases' }),
  });
  // start() fetches the feed at once; waiting on refresh() shares that fetch, so the first sync judges with it.
  releases.start();
  await releases.refresh();
  stops.push(() => releases.stop());

  const mapper = new MediaPathMapper(mediaPathMap(config, simulator !== undefined, logger));
  const inspector = new SourceInspector({
    mapper,
    buildFileName: config.buildFileName,
    logger: logger.child({ component: 'source-folders' }),
    timeLimitMs: options.inspectionTimeLimitMs,
  });
  // The demo site deploys Enterprise from its client media, as its packages' descriptions say; a real site says what it deploys.
  const editionsPolicy = config.editionsInUse ?? (simulator !== undefined ? parseEditionsPolicy(DEMO_EDITIONS_IN_USE) : undefined);
  const inventory = new MediaInventory({
    adminService,
    demo: simulator !== undefined,
    editionsPolicy,
    lazyFetchConcurrency: options.lazyFetchConcurrency,
    syncTimeLimitMs: options.syncTimeLimitMs,
    inspector,
    releases,
    refreshReleases: () => releases.refreshSiteCatalog(),
    // The store opens after the first sync may have ended: the watch reads the latest snapshot once it is there.
    onSynced: (snapshot) => freshnessWatch?.synced(snapshot),
    logger: logger.child({ component: 'inventory' }),
  });
  let freshnessWatch: FreshnessWatch | undefined;
  inventory.start(config.syncIntervalMinutes * 60_000);
  stops.unshift(() => inventory.stop());
  await Promise.race([
    inventory.whenFirstSyncSettled(),
    new Promise((resolve) => setTimeout(resolve, options.firstSyncWaitMs ?? 5_000).unref()),
  ]);

  const answers = new MediaAnswers({
    inventory,
    releases,
    adminServiceUrl,
    syncIntervalMinutes: config.syncIntervalMinutes,
    // The store opens below; status is answered only once the bot serves.
    notifyHealth: () => readNotifyHealth(jobs.database.db),
  });
  let publicUrl = config.publicUrl ?? '';
  const jobs = await openJobs({
    config,
    demo: simulator !== undefined,
    adminService,
    packageById: (packageId) => answers.packageById(packageId),
    inspect: (pkg) => inspector.inspect(pkg),
    mapper,
    publicUrl: () => publicUrl,
    logger,
    tuning: options.jobs,
  });
  stops.unshift(() => jobs.stop());

  // The bot is built after the edge: its job answers post through the edge's deliverer.
  let bot: MediaBot | undefined;
  const edge = createChannelEdge({
    identity: config.bot,
    bot: () => bot!,
    logger: logger.child({ component: 'adapter' }),
    serialize: createReplySerializer((value) => answers.cardJson(value)),
    channel: options.channel,
  });
  const processActivity = edge.processActivity;
  const cardContext = () => answers.currentCardContext();
  const approvers = new ApproverDirectory({ db: jobs.database.db, approvers: config.approvers, logger: logger.child({ component: 'approvers' }) });
  const views = new JobViews(jobs.jobs, cardContext, () => approvers.userIds(), (packageId) =>
    answers.packageById(packageId)?.editions.map((edition) => ({ index: edition.index, name: edition.name })),
  );
  const publisher = new JobPublisher({ db: jobs.database.db, views, deliverer: edge.deliverer, logger: logger.child({ component: 'job-messages' }) });
  jobs.jobs.observe(publisher);
  stops.unshift(() => publisher.settled());
  const notifications = openNotifications({
    config,
    db: jobs.database.db,
    deliverer: edge.deliverer,
    renderer: new BotNotificationRenderer({ db: jobs.database.db, views, cardContext, logger: logger.child({ component: 'notification-cards' }) }),
    buildDigest: digestPayloadBuilder({ db: jobs.database.db, snapshot: () => inventory.snapshot() }),
    logger,
    tuning: options.notify,
  });
  // Every job change that committed a notification: deliver it now rather than at the next poll.
  jobs.jobs.observe({ jobChanged: () => notifications.poke() });
  freshnessWatch = notifications.freshnessWatch;
  if (inventory.snapshot().syncedAt !== null) await freshnessWatch.synced(inventory.snapshot()).catch((error: unknown) => logger.warn({ err: error }, 'the freshness watch could not read the first sync'));
  stops.unshift(() => notifications.stop());
  const notifyProbe = notifyHealthProbe(jobs.database.db, logger);
  const jobAnswers = new JobAnswers({
    db: jobs.database.db,
    jobs: jobs.jobs,
    media: answers,
    views,
    publisher,
    hygiene: config.mediaHygiene,
    cardContext,
    onApproved: () => jobs.runner.poke(),
  });
  const subscriptionAnswers = new SubscriptionAnswers({
    db: jobs.database.db,
    channelSubscribers: config.notifications.channelSubscribers,
    approvers: config.approvers,
    cardContext,
    logger: logger.child({ component: 'subscriptions' }),
  });
  bot = new MediaBot(answers, logger.child({ component: 'bot' }), {
    actions: [...mediaActionRoutes(answers), ...jobActionRoutes(jobAnswers), ...subscriptionActionRoutes(subscriptionAnswers)],
    rateLimit: options.rateLimit,
    jobs: { answers: jobAnswers, approvers },
    conversations: new ConversationReferences({ db: jobs.database.db, logger: logger.child({ component: 'conversations' }), identity: config.bot }),
    subscriptions: subscriptionAnswers,
  });

  const server = createServer({
    processActivity,
    logger: logger.child({ component: 'http' }),
    limits: options.http,
    servicingCallbacks:
      config.runner.kind === 'webhook' && config.runner.secret !== undefined
        ? { ...(options.servicingCallbacks ?? jobs.servicingCallbacks), secret: config.runner.secret }
        : undefined,
    health: async () => {
      const state = inventory.syncState();
      const sharesNotAnswering = inspector.sharesNotAnswering();
      // Degraded, still 200: the bot answers from its last inventory, and a probe that restarted it would lose
      // that inventory without mending a hung share or ConfigMgr. Monitoring reads `status`. No share names
      // here: /healthz answers anyone.
      const degraded = state.stuckSince !== undefined || sharesNotAnswering > 0;
      return {
        status: degraded ? 'degraded' : 'ok',
        demo: simulator !== undefined,
        configMgrReachable: state.reachable,
        lastSyncAttempt: state.lastAttemptAt,
        lastSuccessfulSync: state.lastSuccessAt,
        lastSyncDurationMs: state.lastDurationMs,
        syncRunningSince: state.runningSince ?? null,
        syncStuckSince: state.stuckSince ?? null,
        sharesNotAnswering,
        packages: inventory.snapshot().packages.length,
        skippedRows: state.skippedRows,
        ...(await notifyProbe()),
      };
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  stops.unshift(
    () =>
      new Promise<void>((resolve) => {
        server.server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  );

  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`;
  publicUrl = config.publicUrl ?? url;
  jobs.start();
  notifications.start();
  return {
    url,
    publicUrl,
    port: address.port,
    inventory,
    jobs: { service: jobs.jobs, runner: jobs.runner, database: jobs.database, publisher, runnerKind: jobs.runnerKind },
    notifications: { dispatcher: notifications.dispatcher, freshnessWatch: notifications.freshnessWatch },
    async stop() {
      for (const stop of stops) await stop();
    },
  };
}
