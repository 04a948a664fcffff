/**
 * The weekly digest: what is behind (package, its build, the latest, revisions behind) and the jobs of the
 * week with their outcomes. A site of thousands of packages still gets one card under Teams' 28 KB: rows
 * are dropped from the end (most behind first) and counted in "…and N more; type `stale`", never the card.
 */
import { calendarDate, countOf } from '../card-formatting';
import { CARD_BUDGET_BYTES } from '../jobs/job-text';
import { render, type AdaptiveCard, type CardContext } from '../kit/adaptive-card';
import { packageLabel, quoted } from './package-words';
import digestTemplate from './digest-card.template.json';

export interface DigestView {
  from: Date;
  to: Date;
  packagesBehind: ReadonlyArray<{ id: string; name: string; build: string | null; latest: string; revisionsBehind: number }>;
  jobs: ReadonlyArray<{ id: string; packageId: string; packageName: string; outcome: string }>;
  /** Every package in the inventory, when known. */
  packageCount?: number;
}

/** Rows shown at most, before the size budget; the rest are counted. */
export const MAX_DIGEST_ROWS = 25;
const MAX_NAME_IN_ROW = 120;
const MAX_OUTCOME_IN_ROW = 60;

export function digestCard(view: DigestView, context: CardContext): AdaptiveCard {
  const behind = [...view.packagesBehind].sort((a, b) => b.revisionsBehind - a.revisionsBehind || a.name.localeCompare(b.name));
  let behindRows = Math.min(MAX_DIGEST_ROWS, behind.length);
  let jobRows = Math.min(MAX_DIGEST_ROWS, view.jobs.length);
  let card = renderDigest(view, behind, behindRows, jobRows, context);
  // Each pass shrinks both lists in proportion to the excess; a few passes at most, whatever the rows hold.
  for (let size = bytes(card); size > CARD_BUDGET_BYTES && behindRows + jobRows > 0; size = bytes(card)) {
    const keep = CARD_BUDGET_BYTES / size;
    behindRows = Math.min(behindRows - (behindRows > 0 ? 1 : 0), Math.floor(behindRows * keep));
    jobRows = Math.min(jobRows - (jobRows > 0 ? 1 : 0), Math.floor(jobRows * keep));
    card = renderDigest(view, behind, Math.max(0, behindRows), Math.max(0, jobRows), context);
  }
  return card;
}

export function digestText(view: DigestView): string {
  return `Weekly digest: ${countOf(view.packagesBehind.length, 'package')} behind, ${countOf(view.jobs.length, 'job')} in the past 7 days.`;
}

function renderDigest(view: DigestView, behind: DigestView['packagesBehind'], behindRows: number, jobRows: number, context: CardContext): AdaptiveCard {
  const behindShown = behind.slice(0, behindRows);
  const jobsShown = view.jobs.slice(0, jobRows);
  const of = view.packageCount !== undefined ? ` of ${view.packageCount}` : '';
  return render(digestTemplate, context, { showFreshness: true }, {
    title: 'Weekly digest',
    summary: `${calendarDate(view.from)} to ${calendarDate(view.to)}: ${behind.length}${of} ${behind.length === 1 && of === '' ? 'package is' : 'packages are'} behind; ${countOf(view.jobs.length, 'job')} ran.`,
    behindHeading: behind.length === 0 ? 'Nothing is behind: every package has the latest revision its release data knows.' : 'Behind',
    behind: behindShown.map((pkg) => ({
      text: `${packageLabel(pkg.id, pkg.name, MAX_NAME_IN_ROW)}: ${quoted(pkg.build, 40, 'build not known')} → ${quoted(pkg.latest, 40, '?')}, ${countOf(pkg.revisionsBehind, 'revision')} behind`,
    })),
    hasMoreBehind: behind.length > behindShown.length,
    moreBehind: `…and ${behind.length - behindShown.length} more; type "stale" for all of them.`,
    jobsHeading: view.jobs.length === 0 ? 'No refresh jobs ran this week.' : 'Jobs',
    jobs: jobsShown.map((job) => ({
      text: `Job ${quoted(job.id, 5, '?')} · ${packageLabel(job.packageId, job.packageName, MAX_NAME_IN_ROW)} · ${quoted(job.outcome, MAX_OUTCOME_IN_ROW, 'no outcome')}`,
      color: job.outcome === 'failed' ? 'Attention' : job.outcome === 'succeeded' ? 'Good' : 'Default',
    })),
    hasMoreJobs: view.jobs.length > jobsShown.length,
    moreJobs: `…and ${view.jobs.length - jobsShown.length} more; type "jobs" for the recent ones.`,
  });
}

function bytes(card: AdaptiveCard): number {
  return Buffer.byteLength(JSON.stringify(card), 'utf8');
}
