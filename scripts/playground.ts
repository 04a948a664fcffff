/**
 * `npm run playground`: try the bot like Teams, on this machine, with no Azure registration. Starts the bot
 * (configured from the environment / .env like `npm start`; with no CM_ADMINSERVICE_URL that is the built-in
 * demo site) and the Microsoft 365 Agents Playground against it, prints the page to open, and stops both on
 * Ctrl+C.
 */
import 'dotenv/config';
import { startApp, type RunningApp } from '../src/app';
import { ConfigError, loadConfig, type AppConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { startPlayground, type RunningPlayground } from '../test/support/playground';

/** The Playground's own default port, so the page keeps its address between runs; it falls back to a free one if busy. */
const PLAYGROUND_PORT = 56150;

function readConfig(): AppConfig {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  if (config.bot.appId !== '') {
    // The Playground sends no token, so a bot with an identity would answer every message with 401.
    process.stderr.write('The Playground needs the bot in anonymous mode: unset MicrosoftAppId (in the environment or .env) and run again.\n');
    process.exit(1);
  }
  const logger = createLogger(config);

  let app: RunningApp | undefined;
  let playground: RunningPlayground | undefined;
  let stopping = false;
  const stopAll = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    try {
      await playground?.stop();
      await app?.stop();
    } catch (error) {
      logger.error({ err: error }, 'could not stop cleanly');
      exitCode = 1;
    }
    process.exit(exitCode);
  };
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));

  try {
    app = await startApp(config, { logger });
    const endpoint = `${app.url}/api/messages`;
    playground = await startPlayground({ botEndpoint: endpoint, port: PLAYGROUND_PORT });
    void playground.exited.then((code) => {
      if (stopping) return;
      logger.error({ code, output: playground?.output() }, 'the Agents Playground stopped on its own');
      void stopAll(1);
    });
    const site = config.configMgr ? `ConfigMgr at ${config.configMgr.adminServiceUrl}` : 'the built-in demo site';
    process.stdout.write(
      [
        '',
        `Bot: ${endpoint} (${site})`,
        `Open ${playground.url} in your browser to chat with the bot as in Teams (try "help", "list", "editions PS100015").`,
        'Press Ctrl+C to stop the bot and the Playground.',
        '',
      ].join('\n'),
    );
  } catch (error) {
    process.stderr.write(`Could not start the playground: ${error instanceof Error ? error.message : String(error)}\n`);
    await stopAll(1);
  }
}

void main();
