/**
 * The bot as a Teams user meets it: the real app (built-in demo site) behind the real Microsoft 365 Agents
 * Playground, driven in headless Chromium. Cards are read as rendered by the Teams renderer, buttons are
 * pressed, and Action.Execute answers must replace the card in place.
 *
 * SAVE_SCREENSHOTS=1 also writes the main cards to docs/screenshots/*.png (the README shows them).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import type { PlaygroundChat } from '../support/browser';
import { openPlaygroundSession, type PlaygroundSession } from '../support/playground-session';

const SCREENSHOT_DIR = join(__dirname, '..', '..', 'docs', 'screenshots');
const saveScreenshots = process.env.SAVE_SCREENSHOTS === '1';

describe('the bot in the Microsoft 365 Agents Playground, in headless Chromium', function () {
  // The page needs ~3-4 s to connect and each round trip ~0.5 s; leave room for a slow, busy machine.
  this.timeout(60_000);

  let session: PlaygroundSession | undefined;
  let chat: PlaygroundChat;

  before(async function () {
    this.timeout(120_000);
    session = await openPlaygroundSession();
    chat = session.chat;
  });

  after(async function () {
    this.timeout(60_000);
    await session?.stop();
  });

  async function cardText(message: Locator): Promise<string> {
    return chat.card(message).innerText();
  }

  async function maybeSaveScreenshot(message: Locator, name: string): Promise<void> {
    if (saveScreenshots) await chat.screenshot(message, join(SCREENSHOT_DIR, `${name}.png`));
  }

  it('lists the demo site media with names, ids and builds under a demo-site label', async () => {
    const reply = await chat.send('list');
    const text = await cardText(reply);
    assert.match(text, /Demo site/);
    for (const expected of ['Windows 11 24H2 Enterprise x64', 'PS100012', '26100.4349', 'Windows 10 Enterprise 22H2 x64', 'PS100004']) {
      assert.ok(text.includes(expected), `the list card shows ${expected}; it reads:\n${text}`);
    }
    await maybeSaveScreenshot(reply, 'list');
  });

  it('opens a package from the list card, replacing the card in place with its details', async () => {
    const reply = await chat.send('list');
    const messagesBefore = await chat.botMessages().count();
    await chat.clickCardButton(reply, 'Open PS100012');
    const text = await cardText(reply);
    assert.match(text, /Windows 11 24H2 Enterprise x64/);
    assert.match(text, /PS100012/);
    assert.match(text, /26100\.4349/);
    assert.doesNotMatch(text, /PS100004/, 'the list was replaced, not extended');
    assert.equal(await chat.botMessages().count(), messagesBefore, 'no new message: the card changed in place');
    await maybeSaveScreenshot(reply, 'detail');
  });

  it('shows the editions of a package by id, with each edition name', async () => {
    const reply = await chat.send('editions PS100015');
    const text = await cardText(reply);
    for (const edition of ['Windows 11 Enterprise', 'Windows 11 Pro', 'Windows 11 Education', 'Windows 11 Home']) {
      assert.ok(text.includes(edition), `the editions card shows ${edition}; it reads:\n${text}`);
    }
    assert.match(text, /PS100015/);
    await maybeSaveScreenshot(reply, 'editions');
  });

  // Commands whose answer is one card; each row says what the card must show.
  const cases: Array<{ send: string; shows: RegExp[]; screenshot?: string; why: string }> = [
    {
      send: 'help',
      // The placeholders must survive the Teams renderer, which drops anything that looks like an HTML tag.
      shows: [/list \[text\]/, /show \S?id or name/, /editions \S?id or name/, /status/, /Example: show PS100012/],
      screenshot: 'help',
      why: 'every command with its usage and an example',
    },
    { send: 'status', shows: [/Demo site/, /Release data/], screenshot: 'status', why: 'the health of the (demo) site' },
    {
      send: 'stale',
      // Rendered as Teams shows it: markdown escapes are gone, the UNC path keeps both backslashes.
      shows: [/need attention, worst first/, /Out of support since 2026-11-10/, /ConfigMgr says 26100\.4349, install\.wim says 26100\.8246/],
      screenshot: 'stale',
      why: 'the media behind or drifting, worst first',
    },
    {
      send: 'show PS100017',
      shows: [/On the share/, /install\.esd/, /has no BuildNumber\.txt/, /behind/],
      screenshot: 'detail-share',
      why: 'what the share holds beside ConfigMgr, the findings and the verdict',
    },
    {
      send: 'editions PS10000C',
      shows: [/Windows 11 Enterprise" is index 1 in ConfigMgr and index 2 in install\.wim/, /Index 1 in ConfigMgr, 2 in install\.wim/, /In use/],
      screenshot: 'editions-moved',
      why: 'an edition whose index moved as one edition that moved, not as missing and extra',
    },
    { send: 'show PS1FFFFF', shows: [/No package/, /PS1FFFFF/, /type "list"/], why: 'which id is unknown and what to type instead' },
  ];
  // What a user typed comes back as text in the Teams renderer: no link, no bold, and it reads as typed.
  const hostile: Array<{ send: string; shows: string; why: string }> = [
    { send: 'list [Reset your password](https://evil.example/login)', shows: '[Reset your password](https://evil.example/login)', why: 'a phishing link in a list filter' },
    { send: 'show **x** [y](http://evil.example) www.evil.example', shows: '**x** [y](http://evil.example) www.evil.example', why: 'bold and links in a query' },
    { send: 'deploy **now** [y](https://evil.example) <b>x</b> `c`', shows: 'deploy **now** [y](https://evil.example) <b>x</b> `c`', why: 'an unknown command quoted in the message text' },
  ];
  for (const { send, shows, why } of hostile) {
    it(`shows ${why} as plain text`, async () => {
      const before = await chat.botMessages().count();
      const last = await chat.send(send);
      const count = await chat.botMessages().count();
      // A message with text and a card may show as one message or two: read every reply.
      const replies = Array.from({ length: count - before }, (_, i) => chat.botMessages().nth(before + i));
      const text = (await Promise.all(replies.map((reply) => reply.innerText()))).join('\n').replaceAll('\u200D', '');

      assert.ok(text.includes(shows), `the reply shows the words as typed; it reads:\n${text}`);
      for (const reply of [last, ...replies]) {
        const links = await reply.locator('a').evaluateAll((anchors) => anchors.map((anchor) => anchor.outerHTML));
        assert.deepEqual(links.filter((html) => /evil/i.test(html)), [], 'no link to what the user typed');
        const marked = await reply.locator('strong, b, em, i, code, h1, h2, h3, blockquote, li').evaluateAll((nodes) => nodes.map((node) => node.outerHTML));
        assert.deepEqual(marked.filter((html) => /now|x|y|c/.test(html.replace(/<[^>]*>/g, ''))), [], 'no markdown of theirs rendered');
      }
    });
  }

  for (const { send, shows, screenshot, why } of cases) {
    it(`answers "${send}" with ${why}`, async () => {
      const reply = await chat.send(send);
      const text = await reply.innerText();
      for (const expected of shows) assert.match(text, expected, `the answer to "${send}" reads:\n${text}`);
      if (screenshot !== undefined) await maybeSaveScreenshot(reply, screenshot);
    });
  }
});
