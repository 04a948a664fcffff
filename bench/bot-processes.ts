/**
 * Starting and stopping the bots under test as child processes (bot-process.ts), and reading their
 * /healthz: every bench part measures a bot in its own process, so the load generator does not share
 * its event loop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface BotProcess {
  url: string;
  child: ChildProcess;
}

/** `env` is the whole environment of the bot besides PATH (LOG_LEVEL silent unless given). */
export function startBotProcess(mode: 'minimal' | 'media', env: Record<string, string> = {}): Promise<BotProcess> {
  const child = spawn(process.execPath, ['--disable-warning=DEP0111', join(__dirname, 'bot-process.js'), mode], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${mode} bot exited with ${code}`)));
    createInterface({ input: child.stdout! }).once('line', (line) => resolve({ url: (JSON.parse(line) as { url: string }).url, child }));
  });
}

export async function stopBotProcess(bot: BotProcess): Promise<void> {
  if (bot.child.exitCode !== null || bot.child.signalCode !== null) return;
  const exited = new Promise((resolve) => bot.child.once('exit', resolve));
  bot.child.kill('SIGTERM');
  await exited;
}

export interface Health {
  lastSuccessfulSync: string | null;
  lastSyncDurationMs: number | null;
  packages: number;
}

export async function health(bot: BotProcess): Promise<Health> {
  return (await (await fetch(`${bot.url}/healthz`)).json()) as Health;
}

/** Waits for a successful inventory sync other than `after` (null: the first one). */
export async function waitForSync(bot: BotProcess, after: string | null, timeoutMs: number): Promise<Health> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await health(bot);
    if (state.lastSuccessfulSync !== null && state.lastSuccessfulSync !== after) return state;
    if (Date.now() > deadline) throw new Error('the bot did not finish an inventory sync in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
