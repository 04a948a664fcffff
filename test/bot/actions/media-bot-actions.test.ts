import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import type * as restify from 'restify';
import { z } from 'zod';
import { createActivityProcessor } from '../../../src/bot/activity-processor';
import type { ActionInvocation } from '../../../src/bot/actions/action-invocation';
import { messageResponse } from '../../../src/bot/actions/action-response';
import { route } from '../../../src/bot/actions/action-route';
import { mediaActionRoutes } from '../../../src/bot/actions/media-actions';
import { MediaAnswers } from '../../../src/bot/media-answers';
import { MediaBot } from '../../../src/bot/media-bot';
import { CardVerbs } from '../../../src/cards/card-verbs';
import { createServer } from '../../../src/server';
import { cardActionActivity, postToBot } from '../../support/bot-client';
import { makePackages } from '../../support/media-fixtures';

function answersFor(): MediaAnswers {
  const snapshot = { packages: makePackages(3), generation: 1, syncedAt: new Date('2026-11-25T10:00:00Z'), demo: false };
  const state = { lastAttemptAt: snapshot.syncedAt, lastSuccessAt: snapshot.syncedAt, lastDurationMs: 100, reachable: true, skippedRows: 0, skippedRowExamples: [] };
  return new MediaAnswers({ inventory: { snapshot: () => snapshot, syncState: () => state }, adminServiceUrl: 'https://cm01.contoso.com/AdminService', syncIntervalMinutes: 15 });
}

/** A log that keeps its lines, to see what the bot logged. */
function recordingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe('MediaBot answering card buttons through its routes', () => {
  let server: restify.Server;
  let url: string;
  const seen: ActionInvocation[] = [];
  const { logger, lines } = recordingLogger();

  before(async () => {
    const answers = answersFor();
    const bot = new MediaBot(answers, logger, {
      rateLimit: false,
      actions: [
        ...mediaActionRoutes(answers),
        route({
          verb: 'job.approve',
          data: z.object({ jobId: z.string().min(1) }),
          invalidData: 'This button names no job; type "jobs" to see them.',
          handle: async (data, invocation) => {
            seen.push(invocation);
            await new Promise((resolve) => setTimeout(resolve, 5));
            return messageResponse(`Approved ${data.jobId}.`);
          },
        }),
        route({
          verb: 'job.cancel',
          data: z.object({}),
          invalidData: 'x',
          handle: () => {
            throw new Error('secret connection string in a bug');
          },
        }),
      ],
    });
    server = createServer({
      processActivity: createActivityProcessor({ identity: { appId: '', appPassword: '', appType: 'MultiTenant', tenantId: '' }, bot, logger: pino({ level: 'silent' }) }),
      logger: pino({ level: 'silent' }),
      health: () => ({}),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  async function press(activity: Record<string, unknown>) {
    const { status, body } = await postToBot(url, activity);
    assert.equal(status, 200, JSON.stringify(body));
    const answer = (body as { activities: Array<{ type: string; value: { status: number; body: any } }> }).activities.find((a) => a.type === 'invokeResponse');
    assert.ok(answer, JSON.stringify(body));
    return answer.value;
  }

  it('awaits an async route and hands it who pressed the button, where', async () => {
    const response = await press({ ...cardActionActivity('job.approve', { jobId: 'J-1' }), replyToId: 'card-9' });
    assert.deepEqual(response, { status: 200, body: messageResponse('Approved J-1.') });
    const { address, ...invocation } = seen[seen.length - 1];
    assert.deepEqual(invocation, {
      actor: { id: '00000000-0000-4000-8000-00000000b00b', name: 'Test user 0', aadObjectId: '00000000-0000-4000-8000-00000000b00b', userId: '29:user-0' },
      conversationId: 'a:conversation-0',
      trigger: 'manual',
      replyToId: 'card-9',
    });
    // The conversation to post beside the card: the turn's conversation reference.
    assert.equal(address?.conversationId, 'a:conversation-0');
    assert.deepEqual((address?.reference as { conversation?: { id?: string } }).conversation?.id, 'a:conversation-0');
  });

  it('still answers the media buttons', async () => {
    const response = await press(cardActionActivity(CardVerbs.listPage, { filter: '', page: 0 }));
    assert.equal(response.body.type, 'application/vnd.microsoft.card.adaptive');
  });

  it("answers bad data with the route's sentence and logs the rejection", async () => {
    const response = await press(cardActionActivity('job.approve', { jobId: '' }));
    assert.equal(response.status, 400);
    assert.equal(response.body.value.message, 'This button names no job; type "jobs" to see them.');
    assert.ok(lines.some((line) => line.msg === 'rejected card action' && (line.verb as { head?: string }).head === 'job.approve'));
  });

  it('answers a route that throws with the generic failure, logs it, and keeps answering', async () => {
    const response = await press(cardActionActivity('job.cancel', {}));
    assert.equal(response.status, 200);
    assert.equal(response.body.statusCode, 500);
    assert.match(response.body.value.message, /please try again/);
    assert.doesNotMatch(JSON.stringify(response), /secret/);
    const logged = lines.find((line) => line.msg === 'card action failed');
    assert.equal(logged?.verb, 'job.cancel');
    assert.equal((await press(cardActionActivity(CardVerbs.listPage, { filter: '', page: 0 }))).status, 200);
  });

  it('answers 400 to a button whose sender id is no id (600 characters), without calling the route', async () => {
    const before = seen.length;
    const activity = cardActionActivity('job.approve', { jobId: 'J-2' });
    // A sender with no id at all is refused before the bot; this one gets past the routing check.
    const response = await press({ ...activity, from: { id: `29:${'x'.repeat(600)}`, aadObjectId: '00000000-0000-4000-8000-00000000b00b' } });
    assert.equal(response.status, 400);
    assert.match(response.body.value.message, /open the card in Teams and try again/);
    assert.equal(seen.length, before);
  });

  it('refuses to start with two routes for one verb', () => {
    const answers = answersFor();
    assert.throws(() => new MediaBot(answers, logger, { actions: [...mediaActionRoutes(answers), ...mediaActionRoutes(answers)] }), /two card action routes/);
  });
});
