/**
 * How the cards word a freshness verdict: a short badge for tables, a sentence for the detail card.
 * Every sentence that judges freshness carries the date of the release data it was judged against.
 */
import type { MediaPackage, ReleaseEvidence } from '../services/media/media-package';
import type { Freshness, FreshnessVerdict, ReleaseUpdate } from '../services/releases/freshness';
import { calendarDate, countOf } from './card-formatting';

/** Adaptive Cards TextBlock colors. */
export type TextColor = 'Default' | 'Good' | 'Warning' | 'Attention';

export interface FreshnessBadge {
  text: string;
  color: TextColor;
}

/** "Current", "3 behind", "Out of support", "?"; undefined when no release data was applied. */
export function freshnessBadge(freshness: Freshness | undefined): FreshnessBadge | undefined {
  return freshness ? verdictBadge(freshness.verdict) : undefined;
}

export function verdictColor(verdict: FreshnessVerdict): TextColor {
  return verdictBadge(verdict).color;
}

function verdictBadge(verdict: FreshnessVerdict): FreshnessBadge {
  switch (verdict.state) {
    case 'current':
      return { text: 'Current', color: 'Good' };
    case 'behind':
      return { text: `${verdict.revisionsBehind} behind`, color: 'Warning' };
    case 'out-of-support':
      return { text: 'Out of support', color: 'Attention' };
    case 'unknown':
      return { text: '?', color: 'Default' };
  }
}

/**
 * The whole verdict for the detail card, "as of" the release data:
 * "3 revisions (4 months) behind as of 2026-04-19: latest 26100.8246, KB5083769 of 2026-04-14."
 * `mediaBuild` is the build the media reads (26100), so that the latest reads as the media will
 * once serviced; without it only the revision is named.
 */
export function describeFreshness(freshness: Freshness, mediaBuild: number | undefined): string {
  const verdict = freshness.verdict;
  const asOf = calendarDate(freshness.asOf);
  switch (verdict.state) {
    case 'current':
      return `Current as of ${asOf}: the latest is ${describeUpdate(verdict.latest, mediaBuild)}.`;
    case 'behind':
      return `${describeDistance(verdict)} behind as of ${asOf}: latest ${describeUpdate(verdict.latest, mediaBuild)}.`;
    case 'out-of-support':
      return (
        `Out of support since ${calendarDate(verdict.endedOn)} (as of ${asOf})` +
        (verdict.latest ? `; the last update was ${describeUpdate(verdict.latest, mediaBuild)}.` : '.')
      );
    case 'unknown':
      return `Unknown as of ${asOf}: ${verdict.reason}`;
  }
}

/** The verdict without its date, for a row in a list that states the date once. */
export function describeVerdictBriefly(freshness: Freshness | undefined, mediaBuild: number | undefined): string {
  if (!freshness) return 'Freshness not checked (no release data)';
  const verdict = freshness.verdict;
  switch (verdict.state) {
    case 'current':
      return 'Current';
    case 'behind':
      return `${describeDistance(verdict)} behind: latest ${describeUpdate(verdict.latest, mediaBuild)}`;
    case 'out-of-support':
      return `Out of support since ${calendarDate(verdict.endedOn)}`;
    case 'unknown':
      return `Freshness unknown: ${verdict.reason}`;
  }
}

const evidenceWording: Record<ReleaseEvidence, string> = {
  edition: 'from the editions',
  'display name': 'from the image display name',
  PKEYCONFIGVERSION: 'from PKEYCONFIGVERSION',
  'package name': 'from the package name',
  build: 'from the build number',
};

/** "Windows 11 23H2 (from PKEYCONFIGVERSION)": the release and what named it. */
export function describeRelease(pkg: Pick<MediaPackage, 'release' | 'releaseDecidedBy'>): string {
  if (!pkg.release) return 'Not known (the build is not known)';
  return pkg.releaseDecidedBy ? `${pkg.release} (${evidenceWording[pkg.releaseDecidedBy]})` : pkg.release;
}

/** The release data's date and age warning, once per card, from any package that carries a verdict. */
export function releaseDataNote(packages: readonly MediaPackage[]): { asOf: string; warning?: string } | undefined {
  const freshness = packages.find((pkg) => pkg.freshness)?.freshness;
  if (!freshness) return undefined;
  return { asOf: calendarDate(freshness.asOf), ...(freshness.dataWarning ? { warning: freshness.dataWarning } : {}) };
}

function describeDistance(verdict: { revisionsBehind: number; monthsBehind: number }): string {
  const months = verdict.monthsBehind >= 1 ? countOf(verdict.monthsBehind, 'month') : 'under a month';
  return `${countOf(verdict.revisionsBehind, 'revision')} (${months})`;
}

/** "26100.8246, KB5083769 of 2026-04-14" (out-of-band updates say so). */
function describeUpdate(update: ReleaseUpdate, mediaBuild: number | undefined): string {
  const number = mediaBuild === undefined ? `revision ${update.revision}` : `${mediaBuild}.${update.revision}`;
  return `${number}, ${update.kb} of ${calendarDate(update.date)}${update.outOfBand ? ' (out of band)' : ''}`;
}
