/**
 * Every card as a Teams user sees it in a narrow chat: the Playground in a window as narrow as Teams' chat
 * column on a small laptop or a tablet. No header or value may be broken in the middle of a word; the
 * pictures in docs/screenshots (SAVE_SCREENSHOTS=1) are taken at this width too.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startApp, type RunningApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { launchBrowser, PlaygroundChat, type TestBrowser } from '../support/browser';
import { wordsBrokenAcrossLines } from '../support/broken-words';
import { startPlayground, type RunningPlayground } from '../support/playground';

/** The Playground draws cards 446 px wide (like a Teams chat on a small laptop); narrower windows overlap its compose box. */
export const NARROW_VIEWPORT = { width: 1024, height: 900 };
/** Teams draws a card at most this wide in a chat column on a small screen. */
const NARROW_CARD_MAX_PX = 460;

describe('every card at the width of a narrow Teams chat', function () {
  this.timeout(60_000);

  let dataDir: string | undefined;
  let app: RunningApp | undefined;
  let playground: RunningPlayground | undefined;
  let browser: TestBrowser | undefined;
  let chat: PlaygroundChat;

  before(async function () {
    this.timeout(120_000);
    dataDir = await mkdtemp(join(tmpdir(), 'e2e-narrow-'));
    app = await startApp(loadConfig({ PORT: '0', DATABASE_URL: `sqlite:${join(dataDir, 'bot.db')}` }), {
      logger: pino({ level: 'silent' }),
    });
    playground = await startPlayground({ botEndpoint: `${app.url}/api/messages` });
    browser = await launchBrowser({ viewport: NARROW_VIEWPORT });
    chat = await PlaygroundChat.open(browser, playground.url);
  });

  after(async function () {
    this.timeout(60_000);
    await browser?.close();
    await playground?.stop();
    await app?.stop();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  const cards: Array<{ send: string; why: string }> = [
    { send: 'help', why: 'the help card' },
    { send: 'list', why: 'the media list with its Build and freshness columns' },
    { send: 'list 24H2', why: 'a filtered list' },
    { send: 'show PS100012', why: 'the detail card' },
    { send: 'show PS100017', why: 'the detail card with the share facts and findings' },
    { send: 'editions PS100015', why: 'the editions table' },
    { send: 'editions PS100017', why: 'editions that differ between ConfigMgr and the share' },
    { send: 'stale', why: 'the stale media, worst first' },
    { send: 'status', why: 'the status card' },
    { send: 'show PS1FFFFF', why: 'an unknown id' },
    { send: 'show windows', why: 'a question that matches several packages' },
    { send: 'editions PS10000C', why: 'an edition whose index moved' },
    { send: 'lsit', why: 'the did-you-mean card for a mistyped command' },
    { send: 'show PS10012', why: 'the nearest ids to a mistyped one' },
    { send: 'anything out of support?', why: 'the out-of-support view' },
    { send: 'list images', why: 'the list narrowed to OS images' },
    { send: 'stale windows 10', why: 'a filtered stale page' },
    { send: 'show PS100004', why: 'Windows 10 under Extended Security Updates' },
  ];
  for (const { send, why } of cards) {
    it(`breaks no word of ${why} ("${send}")`, async () => {
      const reply = await chat.send(send);
      const card = chat.card(reply);
      const box = await card.boundingBox();
      assert.ok(box !== null && box.width <= NARROW_CARD_MAX_PX, `the card is drawn narrow (${box?.width} px)`);
      const broken = await wordsBrokenAcrossLines(card);
      assert.deepEqual(broken, [], `words broken across lines in the answer to "${send}"`);
    });
  }
});
