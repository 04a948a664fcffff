import { worstFirst, type Finding, type MediaInspection } from './media-inspection';
import { imageLabel, matchEditions, movedPairs, type EditionMatch } from './edition-matching';
import { isInUse } from './editions-policy';
import { formatBuild, type BuildNumber, type MediaPackage } from './media-package';
import type { WimImage } from './wim-image';

/**
 * Where ConfigMgr's record, the install image on the share and the build-number file disagree, and what
 * is left over in the media folder. Every finding names both values and what to do, worst first.
 */

/**
 * Builds that share one servicing branch and so the same revision numbers: enablement-package releases
 * keep the baseline build in the WIM (23H2 media says 22621, 25H2 may say 26100, 20H2–22H2 say 19041),
 * while an admin's Version or build file often names the marketed build. Within a family only the
 * revision tells media apart.
 */
const SERVICING_FAMILIES: readonly (readonly number[])[] = [
  [19041, 19042, 19043, 19044, 19045],
  [22621, 22631],
  [26100, 26200],
];

const GB = 1024 ** 3;
const MB = 1024 ** 2;
/** Image names run to about 60 characters; a longer one is cut in a finding's sentence. */
const MAX_NAME_IN_SENTENCE = 80;

export function findDrift(pkg: MediaPackage, inspection: MediaInspection): Finding[] {
  if (inspection.state === 'not-inspected') return [];
  if (inspection.state === 'refused') {
    return [{ kind: 'refused-path', severity: 'error', message: inspection.reason }];
  }

  const findings: Finding[] = [];
  const image = inspection.installImage;
  const imageName = image ? lastSegment(image.relativePath) : 'install.wim';

  if (!image) {
    findings.push({
      kind: 'missing-install-image',
      severity: 'error',
      message: `${pkg.sourcePath} has no sources\\install.wim, install.esd or install.swm: copy the complete media back to the share.`,
    });
  } else if (image.error !== undefined || !image.info) {
    findings.push({
      kind: 'unreadable-install-image',
      severity: 'error',
      message: `${image.error ?? `${imageName} could not be read.`} Copy a good image to the share, then reload image properties.`,
    });
  }

  const wimImages = image?.info?.images ?? [];
  const inUse = imageInUse(pkg, inspection);
  const wimBuild = inUse?.version;

  if (pkg.build && wimBuild) {
    const order = compareBuilds(pkg.build, wimBuild);
    if (order !== 0) {
      const values = `ConfigMgr says ${formatBuild(pkg.build)}, ${imageName} says ${formatBuild(wimBuild)}`;
      findings.push({
        kind: 'version-mismatch',
        severity: 'error',
        message:
          order < 0
            ? `${values}: the media on the share was serviced but ConfigMgr was not told; reload image properties.`
            : `${values}: the share holds older media than ConfigMgr recorded; copy the serviced media back, then reload image properties.`,
      });
    }
  }

  if (pkg.editionsState.state === 'known' && pkg.editions.length > 0 && image?.info) {
    const match = matchEditions(pkg.editions, wimImages);
    const moved = movedEditions(pkg, match, wimImages, imageName);
    if (moved) findings.push(moved);
    const differences = editionDifferences(match, imageName);
    if (differences.length > 0) {
      const shown = differences.slice(0, 3).join('; ');
      const more = differences.length > 3 ? `; and ${differences.length - 3} more` : '';
      const counts =
        pkg.editions.length === wimImages.length
          ? `ConfigMgr's editions differ from ${imageName}'s`
          : `ConfigMgr lists ${plural(pkg.editions.length, 'edition')}, ${imageName} holds ${wimImages.length}`;
      findings.push({
        kind: 'editions-mismatch',
        severity: 'warning',
        message: `${counts} (${shown}${more}): reload image properties.`,
      });
    }
  }

  const buildFile = inspection.buildFile;
  if (buildFile?.present && buildFile.build && wimBuild) {
    const order = compareBuilds(buildFile.build, wimBuild);
    if (order !== 0) {
      const values = `${buildFile.name} says ${formatBuild(buildFile.build)}, ${imageName} says ${formatBuild(wimBuild)}`;
      findings.push({
        kind: 'build-file-mismatch',
        severity: 'warning',
        message:
          order < 0
            ? `${values}: the file was not updated after servicing; write ${formatBuild(wimBuild)} in it.`
            : `${values}: the media is older than the file claims; service the media to ${formatBuild(buildFile.build)} or correct the file.`,
      });
    }
  }

  if (pkg.kind === 'upgrade' && buildFile && !buildFile.present) {
    const example = wimBuild ? formatBuild(wimBuild) : '26100.4349';
    findings.push({
      kind: 'missing-build-file',
      severity: 'warning',
      message: `The media folder has no ${buildFile.name}: add one that says ${example}, so that everyone can tell which build the media is.`,
    });
  } else if (buildFile?.present && buildFile.problem !== undefined) {
    findings.push({
      kind: 'unreadable-build-file',
      severity: 'warning',
      message: `${buildFile.name} ${buildFile.problem}: write the build, such as ${wimBuild ? formatBuild(wimBuild) : '26100.4349'}, on its first line.`,
    });
  }

  if (inspection.autorunInfPresent) {
    findings.push({
      kind: 'autorun-inf',
      severity: 'warning',
      message: 'autorun.inf is still in the media folder: delete it, because upgrades do not need it and antivirus software often blocks the package content because of it.',
    });
  }

  if (image?.info && wimImages.length > 0) findings.push(...editionsInUseFindings(pkg.editionsInUse, wimImages, imageName));

  return worstFirst(findings);
}

