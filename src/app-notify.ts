/**
 * The notifications' half of the composition: the dispatcher that drains the outbox through the
 * channel's deliverer, the freshness watch the inventory calls after each sync, and the weekly
 * digest. app.ts hands it the deliverer and the renderer (the cards live in src/cards, which the
 * core does not import) and pokes the dispatcher when a job changes.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AppConfig } from './config';
import { FreshnessWatch } from './services/media/freshness-watch';
import type { Deliverer } from './services/notify/deliverer';
import { DigestScheduler, type DigestPayload } from './services/notify/digest-scheduler';
import { NotificationDispatcher, type DispatcherOptions } from './services/notify/dispatcher';
import { LoopPressure } from './services/notify/loop-pressure';
import type { NotificationRenderer } from './services/notify/notification-renderer';
import type { Schema } from './services/store/schema';
import { notifyHealthFields, type NotifyHealthFields } from './http/notify-health-fields';
import { readNotifyHealth } from './services/notify/notify-health';

/** Dispatcher timing for tests and the bench; production uses the dispatcher's defaults and NOTIFY_RATE_PER_SECOND. */
export type NotifyTuning = Partial<
  Pick<DispatcherOptions, 'pollMs' | 'claimLeaseMs' | 'sendTimeoutMs' | 'backoffBaseMs' | 'backoffMaxMs' | 'concurrency' | 'conversationLimits' | 'maxAttempts' | 'whileBusy'>
> & {
  /** Leaves the dispatcher stopped (a test drives it with drain(), or another instance delivers). */
  dispatcherStopped?: boolean;
};

/** Requests a second while the event loop is busy with chat. */
const WHILE_BUSY_RATE_PER_SECOND = 5;

export interface NotifyParts {
  dispatcher: NotificationDispatcher;
  /** For MediaInventory's onSynced. */
  freshnessWatch: FreshnessWatch;
  digest: DigestScheduler;
  /** Something was written to the outbox: deliver it now rather than at the next poll. */
  poke(): void;
  start(): void;
  stop(): Promise<void>;
}

export function openNotifications(options: {
  config: AppConfig;
  db: Kysely<Schema>;
  deliverer: Deliverer;
  renderer: NotificationRenderer;
  buildDigest: (week: { from: Date; to: Date }) => Promise<DigestPayload>;
  logger: Logger;
  tuning?: NotifyTuning;
}): NotifyParts {
  const { config, db, logger } = options;
  const { dispatcherStopped, ...tuning } = options.tuning ?? {};
  const dispatcher = new NotificationDispatcher({
    db,
    deliverer: options.deliverer,
    renderer: options.renderer,
    logger: logger.child({ component: 'notifications' }),
    ratePerSecond: config.notifications.ratePerSecond,
    // Chat first: while the bot is busy answering turns, notifications go out at a trickle and catch up after.
    whileBusy: { pressure: new LoopPressure(), ratePerSecond: WHILE_BUSY_RATE_PER_SECOND },
    ...tuning,
  });
  const poke = () => dispatcher.poke();
  const freshnessWatch = new FreshnessWatch({ db, logger: logger.child({ component: 'freshness-watch' }), onEnqueued: poke });
  const digest = new DigestScheduler({
    db,
    logger: logger.child({ component: 'digest' }),
    schedule: config.notifications.digest,
    buildPayload: options.buildDigest,
    onEnqueued: poke,
  });
  return {
    dispatcher,
    freshnessWatch,
    digest,
    poke,
    start() {
      if (!dispatcherStopped) dispatcher.start();
      digest.start();
    },
    async stop() {
      await digest.stop();
      await dispatcher.stop();
    },
  };
}


/** A probe may call /healthz often: the figures are read at most once a second, and never wait more than 2 s. */
const PROBE_FRESH_MS = 1_000;
const PROBE_TIME_LIMIT_MS = 2_000;

/** /healthz's notification figures; `notifications: null` when the store did not answer in time. */
export function notifyHealthProbe(db: Kysely<Schema>, logger: Logger, now: () => Date = () => new Date()): () => Promise<NotifyHealthFields | { notifications: null }> {
  let last: { at: number; fields: Promise<NotifyHealthFields | { notifications: null }> } | undefined;
  return () => {
    const at = now().getTime();
    if (last !== undefined && at - last.at < PROBE_FRESH_MS) return last.fields;
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the store did not answer within ${PROBE_TIME_LIMIT_MS} ms`)), PROBE_TIME_LIMIT_MS);
      timer.unref();
    });
    const fields = Promise.race([readNotifyHealth(db, 0), limit])
      .then((health) => notifyHealthFields(health, now()))
      .catch((error: unknown) => {
        logger.warn({ err: error }, 'could not read the notification figures for /healthz');
        return { notifications: null };
      })
      .finally(() => clearTimeout(timer));
    last = { at, fields };
    return fields;
  };
}
