/**
 * The words the job cards and messages share: a person's name, a duration, the distribution count,
 * each decision, and the headline that says in one line where a job stands ("Running: Watching
 * distribution (3 of 4 DPs)", "Failed at Update distribution points: …"). Whatever came from outside
 * (names, comments, the servicing host's and the runner's sentences, DP names) is cut and escaped
 * here, once; the rest is ours.
 */
import type { Approval, Job, JobStep, Person, StageName, StepState } from '../../services/jobs/job';
import { localisedDateTime } from '../card-formatting';
import type { TextColor, TextWeight, ToneLine } from '../freshness-text';
import type { AdaptiveCard } from '../kit/adaptive-card';
import { escapeText, shorten } from '../kit/text';
import { userFacingSentence } from '../kit/user-facing';
import { MAX_COMMENT_LENGTH } from './job-verbs';
import type { DistributionView, JobView } from './job-view';
import { stageDoing, stageShort } from './stage-labels';

export const MAX_PERSON_NAME = 80;
export const MAX_REASON_SHOWN = 500;
export const MAX_PACKAGE_NAME_SHOWN = 200;
/** A runner's, host's or event's sentence as a card shows it. */
export const MAX_SENTENCE_SHOWN = 300;
export const MAX_SERVER_NAME = 80;
/** Distribution points named in one line; more are counted. */
export const MAX_SERVERS_NAMED = 8;
/**
 * What a card may weigh, as JSON: Teams takes a message under 28 KB, envelope included. Cards with
 * lists (events, jobs, decisions) drop rows until they fit (fitCard).
 */
export const CARD_BUDGET_BYTES = 26 * 1024;

/** A person as cards show them: their display name (or id) escaped; null is the bot itself. */
export function personName(person: Person | null | undefined, whenNobody = 'the bot'): string {
  if (!person) return whenNobody;
  const name = person.name.trim() || person.id.trim() || 'someone';
  return escapeText(shorten(name, MAX_PERSON_NAME));
}

/** Free text someone typed (a reason, a comment), cut and escaped; `whenEmpty` (ours) when blank. */
export function typedText(text: string | null | undefined, max: number, whenEmpty: string): string {
  const trimmed = (text ?? '').trim();
  return trimmed === '' ? whenEmpty : escapeText(shorten(trimmed, max));
}

/** A sentence a runner, the servicing host or a stage recorded: one line, no paths or stacks, escaped. */
export function recordedSentence(text: string | null | undefined, fallback: string, max = MAX_SENTENCE_SHOWN): string {
  return escapeText(shorten(userFacingSentence(text ?? '', fallback), max));
}

export function packageTitle(job: Job): string {
  return `${escapeText(shorten(job.packageName.trim() || job.packageId, MAX_PACKAGE_NAME_SHOWN))} (${escapeText(job.packageId)})`;
}

/** "45 s", "12 min", "1 h 5 min", "2 d 3 h". */
export function jobDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return 'an unknown time';
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

/** From the first stage's start (else the job's creation) to its end. */
export function runDuration(view: JobView): number {
  const starts = view.steps.map((step) => step.startedAt?.getTime()).filter((t): t is number => typeof t === 'number' && Number.isFinite(t));
  const start = starts.length > 0 ? Math.min(...starts) : view.job.createdAt.getTime();
  const end = (view.job.finishedAt ?? view.job.updatedAt).getTime();
  return end - start;
}

/** "dp01, dp02 and 3 more", escaped. */
export function serverList(servers: readonly string[]): string {
  const named = servers.slice(0, MAX_SERVERS_NAMED).map((server) => escapeText(shorten(server.trim() || '(unnamed)', MAX_SERVER_NAME)));
  const more = servers.length - named.length;
  if (more > 0) return `${named.join(', ')} and ${more} more`;
  if (named.length <= 1) return named.join('');
  return `${named.slice(0, -1).join(', ')} and ${named[named.length - 1]}`;
}

/** "3 of 4 distribution points have the new version", with the failing ones named in a warning. */
export function distributionLines(distribution: DistributionView | undefined): ToneLine[] {
  if (!distribution) return [];
  const lines: ToneLine[] = [
    {
      text: `Distribution: ${distribution.installed} of ${distribution.total} distribution points have the new version`,
      color: distribution.total > 0 && distribution.installed >= distribution.total ? 'Good' : 'Default',
      weight: 'Default',
    },
  ];
  if (distribution.failedServers.length > 0) {
    lines.push({ text: `⚠ Failed on ${serverList(distribution.failedServers)}`, color: 'Default', weight: 'Bolder' });
  }
  if (distribution.waitingServers.length > 0) {
    lines.push({ text: `Waiting for ${serverList(distribution.waitingServers)}`, color: 'Default', weight: 'Default' });
  }
  return lines;
}

export interface DecisionRow {
  text: string;
  hasComment: boolean;
  comment: string;
}

/** "Approved by Alice Smith, <date> <time>" and their comment, in the order given. */
export function decisionRows(approvals: readonly Approval[], maxComment = MAX_COMMENT_LENGTH): DecisionRow[] {
  return [...approvals]
    .sort((a, b) => a.at.getTime() - b.at.getTime())
    .map((approval) => {
      const comment = typedText(approval.comment, maxComment, '');
      return {
        text: `${approval.verdict === 'approve' ? '✓ Approved' : '✗ Rejected'} by ${personName(approval.approver)}, ${localisedDateTime(approval.at, 'at an unknown time')}`,
        hasComment: comment !== '',
        comment: comment === '' ? '' : `“${comment}”`,
      };
    });
}

