/**
 * The job cards' buttons: Approve, Reject, the approval card's per-user view, the job card, its
 * timeline, Cancel, and the media card's Refresh. The data names a job (or a package), nothing more:
 * who may do what is decided by the job service from stored state, never from the card.
 */
import { z } from 'zod';
import { JobVerbs } from '../../cards/jobs/job-verbs';
import { isPackageId } from '../../services/configmgr/admin-service';
import { isJobId } from '../../services/jobs/job';
import { MAX_REASON_LENGTH } from '../../services/jobs/job-service';
import type { JobAnswers, JobTurn } from '../answers/job-answers';
import { cardResponse, messageResponse } from './action-response';
import { route, type ActionInvocation, type ActionRoute } from './action-route';

const jobId = z.string().trim().refine(isJobId).transform((id) => id.toUpperCase());
/** Input.Text merges its value into the data; a longer comment than the card allows is cut, not refused. */
const comment = z
  .string()
  .optional()
  .transform((text) => (text ?? '').slice(0, MAX_REASON_LENGTH));
const jobData = z.object({ jobId });
const NO_JOB_ID = 'This button carries no valid job id; type "jobs" to see the jobs.';

/** Who acts and where, for the job use cases: the invocation's actor and the conversation to post beside the card. */
export function jobTurnOf(invocation: ActionInvocation): JobTurn {
  const { actor } = invocation;
  return {
    person: { id: actor.id, name: actor.name || 'Someone', ...(actor.aadObjectId ? { aadObjectId: actor.aadObjectId } : {}) },
    address: invocation.address ?? { conversationId: invocation.conversationId, reference: { conversation: { id: invocation.conversationId } } },
  };
}

export function jobActionRoutes(answers: JobAnswers, turnOf: (invocation: ActionInvocation) => JobTurn = jobTurnOf): ActionRoute[] {
  return [
    route({
      verb: JobVerbs.approve,
      data: z.object({ jobId, comment }),
      invalidData: NO_JOB_ID,
      handle: async (data, invocation) => {
        // Teams refreshing the card by itself is nobody deciding: it gets the person's view.
        if (invocation.trigger === 'automatic') return cardResponse(await answers.approvalView(data.jobId, turnOf(invocation)));
        const decided = await answers.decide(data.jobId, 'approve', data.comment, turnOf(invocation));
        // A refusal leaves the card as it was and says why in its place; a decision redraws it with the sentence on it.
        return decided.refused ? messageResponse(decided.message) : cardResponse(decided.card);
      },
    }),
    route({
      verb: JobVerbs.reject,
      data: z.object({ jobId, comment }),
      invalidData: NO_JOB_ID,
      handle: async (data, invocation) => {
        // Teams refreshing the card by itself is nobody deciding: it gets the person's view.
        if (invocation.trigger === 'automatic') return cardResponse(await answers.approvalView(data.jobId, turnOf(invocation)));
        const decided = await answers.decide(data.jobId, 'reject', data.comment, turnOf(invocation));
        // A refusal leaves the card as it was and says why in its place; a decision redraws it with the sentence on it.
        return decided.refused ? messageResponse(decided.message) : cardResponse(decided.card);
      },
    }),
    route({
      verb: JobVerbs.approvalView,
      data: jobData,
      invalidData: NO_JOB_ID,
      handle: async (data, invocation) => cardResponse(await answers.approvalView(data.jobId, turnOf(invocation))),
    }),
    route({
      verb: JobVerbs.view,
      data: jobData,
      invalidData: NO_JOB_ID,
      handle: async (data) => cardResponse(await answers.jobCardOf(data.jobId)),
    }),
    route({
      verb: JobVerbs.timeline,
      data: jobData,
      invalidData: NO_JOB_ID,
      handle: async (data) => cardResponse(await answers.timelineCard(data.jobId)),
    }),
    route({
      verb: JobVerbs.cancel,
      data: jobData,
      invalidData: NO_JOB_ID,
      handle: async (data, invocation) => {
        const cancelled = await answers.cancelFromCard(data.jobId, turnOf(invocation));
        // A refused (or already stopping) cancel leaves the card as it was and says why, like Approve.
        return cancelled.changed ? cardResponse(cancelled.card) : messageResponse(cancelled.message);
      },
    }),
    route({
      verb: JobVerbs.refresh,
      data: z.object({ packageId: z.string().trim().refine(isPackageId).transform((id) => id.toUpperCase()) }),
      invalidData: 'This button carries no valid package id; type "list" to pick the package again.',
      handle: async (data, invocation) => {
        const turn = turnOf(invocation);
        const replies = await answers.refreshPackage(data.packageId, turn);
        const [first, ...rest] = replies;
        // The pressed card becomes the job card; the approval card is posted beside it.
        if (first?.card && first.track && invocation.replyToId) await answers.posted(first.track, turn.address, invocation.replyToId);
        await answers.postReplies(rest, turn.address);
        if (first?.card) return cardResponse(first.card);
        return messageResponse(first?.text ?? 'The refresh could not be asked for; type "help" to see what the bot can do.');
      },
    }),
  ];
}
