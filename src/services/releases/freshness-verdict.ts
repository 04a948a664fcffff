import { compareBuilds } from '../media/drift';
import type { BuildNumber } from '../media/media-package';
import { servicingHasEnded } from './lifecycle';
import type { Freshness, FreshnessVerdict, JudgedBuild, ProductLine, ReleaseData, ReleaseLine, ReleaseUpdate } from './freshness';

/**
 * How current a media's revision is against the latest known cumulative update of its release line.
 *
 * - revisions behind: the number of known updates (out-of-band ones included) newer than the media.
 * - months behind: calendar months from the newest known update the media already contains (its own,
 *   normally) to the latest. When the media predates every known update, the count runs from the first
 *   update it missed plus one (it is at least a month older than that one): a lower bound, as the data
 *   does not reach back further.
 *
 * Revisions are compared by number only: 24H2 and 25H2 share them, and 23H2 media whose WIM reads 22621
 * carries 23H2's revision. The line is chosen by release name and product, so client 24H2 (26100.8xxx)
 * and Server 2025 (26100.32xxx) never meet.
 *
 * A release past its end of servicing is judged the same way against the updates that still exist for it
 * (Windows 10 22H2 gets Extended Security Updates), so "out of support" never hides how far behind it is.
 */

export interface FreshnessInput {
  release?: string;
  product?: ProductLine;
  /** The build of the install image in use on the share, when the share was read. */
  shareBuild?: BuildNumber;
  /** The build ConfigMgr records for the package (ImageOSVersion, else Version). */
  configMgrBuild?: BuildNumber;
}

/** Release data older than this many days at `now` earns a warning next to every verdict. */
export const STALE_DATA_DAYS = 45;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Judges every build that is known: the share's decides, ConfigMgr's is judged too when it differs, so that
 * a card showing ConfigMgr's build can say how that build fares beside the files'.
 */
export function judgeFreshness(input: FreshnessInput, data: ReleaseData, now: Date): Freshness {
  const judged: JudgedBuild | undefined = input.shareBuild
    ? { source: 'share', build: input.shareBuild }
    : input.configMgrBuild
      ? { source: 'configmgr', build: input.configMgrBuild }
      : undefined;
  const line = input.release === undefined ? undefined : findLine(data, input.release, input.product);
  const asOf = line?.asOf !== undefined && line.asOf.getTime() > data.asOf.getTime() ? line.asOf : data.asOf;
  const freshness: Freshness = { verdict: verdictFor(input.release, line, judged?.build, now), asOf };
  if (judged) freshness.judged = judged;
  const order = input.shareBuild && input.configMgrBuild ? compareBuilds(input.shareBuild, input.configMgrBuild) : 0;
  if (input.configMgrBuild && order !== 0) {
    freshness.configMgr = {
      build: input.configMgrBuild,
      verdict: verdictFor(input.release, line, input.configMgrBuild, now),
      files: order > 0 ? 'newer' : 'older',
    };
  }
  const warning = releaseDataWarning(asOf, now);
  if (warning !== undefined) freshness.dataWarning = warning;
  return freshness;
}

/** `line` is the release's line in the data, undefined when the release is unknown or the data has no line for it. */
function verdictFor(releaseName: string | undefined, line: ReleaseLine | undefined, build: BuildNumber | undefined, now: Date): FreshnessVerdict {
  if (releaseName === undefined) {
    return { state: 'unknown', reason: 'the release of this media is not known' };
  }
  if (line === undefined) {
    return { state: 'unknown', reason: `the release data has no ${releaseName} line` };
  }
  const latest = line.updates[line.updates.length - 1];
  const release = line.release;
  const releaseBuild = line.build;
  if (line.endOfServicing !== undefined && servicingHasEnded(line.endOfServicing, now)) {
    // The release is out of support, but updates may still exist (Extended Security Updates): the media's
    // revision is compared with the latest of them all the same, and the verdict says both.
    const endedOn = line.endOfServicing;
    const verdict: Extract<FreshnessVerdict, { state: 'out-of-support' }> = { state: 'out-of-support', release, releaseBuild, endedOn, updatesAfterEnd: updatesAfter(line.updates, endedOn) };
    if (latest === undefined) return verdict;
    verdict.latest = latest;
    if (build === undefined) return verdict;
    const missed = line.updates.filter((update) => update.revision > build.revision);
    verdict.revisionsBehind = missed.length;
    verdict.monthsBehind = missed.length === 0 ? 0 : monthsBehind(line.updates, build.revision, missed[0], latest);
    return verdict;
  }
  if (latest === undefined) {
    return { state: 'unknown', reason: `the release data lists no updates for ${release}` };
  }
  if (build === undefined) {
    return { state: 'unknown', reason: 'the build and revision of this media are not known' };
  }
  const revision = build.revision;
  if (revision >= latest.revision) return { state: 'current', release, releaseBuild, latest };
  const missed = line.updates.filter((update) => update.revision > revision);
  return {
    state: 'behind',
    release,
    releaseBuild,
    latest,
    revisionsBehind: missed.length,
    monthsBehind: monthsBehind(line.updates, revision, missed[0], latest),
  };
}

/**
 * Updates released after the last day of servicing. Both are calendar dates (UTC midnight), so they compare
 * as days: an update on the last day itself (Windows 10's of 2025-10-14) is still a regular one.
 */
function updatesAfter(updates: readonly ReleaseUpdate[], endOfServicing: Date): number {
  return updates.filter((update) => update.date.getTime() > endOfServicing.getTime()).length;
}

function findLine(data: ReleaseData, release: string, product: ProductLine | undefined): ReleaseLine | undefined {
  const wanted = release.trim().toLowerCase();
  return data.lines.find(
    (line) => line.release.toLowerCase() === wanted && (product === undefined || line.product === product),
  );
}

function monthsBehind(updates: readonly ReleaseUpdate[], revision: number, firstMissed: ReleaseUpdate, latest: ReleaseUpdate): number {
  const contained = updates.filter((update) => update.revision <= revision).at(-1);
  if (contained !== undefined) return calendarMonthsBetween(contained.date, latest.date);
  return calendarMonthsBetween(firstMissed.date, latest.date) + 1;
}

/** 2026-01-24 → 2026-04-14 is 3: months counted by calendar month, not by 30-day spans. */
export function calendarMonthsBetween(from: Date, to: Date): number {
  return Math.max(0, (to.getUTCFullYear() - from.getUTCFullYear()) * 12 + (to.getUTCMonth() - from.getUTCMonth()));
}

/** Whole days elapsed since `asOf`; a warning once that is more than 45. */
export function releaseDataWarning(asOf: Date, now: Date): string | undefined {
  const days = Math.floor((now.getTime() - asOf.getTime()) / DAY_MS);
  if (days <= STALE_DATA_DAYS) return undefined;
  return `Release data is ${days} days old (as of ${asOf.toISOString().slice(0, 10)}); set RELEASES_FEED_URL to a maintained feed or update the bot.`;
}
