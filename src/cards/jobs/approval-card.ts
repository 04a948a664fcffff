/**
 * The approval card: what an approver needs to say yes or no (the package, its build and the latest
 * revision, who asks and why, every stage that will run, the policy and the deadline), in three
 * variants. An approver sees a comment box and Approve / Reject; everyone else reads whom the job
 * waits for; once decided, everyone sees the same record of who decided, when and why. The buttons
 * carry the job id only: the server decides from the stored job. While the job waits, the card asks
 * Teams to refresh it per user (Action.Execute `job.approval`), so that each reader gets their variant.
 */
import { localisedDateTime } from '../card-formatting';
import { render, type AdaptiveCard, type CardContext } from '../kit/adaptive-card';
import { escapeText, shorten } from '../kit/text';
import { kindSingular } from '../media/media-kinds';
import {
  approvalOutcome,
  decisionRows,
  fitCard,
  MAX_PERSON_NAME,
  MAX_REASON_SHOWN,
  packageTitle,
  personName,
  typedText,
} from './job-text';
import { COMMENT_INPUT_ID, JobVerbs, MAX_COMMENT_LENGTH } from './job-verbs';
import type { ApprovalPolicyView, JobView } from './job-view';
import { stageLabel } from './stage-labels';
import approvalTemplate from './approval-card.template.json';

export type ApprovalAudience = 'approver' | 'read-only';

/** Teams refreshes a card automatically for at most 60 listed users. */
export const MAX_REFRESH_USER_IDS = 60;
/** Approver names on the read-only card; more are counted. */
const MAX_APPROVERS_NAMED = 5;
/** Decisions listed with their comments; a policy needing more is unusual, and the rest are counted. */
const MAX_DECISIONS_SHOWN = 10;
const MAX_BUILD_SHOWN = 120;

/**
 * @param refreshUserIds user MRIs (`29:…`) whose cards Teams should refresh per user while the job
 *   waits; the first 60 distinct ones are kept (put the approvers first). No refresh when empty or decided.
 */
export function approvalCard(
  view: JobView,
  context: CardContext,
  audience: ApprovalAudience,
  refreshUserIds: readonly string[] = [],
  /** The sentence the reader's own click earned, shown on top ("You approved job K7P2Q; it starts now."). */
  notice?: string,
): AdaptiveCard {
  const { job } = view;
  const decided = job.state !== 'awaiting_approval';
  const canDecide = !decided && audience === 'approver';
  const outcome = approvalOutcome(view);
  const rows = decisionRows(view.approvals);

  const card = fitCard([MAX_COMMENT_LENGTH, 200, 60], (maxComment) => {
    const decisions = decisionRows(view.approvals, maxComment).slice(0, MAX_DECISIONS_SHOWN);
    return render(approvalTemplate, context, { showFreshness: false }, {
      jobId: job.id,
      hasNotice: notice !== undefined && notice !== '',
      notice: escapeText(shorten(notice ?? '', 300)),
      title: `Refresh request · Job ${job.id}`,
      packageName: packageTitle(job),
      subtitle: `${kindSingular[job.packageKind]} · requested ${localisedDateTime(job.createdAt, 'at an unknown time')}`,
      isDecided: decided,
      outcome: outcome ?? { text: '', color: 'Default', weight: 'Default' },
      facts: [
        { title: 'Current build', value: shownBuild(view.currentBuild ?? job.fromBuild, 'Not known') },
        { title: 'Latest revision of its release', value: shownBuild(view.latestRevision ?? job.latestBuild, 'Not known: no release data for this build') },
        { title: 'Requested by', value: personName(job.requester, 'someone') },
        { title: 'Reason', value: typedText(job.reason, MAX_REASON_SHOWN, '(none given)') },
      ],
      stagesHeading: decided ? 'Stages planned, in order' : 'What will run, in order',
      stages: job.stages.map((stage, i) => ({ number: String(i + 1), label: stageLabel(stage, job.options, view.editionNames) })),
      policyLine: policyLine(view.policy, view),
      policyWeight: decided ? 'Default' : 'Bolder',
      showExpiry: !decided,
      expiryLine: `Expires ${localisedDateTime(job.expiresAt, 'at an unknown time')}`,
      isWaitingReadOnly: !decided && audience === 'read-only',
      waitingLine: waitingLine(view.policy),
      hasDecisions: decisions.length > 0,
      decisionsHeading: 'Decisions',
      decisions,
      hasMoreDecisions: rows.length > decisions.length,
      moreDecisions: `… and ${rows.length - decisions.length} more decisions; type "job ${job.id}" for all of them.`,
      canDecide,
      commentInputId: COMMENT_INPUT_ID,
      maxComment: MAX_COMMENT_LENGTH,
    });
  });

  if (decided) return card;
  // Without known user ids Teams refreshes the card for everyone in conversations of up to 60 members.
  const userIds = refreshIds(refreshUserIds);
  const action = { type: 'Action.Execute', verb: JobVerbs.approvalView, data: { jobId: job.id } };
  return { ...card, refresh: userIds.length > 0 ? { action, userIds } : { action } };
}

/**
 * "Needs 2 approvals from the approvers; 1 of 2 so far", or on a demo without APPROVERS "Demo: anyone
 * may approve, including the requester".
 */
export function policyLine(policy: ApprovalPolicyView, view: JobView): string {
  const needed = Math.max(1, policy.requiredApprovals);
  const given = view.approvals.filter((approval) => approval.verdict === 'approve').length;
  const soFar = given === 0 ? 'none so far' : `${given} of ${needed} so far`;
  if (policy.anyoneMayApprove) {
    return `Demo: anyone may approve, including the requester; needs ${needed === 1 ? '1 approval' : `${needed} approvals`}, ${soFar}`;
  }
  const from = policy.approverCount > 0 ? `from the ${policy.approverCount === 1 ? 'approver' : `${policy.approverCount} approvers`}` : 'from the approvers';
  return `Needs ${needed === 1 ? '1 approval' : `${needed} approvals`} ${from}; ${soFar}`;
}

/** "Waiting for approval by Alice Smith, Bob Jones or 2 others." */
function waitingLine(policy: ApprovalPolicyView): string {
  if (policy.anyoneMayApprove) return 'Waiting for approval by anyone in the conversation (demo).';
  const names = (policy.approverNames ?? []).map((name) => name.trim()).filter((name) => name !== '');
  if (names.length === 0) return 'Waiting for approval by the approvers.';
  const named = names.slice(0, MAX_APPROVERS_NAMED).map((name) => escapeText(shorten(name, MAX_PERSON_NAME)));
  const others = names.length - named.length;
  const list =
    others > 0
      ? `${named.join(', ')} or ${others === 1 ? '1 other' : `${others} others`}`
      : named.length === 1
        ? named[0]
        : `${named.slice(0, -1).join(', ')} or ${named[named.length - 1]}`;
  return `Waiting for approval by ${list}.`;
}

function shownBuild(build: string | null | undefined, whenUnknown: string): string {
  const trimmed = (build ?? '').trim();
  return trimmed === '' ? whenUnknown : escapeText(shorten(trimmed, MAX_BUILD_SHOWN));
}

function refreshIds(ids: readonly string[]): string[] {
  const distinct = [...new Set(ids.map((id) => (typeof id === 'string' ? id.trim() : '')).filter((id) => id !== ''))];
  return distinct.slice(0, MAX_REFRESH_USER_IDS);
}
