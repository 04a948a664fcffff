import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { ActivityHandler, type TurnContext } from 'botbuilder';
import pino from 'pino';
import type * as restify from 'restify';
import { createActivityProcessor } from '../../src/bot/activity-processor';
import { createServer } from '../../src/server';
import { baseActivity, postToBot } from '../support/bot-client';
import { startConnectorStub, type ConnectorStub } from '../support/connector-stub';

/** A real ActivityHandler with a bug: every turn throws. */
class FailingBot extends ActivityHandler {
  override async run(_context: TurnContext): Promise<void> {
    throw new Error('a bug in the bot');
  }
}

describe('a turn that fails inside the bot', () => {
  let connector: ConnectorStub;
  let server: restify.Server;
  let url: string;

  before(async () => {
    connector = await startConnectorStub('answer');
    server = createServer({
      processActivity: createActivityProcessor({
        identity: { appId: '', appPassword: '', appType: 'MultiTenant', tenantId: '' },
        bot: new FailingBot(),
        logger: pino({ level: 'silent' }),
      }),
      logger: pino({ level: 'silent' }),
      health: () => ({}),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await connector?.stop();
  });

  function delivered(fields: Record<string, unknown>): Record<string, unknown> {
    const { deliveryMode: _expectReplies, ...activity } = baseActivity();
    return { ...activity, serviceUrl: connector.url, ...fields };
  }

  it('answers a failed card button in its invoke response, with no chat message beside the card', async () => {
    const sentBefore = connector.received.length;
    const answer = await postToBot(url, delivered({ type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'x' } } }));
    assert.equal(answer.status, 200);
    const body = answer.body as { statusCode: number; type: string; value: { message: string } };
    assert.equal(body.statusCode, 500);
    assert.equal(body.type, 'application/vnd.microsoft.error');
    assert.match(body.value.message, /please try again/);
    assert.equal(connector.received.length, sentBefore);
  });

  it('answers another failed invoke with its family decline, not 501', async () => {
    const answer = await postToBot(url, delivered({ type: 'invoke', name: 'task/fetch' }));
    assert.equal(answer.status, 200);
    assert.equal((answer.body as { task: { type: string } }).task.type, 'message');
  });

  it('tells the user in chat when a message turn fails, and answers the channel 200', async () => {
    const sentBefore = connector.received.length;
    const answer = await postToBot(url, delivered({ type: 'message', text: 'list' }));
    assert.equal(answer.status, 200);
    assert.equal(connector.received.length - sentBefore, 1);
    assert.match(connector.bodies[connector.bodies.length - 1], /Something went wrong on the bot side/);
  });
});
