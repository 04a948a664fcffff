import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import pino from 'pino';
import { startApp } from '../src/app';
import { loadConfig } from '../src/config';
import { messageActivity, postToBot } from './support/bot-client';

const silent = pino({ level: 'silent' });
const root = join(__dirname, '..');

describe('start-up', () => {
  it('stops with one line naming the variable when the configuration is wrong', () => {
    const run = spawnSync(process.execPath, ['-r', 'ts-node/register', join(root, 'src/index.ts')], {
      cwd: root,
      env: { PATH: process.env.PATH, TS_NODE_TRANSPILE_ONLY: 'true', CM_ADMINSERVICE_URL: 'https://cm01/AdminService', CM_AUTH: 'kerb' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(run.status, 1);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.match(run.stderr, /^Configuration error: CM_AUTH: must be one of negotiate, ntlm, bearer, none \(got "kerb"\)$/m);
    assert.equal(run.stdout, '');
  });

  it('checks the channel JWT when the bot has an app id, and refuses an anonymous request with 401', async () => {
    const app = await startApp(
      loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        MicrosoftAppId: '00000000-0000-4000-8000-0000000000b0',
        MicrosoftAppPassword: 'not-a-real-secret',
      }),
      { logger: silent },
    );
    try {
      const { status } = await postToBot(app.url, messageActivity('list'));
      assert.equal(status, 401);
      const forged = await fetch(`${app.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJhdWQiOiJ4In0.' },
        body: JSON.stringify(messageActivity('list')),
      });
      assert.equal(forged.status, 401);
    } finally {
      await app.stop();
    }
  });
});
