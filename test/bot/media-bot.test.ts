import assert from 'node:assert/strict';
import pino from 'pino';
import { startApp, type RunningApp } from '../../src/app';
import { CardVerbs } from '../../src/cards/card-verbs';
import { loadConfig } from '../../src/config';
import { assertValidCard, cardTexts } from '../support/assert-valid-card';
import { displayed } from '../support/displayed-text';
import { cardActionActivity, cardText, messageActivity, onlyCard, postToBot, say, type ReplyActivity } from '../support/bot-client';

const silent = pino({ level: 'silent' });

describe('the bot on the demo site (real HTTP, expectReplies)', () => {
  let app: RunningApp;

  before(async () => {
    // This suite sends a hundred turns as one user, as a script would: the limit has its own tests (rate-limit.test.ts).
    app = await startApp(loadConfig({ PORT: '0' }), { logger: silent, rateLimit: false });
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

  it('answers 250 KB of "<at>" with the too-long card at once (the mention regex took 7 s)', async () => {
    const started = Date.now();
    const text = cardText(onlyCard(await say(app.url, '<at>'.repeat(62_500))));
    const elapsedMs = Date.now() - started;
    assert.match(text, /250000 characters long/);
    assert.ok(elapsedMs < 3_000, `${elapsedMs} ms`);
  });

  describe('user text comes back as text, never as markdown or a link', () => {
    const AUTOLINKS = [/[a-z][a-z0-9+.-]*:\/\//i, /\bwww\./i, /[\p{L}\p{N}]\.\p{L}/u];
    const MARKDOWN_LINK = /(?<!\\)\[[^\]]*(?<!\\)\]\(/;
    const BOLD = /(?<!\\)\*(?<!\\)\*/;
    const cases: Array<{ send: string; shows: string; why: string }> = [
      { send: 'show **x** [y](http://evil)', shows: '**x** [y](http://evil)', why: 'a show query that matches nothing (the issue)' },
      { send: 'list [Reset your password](https://evil.example/login)', shows: '[Reset your password](https://evil.example/login)', why: 'a list filter (the issue)' },
      { send: 'deploy [y](http://evil) now **please**', shows: 'deploy [y](http://evil) now **please**', why: 'an unknown command, quoted in the message text' },
      { send: 'what build is 24H2 https://evil.example', shows: '24H2 https://evil.example', why: 'a natural question' },
    ];
    for (const { send, shows, why } of cases) {
      it(`${why}: ${JSON.stringify(send)}`, async () => {
        const replies = await say(app.url, send);
        const card = onlyCard(replies);
        const texts = [...(replies[0].text ? [replies[0].text] : []), ...cardTexts(card)];
        const echoing = texts.filter((text) => displayed(text).includes(shows));
        assert.ok(echoing.length > 0, `the words are shown readably: ${texts.join(' | ')}`);
        for (const text of echoing) {
          assert.doesNotMatch(text, MARKDOWN_LINK, text);
          assert.doesNotMatch(text, BOLD, text);
          for (const pattern of AUTOLINKS) assert.doesNotMatch(text, pattern, text);
        }
      });
    }

    it('cuts the quoted unknown command at 60 characters without breaking an emoji', async () => {
      // Flags and skin tones: the parser drops zero-width joiners, so ZWJ families arrive apart.
      const replies = await say(app.url, `deploy ${'🇩🇪👍🏿'.repeat(20)}`);
      const quoted = /I don't know "(.*)" as a command/.exec(replies[0].text ?? '')?.[1] ?? '';
      assert.ok(quoted.endsWith('…') && quoted.length <= 60, quoted);
      assert.doesNotMatch(quoted, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/, 'no lone surrogate');
      assert.match(quoted, /^deploy (🇩🇪|👍🏿)+…$/u, 'whole flags and thumbs only');
    });
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
