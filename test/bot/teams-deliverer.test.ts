import assert from 'node:assert/strict';
import { ActivityHandler } from 'botbuilder';
import pino from 'pino';
import { createChannelEdge } from '../../src/bot/activity-processor';
import { MAX_RETRY_AFTER_MS, parseRetryAfter, type TeamsDeliverer } from '../../src/bot/teams-deliverer';
import { DeliveryFailed, type ConversationAddress } from '../../src/services/notify/deliverer';
import { startConnectorDouble, type ConnectorDouble } from '../support/connector-double';

const silent = pino({ level: 'silent' });
const CONNECTOR_TIMEOUT_MS = 800;

function deliverer(appId = ''): TeamsDeliverer {
  return createChannelEdge({
    identity: { appId, appPassword: appId ? 'not-a-real-secret' : '', appType: 'MultiTenant', tenantId: '' },
    bot: new ActivityHandler(),
    logger: silent,
    channel: { connectorTimeoutMs: CONNECTOR_TIMEOUT_MS },
  }).deliverer;
}

/** A reference as the bot saves it from a turn: with the activity it came from, and for a channel the thread it was in. */
function addressIn(connector: ConnectorDouble, conversationId: string, savedFrom = 'f:turn-activity'): ConversationAddress {
  return {
    conversationId,
    reference: {
      serviceUrl: connector.url,
      channelId: 'msteams',
      conversation: { id: conversationId },
      bot: { id: '28:bot', name: 'Media bot' },
      user: { id: '29:someone' },
      activityId: savedFrom,
    },
  };
}

async function failureOf(work: Promise<unknown>): Promise<DeliveryFailed> {
  try {
    await work;
  } catch (error) {
    assert.ok(error instanceof DeliveryFailed, `expected DeliveryFailed, got ${String(error)}`);
    return error;
  }
  assert.fail('the delivery succeeded');
}

