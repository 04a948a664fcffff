/**
 * A runner instance in its own process, so that a test can kill it with SIGKILL at any instant (no
 * finally, no lease release) and watch another instance take over. Started by
 * `node -r ts-node/register/transpile-only test/support/job-worker.ts '<json>'` with the settings
 * below; it prints "ready" once its runner polls, and on SIGTERM stops its runner and exits.
 */
import { createLogger } from '../../src/logger';
import { openDatabase } from '../../src/services/store/database';
import { buildRunner } from './job-harness';

interface WorkerSettings {
  databaseUrl: string;
  adminServiceUrl: string;
  shareRoot: string;
  owner: string;
  leaseMs: number;
  refreshGraceMs: number;
  distributionPollMs: number;
}

async function main(): Promise<void> {
  const settings = JSON.parse(process.argv[2] ?? '{}') as WorkerSettings;
  const logger = createLogger({ logLevel: process.env.WORKER_LOG_LEVEL ?? 'silent' });
  const database = await openDatabase(settings.databaseUrl, { logger });
  const { runner, client } = buildRunner({
    db: database.db,
    adminServiceUrl: settings.adminServiceUrl,
    shareRoot: settings.shareRoot,
    logger,
    owner: settings.owner,
    leaseMs: settings.leaseMs,
    refreshGraceMs: settings.refreshGraceMs,
    distributionPollMs: settings.distributionPollMs,
    runnerPollMs: 50,
  });
  runner.start();
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => {
    void (async () => {
      await runner.stop();
      await client.close();
      await database.close();
      process.exit(0);
    })();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`job worker failed: ${String(error)}\n`);
  process.exit(2);
});
