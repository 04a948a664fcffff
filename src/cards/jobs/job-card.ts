/**
 * The requester's job card, posted once and updated in place at every stage: a headline that says
 * where the job stands, each planned stage with its state (✓ done, ▶ running, ✗ failed, – skipped,
 * · pending) and what it recorded, the distribution count with the failing distribution points
 * named, and who decided. Timeline is always offered; Cancel only while the job is active.
 */
import { isActive } from '../../services/jobs/job';
import { localisedDateTime } from '../card-formatting';
import type { ToneLine } from '../freshness-text';
import { render, type AdaptiveCard, type CardContext } from '../kit/adaptive-card';
import { escapeText, shorten } from '../kit/text';
import { kindSingular } from '../media/media-kinds';
import { policyLine } from './approval-card';
import {
  decisionRows,
  distributionLines,
  fitCard,
  jobHeadline,
  MAX_REASON_SHOWN,
  packageTitle,
  personName,
  recordedSentence,
  stepMark,
  stepOf,
  typedText,
} from './job-text';
import { MAX_COMMENT_LENGTH } from './job-verbs';
import type { JobView } from './job-view';
import { stageShort } from './stage-labels';
import jobCardTemplate from './job-card.template.json';

const MAX_STEP_MESSAGE = 200;
const MAX_DECISIONS_SHOWN = 10;

export function jobCard(view: JobView, context: CardContext): AdaptiveCard {
  const { job } = view;
  const headline = jobHeadline(view);
  const allDecisions = decisionRows(view.approvals);
  return fitCard([MAX_COMMENT_LENGTH, 200, 60], (maxComment) => {
    const decisions = decisionRows(view.approvals, maxComment).slice(0, MAX_DECISIONS_SHOWN);
    return render(jobCardTemplate, context, { showFreshness: false }, {
      jobId: job.id,
      title: `Job ${job.id} · refresh`,
      packageName: packageTitle(job),
      subtitle: `${kindSingular[job.packageKind]} · requested by ${personName(job.requester, 'someone')}, ${localisedDateTime(job.createdAt, 'at an unknown time')}`,
      headline,
      notes: notes(view),
      stages: job.stages.map((stage) => {
        const step = stepOf(view.steps, stage);
        const state = step?.state ?? 'pending';
        const mark = stepMark(state);
        const message = recordedSentence(step?.message, '', MAX_STEP_MESSAGE);
        return {
          mark: mark.mark,
          markColor: mark.color,
          markWeight: mark.weight,
          subtle: mark.subtle,
          label: stageShort(stage),
          hasMessage: message !== '',
          message,
        };
      }),
      distribution: distributionLines(view.distribution),
      hasDecisions: decisions.length > 0,
      decisions,
      hasMoreDecisions: allDecisions.length > decisions.length,
      moreDecisions: `… and ${allDecisions.length - decisions.length} more decisions; open the timeline for all of them.`,
      updated: `Updated ${localisedDateTime(job.updatedAt, 'at an unknown time')}`,
      canCancel: isActive(job.state) && !job.cancelRequested,
    });
  });
}

function notes(view: JobView): ToneLine[] {
  const { job } = view;
  const lines: ToneLine[] = [];
  const plain = (text: string): ToneLine => ({ text, color: 'Default', weight: 'Default' });
  lines.push(plain(`Reason: ${typedText(job.reason, MAX_REASON_SHOWN, '(none given)')}`));
  if (job.state === 'awaiting_approval') {
    lines.push(plain(policyLine(view.policy, view)));
    lines.push(plain(`Expires ${localisedDateTime(job.expiresAt, 'at an unknown time')}`));
  }
  const from = job.fromBuild?.trim();
  const to = job.newBuild?.trim();
  if (to && from && to !== from) lines.push(plain(`Build: ${shownBuild(from)} → ${shownBuild(to)}`));
  else if (from) lines.push(plain(`Build: ${shownBuild(from)}`));
  if (isActive(job.state) && job.cancelRequested) {
    lines.push({ text: '⚠ Cancel requested: the job stops after the current stage.', color: 'Default', weight: 'Bolder' });
  }
  if ((job.state === 'succeeded' || job.state === 'cancelled') && job.outcome?.trim()) {
    lines.push(plain(recordedSentence(job.outcome, '')));
  }
  return lines.filter((line) => line.text !== '');
}

function shownBuild(build: string): string {
  return escapeText(shorten(build, 60));
}