/**
 * The WIM image whose build is compared and judged: the first the site deploys (EDITIONS_IN_USE), else
 * the image that is ConfigMgr's lowest-index edition (matched by identity, then by index), else the
 * WIM's first image; the cards name the same image. Undefined when no WIM was read.
 */
export function imageInUse(
  pkg: Pick<MediaPackage, 'editions' | 'editionsState'> & Partial<Pick<MediaPackage, 'editionsInUse'>>,
  inspection: MediaInspection,
): WimImage | undefined {
  if (inspection.state !== 'inspected') return undefined;
  const images = [...(inspection.installImage?.info?.images ?? [])].sort((a, b) => a.index - b.index);
  const editionsInUse = pkg.editionsInUse;
  if (editionsInUse) {
    const deployed = images.find((image) => isInUse(editionsInUse, image));
    if (deployed) return deployed;
  }
  if (pkg.editionsState.state === 'known' && pkg.editions.length > 0) {
    const paired = matchEditions(pkg.editions, images).pairs[0];
    if (paired) return paired.image;
    const listed = new Set(pkg.editions.map((edition) => edition.index));
    const named = images.find((image) => listed.has(image.index));
    if (named) return named;
  }
  return images[0];
}

/** Negative when `a` is older than `b`, 0 when they are the same media. */
export function compareBuilds(a: BuildNumber, b: BuildNumber): number {
  if (a.build !== b.build && !sameServicingFamily(a.build, b.build)) return a.build - b.build;
  return a.revision - b.revision;
}

function sameServicingFamily(a: number, b: number): boolean {
  return SERVICING_FAMILIES.some((family) => family.includes(a) && family.includes(b));
}

/**
 * Editions whose index moved: ConfigMgr's record is out of date, and every task sequence step that names
 * the old index (Apply Operating System for an image, Upgrade Operating System's edition index for an
 * upgrade package) now deploys another image or none. An error when the moved edition is one in use.
 */
function movedEditions(pkg: MediaPackage, match: EditionMatch, images: readonly WimImage[], imageName: string): Finding | undefined {
  const moved = movedPairs(match);
  if (moved.length === 0) return undefined;
  const said = moved
    .slice(0, 3)
    .map(({ edition, image }) => `${quoted(edition.name || imageLabel(image))} is index ${edition.index} in ConfigMgr and index ${image.index} in ${imageName}`);
  if (moved.length > 3) said.push(`${moved.length - 3} more moved`);
  const [setting, steps] =
    pkg.kind === 'image'
      ? ['image index', 'the Apply Operating System steps that apply this image']
      : ['edition index', 'the Upgrade Operating System steps that use this package'];
  let advice: string;
  if (moved.length === 1) {
    const { edition, image } = moved[0];
    const now = images.find((candidate) => candidate.index === edition.index);
    const until = now
      ? `until then a step set to index ${edition.index} deploys ${quoted(imageLabel(now))}`
      : `until then a step set to index ${edition.index} fails, because ${imageName} has no index ${edition.index}`;
    advice = `reload image properties and set the ${setting} to ${image.index} in ${steps}; ${until}.`;
  } else {
    advice = `reload image properties and set the new ${setting}es in ${steps}, or they deploy other editions.`;
  }
  const editionsInUse = pkg.editionsInUse;
  const inUseMoved = editionsInUse !== undefined && moved.some(({ image }) => isInUse(editionsInUse, image));
  return { kind: 'edition-moved', severity: inUseMoved ? 'error' : 'warning', message: `${said.join('; ')}: ${advice}` };
}

/** Editions in only one of ConfigMgr and the WIM, and renamed ones; an index that holds another edition is said as such. */
function editionDifferences(match: EditionMatch, imageName: string): string[] {
  const differences: Array<{ index: number; text: string }> = [];
  const onlyInWim = [...match.onlyInWim];
  for (const edition of match.onlyInConfigMgr) {
    const replacement = onlyInWim.find((image) => image.index === edition.index);
    if (replacement) {
      onlyInWim.splice(onlyInWim.indexOf(replacement), 1);
      differences.push({ index: edition.index, text: `index ${edition.index} is ${quoted(edition.name)} in ConfigMgr but ${quoted(imageLabel(replacement))} in ${imageName}` });
    } else {
      differences.push({ index: edition.index, text: `index ${edition.index} (${quoted(edition.name)}) is only in ConfigMgr` });
    }
  }
  for (const image of onlyInWim) {
    differences.push({ index: image.index, text: `index ${image.index} (${quoted(imageLabel(image))}) is only in ${imageName}` });
  }
  for (const { edition, image, renamed } of match.pairs) {
    if (renamed) differences.push({ index: image.index, text: `${quoted(edition.name)} in ConfigMgr is named ${quoted(imageLabel(image))} in ${imageName}` });
  }
  return differences.sort((a, b) => a.index - b.index).map(({ text }) => text);
}

