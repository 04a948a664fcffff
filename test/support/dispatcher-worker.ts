/**
 * A notification dispatcher in its own process, delivering through the real TeamsDeliverer to the
 * serviceUrl its conversations name, so that a test can kill it with SIGKILL mid fan-out (no finally,
 * no claim released, requests left unanswered) and start another. Started by
 * `node -r ts-node/register/transpile-only test/support/dispatcher-worker.ts '<json>'`; prints "ready"
 * once its dispatcher runs, and on SIGTERM stops it and exits.
 */
import { createLogger } from '../../src/logger';
import { NotificationDispatcher } from '../../src/services/notify/dispatcher';
import { openDatabase } from '../../src/services/store/database';
import { payloadRenderer, teamsDeliverer } from './notify-world';

export interface DispatcherWorkerSettings {
  databaseUrl: string;
  instanceId: string;
  claimLeaseMs: number;
  /** Each request to the connector. */
  connectorTimeoutMs: number;
  sendTimeoutMs: number;
  concurrency: number;
  ratePerSecond: number;
}

async function main(): Promise<void> {
  const settings = JSON.parse(process.argv[2] ?? '{}') as DispatcherWorkerSettings;
  const logger = createLogger({ logLevel: process.env.WORKER_LOG_LEVEL ?? 'silent' });
  const database = await openDatabase(settings.databaseUrl, { logger });
  const dispatcher = new NotificationDispatcher({
    db: database.db,
    deliverer: teamsDeliverer(logger, settings.connectorTimeoutMs),
    renderer: payloadRenderer,
    logger,
    instanceId: settings.instanceId,
    claimLeaseMs: settings.claimLeaseMs,
    sendTimeoutMs: settings.sendTimeoutMs,
    concurrency: settings.concurrency,
    ratePerSecond: settings.ratePerSecond,
    pollMs: 50,
    backoffBaseMs: 100,
    backoffMaxMs: 1_000,
    maxRetryAfterMs: 2_000,
  });
  dispatcher.start();
  // The dispatcher's poll timer does not hold a process open (in the bot the HTTP server does); on SQLite
  // nothing else would, and an idle worker would exit before the first one's claims expire.
  const keepAlive = setInterval(() => undefined, 60_000);
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => {
    void (async () => {
      clearInterval(keepAlive);
      await dispatcher.stop();
      await database.close();
      process.exit(0);
    })();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`dispatcher worker failed: ${String(error)}\n`);
  process.exit(2);
});
