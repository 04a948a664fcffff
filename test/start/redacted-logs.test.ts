/**
 * The production entry point (src/index.ts, as `npm start` runs it) at LOG_LEVEL=trace, with every
 * secret the environment can hold set to a recognisable value: none of them may reach stdout or stderr,
 * through start-up, a sync, a failing sync and a request carrying a channel token.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { messageActivity } from '../support/bot-client';
import { json, startScriptedServer, type ScriptedServer } from '../services/configmgr/scripted-server';

const root = join(__dirname, '..', '..');

const SECRETS = {
  MicrosoftAppPassword: 'app-password-3b9f1c2e-SECRET',
  CM_PASSWORD: 'cm-password-71d0a4-SECRET',
  CM_BEARER_TOKEN: 'cm-bearer-token-5e2a9d-SECRET',
  RUNNER_SECRET: 'runner-secret-0c7b6f1a-SECRET',
};
const CHANNEL_TOKEN = 'channel-token-9a8b7c-SECRET';

describe('production logs (src/index.ts at LOG_LEVEL=trace)', function () {
  // ts-node compiles the app in a child process: seconds on a busy machine.
  this.timeout(45_000);
  let server: ScriptedServer;

  before(async () => {
    server = await startScriptedServer();
  });
  after(async () => {
    await server?.close();
  });

  it('never writes MicrosoftAppPassword, CM_PASSWORD, CM_BEARER_TOKEN, RUNNER_SECRET or a channel token', async () => {
    let lists = 0;
    server.script((request, response) => {
      if (request.url.includes('/wmi/SMS_ImagePackage(')) {
        json(response, 200, { value: [{ PackageID: 'PS100001', Name: 'Windows 11 24H2', ImageProperty: null }] });
        return;
      }
      lists += 1;
      // The first list of each class succeeds; later ones fail, so that a failed sync is logged too.
      if (lists <= 2) json(response, 200, { value: request.url.includes('SMS_ImagePackage') ? [{ PackageID: 'PS100001', Name: 'Windows 11 24H2' }] : [] });
      else json(response, 403, { error: { message: 'denied' } });
    });
    const child = spawn(process.execPath, ['-r', 'ts-node/register', join(root, 'src/index.ts')], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        TS_NODE_TRANSPILE_ONLY: 'true',
        LOG_LEVEL: 'trace',
        PORT: '0',
        HOST: '127.0.0.1',
        MicrosoftAppId: '00000000-0000-4000-8000-0000000000b0',
        MicrosoftAppPassword: SECRETS.MicrosoftAppPassword,
        CM_ADMINSERVICE_URL: server.baseUrl,
        CM_AUTH: 'bearer',
        CM_USERNAME: 'svc-osd',
        CM_PASSWORD: SECRETS.CM_PASSWORD,
        CM_BEARER_TOKEN: SECRETS.CM_BEARER_TOKEN,
        RUNNER_SECRET: SECRETS.RUNNER_SECRET,
        SYNC_INTERVAL_MINUTES: '0.05',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await waitFor(() => /"endpoint":"(http:\/\/127\.0\.0\.1:\d+)\/api\/messages"/.exec(output)?.[1], exited, () => output);
      const refused = await fetch(`${url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${CHANNEL_TOKEN}`, cookie: `session=${CHANNEL_TOKEN}` },
        body: JSON.stringify(messageActivity('list')),
      });
      assert.equal(refused.status, 401);
      // A sync every 3 s: the second one fails with 403 and is logged with its error.
      await waitFor(() => (/inventory sync failed/.test(output) ? true : undefined), exited, () => output);
    } finally {
      child.kill('SIGTERM');
    }
    await exited;

    for (const [name, secret] of Object.entries({ ...SECRETS, channel: CHANNEL_TOKEN })) {
      assert.equal(output.includes(secret), false, `${name} appears in the log:\n${excerptAround(output, secret)}`);
    }
    // Meaningful only if the secrets' neighbours were logged: the whole configuration, at debug.
    assert.match(output, /"msg":"configuration read"/);
    assert.match(output, /"configMgr":\{[^}]*"password":"\[redacted\]"/);
  });
});

async function waitFor<T>(probe: () => T | undefined, exited: Promise<number | null>, output: () => string): Promise<T> {
  let stopped = false;
  void exited.then(() => (stopped = true));
  const deadline = Date.now() + 35_000;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (stopped) throw new Error(`the bot exited early:\n${output().slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`timed out; output so far:\n${output().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function excerptAround(text: string, needle: string): string {
  const at = text.indexOf(needle);
  return text.slice(Math.max(0, at - 300), at + needle.length + 100);
}