/**
 * With EDITIONS_IN_USE: the indexes outside it, with what they take, or that the media holds none of
 * the editions in use. Without it: what the indexes take, claiming nothing about which one is deployed.
 */
function editionsInUseFindings(editionsInUse: readonly string[] | undefined, images: readonly WimImage[], imageName: string): Finding[] {
  if (editionsInUse === undefined) {
    return images.length > 1 ? [indexSizes(images, imageName)] : [];
  }
  const deployed = images.filter((image) => isInUse(editionsInUse, image));
  const policy = `EDITIONS_IN_USE: ${editionsInUse.join(', ')}`;
  // Media that carries some of the editions in use is normal (sites often keep one edition per package); none is not.
  if (deployed.length === 0) {
    return [
      {
        kind: 'missing-editions-in-use',
        severity: 'warning',
        message: `${imageName} holds none of the editions this site deploys (${policy}): replace the media with one that carries them, or correct EDITIONS_IN_USE.`,
      },
    ];
  }
  const findings: Finding[] = [];
  const notInUse = images.filter((image) => !deployed.includes(image));
  if (notInUse.length > 0) findings.push(notInUseEditions(notInUse, policy));
  return findings;
}

function notInUseEditions(extras: readonly WimImage[], policy: string): Finding {
  const one = extras.length === 1;
  const which = `${one ? 'Index' : 'Indexes'} ${indexRanges(extras.map((image) => image.index))} (${plural(extras.length, 'edition')}) ${one ? 'is' : 'are'} not in use (${policy})`;
  const sized = extras.filter((image) => typeof image.totalBytes === 'number');
  const bytes = sized.reduce((total, image) => total + (image.totalBytes as number), 0);
  const advice = 'export only the editions you deploy to make the media smaller';
  if (sized.length === 0) {
    return { kind: 'extra-editions', severity: 'info', message: `${which} and ${one ? 'has' : 'have'} no recorded size: ${advice}.` };
  }
  const unsized = extras.length - sized.length;
  const size = `${gigabytes(bytes)} expanded${unsized > 0 ? ` (${unsized} without a recorded size)` : ''}`;
  return { kind: 'extra-editions', severity: 'info', message: `${which} and ${one ? 'takes' : 'take'} ${size}: ${advice}.`, bytes };
}

function indexSizes(images: readonly WimImage[], imageName: string): Finding {
  const sizes = images.map((image) => image.totalBytes).filter((bytes): bytes is number => typeof bytes === 'number');
  const each =
    sizes.length === 0
      ? 'without a recorded size'
      : `of ${sizeRange(Math.min(...sizes), Math.max(...sizes))} expanded each${sizes.length < images.length ? ` (${images.length - sizes.length} without a recorded size)` : ''}`;
  return {
    kind: 'edition-sizes',
    severity: 'info',
    message: `${imageName} holds ${images.length} indexes ${each}; which of them this site deploys is not configured (EDITIONS_IN_USE), so none is called extra.`,
  };
}

/** "1–9, 11". */
function indexRanges(indexes: readonly number[]): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let start = 0; start < sorted.length; ) {
    let end = start;
    while (end + 1 < sorted.length && sorted[end + 1] === sorted[end] + 1) end++;
    ranges.push(end === start ? String(sorted[start]) : end === start + 1 ? `${sorted[start]}, ${sorted[end]}` : `${sorted[start]}–${sorted[end]}`);
    start = end + 1;
  }
  return ranges.join(', ');
}

/** "17.4 GB", "310 MB", "under 1 MB" (the test fixtures' images are a few bytes). */
function gigabytes(bytes: number): string {
  if (bytes >= GB) return `${(bytes / GB).toFixed(1)} GB`;
  if (bytes >= MB) return `${Math.round(bytes / MB)} MB`;
  return 'under 1 MB';
}

/** "17.4–18.4 GB", or one size when all are alike. */
function sizeRange(smallest: number, largest: number): string {
  const low = gigabytes(smallest);
  const high = gigabytes(largest);
  if (low === high) return low;
  return smallest >= GB ? `${low.replace(' GB', '')}–${high}` : `${low}–${high}`;
}

/** A name from ConfigMgr or the WIM, quoted and bounded: the card cuts the whole sentence, this keeps one name from taking it. */
function quoted(name: string): string {
  const characters = Array.from(name.trim().replace(/\s+/g, ' '));
  return `"${characters.length > MAX_NAME_IN_SENTENCE ? `${characters.slice(0, MAX_NAME_IN_SENTENCE - 1).join('')}…` : characters.join('')}"`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function lastSegment(relativePath: string): string {
  const parts = relativePath.split(/[\\/]/);
  return parts[parts.length - 1] || relativePath;
}
