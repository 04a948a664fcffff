/**
 * The `jobs` command: the active jobs, then the recent ones, each with its package, state, stage,
 * requester and age, and a select action that opens the job's card. A filter the user typed is
 * shown back; nothing found is a sentence that says what to type instead.
 */
import { isActive, type Job } from '../../services/jobs/job';
import type { TextColor, TextWeight } from '../freshness-text';
import { render, type AdaptiveCard, type CardContext } from '../kit/adaptive-card';
import { escapeText, shorten } from '../kit/text';
import { fitCard, jobDuration, personName } from './job-text';
import { stageShort } from './stage-labels';
import jobsListTemplate from './jobs-list-card.template.json';

export interface JobsListView {
  /** Active and recent jobs, in any order: the card sorts them, newest first. */
  jobs: readonly Job[];
  /** What the user typed after `jobs`, if anything; shown back. */
  filter?: string;
  /** For the ages ("12 min ago"). */
  now: Date;
}

/** Rows per group at most; fewer when long names would outgrow a Teams message. */
export const MAX_JOBS_PER_GROUP = 15;
const MAX_FILTER_SHOWN = 120;
const MAX_NAME_SHOWN = 120;

export function jobsListCard(view: JobsListView, context: CardContext): AdaptiveCard {
  const filter = escapeText(shorten((view.filter ?? '').trim(), MAX_FILTER_SHOWN));
  const sorted = [...view.jobs].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  const active = sorted.filter((job) => isActive(job.state));
  const recent = sorted.filter((job) => !isActive(job.state));
  return fitCard([MAX_JOBS_PER_GROUP, 10, 5, 2], (perGroup) =>
    render(jobsListTemplate, context, { showFreshness: false }, {
      title: filter ? `Refresh jobs matching "${filter}"` : 'Refresh jobs',
      isEmpty: sorted.length === 0,
      hasJobs: sorted.length > 0,
      emptyText: filter
        ? `No job matches "${filter}"; type "jobs" to see them all.`
        : 'No refresh jobs yet; type "refresh" with a package id and a reason to ask for one.',
      groups: [
        { heading: `Active (${active.length})`, jobs: active },
        { heading: `Recent (${recent.length})`, jobs: recent },
      ]
        .filter((group) => group.jobs.length > 0)
        .map((group) => {
          const shown = group.jobs.slice(0, perGroup);
          return {
            heading: group.heading,
            rows: shown.map((job) => row(job, view.now)),
            hasMore: group.jobs.length > shown.length,
            more: `… and ${group.jobs.length - shown.length} more; type "job" and an id to open one.`,
          };
        }),
    }),
  );
}

function row(job: Job, now: Date) {
  const state = stateWords(job);
  return {
    id: job.id,
    name: escapeText(shorten(job.packageName.trim() || job.packageId, MAX_NAME_SHOWN)),
    state: state.text,
    stateColor: state.color,
    stateWeight: state.weight,
    details: `${escapeText(job.packageId)} · by ${personName(job.requester, 'someone')} · ${age(job.createdAt, now)}`,
  };
}

/** The state in a few words: "Running: Watch distribution", "Failed at Verify the install image". */
export function stateWords(job: Job): { text: string; color: TextColor; weight: TextWeight } {
  const stage = job.stage ? stageShort(job.stage) : undefined;
  switch (job.state) {
    case 'awaiting_approval':
      return { text: 'Waiting for approval', color: 'Default', weight: 'Bolder' };
    case 'approved':
      return { text: 'Approved, starting', color: 'Default', weight: 'Default' };
    case 'running':
      return { text: `Running${stage ? `: ${stage}` : ''}${job.cancelRequested ? ' (cancel requested)' : ''}`, color: 'Default', weight: 'Default' };
    case 'succeeded':
      return { text: 'Succeeded', color: 'Good', weight: 'Default' };
    case 'failed':
      return { text: `Failed${stage ? ` at ${stage}` : ''}`, color: 'Attention', weight: 'Bolder' };
    case 'rejected':
      return { text: 'Rejected', color: 'Default', weight: 'Default' };
    case 'expired':
      return { text: 'Expired without approval', color: 'Default', weight: 'Default' };
    case 'cancelled':
      return { text: `Cancelled${stage ? ` during ${stage}` : ''}`, color: 'Default', weight: 'Default' };
  }
}

function age(createdAt: Date, now: Date): string {
  const ms = now.getTime() - createdAt.getTime();
  if (!Number.isFinite(ms)) return 'age unknown';
  if (ms < 60_000) return 'just now';
  return `${jobDuration(ms)} ago`;
}
