/**
 * The whole chain a Teams user meets, for end-to-end tests: the real app on the built-in demo site, the
 * Microsoft 365 Agents Playground in front of it, and headless Chromium on the Playground's chat page.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startApp, type RunningApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { launchBrowser, PlaygroundChat, type ChatOptions, type LaunchOptions, type TestBrowser } from './browser';
import { startPlayground, type RunningPlayground } from './playground';

export interface PlaygroundSession {
  chat: PlaygroundChat;
  /** Stops every part, even when another fails to stop; fails with the names of those that did not. */
  stop(): Promise<void>;
}

export async function openPlaygroundSession(options: Pick<LaunchOptions, 'viewport'> & { chat?: ChatOptions } = {}): Promise<PlaygroundSession> {
  let dataDir: string | undefined;
  let app: RunningApp | undefined;
  let playground: RunningPlayground | undefined;
  let browser: TestBrowser | undefined;
  const stop = async () => {
    const stops: Array<[string, () => Promise<void> | undefined]> = [
      ['browser', () => browser?.close()],
      ['playground', () => playground?.stop()],
      ['app', () => app?.stop()],
      ['data dir', () => (dataDir === undefined ? undefined : rm(dataDir, { recursive: true, force: true }))],
    ];
    const failures: string[] = [];
    for (const [name, stopPart] of stops) {
      try {
        await stopPart();
      } catch (error) {
        failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    assert.deepEqual(failures, [], 'every part stops cleanly');
  };
  try {
    dataDir = await mkdtemp(join(tmpdir(), 'e2e-bot-'));
    app = await startApp(loadConfig({ PORT: '0', DATABASE_URL: `sqlite:${join(dataDir, 'bot.db')}` }), {
      logger: pino({ level: 'silent' }),
    });
    playground = await startPlayground({ botEndpoint: `${app.url}/api/messages` });
    browser = await launchBrowser(options);
    return { chat: await PlaygroundChat.open(browser, playground.url, options.chat), stop };
  } catch (error) {
    // A half-started chain is stopped here, because the caller never gets a session to stop.
    await stop().catch(() => undefined);
    throw error;
  }
}
