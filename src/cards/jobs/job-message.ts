/**
 * The plain sentences the bot posts about a job besides its card: the final message when a job ends
 * (and a one-line status for any other state), and the reminder to approvers before a job expires.
 * Teams renders message text as markdown, so everything from outside is escaped as on the cards.
 */
import { countOf } from '../card-formatting';
import { approvalCount, jobDuration, packageTitle, personName, recordedSentence, runDuration, stepOf, typedText } from './job-text';
import type { JobView } from './job-view';
import { stageShort } from './stage-labels';
import { shorten } from '../kit/text';
import type { OutgoingMessage } from '../../services/notify/deliverer';

const MAX_MENTION_NAME = 80;

const MAX_REASON_IN_MESSAGE = 200;
const MAX_COMMENT_IN_MESSAGE = 200;

/**
 * "Job K7P2Q for Windows 11 24H2 Enterprise x64 (PS100012) succeeded: 26100.4652 is on all 4
 * distribution points, in 14 min." and its kin for every other state.
 */
export function jobStatusMessage(view: JobView): string {
  const { job } = view;
  const subject = `Job ${job.id} for ${packageTitle(job)}`;
  const timeline = `Type "job ${job.id}" for its timeline.`;
  switch (job.state) {
    case 'awaiting_approval':
      return `${subject} is waiting for approval (${approvalCount(view)} so far).`;
    case 'approved':
      return `${subject} was approved and starts shortly.`;
    case 'running':
      return `${subject} is running: ${job.stage ? stageShort(job.stage) : 'starting'}.`;
    case 'succeeded': {
      const build = job.newBuild ? recordedSentence(job.newBuild, 'the new source', 60) : 'the new source';
      const d = view.distribution;
      const where = !d
        ? ''
        : d.total > 0 && d.installed >= d.total
          ? ` is on all ${countOf(d.total, 'distribution point')}`
          : ` is on ${d.installed} of ${countOf(d.total, 'distribution point')}`;
      return `${subject} succeeded: ${build}${where}, in ${jobDuration(runDuration(view))}.`;
    }
    case 'failed': {
      const failedStep = view.steps.find((step) => step.state === 'failed');
      const stage = failedStep?.stage ?? job.stage;
      const sentence = recordedSentence(job.outcome ?? failedStep?.message, 'see the timeline for what went wrong.');
      return `${subject} failed${stage ? ` at ${stageShort(stage)}` : ''}: ${withStop(sentence)} ${timeline}`;
    }
    case 'rejected': {
      const rejections = view.approvals.filter((approval) => approval.verdict === 'reject');
      const by = rejections.length > 0 ? ` by ${rejections.map((r) => personName(r.approver)).join(', ')}` : '';
      const comment = rejections.map((r) => typedText(r.comment, MAX_COMMENT_IN_MESSAGE, '')).find((c) => c !== '');
      return `${subject} was rejected${by}${comment ? `: “${comment}”` : ''}. Nothing was changed.`;
    }
    case 'expired':
      return `${subject} expired with ${approvalCount(view)}; nothing was changed. Ask again with "refresh ${job.packageId}" if it is still needed.`;
    case 'cancelled': {
      const by = view.cancelledBy ? ` by ${personName(view.cancelledBy)}` : '';
      const done = job.stages.filter((stage) => stepOf(view.steps, stage)?.state === 'done');
      if (done.length === 0) return `${subject} was cancelled${by} before any stage ran; nothing was changed.`;
      return `${subject} was cancelled${by} after ${stageShort(done[done.length - 1])}; already done: ${done.map(stageShort).join(', ')}. ${timeline}`;
    }
  }
}

/**
 * To approvers before the job expires: "Job K7P2Q expires in 2 h; Alice Smith asks to refresh …
 * (PS100012): “reason”. 1 of 2 approvals so far. Open the approval card to decide, or type "job K7P2Q"."
 */
export function approvalReminderMessage(view: JobView, now: Date): string {
  const { job } = view;
  const left = job.expiresAt.getTime() - now.getTime();
  const when = left <= 0 ? 'is about to expire' : `expires in ${roughly(left)}`;
  const reason = typedText(job.reason, MAX_REASON_IN_MESSAGE, '');
  return (
    `Job ${job.id} ${when}; ${personName(job.requester, 'someone')} asks to refresh ${packageTitle(job)}` +
    `${reason ? `: “${reason}”` : ''}. ${capitalize(approvalCount(view))} so far. Open the approval card to decide, or type "job ${job.id}".`
  );
}

/** "2 h", "40 min": a reminder needs no seconds. */
function roughly(ms: number): string {
  if (ms < 60 * 60_000) return `${Math.max(1, Math.round(ms / 60_000))} min`;
  return `${Math.round(ms / (60 * 60_000))} h`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function withStop(sentence: string): string {
  return /[.!?…]$/.test(sentence) ? sentence : `${sentence}.`;
}

/**
 * The outcome as a reply in the job card's thread (channels): the final sentence with the requester
 * @mentioned, "Job K7P2Q … succeeded: …. <at>Zoë</at>".
 */
export function jobOutcomeReply(view: JobView): OutgoingMessage {
  const requester = view.job.requester;
  // The mention's name is matched against the text between <at> tags: no markup may come through it.
  const name = shorten(requester.name.replace(/[<>]/g, '').trim() || 'requester', MAX_MENTION_NAME);
  return { text: `${jobStatusMessage(view)} <at>${name}</at>`, mentions: [{ id: requester.id, name }] };
}