describe('TeamsDeliverer on the channel edge, against a connector double over HTTP', () => {
  let connector: ConnectorDouble;
  let teams: TeamsDeliverer;

  beforeEach(async () => {
    connector = await startConnectorDouble();
    teams = deliverer();
  });
  afterEach(async () => {
    await connector.stop();
  });

  it('posts a card with its text and mention entities, and resolves to the id the channel gave', async () => {
    const card = { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: 'Job 7 approved' }] };
    const sent = await teams.post(addressIn(connector, 'a:chat-1'), { card, text: 'Job 7 approved for <at>Ada</at>', mentions: [{ id: '29:ada', name: 'Ada' }] });
    const [message] = connector.messages('a:chat-1');
    assert.equal(sent.activityId, message.id);
    assert.deepEqual(message.mentions, [{ id: '29:ada', name: 'Ada', text: '<at>Ada</at>' }]);
    assert.equal(message.activity.text, 'Job 7 approved for <at>Ada</at>');
    assert.deepEqual((message.activity.attachments as Array<{ content: unknown }>)[0].content, card);
  });

  it('posts a new message at the top of the channel, not as a reply to the activity or thread the reference was saved from', async () => {
    await teams.post(addressIn(connector, '19:general@thread.tacv2;messageid=111', 'f:111'), { text: 'new thread' });
    const [message] = connector.messages('19:general@thread.tacv2');
    assert.equal(message.threadId, undefined);
    assert.equal(message.replyToId, undefined);
    assert.equal(connector.accepted[0].operation, 'post');
  });

  it('replies in the thread of a posted card: the channel id with ;messageid= and the card id', async () => {
    const address = addressIn(connector, '19:general@thread.tacv2');
    const { activityId: cardId } = await teams.post(address, { text: 'Job 7: running' });
    const reply = await teams.reply(address, cardId!, { text: '<at>Ada</at> job 7 succeeded', mentions: [{ id: '29:ada', name: 'Ada' }] });
    const [card, threaded] = connector.messages('19:general@thread.tacv2');
    assert.equal(threaded.id, reply.activityId);
    assert.equal(threaded.threadId, cardId);
    assert.equal(card.threadId, undefined);
    assert.deepEqual(threaded.mentions.map((mention) => mention.id), ['29:ada']);
  });

  it('sends a card with its sentence as the summary, not as text beside it (Teams would split the two and refuse to update them)', async () => {
    const address = addressIn(connector, 'a:chat-1');
    const card = { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: 'Job 7' }] };
    const { activityId } = await teams.post(address, { card, text: 'Job 7: requested' });
    await teams.update(address, activityId!, { card, text: 'Job 7: approved' });
    const [message] = connector.messages('a:chat-1');
    assert.deepEqual(message!.versions.map((version) => [version.text, version.summary]), [
      [undefined, 'Job 7: requested'],
      [undefined, 'Job 7: approved'],
    ]);
  });

  it('starts a new thread in a channel with createConversation and answers the thread\'s first message id', async () => {
    const address = addressIn(connector, '19:general@thread.tacv2');
    (address.reference.conversation as Record<string, unknown>).conversationType = 'channel';
    const { activityId } = await teams.post(address, { text: 'Job 7: requested' });
    const [root] = connector.messages('19:general@thread.tacv2');
    assert.equal(root!.id, activityId);
    assert.equal(root!.threadId, undefined, 'the first message of its own thread');
    await teams.update(address, activityId!, { text: 'Job 7: approved' });
    assert.deepEqual(connector.messages('19:general@thread.tacv2').map((message) => message.versions.length), [2], 'updated in place by that id');
  });

  it('updates a posted message in place: same id, one more version', async () => {
    const address = addressIn(connector, 'a:chat-1');
    const { activityId } = await teams.post(address, { text: 'Job 7: requested' });
    await teams.update(address, activityId!, { text: 'Job 7: approved' });
    const messages = connector.messages('a:chat-1');
    assert.equal(messages.length, 1);
    assert.deepEqual(messages[0].versions.map((version) => version.text), ['Job 7: requested', 'Job 7: approved']);
  });

  const refusals = [
    { why: 'the user blocked the bot', status: 403 as const, code: 'ConversationBlockedByUser', permanent: true },
    { why: 'writes are blocked (uninstalled)', status: 403 as const, code: 'MessageWritesBlocked', permanent: true },
    { why: 'the conversation is gone', status: 404 as const, code: 'ConversationNotFound', permanent: true },
  ];
  for (const { why, status, code, permanent } of refusals) {
    it(`surfaces ${status} ${code} as a permanent failure with Teams' code: ${why}`, async () => {
      connector.faults.conversations.set('a:chat-1', { status, code });
      const failed = await failureOf(teams.post(addressIn(connector, 'a:chat-1'), { text: 'hello' }));
      assert.deepEqual({ status: failed.status, code: failed.code, permanent: failed.permanent }, { status, code, permanent });
      assert.equal(connector.counters.requests, 1);
    });
  }

  it('tells an update of an unknown activity (404 ActivityNotFoundInConversation) from a gone conversation', async () => {
    const failed = await failureOf(teams.update(addressIn(connector, 'a:chat-1'), '1234', { text: 'hello' }));
    assert.deepEqual({ status: failed.status, code: failed.code, permanent: failed.permanent }, { status: 404, code: 'ActivityNotFoundInConversation', permanent: true });
  });

  const throttles = [
    { why: 'delta-seconds', header: undefined, seconds: 7, expectedMs: 7_000 },
    { why: 'an HTTP date 30 s ahead', header: 'in30', seconds: 0, expectedMs: 30_000 },
    { why: 'an unreadable value leaves the wait to the caller', header: 'soon', seconds: 0, expectedMs: undefined },
  ];
  for (const { why, header, seconds, expectedMs } of throttles) {
    it(`surfaces a 429's Retry-After as retryAfterMs, after one request only (no hidden SDK retries): ${why}`, async () => {
      connector.faults.throttleShare = 1;
      connector.faults.throttleRetryAfterSeconds = seconds;
      connector.faults.throttleRetryAfterHeader = header === 'in30' ? new Date(Date.now() + 30_000).toUTCString() : header;
      const started = Date.now();
      const failed = await failureOf(teams.post(addressIn(connector, 'a:chat-1'), { text: 'hello' }));
      assert.equal(failed.status, 429);
      assert.equal(failed.permanent, false);
      if (expectedMs === undefined) assert.equal(failed.retryAfterMs, undefined);
      else assert.ok(Math.abs((failed.retryAfterMs ?? -1) - expectedMs) <= 1_000, `retryAfterMs ${failed.retryAfterMs}`);
      assert.equal(connector.counters.requests, 1);
      assert.ok(Date.now() - started < 2_000, 'the deliverer did not wait the Retry-After out itself');
    });
  }

  it('surfaces a 5xx as a transient failure after one request', async () => {
    connector.faults.serverErrorShare = 1;
    const failed = await failureOf(teams.post(addressIn(connector, 'a:chat-1'), { text: 'hello' }));
    assert.ok([502, 503, 504].includes(failed.status ?? 0), String(failed.status));
    assert.equal(failed.permanent, false);
    assert.equal(connector.counters.requests, 1);
    assert.equal(connector.messages('a:chat-1').length, 0);
  });

  const garbage = [
    { why: 'a 200 whose body is not JSON (a proxy page)', fault: 'garbage-text' as const },
    { why: 'a 200 JSON body without an id', fault: 'garbage-no-id' as const },
  ];
  for (const { why, fault } of garbage) {
    it(`resolves a post without an activityId on ${why}: the message was taken, so it is not sent again`, async () => {
      connector.faults.conversations.set('a:chat-1', fault);
      const sent = await teams.post(addressIn(connector, 'a:chat-1'), { text: 'hello' });
      assert.deepEqual(sent, {});
      assert.equal(connector.messages('a:chat-1').length, 1);
      const address = addressIn(connector, 'a:chat-1');
      await teams.update(address, connector.messages('a:chat-1')[0].id, { text: 'hello again' });
      assert.equal(connector.messages('a:chat-1')[0].versions.length, 2);
    });
  }

  it('fails a call to a connector that never answers within the connector timeout, as a transient failure', async () => {
    connector.faults.conversations.set('a:chat-1', 'hang');
    const started = Date.now();
    const failed = await failureOf(teams.post(addressIn(connector, 'a:chat-1'), { text: 'hello' }));
    const took = Date.now() - started;
    assert.ok(took >= CONNECTOR_TIMEOUT_MS - 50 && took < CONNECTOR_TIMEOUT_MS + 1_500, `took ${took} ms`);
    assert.deepEqual({ status: failed.status, permanent: failed.permanent }, { status: undefined, permanent: false });
    assert.match(failed.message, /did not answer in time/);
    assert.equal(connector.inFlight.length, 1);
  });

  const references = [
    { why: 'plain http while the bot has an app id (its token would travel in clear text)', appId: '00000000-0000-0000-0000-000000000001', serviceUrl: 'http://127.0.0.1:1/', refused: /not https/ },
    { why: 'a scheme that is not http(s)', appId: '', serviceUrl: 'ftp://127.0.0.1/', refused: /ftp:/ },
    { why: 'a serviceUrl that is not a URL', appId: '', serviceUrl: 'teams connector', refused: /not a URL/ },
    { why: 'no serviceUrl at all', appId: '', serviceUrl: undefined, refused: /no serviceUrl/ },
  ];
  for (const { why, appId, serviceUrl, refused } of references) {
    it(`refuses a reference before any request, for good: ${why}`, async () => {
      const address = addressIn(connector, 'a:chat-1');
      address.reference = { ...address.reference, serviceUrl: serviceUrl === 'http://127.0.0.1:1/' ? connector.url : serviceUrl };
      const failed = await failureOf(deliverer(appId).post(address, { text: 'hello' }));
      assert.equal(failed.permanent, true);
      assert.match(failed.message, refused);
      assert.equal(connector.counters.requests, 0);
    });
  }

  it('sends to a plain-http localhost connector when the bot runs without an app id (Playground, tests)', async () => {
    const address = addressIn(connector, 'a:chat-1');
    address.reference = { ...address.reference, serviceUrl: connector.url.replace('127.0.0.1', 'localhost') };
    const sent = await teams.post(address, { text: 'hello' });
    assert.ok(sent.activityId);
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2026-12-03T12:00:00Z');
  const cases = [
    { why: 'whole seconds', value: '7', ms: 7_000 },
    { why: 'zero', value: '0', ms: 0 },
    { why: 'fractional seconds', value: '1.5', ms: 1_500 },
    { why: 'an HTTP date', value: 'Thu, 03 Dec 2026 12:00:30 GMT', ms: 30_000 },
    { why: 'a date already past waits nothing', value: 'Thu, 03 Dec 2026 11:00:00 GMT', ms: 0 },
    { why: 'a huge value is bounded by the longest Teams window', value: '99999999', ms: MAX_RETRY_AFTER_MS },
    { why: 'a date years ahead is bounded too', value: 'Fri, 01 Jan 2100 00:00:00 GMT', ms: MAX_RETRY_AFTER_MS },
    { why: 'a negative number is not delta-seconds', value: '-5', ms: undefined },
    { why: 'words are ignored', value: 'soon', ms: undefined },
    { why: 'empty', value: '  ', ms: undefined },
    { why: 'absent', value: undefined, ms: undefined },
  ];
  for (const { why, value, ms } of cases) {
    it(`reads ${JSON.stringify(value)} as ${String(ms)}: ${why}`, () => {
      assert.equal(parseRetryAfter(value, now), ms);
    });
  }
});
