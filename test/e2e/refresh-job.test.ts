/**
 * A refresh job from request to success as a Teams user meets it in the demo (`npm start` with no
 * settings): the real app on its built-in demo site behind the real Microsoft 365 Agents Playground, in
 * headless Chromium. The bot posts the job's later states with updateActivity through the Playground's
 * connector (the activity's serviceUrl), which the Playground applies in place, so this proves the
 * publisher's whole path, not only the answers to buttons.
 *
 * SAVE_SCREENSHOTS=1 also writes the decided approval card and the finished job card to docs/screenshots.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { PlaygroundChat } from '../support/browser';
import { openPlaygroundSession, type PlaygroundSession } from '../support/playground-session';
import { DEMO_REFRESH_TIMEOUT_MS, JOB_REPLY_TIMEOUT_MS, followJobToSuccess, requestRefresh } from '../support/playground-jobs';

const SCREENSHOT_DIR = join(__dirname, '..', '..', 'docs', 'screenshots');
const saveScreenshots = process.env.SAVE_SCREENSHOTS === '1';
/** The name the Playground gives its user (and so the requester and the approver). */
const PLAYGROUND_USER = 'Alex Wilber';

describe('a refresh job in the Microsoft 365 Agents Playground, from request to success', function () {
  this.timeout(DEMO_REFRESH_TIMEOUT_MS + 4 * JOB_REPLY_TIMEOUT_MS);

  let session: PlaygroundSession | undefined;
  let chat: PlaygroundChat;

  before(async function () {
    this.timeout(120_000);
    session = await openPlaygroundSession({ chat: { replyTimeoutMs: JOB_REPLY_TIMEOUT_MS } });
    chat = session.chat;
  });

  after(async function () {
    this.timeout(60_000);
    await session?.stop();
  });

  it('asks, is approved from the card, and shows every stage on the same job card until 4 of 4 distribution points, then says so', async () => {
    const job = await requestRefresh(chat, 'refresh PS100012 June CU');

    const jobCard = await chat.waitForText(job.jobMessage, /Waiting for approval/, { what: 'The new job card' });
    assert.match(jobCard, /Windows 11 24H2 Enterprise x64 \(PS100012\)/);
    assert.match(jobCard, /June CU/, 'the reason as typed');
    const approval = await chat.card(job.approvalMessage).innerText();
    assert.match(approval, /Demo: anyone may approve, including the requester/, 'the demo says who may approve');
    assert.match(approval, /Current build\s+26100\.4349/);

    const messagesBeforeApproval = await chat.botMessages().count();
    await chat.clickCardButton(job.approvalMessage, 'Approve');
    const decided = await chat.waitForText(chat.card(job.approvalMessage), new RegExp(`Approved by ${PLAYGROUND_USER}`), { what: 'The approval card' });
    assert.match(decided, /1 of 1 so far/);
    assert.equal(await chat.card(job.approvalMessage).getByRole('button', { name: 'Approve', exact: true }).count(), 0, 'a decided request offers no Approve');

    const { text: finished, headlines } = await followJobToSuccess(chat, job);
    assert.match(finished, /Build: 26100\.4349 → 26100\.8246/);
    assert.ok(
      headlines.some((headline) => /^Running: Watching distribution \([0-3] of 4 DPs\)$/.test(headline)),
      `the card showed distribution under way before it ended; it showed: ${headlines.join(' / ')}`,
    );
    assert.ok(
      headlines.filter((headline) => headline.startsWith('Running: ')).length >= 2,
      `the card moved through the stages in place; it showed: ${headlines.join(' / ')}`,
    );

    const final = chat.botMessageWith(`Job ${job.jobId} for Windows 11 24H2 Enterprise x64 (PS100012) succeeded`);
    await chat.waitForText(final, /succeeded: 26100\.8246 is on all 4 distribution points/, { what: 'The final message' });
    assert.equal(await final.count(), 1, 'one final message');
    // Every change came as an update of the two cards: the only new message is the final one.
    assert.equal(await chat.botMessages().count(), messagesBeforeApproval + 1, 'the cards changed in place');
    assert.equal(await job.jobMessage.count(), 1, 'still one job card');
    assert.match(await chat.card(job.approvalMessage).innerText(), new RegExp(`Approved by ${PLAYGROUND_USER}`), 'the approval card keeps the decision');

    if (saveScreenshots) {
      await chat.screenshot(job.approvalMessage, join(SCREENSHOT_DIR, 'job-approved.png'));
      await chat.screenshot(job.jobMessage, join(SCREENSHOT_DIR, 'job-succeeded.png'));
    }
  });
});
