import assert from 'node:assert/strict';
import pino from 'pino';
import { startApp, type RunningApp } from '../../src/app';
import { CardVerbs } from '../../src/cards/card-verbs';
import { loadConfig } from '../../src/config';
import { assertValidCard } from '../support/assert-valid-card';
import { cardActionActivity, cardText, messageActivity, onlyCard, postToBot, say, type ReplyActivity } from '../support/bot-client';

const silent = pino({ level: 'silent' });

describe('the bot on the demo site (real HTTP, expectReplies)', () => {
  let app: RunningApp;

  before(async () => {
    app = await startApp(loadConfig({ PORT: '0' }), { logger: silent });
  });
  after(async () => {
    await app?.stop();
  });

  it('listens on loopback in anonymous mode and answers /healthz', async () => {
    assert.match(app.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${app.url}/healthz`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { status: string; demo: boolean };
    assert.equal(body.status, 'ok');
    assert.equal(body.demo, true);
  });

  it('lists the media with ids, builds and the demo label', async () => {
    const text = cardText(onlyCard(await say(app.url, 'list')));
    assert.match(text, /demo/i);
    assert.match(text, /PS100012/);
    assert.match(text, /Windows 11 24H2 Enterprise x64/);
    assert.match(text, /26100\.\d+/);
  });

  it('filters the list by text', async () => {
    const text = cardText(onlyCard(await say(app.url, 'list server 2025')));
    assert.match(text, /Windows Server 2025/);
    assert.doesNotMatch(text, /Windows 10 Enterprise 22H2/);
  });

  it('shows one package by id, whatever its case, with build and revision', async () => {
    for (const query of ['show PS100012', 'build ps100012', 'PS100012']) {
      const text = cardText(onlyCard(await say(app.url, query)));
      assert.match(text, /PS100012/, query);
      assert.match(text, /10\.0\.26100\.\d+/, query);
    }
  });

  it('answers a natural question with a choice when several packages match', async () => {
    const card = onlyCard(await say(app.url, 'what build is 24H2'));
    const text = cardText(card);
    assert.match(text, /match/i);
    assert.match(text, /PS100012/);
    assert.match(text, /PS100013/);
  });

  it('opens a package whose name has quotes and unicode', async () => {
    const text = cardText(onlyCard(await say(app.url, `show O'Brien's "lab" media`)));
    assert.match(text, /PS10001A/);
    assert.match(text, /O'Brien's "lab" media/);
  });

  it('lists the editions of a package', async () => {
    const text = cardText(onlyCard(await say(app.url, 'which editions are in PS100015')));
    assert.match(text, /Enterprise/);
    assert.match(text, /Education/);
    assert.match(text, /Pro/);
  });

  it('says plainly that a package whose ImageProperty is not XML has unreadable editions', async () => {
    const text = cardText(onlyCard(await say(app.url, 'editions PS10001C')));
    assert.match(text, /unreadable|could not be read|not XML/i);
  });

  it('says no package matches and offers the nearest names', async () => {
    const card = onlyCard(await say(app.url, 'show Windows 11 24H2 Enterprse'));
    assert.match(cardText(card), /No package matches "Windows 11 24H2 Enterprse"/);
    assert.match(JSON.stringify(card), /media\.show/);
  });

  it('treats OData syntax in a query as text', async () => {
    const text = cardText(onlyCard(await say(app.url, "show Name eq 'x' or 1 eq 1")));
    assert.match(text, /No package matches/);
  });

  it('answers help, an empty message and a bare mention with the help card', async () => {
    for (const text of ['help', '', '<at>Upgrade Media</at>']) {
      const card = onlyCard(await say(app.url, text));
      assert.match(cardText(card), /editions/, JSON.stringify(text));
    }
  });

  it('says which words it did not understand and shows help', async () => {
    const replies = await say(app.url, 'deploy everything now');
    assert.equal(replies[0].text, `I don't know "deploy everything now" as a command; here is what I can answer.`);
    onlyCard(replies);
  });

  it('refuses 10 KB of text in one sentence', async () => {
    const text = cardText(onlyCard(await say(app.url, 'x'.repeat(10 * 1024))));
    assert.match(text, /10240 characters long/);
  });

  it('reports its status without calling ConfigMgr in the turn', async () => {
    const text = cardText(onlyCard(await say(app.url, 'status')));
    assert.match(text, /reachable|answering/i);
  });

  it('labels every card it sends as the demo site', async () => {
    for (const text of ['help', 'list', 'show PS100012', 'editions PS100012', 'status', 'what build is 24H2', 'show zzqq', 'x'.repeat(600)]) {
      assert.match(cardText(onlyCard(await say(app.url, text))), /Demo site: sample media, not a real ConfigMgr site/, text);
    }
  });

  describe('card buttons (Action.Execute invokes)', () => {
    async function invoke(verb: string, data: unknown) {
      const { status, body } = await postToBot(app.url, cardActionActivity(verb, data));
      assert.equal(status, 200, 'expectReplies wraps the invoke response');
      const invokeResponse = (body as { activities: Array<{ type: string; value: { status: number; body: any } }> }).activities.find(
        (activity) => activity.type === 'invokeResponse',
      );
      assert.ok(invokeResponse, JSON.stringify(body));
      return invokeResponse.value;
    }

    it('opens a package from the list and replaces the card', async () => {
      const response = await invoke(CardVerbs.show, { packageId: 'PS100012' });
      assert.equal(response.status, 200);
      assert.equal(response.body.type, 'application/vnd.microsoft.card.adaptive');
      assertValidCard(response.body.value);
      assert.match(cardText(response.body.value), /PS100012/);
    });

    it('pages the list and runs help buttons', async () => {
      const page = await invoke(CardVerbs.listPage, { filter: '', page: 0 });
      assertValidCard(page.body.value);
      const status = await invoke(CardVerbs.command, { text: 'status' });
      assertValidCard(status.body.value);
      const editions = await invoke(CardVerbs.editions, { packageId: 'ps100015' });
      assert.match(cardText(editions.body.value), /Education/);
    });

    it('tells the user when a button names a package that has left the site', async () => {
      const response = await invoke(CardVerbs.show, { packageId: 'PS1FFFFF' });
      assert.equal(response.status, 200);
      assert.equal(response.body.type, 'application/vnd.microsoft.activity.message');
      assert.match(response.body.value, /no longer on the site/);
    });

    const tampered: Array<[string, string, unknown]> = [
      ['a foreign verb', 'deleteEverything', { packageId: 'PS100012' }],
      ['a missing verb', '', {}],
      ['no package id', CardVerbs.show, {}],
      ['an injected package id', CardVerbs.show, { packageId: "PS100012' or 1 eq 1" }],
      ['a page that is not a number', CardVerbs.listPage, { filter: '', page: 'last' }],
      ['an empty command', CardVerbs.command, { text: '' }],
    ];
    for (const [what, verb, data] of tampered) {
      it(`answers 400 with a clear message for ${what}`, async () => {
        const response = await invoke(verb, data);
        assert.equal(response.status, 400);
        assert.equal(response.body.type, 'application/vnd.microsoft.error');
        assert.match(response.body.value.message, /; type "(help|list)"/);
      });
    }

    it('answers 400 for an invoke without an action', async () => {
      const activity = { ...cardActionActivity(CardVerbs.show, {}), value: {} };
      const { status, body } = await postToBot(app.url, activity);
      assert.equal(status, 200);
      const invokeResponse = (body as any).activities.find((a: { type: string }) => a.type === 'invokeResponse');
      assert.equal(invokeResponse.value.status, 400);
    });
  });

  it('reads a message whose text is not a string as an empty message', async () => {
    const { status, body } = await postToBot(app.url, { ...messageActivity('list'), text: 42 });
    assert.equal(status, 200);
    assert.match(cardText(onlyCard((body as { activities: ReplyActivity[] }).activities)), /editions/);
  });

  describe('malformed requests', () => {
    const bodies: Array<[string, unknown, string?]> = [
      ['text that is not JSON', 'hello bot'],
      ['truncated JSON', '{"type":"message","text":"li'],
      ['a JSON array', [messageActivity('list')]],
      ['an object without a type', { text: 'list' }],
      ['null', 'null'],
      ['an activity with nothing but a type', { type: 'message' }],
      ['an activity without a conversation', { ...messageActivity('list'), conversation: undefined }],
      ['an activity whose conversation is a string', { ...messageActivity('list'), conversation: 'a:1' }],
      ['an activity whose sender is not an object', { ...messageActivity('list'), from: 'mallory' }],
      ['an activity with nowhere to answer', { ...messageActivity('list'), serviceUrl: undefined, deliveryMode: undefined }],
      ['an activity whose serviceUrl is not http', { ...messageActivity('list'), serviceUrl: 'file:///etc/passwd', deliveryMode: undefined }],
    ];
    for (const [what, body] of bodies) {
      it(`answers 400 to ${what} and keeps serving`, async () => {
        const { status } = await postToBot(app.url, body);
        assert.equal(status, 400);
        assert.ok((await say(app.url, 'list')).length === 1);
      });
    }

    it('answers 413 to a body over the size limit', async () => {
      const { status } = await postToBot(app.url, messageActivity('x'.repeat(300 * 1024)));
      assert.equal(status, 413);
    });
  });
});
