import assert from 'node:assert/strict';
import pino from 'pino';
import sinon from 'sinon';
import { startApp, type RunningApp } from '../../src/app';
import { RATE_LIMITED_MESSAGE } from '../../src/bot/media-bot';
import { CardVerbs } from '../../src/cards/card-verbs';
import { loadConfig } from '../../src/config';
import { cardActionActivity, messageActivity, onlyCard, postToBot, type ReplyActivity } from '../support/bot-client';

describe('per-user rate limit (real HTTP, expectReplies)', () => {
  let app: RunningApp;
  let clock: sinon.SinonFakeTimers;

  before(async () => {
    app = await startApp(loadConfig({ PORT: '0' }), { logger: pino({ level: 'silent' }), rateLimit: { burst: 5, refillPerSecond: 1 } });
  });
  after(async () => {
    await app?.stop();
  });
  beforeEach(() => {
    // Only Date: the limiter's clock. Timers and sockets stay real.
    clock = sinon.useFakeTimers({ now: Date.now(), toFake: ['Date'] });
  });
  afterEach(() => clock.restore());

  function as(user: { aadObjectId?: string; id: string }, activity: Record<string, unknown>) {
    return { ...activity, from: { name: 'Someone', ...user } };
  }

  async function replies(activity: Record<string, unknown>): Promise<ReplyActivity[]> {
    const { status, body } = await postToBot(app.url, activity);
    assert.equal(status, 200);
    return (body as { activities: ReplyActivity[] }).activities;
  }

  async function invokeAs(user: { aadObjectId?: string; id: string }) {
    const activities = await replies(as(user, cardActionActivity(CardVerbs.listPage, { filter: '', page: 0 })));
    return activities.find((activity) => activity.type === 'invokeResponse')?.value as { status: number; body: { type: string; value: unknown } };
  }

  it('answers a user over the limit with one sentence and no work, leaves others alone, and lets them back after a refill', async () => {
    const alice = { id: '29:alice', aadObjectId: '00000000-0000-4000-8000-0000000a11ce' };
    const bob = { id: '29:bob', aadObjectId: '00000000-0000-4000-8000-000000000b0b' };
    for (let i = 0; i < 5; i++) onlyCard(await replies(as(alice, messageActivity('list'))));

    const refused = await replies(as(alice, messageActivity('list')));
    assert.equal(refused.length, 1);
    assert.equal(refused[0].text, RATE_LIMITED_MESSAGE);
    assert.equal(refused[0].attachments, undefined, 'no card: the work was not done');

    const invoke = await invokeAs(alice);
    assert.equal(invoke.status, 200, 'a 200 Teams shows, not a 429 it shows as a failed action');
    assert.deepEqual(invoke.body, { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: RATE_LIMITED_MESSAGE });

    onlyCard(await replies(as(bob, messageActivity('list'))));
    assert.equal((await invokeAs(bob)).body.type, 'application/vnd.microsoft.card.adaptive', 'bob is not slowed by alice');

    clock.tick(1_000);
    onlyCard(await replies(as(alice, messageActivity('list'))));
    assert.equal((await replies(as(alice, messageActivity('list'))))[0].text, RATE_LIMITED_MESSAGE, 'one token a second');
  });

  it('keys senders without an Azure AD id on their channel id, hashed when long', async () => {
    // Long enough to be hashed, short enough to pass the edge, which drops ids over 1,024 characters.
    const carol = { id: `29:${'c'.repeat(1_000)}` };
    for (let i = 0; i < 5; i++) onlyCard(await replies(as(carol, messageActivity('help'))));
    assert.equal((await replies(as(carol, messageActivity('help'))))[0].text, RATE_LIMITED_MESSAGE);
    onlyCard(await replies(as({ id: `29:${'c'.repeat(999)}d` }, messageActivity('help'))));
  });
});
