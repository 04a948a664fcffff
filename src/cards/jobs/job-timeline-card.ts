/**
 * `job <id>`: one job's audit trail, oldest first, with where the job stands above it (headline,
 * current stage, distribution count, who decided). A long trail shows its newest events and counts
 * the earlier ones, and drops more of them when their text would outgrow a Teams message.
 */
import { isActive, type JobEvent, type JobEventKind } from '../../services/jobs/job';
import { localisedDateTime } from '../card-formatting';
import type { ToneLine } from '../freshness-text';
import { render, type AdaptiveCard, type CardContext } from '../kit/adaptive-card';
import { decisionRows, distributionLines, fitCard, jobHeadline, packageTitle, personName, recordedSentence } from './job-text';
import type { JobView } from './job-view';
import { stageShort } from './stage-labels';
import timelineTemplate from './job-timeline-card.template.json';

/** Events shown at most, newest kept; fewer when their text is long. */
export const MAX_EVENTS_SHOWN = 30;
const MAX_EVENT_TEXT = 300;
const MAX_DECISION_COMMENT = 200;

/** Events that mean something went wrong or was refused: drawn bold with a ⚠. */
const WARNING_KINDS: ReadonlySet<JobEventKind> = new Set(['stage_failed', 'failed', 'callback_refused', 'decision_refused', 'cancel_refused', 'expired']);

export function jobTimelineCard(view: JobView, events: readonly JobEvent[], context: CardContext): AdaptiveCard {
  const { job } = view;
  const ordered = [...events].sort((a, b) => a.at.getTime() - b.at.getTime() || a.id - b.id);
  const summary: ToneLine[] = [];
  if (job.stage) {
    const position = job.stages.indexOf(job.stage);
    const of = position >= 0 ? ` (stage ${position + 1} of ${job.stages.length})` : '';
    summary.push({ text: `${isActive(job.state) ? 'Current stage' : 'Last stage'}: ${stageShort(job.stage)}${of}`, color: 'Default', weight: 'Default' });
  }
  summary.push(...distributionLines(view.distribution));
  const decisions = decisionRows(view.approvals, MAX_DECISION_COMMENT).slice(0, 10);

  return fitCard([MAX_EVENTS_SHOWN, 20, 10, 5], (limit) => {
    const shown = ordered.slice(-limit);
    const earlier = ordered.length - shown.length;
    return render(timelineTemplate, context, { showFreshness: false }, {
      jobId: job.id,
      title: `Job ${job.id} · timeline`,
      packageName: packageTitle(job),
      headline: jobHeadline(view),
      summary,
      decisions,
      eventsHeading: ordered.length === 0 ? 'No events recorded yet' : `Events (${ordered.length}), oldest first`,
      hasEarlier: earlier > 0,
      earlier: `… and ${earlier} earlier ${earlier === 1 ? 'event' : 'events'}`,
      events: shown.map((event) => {
        const warning = WARNING_KINDS.has(event.kind);
        const text = recordedSentence(event.message, event.kind.replaceAll('_', ' '), MAX_EVENT_TEXT);
        return {
          when: `${localisedDateTime(event.at, 'At an unknown time')} · ${personName(event.actor, event.kind.startsWith('callback') ? 'the servicing host' : 'the bot')}`,
          text: warning ? `⚠ ${text}` : text,
          weight: warning ? 'Bolder' : 'Default',
        };
      }),
    });
  });
}
