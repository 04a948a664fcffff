/**
 * Runs the Microsoft 365 Agents Playground (the local Teams-like client) as a child process against a bot,
 * for the end-to-end tests and for `npm run playground`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PlaygroundOptions {
  /** The bot's messaging endpoint, e.g. http://127.0.0.1:3978/api/messages. */
  botEndpoint: string;
  /**
   * Port for the Playground's page and mocked connector. 0 (the default) lets the Playground take a free one;
   * a busy port also makes it fall back to a free one, so the real port is always read from its output.
   */
  port?: number;
  /** How long to wait for "Listening on N" before giving up. */
  readyTimeoutMs?: number;
  /** Where to forward the Playground's own output (e.g. process.stderr); kept in memory either way. */
  echoOutput?: NodeJS.WritableStream;
}

export interface RunningPlayground {
  /** The chat page, http://localhost:PORT (the Playground builds its connector URL from "localhost" too). */
  url: string;
  port: number;
  pid: number;
  /** Settles with the exit code (null after a signal) when the Playground process ends, whoever ended it. */
  exited: Promise<number | null>;
  /** Everything the Playground printed so far, for failure messages. */
  output(): string;
  /** Stops the Playground and everything it started; safe to call twice. */
  stop(): Promise<void>;
}

const LISTENING = /Listening on (\d+)/;
const STOP_GRACE_MS = 5_000;

function playgroundCliPath(): string {
  return require.resolve('@microsoft/m365agentsplayground/cli.js');
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Signals the child's whole process group (it was spawned detached, so it leads its own group). */
function signalTree(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

export async function startPlayground(options: PlaygroundOptions): Promise<RunningPlayground> {
  const readyTimeoutMs = options.readyTimeoutMs ?? 20_000;
  // The Playground writes devTools/m365agentsplayground.log and reads a config file from its working
  // directory: a fresh one keeps both out of the repository and away from other runs.
  const workDir = await mkdtemp(join(tmpdir(), 'agents-playground-'));
  const child = spawn(
    process.execPath,
    [playgroundCliPath(), '-e', options.botEndpoint, '-c', 'msteams', '--dt', '-p', String(options.port ?? 0)],
    {
      cwd: workDir,
      // Run cli.js with node directly (not npx) so that the PID we hold is the server's own, and detached so
      // that it leads a process group we can stop as a whole.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        // Without these it tries to reach telemetry hosts and to open a desktop browser.
        APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
        TEAMSAPPTESTER_BROWSER: 'none',
      },
    },
  );

  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(child.exitCode));
  });

  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    options.echoOutput?.write(chunk);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      signalTree(child, 'SIGTERM');
      if (!(await waitForExit(child, STOP_GRACE_MS))) {
        signalTree(child, 'SIGKILL');
        await waitForExit(child, STOP_GRACE_MS);
      }
      await rm(workDir, { recursive: true, force: true });
    })();
    return stopped;
  };

  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`The Agents Playground did not report its port within ${readyTimeoutMs} ms. Its output:\n${output}`)),
        readyTimeoutMs,
      );
      const onData = () => {
        const match = LISTENING.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      };
      child.stdout?.on('data', onData);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`The Agents Playground could not be started: ${error.message}`));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`The Agents Playground exited before it was ready (code ${code}, signal ${signal}). Its output:\n${output}`));
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    url: `http://localhost:${port}`,
    port,
    pid: child.pid as number,
    exited,
    output: () => output,
    stop,
  };
}
