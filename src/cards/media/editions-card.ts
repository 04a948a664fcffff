/**
 * A package's editions: ConfigMgr's indexes and the WIM's on the share, matched by identity, with what
 * the indexes cost and which are in use (EDITIONS_IN_USE), in one stacked table that fits a Teams chat.
 */
import { worstFirst } from '../../services/media/media-inspection';
import { formatBuild, type MediaPackage } from '../../services/media/media-package';
import { countOf, formatBytes, formatKilobytes } from '../card-formatting';
import { compareEditions, type EditionRow } from '../edition-comparison';
import { render, type AdaptiveCard, type CardContext } from '../kit/adaptive-card';
import { escapeMarkdown, escapeText, shorten } from '../kit/text';
import { shownSentence } from '../kit/user-facing';
import { findingParts, imageInUse, inspectedImage, inspectionGap, MAX_FINDING_TEXT, UNREADABLE_IMAGE } from '../share-facts';
import { MAX_FILTER_SHOWN } from './package-rows';
import editionsTemplate from './editions-card.template.json';

/** Findings about which editions the media holds; the detail card shows the rest. */
const EDITIONS_CARD_FINDINGS: ReadonlySet<string> = new Set(['edition-moved', 'editions-mismatch', 'missing-editions-in-use']);
/** A WIM rarely holds more than 11 images; 20 rows of the longest names and marks stay under Teams' 28 KB (a test holds it). */
export const MAX_EDITION_ROWS = 20;
/** Image names run to about 60 characters; with 20 rows, longer ones are cut to keep the card under 28 KB. */
const MAX_EDITION_NAME = 80;
const MAX_LANGUAGES_SHOWN = 3;

export function editionsCard(pkg: MediaPackage, context: CardContext): AdaptiveCard {
  const image = inspectedImage(pkg);
  const comparison = compareEditions(pkg, image?.info?.images);
  const imageName = image ? escapeMarkdown(lastPathSegment(image.relativePath)) : 'install.wim';
  const notes: Array<{ text: string; color: string }> = [];
  switch (pkg.editionsState.state) {
    case 'not-fetched':
      notes.push({ text: "ConfigMgr has not read this package's editions yet (it loads image properties on demand); ask again after the next sync.", color: 'Default' });
      break;
    case 'unreadable':
      notes.push({
        text: `ConfigMgr could not read this package's editions: ${shownSentence(pkg.editionsState.reason, 'its image properties are not readable.', MAX_FINDING_TEXT)}`,
        color: 'Attention',
      });
      break;
    case 'known':
      if (pkg.editions.length === 0) notes.push({ text: 'ConfigMgr lists no editions for this package.', color: 'Default' });
      break;
  }
  const share = wimSection(pkg);
  if (share.note) notes.push(share.note);
  else if (image?.info) {
    const listed = pkg.editionsState.state === 'known' && pkg.editions.length > 0 ? `ConfigMgr lists ${countOf(pkg.editions.length, 'index', 'indexes')}; ` : '';
    notes.push({ text: `${listed}${escapeMarkdown(image.relativePath)} on the share holds ${image.info.images.length}.`, color: 'Default' });
  }
  const usage = editionsUsage(comparison.rows, pkg.editionsInUse);
  if (usage) notes.push({ text: usage, color: 'Default' });

  const reference = referenceBuild(pkg);
  const shown = comparison.rows.slice(0, MAX_EDITION_ROWS);
  const summaryLines: string[] = [];
  if (pkg.packageSizeKb !== undefined) summaryLines.push(`Package size in ConfigMgr: ${formatKilobytes(pkg.packageSizeKb)}.`);
  // What the extra indexes cost is said once, above the rows; the detail card carries those findings.
  const editionFindings = worstFirst(pkg.findings.filter((finding) => EDITIONS_CARD_FINDINGS.has(finding.kind)));
  return render(editionsTemplate, context, { showFreshness: true }, {
    id: pkg.id,
    name: escapeText(pkg.name),
    subtitle: [pkg.id, pkg.build ? formatBuild(pkg.build) : 'build unknown', ...(pkg.release ? [pkg.release] : [])].join(' · '),
    notes,
    findings: editionFindings.map((finding) => findingParts(finding)),
    rows: shown.map((row) => {
      const marks: Array<{ text: string; color: string }> = [];
      if (row.configMgrIndex !== undefined && row.wimIndex !== undefined && row.configMgrIndex !== row.wimIndex) {
        marks.push({ text: `Index ${row.configMgrIndex} in ConfigMgr, ${row.wimIndex} in ${imageName}`, color: 'Attention' });
      }
      if (comparison.wimRead && row.wimIndex === undefined) marks.push({ text: `Not in ${imageName} on the share`, color: 'Attention' });
      if (comparison.configMgrKnown && pkg.editions.length > 0 && row.configMgrIndex === undefined) marks.push({ text: 'Not in ConfigMgr', color: 'Attention' });
      if (row.configMgrName !== undefined) marks.push({ text: `Named ${escapeText(shorten(row.configMgrName, MAX_EDITION_NAME))} in ConfigMgr`, color: 'Default' });
      if (row.version && reference && formatBuild(row.version) !== formatBuild(reference)) marks.push({ text: `Build ${formatBuild(row.version)}`, color: 'Default' });
      return {
        index: String(row.index),
        name: row.name ? escapeText(shorten(row.name, MAX_EDITION_NAME)) : '(no name)',
        details: editionDetails(row),
        inUse: row.inUse === true,
        notInUse: row.inUse === false,
        marks,
        size: row.sizeBytes === undefined ? '—' : formatBytes(row.sizeBytes),
      };
    }),
    hasMoreRows: comparison.rows.length > shown.length,
    moreRows: `… and ${countOf(comparison.rows.length - shown.length, 'more index', 'more indexes')}, not shown.`,
    summaryLines: summaryLines.map((line) => ({ line })),
  });
}

