import assert from 'node:assert/strict';
import pino from 'pino';
import { startApp, type RunningApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { baseActivity, say } from '../support/bot-client';
import { startConnectorStub, type ConnectorStub } from '../support/connector-stub';
import { postRaw } from '../support/raw-http';

const silent = pino({ level: 'silent' });

async function waitFor(condition: () => boolean, withinMs: number): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

/** A message delivered the normal way: the bot's reply goes to the connector, which never answers. */
function messageTo(connector: ConnectorStub, text: string): string {
  const { deliveryMode: _expectReplies, ...activity } = baseActivity();
  return JSON.stringify({ ...activity, type: 'message', text, serviceUrl: connector.url });
}

describe('a channel connector that never answers', () => {
  let connector: ConnectorStub;
  const apps: RunningApp[] = [];

  before(async () => {
    connector = await startConnectorStub('never-answer');
  });
  after(async () => {
    for (const app of apps) await app.stop();
    await connector?.stop();
  });

  const cases = [
    {
      why: 'each reply has its own time limit: the turn ends when the reply times out',
      channel: { connectorTimeoutMs: 800, turnTimeoutMs: 6_000 },
      status: 200,
    },
    {
      why: 'the turn has a budget: the request is answered when it runs out, and the reply is abandoned',
      channel: { connectorTimeoutMs: 30_000, turnTimeoutMs: 1_000 },
      status: 202,
    },
  ];
  for (const { why, channel, status } of cases) {
    it(`answers the incoming request within its bound and keeps serving: ${why}`, async () => {
      const app = await startApp(loadConfig({ PORT: '0' }), { logger: silent, channel });
      apps.push(app);
      const triedBefore = connector.received.length;
      const started = Date.now();
      // Well under the 45 s once seen; the bound is generous for a busy machine.
      const answer = await postRaw(app.url, messageTo(connector, 'help'), { 'content-type': 'application/json' }, 7_000);
      assert.equal(answer.status, status, answer.text);
      assert.ok(Date.now() - started < 7_000);
      assert.ok(connector.received.length > triedBefore, 'the bot did try to reply');
      assert.ok(await waitFor(() => connector.openSockets() === 0, 3_000), 'the bot let go of the connector');
      assert.equal((await say(app.url, 'help')).length, 1);
    });
  }
});
