/**
 * How the cards word a freshness verdict: a short badge for tables, sentences for the detail card.
 * Every sentence that judges freshness carries the date of the release data it was judged against and
 * says which build it judged; when ConfigMgr's build and the share's differ, both are said, so that a card
 * never puts a verdict on the files beside ConfigMgr's build as if it were about that build.
 *
 * Tones, chosen to read at Teams' light and dark themes alike: nothing here is drawn in Warning, whose pale
 * amber admins found hard to read. What needs action is Default-colored and bold, which each theme draws at
 * full contrast, with the words ("3 behind", "ConfigMgr not reloaded") or a ⚠ carrying the meaning rather
 * than the hue; Attention (red, readable on both) is kept for out of support; Good (green) means good news
 * and so only "current" on release data fresh enough to trust.
 */
import type { MediaPackage, ReleaseEvidence } from '../services/media/media-package';
import { formatBuild } from '../services/media/media-package';
import type { Freshness, FreshnessVerdict, ReleaseSource, ReleaseUpdate } from '../services/releases/freshness';
import { calendarDate, countOf } from './card-formatting';
import { escapeMarkdown } from './kit/text';

/** Adaptive Cards TextBlock colors. */
export type TextColor = 'Default' | 'Good' | 'Warning' | 'Attention';
export type TextWeight = 'Default' | 'Bolder';

export interface Tone {
  color: TextColor;
  weight: TextWeight;
}

/** A line of a card with the tone it is drawn in. */
export interface ToneLine extends Tone {
  text: string;
}

export type FreshnessBadge = ToneLine;

const GOOD: Tone = { color: 'Good', weight: 'Default' };
const PLAIN: Tone = { color: 'Default', weight: 'Default' };
const NEEDS_ACTION: Tone = { color: 'Default', weight: 'Bolder' };
const ATTENTION: Tone = { color: 'Attention', weight: 'Bolder' };

/** The mark in front of a warning sentence (old release data, an action in progress): the words are Default-colored. */
export const WARNING_MARK = '⚠';

/** A warning sentence as the cards draw it: marked, Default-colored and bold, never pale. */
export function warningLine(text: string): ToneLine {
  return { text: `${WARNING_MARK} ${text}`, ...NEEDS_ACTION };
}

/** Warning-colored lines from elsewhere (findings) in the readable tone; the text keeps its own ⚠. */
export function readableLine<T extends { color: TextColor; weight?: TextWeight }>(line: T): T & { weight: TextWeight } {
  return line.color === 'Warning' ? { ...line, ...NEEDS_ACTION } : { ...line, weight: line.weight ?? 'Default' };
}

/**
 * The badge under the build in a table: "Current", "3 behind", "Out of support · 3 behind", "?"; on old release
 * data "Current as of 2026-04-19"; when the share and ConfigMgr differ, "Files current · ConfigMgr not reloaded".
 * Undefined when no release data was applied.
 */
export function freshnessBadge(freshness: Freshness | undefined): FreshnessBadge | undefined {
  if (!freshness) return undefined;
  const asOf = asOfWhenOld(freshness);
  const other = saysBoth(freshness) ? freshness.configMgr : undefined;
  if (!other) return { text: capitalize(shortVerdict(freshness.verdict, asOf)), ...freshnessTone(freshness) };
  const configMgr = other.files === 'newer' ? 'ConfigMgr not reloaded' : `ConfigMgr says ${shortVerdict(other.verdict, '')}`;
  return { text: `Files ${shortVerdict(freshness.verdict, asOf)} · ${configMgr}`, ...freshnessTone(freshness) };
}

/**
 * The tone of a package's freshness as a whole: out of support is red; ConfigMgr and the share disagreeing
 * needs action whatever the verdicts; "current" is good news only on release data that is not old.
 */
export function freshnessTone(freshness: Freshness): Tone {
  const other = saysBoth(freshness) ? freshness.configMgr : undefined;
  if (freshness.verdict.state === 'out-of-support' || other?.verdict.state === 'out-of-support') return ATTENTION;
  if (other) return NEEDS_ACTION;
  return verdictTone(freshness.verdict, isOnOldData(freshness));
}

function verdictTone(verdict: FreshnessVerdict, oldData: boolean): Tone {
  switch (verdict.state) {
    case 'current':
      return oldData ? PLAIN : GOOD;
    case 'behind':
      return NEEDS_ACTION;
    case 'out-of-support':
      return ATTENTION;
    case 'unknown':
      return PLAIN;
  }
}

/** What names the builds a verdict judged: the install image's file name and ConfigMgr's property. */
export type BuildNaming = Pick<MediaPackage, 'buildSource' | 'inspection' | 'build'>;

