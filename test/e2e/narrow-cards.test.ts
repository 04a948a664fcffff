/**
 * Every card as a Teams user sees it in a narrow chat: the Playground in a window as narrow as Teams' chat
 * column on a small laptop or a tablet. No header or value may be broken in the middle of a word; the
 * pictures in docs/screenshots (SAVE_SCREENSHOTS=1) are taken at this width too.
 */
import assert from 'node:assert/strict';
import type { Locator } from 'playwright-core';
import type { PlaygroundChat } from '../support/browser';
import { wordsBrokenAcrossLines } from '../support/broken-words';
import { openPlaygroundSession, type PlaygroundSession } from '../support/playground-session';
import { DEMO_REFRESH_TIMEOUT_MS, JOB_REPLY_TIMEOUT_MS, followJobToSuccess, requestRefresh, type RequestedJob } from '../support/playground-jobs';

/** The Playground draws cards 446 px wide (like a Teams chat on a small laptop); narrower windows overlap its compose box. */
export const NARROW_VIEWPORT = { width: 1024, height: 900 };
/** Teams draws a card at most this wide in a chat column on a small screen. */
const NARROW_CARD_MAX_PX = 460;

async function assertCardDrawnNarrow(chat: PlaygroundChat, message: Locator, what: string): Promise<void> {
  const card = chat.card(message);
  const box = await card.boundingBox();
  assert.ok(box !== null && box.width <= NARROW_CARD_MAX_PX, `the card is drawn narrow (${box?.width} px)`);
  const broken = await wordsBrokenAcrossLines(card);
  assert.deepEqual(broken, [], `words broken across lines in ${what}`);
  // A {{DATE()}} that markdown escaping broke reaches the reader as typed.
  assert.doesNotMatch(await card.innerText(), /\{\{|\}\}/, 'every date and time is rendered');
}

describe('every card at the width of a narrow Teams chat', function () {
  this.timeout(60_000);

  let session: PlaygroundSession | undefined;
  let chat: PlaygroundChat;

  before(async function () {
    this.timeout(120_000);
    session = await openPlaygroundSession({ viewport: NARROW_VIEWPORT });
    chat = session.chat;
  });

  after(async function () {
    this.timeout(60_000);
    await session?.stop();
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
  const assertDrawnNarrow = (message: Locator, what: string) => assertCardDrawnNarrow(chat, message, what);

  for (const { send, why } of cards) {
    it(`breaks no word of ${why}, and renders its dates ("${send}")`, async () => {
      await assertDrawnNarrow(await chat.send(send), `the answer to "${send}"`);
    });
  }

  it('breaks no word of the subscriptions card with its Unsubscribe buttons, and renders its dates ("subscriptions")', async () => {
    await chat.send('subscribe failures 24H2');
    await chat.send('subscribe freshness');
    await assertDrawnNarrow(await chat.send('subscriptions'), 'the answer to "subscriptions"');
  });
});

// The job cards as the bot really posts and updates them: one demo refresh, followed to its end, in a chat
// of its own (a page holding every card above answers slowly on a busy machine). Each step needs the one
// before it (the same job), so a failure early fails the rest with it.
describe('the job cards of a demo refresh at the width of a narrow Teams chat', function () {
  this.timeout(2 * JOB_REPLY_TIMEOUT_MS);

  let session: PlaygroundSession | undefined;
  let chat: PlaygroundChat;

  before(async function () {
    this.timeout(120_000);
    session = await openPlaygroundSession({ viewport: NARROW_VIEWPORT, chat: { replyTimeoutMs: JOB_REPLY_TIMEOUT_MS } });
    chat = session.chat;
  });

  after(async function () {
    this.timeout(60_000);
    await session?.stop();
  });

  const assertDrawnNarrow = (message: Locator, what: string) => assertCardDrawnNarrow(chat, message, what);

  let job: RequestedJob | undefined;
  const requested = () => {
    assert.ok(job, 'the refresh was requested (an earlier test failed)');
    return job;
  };

  it('breaks no word of the new job card and the approval card ("refresh PS100012 June CU")', async () => {
    job = await requestRefresh(chat, 'refresh PS100012 June CU');
    await assertDrawnNarrow(job.jobMessage, 'the new job card');
    await assertDrawnNarrow(job.approvalMessage, 'the approval card');
  });

  it('breaks no word of the approval card once approved, nor of the job card once it succeeded', async function () {
    this.timeout(DEMO_REFRESH_TIMEOUT_MS + 2 * JOB_REPLY_TIMEOUT_MS);
    const { approvalMessage } = requested();
    await chat.clickCardButton(approvalMessage, 'Approve');
    await chat.waitForText(chat.card(approvalMessage), /Approved by/, { what: 'The approval card' });
    await assertDrawnNarrow(approvalMessage, 'the decided approval card');
    await followJobToSuccess(chat, requested());
    await assertDrawnNarrow(requested().jobMessage, 'the finished job card');
  });

  it('breaks no word of the jobs list ("jobs")', async () => {
    const reply = await chat.send('jobs');
    assert.match(await chat.card(reply).innerText(), new RegExp(requested().jobId));
    await assertDrawnNarrow(reply, 'the jobs list');
  });

  it('breaks no word of the timeline ("job <id>")', async () => {
    const reply = await chat.send(`job ${requested().jobId}`);
    assert.match(await chat.card(reply).innerText(), new RegExp(`Job ${requested().jobId} · timeline`));
    await assertDrawnNarrow(reply, 'the timeline');
  });
});
