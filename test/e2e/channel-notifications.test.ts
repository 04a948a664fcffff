/**
 * A subscribed channel follows a refresh job on one status card that updates itself, as a Teams user
 * meets it: the real app on its demo site behind the real Microsoft 365 Agents Playground, in headless
 * Chromium. The channel subscribes; the job is asked for and approved in the personal chat; the
 * channel's card is posted once through the Playground's connector, updated in place at each stage,
 * and the outcome is replied in its thread with the requester @mentioned.
 */
import assert from 'node:assert/strict';
import type { PlaygroundChat } from '../support/browser';
import { openPlaygroundSession, type PlaygroundSession } from '../support/playground-session';
import { DEMO_REFRESH_TIMEOUT_MS, JOB_REPLY_TIMEOUT_MS, requestRefresh } from '../support/playground-jobs';

describe('a subscribed channel in the Microsoft 365 Agents Playground', function () {
  this.timeout(DEMO_REFRESH_TIMEOUT_MS * 2 + 4 * JOB_REPLY_TIMEOUT_MS);

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

  it('shows the job on one card that updates itself to success, then replies the outcome in its thread', async () => {
    await chat.openConversation('General');
    await chat.postInChannel('subscribe all');
    await chat.waitForText(chat.channelThreads().filter({ hasText: /now receives/ }), /now receives/, { what: 'The answer to "subscribe all"' });

    await chat.openConversation('Personal Chat');
    const job = await requestRefresh(chat, 'refresh PS100012 for the channel');
    await chat.clickCardButton(job.approvalMessage, 'Approve');

    await chat.openConversation('General');
    const thread = chat.channelThreads().filter({ hasText: `Job ${job.jobId} · refresh` });
    const headlines: string[] = [];
    const text = await chat.waitForText(thread, /Succeeded: .* on 4 of 4 distribution points[\s\S]*succeeded: 26100\.8246/, {
      timeoutMs: DEMO_REFRESH_TIMEOUT_MS,
      what: `The channel's card of job ${job.jobId} and its outcome reply`,
      seen: (shown) => {
        const headline = /^(Waiting for approval.*|Approved.*|Running: .*|Succeeded: .*)$/m.exec(shown)?.[1];
        if (headline !== undefined && headlines[headlines.length - 1] !== headline) headlines.push(headline);
      },
    });
    assert.equal(await thread.count(), 1, 'one status card for the job in the channel, updated in place');
    assert.ok(headlines.filter((headline) => headline.startsWith('Running: ')).length >= 2, `the channel's card moved through the stages in place; it showed: ${headlines.join(' / ')}`);
    assert.match(text, new RegExp(`Job ${job.jobId} for Windows 11 24H2 Enterprise x64 \\(PS100012\\) succeeded: 26100\\.8246 is on all 4 distribution points`), "the outcome replied in the card's thread");
    assert.match(text, /succeeded: [^\n]*Alex Wilber/, 'the requester is @mentioned in the reply');
  });
});