const STEP_MARKS: Record<StepState, { mark: string; color: TextColor; weight: TextWeight; subtle: boolean }> = {
  done: { mark: '✓', color: 'Good', weight: 'Bolder', subtle: false },
  running: { mark: '▶', color: 'Default', weight: 'Bolder', subtle: false },
  failed: { mark: '✗', color: 'Attention', weight: 'Bolder', subtle: false },
  skipped: { mark: '–', color: 'Default', weight: 'Default', subtle: true },
  pending: { mark: '·', color: 'Default', weight: 'Default', subtle: true },
};

export function stepMark(state: StepState) {
  return STEP_MARKS[state];
}

/** The step recorded for a planned stage; a stage not reached yet has none and is pending. */
export function stepOf(steps: readonly JobStep[], stage: StageName): JobStep | undefined {
  return steps.find((step) => step.stage === stage);
}

/** The one line at the top of a job card: where the job stands, in its tone. */
export function jobHeadline(view: JobView): ToneLine {
  const { job } = view;
  const distribution = view.distribution;
  switch (job.state) {
    case 'awaiting_approval':
      return { text: 'Waiting for approval', color: 'Default', weight: 'Bolder' };
    case 'approved':
      return { text: 'Approved: the job starts shortly', color: 'Default', weight: 'Bolder' };
    case 'running': {
      const stage = job.stage ?? view.steps.find((step) => step.state === 'running')?.stage ?? null;
      const what = stage ? stageDoing(stage) : 'starting';
      const count = stage === 'watch_distribution' && distribution ? ` (${distribution.installed} of ${distribution.total} DPs)` : '';
      const cancel = job.cancelRequested ? '; cancel requested' : '';
      return { text: `Running: ${what}${count}${cancel}`, color: 'Default', weight: 'Bolder' };
    }
    case 'succeeded': {
      const build = job.newBuild ? escapeText(shorten(job.newBuild, 60)) : 'the new source';
      const where = distribution ? ` on ${distribution.installed} of ${distribution.total} distribution points` : '';
      return { text: `Succeeded: ${build}${where} in ${jobDuration(runDuration(view))}`, color: 'Good', weight: 'Bolder' };
    }
    case 'failed': {
      const failedStep = view.steps.find((step) => step.state === 'failed');
      const stage = failedStep?.stage ?? job.stage;
      const sentence = recordedSentence(job.outcome ?? failedStep?.message, 'open the timeline for what went wrong.');
      return { text: stage ? `Failed at ${stageShort(stage)}: ${sentence}` : `Failed: ${sentence}`, color: 'Attention', weight: 'Bolder' };
    }
    case 'rejected': {
      const by = view.approvals.filter((approval) => approval.verdict === 'reject').map((approval) => personName(approval.approver));
      return { text: by.length > 0 ? `Rejected by ${by.join(', ')}: nothing was changed` : 'Rejected: nothing was changed', color: 'Default', weight: 'Bolder' };
    }
    case 'expired':
      return { text: `Expired with ${approvalCount(view)}: nothing was changed`, color: 'Default', weight: 'Bolder' };
    case 'cancelled':
      return { text: cancelledHeadline(view), color: 'Default', weight: 'Bolder' };
  }
}

/** "1 of 2 approvals", "no approval". */
export function approvalCount(view: JobView): string {
  const given = view.approvals.filter((approval) => approval.verdict === 'approve').length;
  const needed = Math.max(1, view.policy.requiredApprovals);
  if (given === 0) return needed === 1 ? 'no approval' : `no approval of the ${needed} needed`;
  return `${given} of ${needed} approvals`;
}

/** "Cancelled after Verify the install image; already done: Service the media, Verify the install image". */
function cancelledHeadline(view: JobView): string {
  const by = view.cancelledBy ? ` by ${personName(view.cancelledBy)}` : '';
  const done = view.job.stages.filter((stage) => stepOf(view.steps, stage)?.state === 'done');
  if (done.length === 0) return `Cancelled${by} before any stage ran: nothing was changed`;
  const last = done[done.length - 1];
  return `Cancelled${by} after ${stageShort(last)}; already done: ${done.map(stageShort).join(', ')}`;
}

/** The approval outcome in one word, once decided; undefined while it waits. */
export function approvalOutcome(view: JobView): ToneLine | undefined {
  switch (view.job.state) {
    case 'awaiting_approval':
      return undefined;
    case 'approved':
    case 'running':
    case 'succeeded':
    case 'failed':
      return { text: 'Outcome: approved', color: 'Good', weight: 'Bolder' };
    case 'rejected':
      return { text: 'Outcome: rejected', color: 'Default', weight: 'Bolder' };
    case 'expired':
      return { text: `Outcome: expired with ${approvalCount(view)}`, color: 'Default', weight: 'Bolder' };
    case 'cancelled':
      return { text: `Outcome: cancelled${view.cancelledBy ? ` by ${personName(view.cancelledBy)}` : ''}`, color: 'Default', weight: 'Bolder' };
  }
}

/**
 * The first card of `build(limit)` for the limits given (most generous first) that fits Teams, so that
 * hostile text or long histories drop rows rather than the message; the last one whatever it weighs.
 */
export function fitCard(limits: readonly number[], build: (limit: number) => AdaptiveCard): AdaptiveCard {
  let card: AdaptiveCard | undefined;
  for (const limit of limits) {
    card = build(limit);
    if (Buffer.byteLength(JSON.stringify(card), 'utf8') <= CARD_BUDGET_BYTES) return card;
  }
  if (!card) throw new RangeError('fitCard needs at least one limit');
  return card;
}