/**
 * The verdicts for the detail card, each naming the build it judged:
 * "3 revisions (4 months) behind as of 2026-04-19: latest 26100.8246, KB5083769 of 2026-04-14." and
 * "Judged on 26100.7840 from install.wim on the share; ConfigMgr records the same build."; or, when the share
 * and ConfigMgr differ, one sentence for the files and one for ConfigMgr's record.
 */
export function describeFreshness(freshness: Freshness, pkg: BuildNaming): ToneLine[] {
  const asOf = calendarDate(freshness.asOf);
  const oldData = isOnOldData(freshness);
  const imageName = installImageName(pkg);
  const field = pkg.buildSource ?? 'ImageOSVersion';
  const other = saysBoth(freshness) ? freshness.configMgr : undefined;
  const judged = freshness.judged;
  if (other && judged) {
    const why =
      other.files === 'newer'
        ? 'image properties were not reloaded after the files were serviced'
        : 'the share holds older media than ConfigMgr recorded';
    return [
      {
        text: `The files on the share (${imageName}, ${formatBuild(judged.build)}) are ${predicate(freshness.verdict, asOf)}`,
        color: verdictTone(freshness.verdict, oldData).color,
        weight: 'Bolder',
      },
      {
        text: `ConfigMgr's record (${field}, ${formatBuild(other.build)}) is ${distanceOnly(other.verdict)}: ${why}.`,
        color: verdictTone(other.verdict, oldData).color,
        weight: 'Bolder',
      },
    ];
  }
  const lines: ToneLine[] = [
    { text: capitalize(predicate(freshness.verdict, asOf)), color: verdictTone(freshness.verdict, oldData).color, weight: 'Bolder' },
  ];
  if (judged) {
    const where =
      judged.source === 'share'
        ? `${imageName} on the share${pkg.build ? '; ConfigMgr records the same build' : ''}`
        : `ConfigMgr's ${field}`;
    lines.push({ text: `Judged on ${formatBuild(judged.build)} from ${where}.`, ...PLAIN });
  }
  return lines;
}

