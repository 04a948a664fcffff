import assert from 'node:assert/strict';
import pino from 'pino';
import { startApp, type RunningApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { baseActivity, messageActivity, postToBot, type ReplyActivity } from '../support/bot-client';
import { startConnectorStub, type ConnectorStub } from '../support/connector-stub';

const silent = pino({ level: 'silent' });

/**
 * Activities delivered the normal way: the HTTP answer is the acknowledgement (and an invoke's
 * body), and anything the bot says goes to the connector stub, which records it.
 */
describe('activities the bot does not act on, or that arrive in odd shapes', () => {
  let app: RunningApp;
  let connector: ConnectorStub;

  before(async () => {
    connector = await startConnectorStub('answer');
    app = await startApp(loadConfig({ PORT: '0' }), { logger: silent });
  });
  after(async () => {
    await app?.stop();
    await connector?.stop();
  });

  function delivered(fields: Record<string, unknown>): Record<string, unknown> {
    const { deliveryMode: _expectReplies, ...activity } = baseActivity();
    return { ...activity, serviceUrl: connector.url, ...fields };
  }

  const NOTHING = undefined;
  const emptyResults = { composeExtension: { type: 'result', attachmentLayout: 'list', attachments: [] } };
  const dialogMessage = { task: { type: 'message', value: /no dialogs or message extensions; type "help"/ } };

  const cases: Array<{ why: string; activity: Record<string, unknown>; body?: unknown; replies?: number }> = [
    { why: 'membersAdded that is not an array', activity: { type: 'conversationUpdate', membersAdded: 'everyone' } },
    { why: 'membersAdded holding nulls and numbers', activity: { type: 'conversationUpdate', membersAdded: [null, 7, 'x'] } },
    { why: 'membersRemoved that is an object', activity: { type: 'conversationUpdate', membersRemoved: { id: 'x' } } },
    {
      why: 'a Teams channel event without channel data',
      activity: { type: 'conversationUpdate', channelData: { eventType: 'teamMemberAdded' }, membersAdded: [{ id: '29:a' }, { id: '29:b' }] },
    },
    { why: 'channelData that is a string', activity: { type: 'conversationUpdate', channelData: 'x', membersAdded: [] } },
    { why: 'the bot added: a greeting, the one reply of this table', activity: { type: 'conversationUpdate', membersAdded: [{ id: '28:upgrade-media-bot' }] }, replies: 1 },
    { why: 'messageDelete without channelData', activity: { type: 'messageDelete' } },
    { why: 'messageDelete with a Teams event type', activity: { type: 'messageDelete', channelData: { eventType: 'softDeleteMessage' } } },
    { why: 'messageUpdate with a Teams event type and no value', activity: { type: 'messageUpdate', channelData: { eventType: 'editMessage' } } },
    { why: 'messageReaction whose reactions are a string', activity: { type: 'messageReaction', reactionsAdded: 'like' } },
    { why: 'messageReaction whose reactions hold nulls', activity: { type: 'messageReaction', reactionsAdded: [null], reactionsRemoved: [{ type: 7 }] } },
    { why: 'installationUpdate with an unknown action', activity: { type: 'installationUpdate', action: { evil: true } } },
    { why: 'installationUpdate add', activity: { type: 'installationUpdate', action: 'add' } },
    { why: 'a Teams meeting event with a null value', activity: { type: 'event', name: 'application/vnd.microsoft.meetingStart', value: null, channelData: { meeting: null } } },
    { why: 'an event with no name', activity: { type: 'event' } },
    { why: 'typing', activity: { type: 'typing' } },
    { why: 'endOfConversation', activity: { type: 'endOfConversation', code: 42 } },
    { why: 'an activity type nobody knows', activity: { type: 'teleport', value: { to: 'mars' } } },
    { why: 'composeExtension/submitAction with a null value', activity: { type: 'invoke', name: 'composeExtension/submitAction', value: null }, body: dialogMessage },
    { why: 'composeExtension/query with a null value', activity: { type: 'invoke', name: 'composeExtension/query', value: null }, body: emptyResults },
    { why: 'composeExtension/selectItem', activity: { type: 'invoke', name: 'composeExtension/selectItem', value: 'x' }, body: emptyResults },
    { why: 'composeExtension/fetchTask', activity: { type: 'invoke', name: 'composeExtension/fetchTask', value: {} }, body: dialogMessage },
    { why: 'task/fetch', activity: { type: 'invoke', name: 'task/fetch', value: { data: null } }, body: dialogMessage },
    { why: 'task/submit', activity: { type: 'invoke', name: 'task/submit' }, body: dialogMessage },
    {
      why: 'application/search with no value',
      activity: { type: 'invoke', name: 'application/search' },
      body: { statusCode: 200, type: 'application/vnd.microsoft.search.searchResponse', value: { results: [] } },
    },
    { why: 'signin/verifyState (the bot signs nobody in)', activity: { type: 'invoke', name: 'signin/verifyState', value: null }, body: NOTHING },
    { why: 'fileConsent/invoke (the bot takes no files)', activity: { type: 'invoke', name: 'fileConsent/invoke', value: null }, body: NOTHING },
    { why: 'an unknown invoke once answered 501', activity: { type: 'invoke', name: 'teleport/now', value: {} }, body: NOTHING },
    { why: 'an invoke without a name', activity: { type: 'invoke' }, body: NOTHING },
    { why: 'an invoke whose name is not a string', activity: { type: 'invoke', name: { x: 1 } }, body: NOTHING },
    { why: 'a message whose entities are a string: its answer', activity: { type: 'message', text: 'help', entities: 'x' }, replies: 1 },
    { why: 'a message whose attachments are a number: its answer', activity: { type: 'message', text: 'help', attachments: 5 }, replies: 1 },
    { why: 'a message whose channelData is null: its answer', activity: { type: 'message', text: 'help', channelData: null }, replies: 1 },
  ];

  for (const { why, activity, body, replies = 0 } of cases) {
    it(`answers 200 and says nothing unasked: ${why}`, async () => {
      const sentBefore = connector.received.length;
      const answer = await postToBot(app.url, delivered(activity));
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      if (activity.type === 'invoke') assertMatches(answer.body, body);
      else assert.equal(answer.body, undefined);
      assert.equal(connector.received.length - sentBefore, replies, `replies sent: ${connector.received.slice(sentBefore).join(', ')}`);
      for (const reply of connector.bodies.slice(sentBefore)) assert.doesNotMatch(reply, /Something went wrong/);
    });
  }
});

describe('the accounts the bot copies into its replies', () => {
  let app: RunningApp;

  before(async () => {
    app = await startApp(loadConfig({ PORT: '0' }), { logger: silent });
  });
  after(async () => {
    await app?.stop();
  });

  it('copies only the known fields of conversation, from and recipient, never unknown ones', async () => {
    const activity = messageActivity('help');
    const sent = {
      ...activity,
      from: { ...(activity.from as object), injected: { html: '<script>' }, name: 42 },
      recipient: { ...(activity.recipient as object), properties: { x: 1 } },
      conversation: { ...(activity.conversation as object), isGroup: false, payload: 'x'.repeat(10_000), tenantId: ['not', 'a', 'string'] },
    };
    const { status, body } = await postToBot(app.url, sent);
    assert.equal(status, 200);
    const [reply] = (body as { activities: ReplyActivity[] }).activities;
    assert.deepEqual(reply.recipient, { id: '29:user-0', aadObjectId: '00000000-0000-4000-8000-00000000b00b' });
    assert.deepEqual(reply.from, { id: '28:upgrade-media-bot', name: 'Upgrade Media' });
    assert.deepEqual(reply.conversation, { id: 'a:conversation-0', conversationType: 'personal', isGroup: false });
  });
});

/** Deep equality where a RegExp in `expected` matches a string. */
function assertMatches(actual: unknown, expected: unknown, path = 'body'): void {
  if (expected instanceof RegExp) {
    assert.equal(typeof actual, 'string', path);
    assert.match(actual as string, expected, path);
  } else if (typeof expected === 'object' && expected !== null) {
    assert.equal(typeof actual, 'object', `${path}: ${JSON.stringify(actual)}`);
    assert.deepEqual(Object.keys(actual as object).sort(), Object.keys(expected).sort(), path);
    for (const [key, value] of Object.entries(expected)) assertMatches((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
  } else {
    assert.deepEqual(actual, expected, path);
  }
}
