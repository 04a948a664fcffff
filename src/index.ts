/** Composition root: read the environment, start the bot, stop cleanly on a signal. */
import 'dotenv/config';
import { startApp } from './app';
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config);
  // What the bot read, for whoever runs it at LOG_LEVEL=debug; the logger censors the secrets in it.
  logger.debug({ config }, 'configuration read');
  const app = await startApp(config, { logger });
  logger.info(
    { endpoint: `${app.url}/api/messages`, demo: config.configMgr === undefined },
    `upgrade-media-bot is listening on ${app.url}/api/messages`,
  );

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'stopping');
    app.stop().then(
      () => process.exit(0),
      (error) => {
        logger.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error) => {
  process.stderr.write(`upgrade-media-bot could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
