import assert from 'node:assert/strict';
import { startConnectorDouble, type ConnectorDouble, type ConnectorDoubleOptions } from './connector-double';

/** The double's clock, moved by the test: windows are checked exactly, whatever the machine's speed. */
class TestClock {
  ms = 1_000_000;
  now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

interface Answer {
  status: number;
  retryAfter: string | null;
  body: string;
  json?: { id?: string; error?: { code?: string } };
}

async function call(connector: ConnectorDouble, method: 'POST' | 'PUT', conversationId: string, activityId: string | undefined, activity: unknown): Promise<Answer> {
  const path = `v3/conversations/${encodeURIComponent(conversationId)}/activities${activityId === undefined ? '' : `/${encodeURIComponent(activityId)}`}`;
  const response = await fetch(new URL(path, connector.url), { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
  const body = await response.text();
  let json: Answer['json'];
  try {
    json = JSON.parse(body) as Answer['json'];
  } catch {
    json = undefined;
  }
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body, json };
}

const send = (connector: ConnectorDouble, conversationId: string, text: string): Promise<Answer> => call(connector, 'POST', conversationId, undefined, { type: 'message', text });

/** Waits until the double has received `count` requests (for requests it never answers). */
async function received(connector: ConnectorDouble, count: number): Promise<void> {
  const until = Date.now() + 3_000;
  while (connector.counters.requests < count && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(connector.counters.requests, count);
}

describe('the connector double', () => {
  let connector: ConnectorDouble;
  let clock: TestClock;
  const start = async (options: ConnectorDoubleOptions = {}): Promise<ConnectorDouble> => {
    clock = new TestClock();
    connector = await startConnectorDouble({ now: clock.now, ...options });
    return connector;
  };
  afterEach(async () => {
    await connector?.stop();
  });

  it('answers a send with a Teams-like numeric id and keeps the message', async () => {
    await start();
    const answer = await send(connector, 'a:chat', 'hello');
    assert.equal(answer.status, 201);
    assert.match(answer.json?.id ?? '', /^\d{7,}$/);
    assert.deepEqual(
      connector.messages('a:chat').map((message) => [message.id, message.activity.text]),
      [[answer.json?.id, 'hello']],
    );
  });

  it('keeps every version of an updated message, and answers 404 ActivityNotFoundInConversation for an unknown one', async () => {
    await start();
    const { json } = await send(connector, 'a:chat', 'v1');
    assert.equal((await call(connector, 'PUT', 'a:chat', json?.id, { type: 'message', text: 'v2' })).status, 200);
    const unknown = await call(connector, 'PUT', 'a:chat', '42', { type: 'message', text: 'v3' });
    assert.deepEqual([unknown.status, unknown.json?.error?.code], [404, 'ActivityNotFoundInConversation']);
    const [message] = connector.messages('a:chat');
    assert.deepEqual(message.versions.map((version) => version.text), ['v1', 'v2']);
    assert.deepEqual(connector.acceptedOrder('a:chat').map((write) => write.operation), ['post', 'update']);
  });

  it('files a send to "channel;messageid=X" as a reply in thread X of the channel', async () => {
    await start();
    const root = await send(connector, '19:c@thread.tacv2', 'card');
    await send(connector, `19:c@thread.tacv2;messageid=${root.json?.id}`, 'reply');
    const [card, reply] = connector.messages('19:c@thread.tacv2');
    assert.deepEqual([card.threadId, reply.threadId], [undefined, root.json?.id]);
  });

  it('records mention entities of what was sent', async () => {
    await start();
    await call(connector, 'POST', 'a:chat', undefined, {
      type: 'message',
      text: '<at>Ada</at> look',
      entities: [{ type: 'mention', text: '<at>Ada</at>', mentioned: { id: '29:ada', name: 'Ada' } }, { type: 'clientInfo' }],
    });
    assert.deepEqual(connector.messages('a:chat')[0].mentions, [{ id: '29:ada', name: 'Ada', text: '<at>Ada</at>' }]);
  });

  const windows = [
    { why: '7 per second', spacingMs: 0, sends: 8, refusedAt: 7 },
    { why: '8 per 2 seconds', spacingMs: 200, sends: 9, refusedAt: 8 },
    { why: '60 per 30 seconds', spacingMs: 400, sends: 61, refusedAt: 60 },
    { why: '1800 per hour', spacingMs: 1_900, sends: 1_801, refusedAt: 1_800 },
  ];
  for (const { why, spacingMs, sends, refusedAt } of windows) {
    it(`refuses with 429 and Retry-After, creating nothing, the send that breaks ${why} in one thread`, async function () {
      this.timeout(30_000);
      await start();
      const statuses: number[] = [];
      let refused: Answer | undefined;
      for (let index = 0; index < sends; index += 1) {
        const answer = await send(connector, 'a:chat', `m${index}`);
        statuses.push(answer.status);
        if (answer.status === 429) refused ??= answer;
        clock.advance(spacingMs);
      }
      assert.equal(statuses.indexOf(429), refusedAt);
      assert.equal(connector.counters.throttledByLimit, 1);
      assert.equal(connector.messages('a:chat').length, refusedAt);
      assert.ok(Number(refused?.retryAfter) >= 1, `Retry-After ${refused?.retryAfter}`);
      assert.equal(refused?.json?.error?.code, 'ThrottledRequest');
    });
  }

  it('lets a thread send again once the window has moved on, and counts threads of a channel apart', async () => {
    await start();
    for (let index = 0; index < 7; index += 1) assert.equal((await send(connector, '19:c@thread.tacv2', `m${index}`)).status, 201);
    assert.equal((await send(connector, '19:c@thread.tacv2', 'over')).status, 429);
    assert.equal((await send(connector, '19:c@thread.tacv2;messageid=1', 'in a thread')).status, 201);
    clock.advance(1_001);
    assert.equal((await send(connector, '19:c@thread.tacv2', 'later')).status, 201);
  });

  it('refuses the request that breaks the app-wide rate over a sliding second, across conversations', async () => {
    await start({ appRatePerSecond: 5 });
    const statuses: number[] = [];
    for (let index = 0; index < 6; index += 1) {
      statuses.push((await send(connector, `a:chat-${index}`, 'hello')).status);
      clock.advance(150);
    }
    // 6 requests within 750 ms: the 6th breaks 5/s. 400 ms later the first has left the window.
    assert.deepEqual(statuses, [201, 201, 201, 201, 201, 429]);
    clock.advance(400);
    assert.equal((await send(connector, 'a:chat-9', 'hello')).status, 201);
    assert.equal(connector.counters.peakAcceptedPerSecond, 5);
    assert.equal(connector.counters.peakRequestsPerSecond, 6);
  });

  it('injects random 429s with the Retry-After asked, and 502/503/504s, before creating anything', async () => {
    await start({ random: () => 0 });
    connector.faults.throttleShare = 1;
    connector.faults.throttleRetryAfterSeconds = 3;
    const throttled = await send(connector, 'a:chat', 'hello');
    assert.deepEqual([throttled.status, throttled.retryAfter], [429, '3']);
    connector.faults.throttleShare = 0;
    connector.faults.serverErrorShare = 1;
    assert.equal((await send(connector, 'a:chat', 'hello')).status, 502);
    assert.equal(connector.messages('a:chat').length, 0);
    assert.deepEqual([connector.counters.throttledAtRandom, connector.counters.serverErrors, connector.counters.throttledByLimit], [1, 1, 0]);
  });

  const refusals = [
    { status: 403 as const, code: 'MessageWritesBlocked' },
    { status: 403 as const, code: 'ConversationBlockedByUser' },
    { status: 404 as const, code: 'ConversationNotFound' },
  ];
  for (const { status, code } of refusals) {
    it(`refuses one conversation with ${status} ${code} in Teams' error body, and only that one`, async () => {
      await start();
      connector.faults.conversations.set('a:blocked', { status, code });
      const answer = await send(connector, 'a:blocked', 'hello');
      assert.deepEqual([answer.status, answer.json?.error?.code], [status, code]);
      assert.equal((await send(connector, 'a:other', 'hello')).status, 201);
    });
  }

  const garbage = [
    { fault: 'garbage-text' as const, why: 'a body that is not JSON', looksLike: (answer: Answer) => answer.json === undefined },
    { fault: 'garbage-no-id' as const, why: 'JSON without an id', looksLike: (answer: Answer) => answer.json !== undefined && answer.json.id === undefined },
  ];
  for (const { fault, why, looksLike } of garbage) {
    it(`answers 200 with ${why}, having created the message`, async () => {
      await start();
      connector.faults.conversations.set('a:chat', fault);
      const answer = await send(connector, 'a:chat', 'hello');
      assert.equal(answer.status, 200);
      assert.ok(looksLike(answer), answer.body);
      assert.equal(connector.messages('a:chat').length, 1);
    });
  }

  it('never answers a hanging conversation, and records the request as in flight without a message', async () => {
    await start();
    connector.faults.conversations.set('a:chat', 'hang');
    const abort = new AbortController();
    const pending = fetch(new URL('v3/conversations/a%3Achat/activities', connector.url), { method: 'POST', body: '{"text":"x"}', signal: abort.signal }).catch(() => 'aborted');
    await received(connector, 1);
    abort.abort();
    assert.equal(await pending, 'aborted');
    assert.deepEqual(connector.inFlight, [{ operation: 'post', conversationId: 'a:chat', text: 'x', created: false }]);
    assert.equal(connector.messages('a:chat').length, 0);
  });

  for (const create of [true, false]) {
    it(`holds every request after N accepted ones (${create ? 'creating' : 'not creating'} their messages) until told to stop holding`, async () => {
      await start();
      connector.holdAfter(2, { create });
      await send(connector, 'a:chat', 'one');
      await send(connector, 'a:chat', 'two');
      const abort = new AbortController();
      const held = fetch(new URL('v3/conversations/a%3Achat/activities', connector.url), { method: 'POST', body: '{"text":"three"}', signal: abort.signal }).catch(() => 'aborted');
      await received(connector, 3);
      abort.abort();
      assert.equal(await held, 'aborted');
      assert.equal(connector.inFlight.length, 1);
      assert.equal(connector.inFlight[0].created, create);
      assert.deepEqual(connector.messages('a:chat').map((message) => message.activity.text), create ? ['one', 'two', 'three'] : ['one', 'two']);
      connector.stopHolding();
      assert.equal((await send(connector, 'a:chat', 'four')).status, 201);
    });
  }

  it('counts a text posted twice to a conversation as a duplicate, and not the same text elsewhere', async () => {
    await start();
    await send(connector, 'a:chat', 'Job 7 approved');
    await send(connector, 'a:other', 'Job 7 approved');
    assert.equal(connector.counters.duplicates, 0);
    await send(connector, 'a:chat', 'Job 7 approved');
    assert.equal(connector.counters.duplicates, 1);
  });

  it('answers 400 BadArgument to a body that is not an activity, and 404 to a path it does not serve', async () => {
    await start();
    const response = await fetch(new URL('v3/conversations/a%3Achat/activities', connector.url), { method: 'POST', body: 'not json' });
    assert.equal(response.status, 400);
    assert.equal((await fetch(new URL('v3/conversations/a%3Achat/members', connector.url))).status, 404);
    assert.equal(connector.messages('a:chat').length, 0);
  });
});
