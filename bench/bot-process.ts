/**
 * A bot under test in its own process, so the load generator does not share its event loop:
 * `node dist/bench/bot-process.js minimal` or `… media` (configured by the environment).
 * Prints one JSON line {"url": …} once listening; stops on SIGTERM.
 */
import { startApp } from '../src/app';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { startMinimalBot } from './minimal-bot';

async function main(): Promise<void> {
  const mode = process.argv[2];
  const running =
    mode === 'minimal'
      ? await startMinimalBot()
      : await startApp(loadConfig(process.env), { logger: createLogger({ level: 'silent' }), firstSyncWaitMs: 0, rateLimit: false });
  process.stdout.write(`${JSON.stringify({ url: running.url })}\n`);
  process.once('SIGTERM', () => {
    running.stop().finally(() => process.exit(0));
  });
}

main().catch((error) => {
  process.stderr.write(`bot-process failed: ${String(error)}\n`);
  process.exit(1);
});
