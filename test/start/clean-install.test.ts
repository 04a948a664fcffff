/**
 * "npm install && npm start works on a fresh machine", proven on every run: the project's files are
 * copied to an empty folder, installed from the lock file without optional dependencies (what npm
 * does on a machine without the Kerberos headers: the native `kerberos` build fails and npm leaves
 * it out), built, started on the demo site and asked for `list` over HTTP.
 */
import assert from 'node:assert/strict';
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cardText, messageActivity, onlyCard, postToBot, type ReplyActivity } from '../support/bot-client';

const root = join(__dirname, '..', '..');

/** What this process's npm run would pass on (lifecycle, package and option variables) stays out of the copy's npm. */
function cleanEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const kept: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    const npmOwn = /^npm_/i.test(name) && !/^npm_config_(cache|registry|userconfig)$/i.test(name);
    if (!npmOwn && !/^(TS_NODE_|MOCHA)/.test(name) && name !== 'NODE_OPTIONS') kept[name] = value;
  }
  // The developer's .env and environment must not decide how the copy starts.
  for (const name of Object.keys(kept)) {
    if (/^(CM_|Microsoft|MEDIA_PATH_MAP|PORT$|HOST$|LOG_LEVEL$|RELEASES_FEED_URL$|SYNC_INTERVAL_MINUTES$)/.test(name)) delete kept[name];
  }
  return { ...kept, ...extra };
}

function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: cleanEnvironment(), timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, output: `${stdout}${stderr}`.slice(-4000) });
    });
  });
}

/** The files git would hand a new clone: tracked ones plus new, not ignored ones (as they are on disk now). */
async function projectFiles(): Promise<string[]> {
  const listed = await new Promise<string>((resolve, reject) => {
    execFile('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, maxBuffer: 16 * 1024 * 1024 }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    );
  });
  return [...new Set(listed.split('\0').filter((file) => file !== ''))].filter((file) => existsSync(join(root, file)));
}

interface StartedBot {
  child: ChildProcess;
  url: Promise<string>;
  exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function startBuiltBot(copy: string, extra: Record<string, string>): StartedBot {
  const child = spawn(process.execPath, ['--disable-warning=DEP0111', 'dist/src/index.js'], {
    cwd: copy,
    env: cleanEnvironment({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...extra }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
  const url = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const endpoint = /"endpoint":"(http:\/\/127\.0\.0\.1:\d+)\/api\/messages"/.exec(stdout)?.[1];
      if (endpoint) resolve(endpoint);
    });
    void exited.then(({ code }) => reject(new Error(`the bot exited (${code}) before listening:\n${stderr}\n${stdout.slice(-2000)}`)));
  });
  return { child, url, exited };
}

describe('a fresh machine without the optional kerberos module', function () {
  let copy: string;

  before(async function () {
    // A clean install and a full TypeScript build: well over mocha's 15 s on a busy machine.
    this.timeout(300_000);
    copy = mkdtempSync(join(tmpdir(), 'umb-clean-install-'));
    for (const file of await projectFiles()) {
      cpSync(join(root, file), join(copy, file), { preserveTimestamps: true });
    }
    const install = await run('npm', ['ci', '--omit=optional', '--prefer-offline', '--no-audit', '--no-fund'], copy, 240_000);
    assert.equal(install.code, 0, `npm ci failed:\n${install.output}`);
  });

  after(function () {
    // The copy holds a whole node_modules: removing it takes a while on a busy machine.
    this.timeout(120_000);
    if (copy) rmSync(copy, { recursive: true, force: true });
  });

  it('installs without node_modules/kerberos, builds, starts on the demo site and answers list over HTTP', async function () {
    this.timeout(240_000);
    assert.equal(existsSync(join(copy, 'node_modules', 'kerberos')), false, 'npm ci --omit=optional left kerberos out');

    const build = await run('npm', ['run', 'build'], copy, 180_000);
    assert.equal(build.code, 0, `npm run build failed:\n${build.output}`);

    const bot = startBuiltBot(copy, {});
    try {
      const url = await bot.url;
      const { status, body } = await postToBot(url, messageActivity('list'));
      assert.equal(status, 200, JSON.stringify(body));
      const card = onlyCard((body as { activities: ReplyActivity[] }).activities);
      assert.match(cardText(card), /PS100015/);
    } finally {
      bot.child.kill('SIGTERM');
    }
    const { code } = await bot.exited;
    assert.equal(code, 0, 'stops cleanly on SIGTERM');
  });

  it('stops at start-up with the one-line fix when CM_AUTH=negotiate needs the missing module', async function () {
    this.timeout(60_000);
    assert.ok(existsSync(join(copy, 'dist', 'src', 'index.js')), 'built by the test above');
    const bot = startBuiltBot(copy, { CM_ADMINSERVICE_URL: 'https://cm01.contoso.test/AdminService', CM_AUTH: 'negotiate' });
    bot.url.catch(() => undefined);
    const { code, stderr } = await bot.exited;
    assert.equal(code, 1);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
    assert.match(
      stderr.trim(),
      /^upgrade-media-bot could not start: CM_AUTH=negotiate needs the optional "kerberos" module, which is not installed on this machine: install the Kerberos headers \(libkrb5-dev on Debian\/Ubuntu\), then run "npm install --include=optional" \(Cannot find module 'kerberos'\)\.$/,
    );
  });
});
