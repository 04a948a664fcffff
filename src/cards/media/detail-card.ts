/**
 * One package in full: what ConfigMgr records, how current it is and which build that verdict judges,
 * what the share holds, and the findings about the files, worst first.
 */
import { worstFirst } from '../../services/media/media-inspection';
import { formatBuild, formatFullBuild, type MediaPackage } from '../../services/media/media-package';
import { formatKilobytes, localisedDateTime } from '../card-formatting';
import { describeFreshness, describeRelease, readableLine, warningLine } from '../freshness-text';
import { render, type AdaptiveCard, type CardContext } from '../kit/adaptive-card';
import { escapeMarkdown, escapeText, shorten } from '../kit/text';
import { shownSentence } from '../kit/user-facing';
import { findingLine, inspectionGap, MAX_FINDING_TEXT, shareFacts } from '../share-facts';
import { kindSingular } from './media-kinds';
import { MAX_DATA_WARNING_SHOWN } from './package-rows';
import mediaDetailTemplate from './detail-card.template.json';

/** Findings listed on the detail card; more than this is a broken share, and the rest are counted. */
export const MAX_FINDINGS_SHOWN = 12;

/** ConfigMgr's ActionInProgress codes. */
const actionsInProgress: Record<number, string> = { 1: 'update', 2: 'add', 3: 'delete' };

export function mediaDetailCard(pkg: MediaPackage, context: CardContext): AdaptiveCard {
  const facts: Array<{ title: string; value: string }> = [
    { title: 'Kind', value: kindSingular[pkg.kind] },
    { title: 'Build', value: describeBuild(pkg) },
    { title: 'Release', value: describeRelease(pkg) },
    { title: 'Version', value: pkg.version ? escapeMarkdown(pkg.version) : '(empty)' },
    { title: 'Language', value: pkg.language ? escapeMarkdown(pkg.language) : '(empty)' },
    { title: 'Editions', value: describeEditions(pkg) },
    { title: 'Source path', value: pkg.sourcePath ? escapeMarkdown(pkg.sourcePath) : '(empty)' },
    { title: 'Source version', value: String(pkg.sourceVersion) },
    { title: 'Source date', value: localisedDateTime(pkg.sourceDate, 'Not known') },
    { title: 'Last refresh', value: localisedDateTime(pkg.lastRefreshTime, 'Not known') },
    { title: 'Size', value: formatKilobytes(pkg.packageSizeKb) },
    { title: 'Site', value: pkg.sourceSite ? escapeMarkdown(pkg.sourceSite) : '(empty)' },
    ...(pkg.manufacturer ? [{ title: 'Manufacturer', value: escapeText(pkg.manufacturer) }] : []),
    ...(pkg.description ? [{ title: 'Description', value: escapeText(pkg.description) }] : []),
  ];
  const gap = inspectionGap(pkg.inspection);
  const share = shareFacts(pkg);
  const findings = worstFirst(pkg.findings);
  const shownFindings = findings.slice(0, MAX_FINDINGS_SHOWN);
  const hiddenFindings = findings.length - shownFindings.length;
  return render(mediaDetailTemplate, context, { showFreshness: true }, {
    id: pkg.id,
    name: escapeText(pkg.name),
    subtitle: `${kindSingular[pkg.kind]} · ${pkg.id}`,
    verdictLines: pkg.freshness
      ? describeFreshness(pkg.freshness, pkg).map((line) => ({ ...line, text: shorten(line.text, MAX_FINDING_TEXT) }))
      : [],
    hasDataWarning: pkg.freshness?.dataWarning !== undefined,
    dataWarning: warningLine(shorten(pkg.freshness?.dataWarning ?? '', MAX_DATA_WARNING_SHOWN)).text,
    hasInspectionGap: gap !== undefined,
    inspectionGap: gap?.text ?? '',
    inspectionGapColor: gap?.color ?? 'Default',
    hasShareFacts: share.length > 0,
    shareFacts: share,
    hasFindingsHeading: findings.length > 0 || pkg.inspection.state === 'inspected',
    findingsHeading:
      findings.length > 0
        ? `Findings (${findings.length}), worst first`
        : 'No findings: ConfigMgr, the install image and the build file agree.',
    findings: [
      ...shownFindings.map((finding) => readableLine(findingLine(finding))),
      ...(hiddenFindings > 0 ? [{ text: `… and ${hiddenFindings} more.`, color: 'Default', weight: 'Default' }] : []),
    ],
    hasActionInProgress: pkg.actionInProgress !== 0,
    actionInProgress: warningLine(
      `ConfigMgr has an action in progress on this package: ${actionsInProgress[pkg.actionInProgress] ?? `code ${pkg.actionInProgress}`}.`,
    ).text,
    facts,
  });
}

function describeBuild(pkg: MediaPackage): string {
  if (!pkg.build) return 'Not known: ImageOSVersion is empty and Version does not read as a build number';
  const source = pkg.buildSource ? `, from ${pkg.buildSource}` : '';
  return `${formatBuild(pkg.build)} (${formatFullBuild(pkg.build)}${source})`;
}

function describeEditions(pkg: MediaPackage): string {
  switch (pkg.editionsState.state) {
    case 'not-fetched':
      return 'Not read yet';
    case 'unreadable':
      return `Unreadable: ${shownSentence(pkg.editionsState.reason, 'the image properties are not readable.', MAX_FINDING_TEXT)}`;
    case 'known': {
      if (pkg.editions.length === 0) return '0 (ConfigMgr lists none)';
      const names = [...pkg.editions].sort((a, b) => a.index - b.index).map((edition) => edition.name);
      return `${pkg.editions.length}: ${escapeText(names.join(', '))}`;
    }
  }
}
