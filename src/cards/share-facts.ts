/**
 * How the cards word what the bot found on the share: the inspection as facts beside ConfigMgr's,
 * and the findings, worst first, each with a marker an admin can scan.
 */
import type { Finding, InstallImageFacts, MediaInspection } from '../services/media/media-inspection';
import { formatBuild, formatFullBuild, type MediaPackage } from '../services/media/media-package';
import type { WimCompression, WimImage, WimInfo } from '../services/media/wim-image';
import { countOf, formatBytes, localisedDateTime } from './card-formatting';
import type { TextColor } from './freshness-text';
import { escapeMarkdown, escapeText, shorten } from './kit/text';
import { shownSentence } from './kit/user-facing';

export interface Fact {
  title: string;
  value: string;
}

export interface ColoredLine {
  text: string;
  color: TextColor;
  /** Bolder for what needs action: the pale Warning color is hard to read, so weight carries it instead. */
  weight?: 'Default' | 'Bolder';
}

/** A finding message is a sentence or two; this keeps a faulty one from filling a card. */
export const MAX_FINDING_TEXT = 400;
/** Shown when the reader's own words about an unreadable install image were not fit for a card. */
export const UNREADABLE_IMAGE = 'The file could not be read; the log has the details.';
const UNREADABLE_SOMETHING = 'It could not be read; the log has the details.';

const NOT_INSPECTED = 'the bot could not look at the source folder; the log has the details.';
const REFUSED = 'the source path leads outside the mapped share.';

/**
 * The mark carries the severity's color; long warning text stays in the default color, because Teams'
 * pale Warning color is hard to read beyond a word or two. Errors keep Attention, which reads well.
 */
const severityMarks: Record<Finding['severity'], { mark: string; markColor: TextColor; color: TextColor; weight: 'Default' | 'Bolder' }> = {
  error: { mark: '⛔', markColor: 'Attention', color: 'Attention', weight: 'Bolder' },
  warning: { mark: '⚠', markColor: 'Warning', color: 'Default', weight: 'Bolder' },
  info: { mark: 'ℹ', markColor: 'Default', color: 'Default', weight: 'Default' },
};

/** "⚠ ConfigMgr says 26100.6584, install.wim says 26100.4349: reload image properties." */
export function findingLine(finding: Finding, maxLength = MAX_FINDING_TEXT): ColoredLine {
  const { mark, text, color, weight } = findingParts(finding, maxLength);
  return { text: `${mark} ${text}`, color, weight };
}

/** A finding as a mark in its severity's color and a sentence in a readable one, for cards that set them apart. */
export function findingParts(
  finding: Finding,
  maxLength = MAX_FINDING_TEXT,
): { mark: string; markColor: TextColor; text: string; color: TextColor; weight: 'Default' | 'Bolder' } {
  const marks = severityMarks[finding.severity] ?? severityMarks.info;
  return { ...marks, text: shownSentence(finding.message, UNREADABLE_SOMETHING, maxLength) };
}

/** Findings an admin must act on: the number behind the "⚠ 2" drift flag. */
export function driftCount(findings: readonly Finding[]): number {
  return findings.filter((finding) => finding.severity === 'error' || finding.severity === 'warning').length;
}

/** Why the share was not read, as the one line the card shows instead of the share's facts. */
export function inspectionGap(inspection: MediaInspection): ColoredLine | undefined {
  switch (inspection.state) {
    case 'not-inspected':
      return { text: `Not inspected: ${shownSentence(inspection.reason, NOT_INSPECTED, MAX_FINDING_TEXT)}`, color: 'Default' };
    case 'refused':
      return { text: `Not read, for safety: ${shownSentence(inspection.reason, REFUSED, MAX_FINDING_TEXT)}`, color: 'Attention' };
    case 'inspected':
      return undefined;
  }
}