/** The verdict in a row of a list that states the release data's date once (it still says "as of" on old data). */
export function describeVerdictBriefly(freshness: Freshness | undefined): string {
  if (!freshness) return 'Freshness not checked (no release data)';
  const asOf = asOfWhenOld(freshness);
  const other = saysBoth(freshness) ? freshness.configMgr : undefined;
  if (!other) return capitalize(briefPredicate(freshness.verdict, asOf));
  const configMgr =
    other.files === 'newer'
      ? `ConfigMgr not reloaded (its ${formatBuild(other.build)} is ${shortVerdict(other.verdict, '')})`
      : `ConfigMgr says ${formatBuild(other.build)}, ${shortVerdict(other.verdict, '')}`;
  return `Files ${briefPredicate(freshness.verdict, asOf)} · ${configMgr}`;
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

/**
 * The release data's date and age warning, once per card. Lines the site's update catalog confirmed are
 * judged as of its reading, the others as of the snapshot or feed: the card states the oldest date, the
 * newest when they differ, and the warning of the oldest, so no row's verdict looks fresher than it is.
 */
export function releaseDataNote(packages: readonly MediaPackage[]): { asOf: string; newestAsOf?: string; warning?: string } | undefined {
  const judged = packages.map((pkg) => pkg.freshness).filter((freshness): freshness is Freshness => freshness !== undefined);
  if (judged.length === 0) return undefined;
  const byDate = [...judged].sort((a, b) => a.asOf.getTime() - b.asOf.getTime());
  const oldest = byDate[0];
  const newest = byDate[byDate.length - 1];
  const warning = byDate.find((freshness) => freshness.dataWarning !== undefined)?.dataWarning;
  return {
    asOf: calendarDate(oldest.asOf),
    ...(calendarDate(newest.asOf) === calendarDate(oldest.asOf) ? {} : { newestAsOf: calendarDate(newest.asOf) }),
    ...(warning === undefined ? {} : { warning }),
  };
}

/** The judge sets the data warning exactly when the release data is older than STALE_DATA_DAYS. */
function isOnOldData(freshness: Freshness): boolean {
  return freshness.dataWarning !== undefined;
}

/**
 * " as of 2026-04-19" on old release data, else nothing: short forms add it to "current" only, the one claim newer
 * data can make false ("3 behind" can only grow); the sentences always say "as of".
 */
function asOfWhenOld(freshness: Freshness): string {
  return isOnOldData(freshness) ? ` as of ${calendarDate(freshness.asOf)}` : '';
}

/** Both builds are worth saying when they differ and the release could be judged at all. */
function saysBoth(freshness: Freshness): boolean {
  return freshness.configMgr !== undefined && freshness.verdict.state !== 'unknown';
}

/** "current", "3 behind", "out of support · 3 behind", "?": for badges. */
function shortVerdict(verdict: FreshnessVerdict, asOf: string): string {
  switch (verdict.state) {
    case 'current':
      return `current${asOf}`;
    case 'behind':
      return `${verdict.revisionsBehind} behind`;
    case 'out-of-support':
      return verdict.revisionsBehind ? `out of support · ${verdict.revisionsBehind} behind` : 'out of support';
    case 'unknown':
      return '?';
  }
}

/** The whole verdict after its subject, "as of" the release data; a sentence with its full stop. */
function predicate(verdict: FreshnessVerdict, asOf: string): string {
  switch (verdict.state) {
    case 'current':
      return `current as of ${asOf}: the latest is ${describeUpdate(verdict.latest, verdict.releaseBuild)}.`;
    case 'behind':
      return `${describeDistance(verdict)} behind as of ${asOf}: latest ${describeUpdate(verdict.latest, verdict.releaseBuild)}.`;
    case 'out-of-support':
      return outOfSupport(verdict, asOf);
    case 'unknown':
      return `unknown as of ${asOf}: ${verdict.reason}`;
  }
}

/**
 * "out of support since 2025-10-14 (as of 2026-04-19), and 3 revisions (4 months) behind the latest update,
 * 19045.7184, KB5082200 of 2026-04-14; updates after 2025-10-14 need Extended Security Updates (ESU)."
 */
function outOfSupport(verdict: Extract<FreshnessVerdict, { state: 'out-of-support' }>, asOf: string): string {
  const ended = calendarDate(verdict.endedOn);
  const since = `out of support since ${ended} (as of ${asOf})`;
  if (!verdict.latest) return `${since}.`;
  const update = describeUpdate(verdict.latest, verdict.releaseBuild);
  const esu = verdict.updatesAfterEnd > 0;
  const which = esu ? 'latest' : 'last';
  const needsEsu = esu ? `; updates after ${ended} need Extended Security Updates (ESU)` : '';
  if (verdict.revisionsBehind === undefined) {
    return `${since}; the ${which} update ${esu ? 'is' : 'was'} ${update}${needsEsu}.`;
  }
  if (verdict.revisionsBehind === 0) return `${since}, at the ${which} update, ${update}${needsEsu}.`;
  return `${since}, and ${describeDistance(verdict)} behind the ${which} update, ${update}${needsEsu}.`;
}

/** "current", "8 revisions (8 months) behind": the second build's verdict, after the first named the latest. */
function distanceOnly(verdict: FreshnessVerdict): string {
  switch (verdict.state) {
    case 'current':
      return 'current';
    case 'behind':
      return `${describeDistance(verdict)} behind`;
    case 'out-of-support':
      return verdict.revisionsBehind ? `out of support and ${describeDistance(verdict)} behind` : 'out of support';
    case 'unknown':
      return `not judged (${verdict.reason})`;
  }
}

/** The verdict without the latest update's details where a row has no room for them. */
function briefPredicate(verdict: FreshnessVerdict, asOf: string): string {
  switch (verdict.state) {
    case 'current':
      return `current${asOf}`;
    case 'behind':
      return `${describeDistance(verdict)} behind: latest ${describeUpdate(verdict.latest, verdict.releaseBuild)}`;
    case 'out-of-support': {
      const since = `out of support since ${calendarDate(verdict.endedOn)}`;
      return verdict.revisionsBehind ? `${since}, ${describeDistance(verdict)} behind` : since;
    }
    case 'unknown':
      return `freshness unknown: ${verdict.reason}`;
  }
}

function describeDistance(verdict: { revisionsBehind?: number; monthsBehind?: number }): string {
  const months = (verdict.monthsBehind ?? 0) >= 1 ? countOf(verdict.monthsBehind ?? 0, 'month') : 'under a month';
  return `${countOf(verdict.revisionsBehind ?? 0, 'revision')} (${months})`;
}

const sourceWording: Record<ReleaseSource, string> = {
  snapshot: 'the bundled snapshot',
  feed: 'the release feed',
  'site catalog': "the site's update catalog",
};

/**
 * "26100.8246, KB5083769 of 2026-04-14" (out-of-band updates say so, and the source when the data names it).
 * `build` is the release line's build, so that Windows 10 22H2 reads 19045.x although its WIM says 19041.
 */
function describeUpdate(update: ReleaseUpdate, build: number): string {
  const source = update.from ? `, from ${sourceWording[update.from]}` : '';
  const kb = update.kb === undefined ? '' : `, ${update.kb}`;
  return `${build}.${update.revision}${kb} of ${calendarDate(update.date)}${update.outOfBand ? ' (out of band)' : ''}${source}`;
}

/** "install.wim", "install.esd": the file the share's verdict judged. */
function installImageName(pkg: BuildNaming): string {
  const path = pkg.inspection.state === 'inspected' ? pkg.inspection.installImage?.relativePath : undefined;
  const name = path?.split(/[\\/]/).pop();
  return name ? escapeMarkdown(name) : 'the install image';
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
