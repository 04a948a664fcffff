/**
 * A refresh job as a Teams user plays it in the Agents Playground: ask for it, find the job card and
 * the approval card it answered with, and follow the job card as the bot updates it in place. Shared
 * by the end-to-end flow test and the narrow-width check, which both need a job that really ran.
 */
import assert from 'node:assert/strict';
import type { Locator } from 'playwright-core';
import type { PlaygroundChat } from './browser';

/** The demo refresh takes ~15 s; a busy machine (tests in parallel, a cold Chromium) may take several times that. */
export const DEMO_REFRESH_TIMEOUT_MS = 90_000;
/**
 * How long the job tests wait for a reply or an update: the Playground page answers in ~0.5 s, but with
 * other test suites on two cores it was seen taking over 15 s.
 */
export const JOB_REPLY_TIMEOUT_MS = 45_000;

export interface RequestedJob {
  jobId: string;
  /** The requester's job card ("Job K7P2Q · refresh"), updated in place as the job moves. */
  jobMessage: Locator;
  /** The approval card ("Refresh request · Job K7P2Q"). */
  approvalMessage: Locator;
}

/** Sends `text` (a refresh request) and waits for both cards of the new job. */
export async function requestRefresh(chat: PlaygroundChat, text: string): Promise<RequestedJob> {
  await chat.send(text);
  const approvalText = await chat.waitForText(chat.botMessageWith(/Refresh request · Job [0-9A-Z]{5}/).last(), /Refresh request · Job [0-9A-Z]{5}/, {
    what: `The approval card for "${text}"`,
  });
  const jobId = /Refresh request · Job ([0-9A-Z]{5})/.exec(approvalText)?.[1];
  assert.ok(jobId, `the approval card names its job; it reads:\n${approvalText}`);
  const jobMessage = chat.botMessageWith(`Job ${jobId} · refresh`);
  await chat.waitForText(jobMessage, new RegExp(`Job ${jobId} · refresh`), { what: `The job card of job ${jobId}` });
  assert.equal(await jobMessage.count(), 1, 'one job card for the job');
  const approvalMessage = chat.botMessageWith(`Refresh request · Job ${jobId}`);
  assert.equal(await approvalMessage.count(), 1, 'one approval card for the job');
  return { jobId, jobMessage, approvalMessage };
}

/**
 * Waits until the job card reads "Succeeded … 4 of 4 distribution points" and returns every headline it
 * showed on the way ("Running: Watching distribution (2 of 4 DPs)"), oldest first.
 */
export async function followJobToSuccess(chat: PlaygroundChat, job: RequestedJob): Promise<{ text: string; headlines: string[] }> {
  const headlines: string[] = [];
  const text = await chat.waitForText(job.jobMessage, /Succeeded: .* on 4 of 4 distribution points/, {
    timeoutMs: DEMO_REFRESH_TIMEOUT_MS,
    what: `The job card of job ${job.jobId}`,
    seen: (shown) => {
      const headline = /^(Waiting for approval.*|Approved.*|Running: .*|Succeeded: .*|Failed.*)$/m.exec(shown)?.[1];
      if (headline !== undefined && headlines[headlines.length - 1] !== headline) headlines.push(headline);
    },
  });
  return { text, headlines };
}