/** The heading over the WIM's images on the editions card, and why they are missing when they are. */
function wimSection(pkg: MediaPackage): { heading: string; note?: { text: string; color: string } } {
  const gap = inspectionGap(pkg.inspection);
  if (gap) return { heading: 'On the share', note: gap };
  const image = inspectedImage(pkg);
  if (!image) return { heading: 'On the share', note: { text: 'No install.wim, install.esd or install.swm was found.', color: 'Attention' } };
  const path = escapeMarkdown(image.relativePath);
  if (!image.info) return { heading: `In ${path} on the share`, note: { text: `It could not be read: ${shownSentence(image.error, UNREADABLE_IMAGE, MAX_FINDING_TEXT)}`, color: 'Attention' } };
  return {
    heading: `In ${path} on the share (${countOf(image.info.images.length, 'index', 'indexes')})`,
    ...(image.info.images.length === 0 ? { note: { text: 'The WIM lists no images.', color: 'Attention' } } : {}),
  };
}

/**
 * What the indexes cost, said once: with EDITIONS_IN_USE, what the ones not in use take; without it, the
 * total, and plainly that the bot does not know which index is deployed.
 */
function editionsUsage(rows: readonly EditionRow[], editionsInUse: readonly string[] | undefined): string | undefined {
  if (rows.length === 0) return undefined;
  const sum = (list: readonly EditionRow[]) => list.reduce((total, row) => total + (row.sizeBytes ?? 0), 0);
  const sized = (list: readonly EditionRow[]) => list.filter((row) => row.sizeBytes !== undefined);
  const unsized = (list: readonly EditionRow[]) => (sized(list).length < list.length ? ` (${list.length - sized(list).length} without a recorded size)` : '');
  if (editionsInUse === undefined) {
    if (rows.length === 1) return 'The media carries a single index, so nothing beyond it adds to the image.';
    const total = sized(rows).length > 0 ? `, ${formatBytes(sum(rows))} expanded in all${unsized(rows)}` : ', none with a recorded size';
    return `${rows.length} indexes${total}. Which of them this site deploys is not configured (EDITIONS_IN_USE), so none is called extra.`;
  }
  const policy = `EDITIONS_IN_USE: ${escapeMarkdown(shorten(editionsInUse.join(', '), MAX_FILTER_SHOWN))}`;
  const notInUse = rows.filter((row) => row.inUse === false);
  if (notInUse.length === rows.length) return `None of these is in use here (${policy}).`;
  if (notInUse.length === 0) return `Every index is in use here (${policy}).`;
  const cost = sized(notInUse).length > 0 ? `take ${formatBytes(sum(notInUse))} expanded${unsized(notInUse)}` : 'have no recorded size';
  return (
    `${notInUse.length} of ${rows.length} indexes ${notInUse.length === 1 ? 'is' : 'are'} not in use here (${policy}) and ${cost}; ` +
    'removing them shrinks the file by less, because the WIM stores shared files once.'
  );
}

/** "Enterprise · x64 · en-US, de-DE +2", or a dash when nothing is known. */
function editionDetails(row: EditionRow): string {
  const languages =
    row.languages.length > MAX_LANGUAGES_SHOWN
      ? `${row.languages.slice(0, MAX_LANGUAGES_SHOWN).join(', ')} +${row.languages.length - MAX_LANGUAGES_SHOWN}`
      : row.languages.join(', ');
  const parts = [row.editionId, row.architecture, languages].filter((part): part is string => part !== undefined && part !== '');
  return parts.length > 0 ? escapeMarkdown(shorten(parts.join(' · '), MAX_EDITION_NAME)) : '—';
}

/** The build the rows are read against: the compared image's, else ConfigMgr's; a row says its own only when it differs. */
function referenceBuild(pkg: MediaPackage) {
  const info = inspectedImage(pkg)?.info;
  return (info ? imageInUse(pkg, info)?.version : undefined) ?? pkg.build;
}

function lastPathSegment(relativePath: string): string {
  const parts = relativePath.split(/[\\/]/);
  return parts[parts.length - 1] || relativePath;
}