/** What the share holds, as facts to set beside ConfigMgr's; empty unless the share was inspected. */
export function shareFacts(pkg: MediaPackage): Fact[] {
  const inspection = pkg.inspection;
  if (inspection.state !== 'inspected') return [];
  const facts: Fact[] = [];
  const image = inspection.installImage;
  if (!image) {
    facts.push({
      title: 'Install image',
      value: pkg.kind === 'upgrade' ? 'None found: no install.wim, install.esd or install.swm under sources' : 'Not found',
    });
  } else {
    facts.push({ title: 'Install image', value: describeImageFile(image) });
    facts.push({ title: 'Image file', value: `${formatBytes(image.sizeBytes)}, modified ${localisedDateTime(image.modifiedAt, 'at an unknown time')}` });
    if (image.info) {
      facts.push({ title: 'WIM build', value: describeWimBuild(image.info, imageInUse(pkg, image.info)) });
      facts.push({ title: 'WIM editions', value: describeWimEditions(pkg, image.info) });
    }
  }
  if (inspection.buildFile) {
    const file = inspection.buildFile;
    const name = escapeMarkdown(file.name);
    const text = escapeText(shorten(file.text ?? '', 80));
    facts.push({
      title: 'Build file',
      value: !file.present
        ? `${name} is missing`
        : file.build
          ? `${name} says ${formatBuild(file.build)}`
          : `${name} says "${text}"${file.problem ? `: ${shownSentence(file.problem, 'it could not be read', MAX_FINDING_TEXT)}` : ''}`,
    });
  }
  if (inspection.autorunInfPresent !== undefined) {
    facts.push({ title: 'autorun.inf', value: inspection.autorunInfPresent ? 'Still in the folder' : 'Not there' });
  }
  if (inspection.setupExePresent !== undefined) {
    facts.push({ title: 'setup.exe', value: inspection.setupExePresent ? 'Present' : 'Missing' });
  }
  if (inspection.folderSizeBytes !== undefined) facts.push({ title: 'Folder size', value: formatBytes(inspection.folderSizeBytes) });
  // The share's path as ConfigMgr knows it: where the bot mounts it is the bot's business (and the log's).
  facts.push({ title: 'Read from', value: pkg.sourcePath ? escapeMarkdown(pkg.sourcePath) : 'the package source' });
  facts.push({ title: 'Inspected', value: localisedDateTime(inspection.inspectedAt, 'at an unknown time') });
  return facts;
}

/** The image the inventory compared and judged (see MediaPackage.wimIndexInUse). */
export function imageInUse(pkg: Pick<MediaPackage, 'wimIndexInUse'>, info: WimInfo): WimImage | undefined {
  return info.images.find((image) => image.index === pkg.wimIndexInUse);
}

/** The install image the share holds, when it was read; for cards that set the WIM beside ConfigMgr. */
export function inspectedImage(pkg: MediaPackage): InstallImageFacts | undefined {
  return pkg.inspection.state === 'inspected' ? pkg.inspection.installImage : undefined;
}

const compressionWording: Record<WimCompression, string> = { none: 'uncompressed', xpress: 'XPRESS', lzx: 'LZX', lzms: 'LZMS' };

/** "sources/install.esd (ESD, solid LZMS)", or the one-sentence reason it could not be read. */
function describeImageFile(image: InstallImageFacts): string {
  const path = escapeMarkdown(image.relativePath);
  if (!image.info) return `${path}, unreadable: ${shownSentence(image.error, UNREADABLE_IMAGE, MAX_FINDING_TEXT)}`;
  const info = image.info;
  const format = info.format === 'esd' ? 'ESD' : info.format === 'swm' ? 'split WIM' : 'WIM';
  const compression = `${info.solid ? 'solid ' : ''}${compressionWording[info.compression] ?? info.compression}`;
  const parts = info.totalParts > 1 ? `, ${info.totalParts} parts` : '';
  return `${path} (${format}, ${compression}${parts})`;
}

/** "26100.4349 (10.0.26100.4349, index 3: Windows 11 Enterprise)", plus PKEYCONFIGVERSION when it names another build number. */
function describeWimBuild(info: WimInfo, image: WimImage | undefined): string {
  if (!image) return 'Not known: the WIM lists no images';
  const label = `index ${image.index}${image.name ? `: ${escapeText(image.name)}` : ''}`;
  if (!image.version) return `Not in the WIM's XML (${label})`;
  let text = `${formatBuild(image.version)} (${formatFullBuild(image.version)}, ${label})`;
  const key = image.pkeyConfigBuild;
  // Only a different build says something (23H2 media reads 22621 but its key names 22631); the key's
  // revision is often the release's first and would only add noise.
  if (key && key.build !== image.version.build) {
    text += `; PKEYCONFIGVERSION says ${formatBuild(key)}`;
  }
  const others = new Set(
    info.images
      .filter((other) => other !== image && other.version)
      .map((other) => formatBuild(other.version!))
      .filter((build) => build !== formatBuild(image.version!)),
  );
  if (others.size > 0) text += `; other indexes read ${[...others].join(', ')}`;
  return text;
}

function describeWimEditions(pkg: MediaPackage, info: WimInfo): string {
  const inWim = countOf(info.images.length, 'index', 'indexes');
  return pkg.editionsState.state === 'known' ? `${inWim} (ConfigMgr lists ${pkg.editions.length})` : inWim;
}

