import { worstFirst, type Finding, type MediaInspection } from './media-inspection';
import { formatBuild, type BuildNumber, type Edition, type MediaPackage } from './media-package';
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
    const differences = editionDifferences(pkg.editions, wimImages, imageName);
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

  if (inUse) {
    const extras = wimImages.filter((candidate) => candidate.index !== inUse.index);
    if (extras.length > 0) findings.push(extraEditions(inUse, extras));
  }

  return worstFirst(findings);
}

/**
 * The WIM image the package deploys, whose build is compared: the lowest index ConfigMgr lists that the
 * WIM has, else the WIM's first image (the cards name the same image). Undefined when no WIM was read.
 */
export function imageInUse(
  pkg: Pick<MediaPackage, 'editions' | 'editionsState'>,
  inspection: MediaInspection,
): WimImage | undefined {
  if (inspection.state !== 'inspected') return undefined;
  const images = [...(inspection.installImage?.info?.images ?? [])].sort((a, b) => a.index - b.index);
  if (pkg.editionsState.state === 'known') {
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

function editionDifferences(editions: readonly Edition[], images: readonly WimImage[], imageName: string): string[] {
  const differences: string[] = [];
  const indexes = [...new Set([...editions.map((e) => e.index), ...images.map((i) => i.index)])].sort((a, b) => a - b);
  for (const index of indexes) {
    const edition = editions.find((e) => e.index === index);
    const image = images.find((i) => i.index === index);
    if (edition && !image) {
      differences.push(`index ${index} ("${edition.name}") is only in ConfigMgr`);
    } else if (image && !edition) {
      differences.push(`index ${index} ("${imageLabel(image)}") is only in ${imageName}`);
    } else if (edition && image && !sameName(edition.name, image)) {
      differences.push(`index ${index} is "${edition.name}" in ConfigMgr but "${imageLabel(image)}" in ${imageName}`);
    }
  }
  return differences;
}

/** ConfigMgr records either the image's NAME or its DISPLAYNAME, depending on the site's version. */
function sameName(configMgrName: string, image: WimImage): boolean {
  const wanted = normalise(configMgrName);
  return [image.name, image.displayName].some((name) => name !== undefined && normalise(name) === wanted);
}

function normalise(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}

function imageLabel(image: WimImage): string {
  return image.name ?? image.displayName ?? `index ${image.index}`;
}

function extraEditions(inUse: WimImage, extras: readonly WimImage[]): Finding {
  const edition = inUse.editionId ?? inUse.flags ?? inUse.name ?? `index ${inUse.index}`;
  const count = `${plural(extras.length, 'edition')} beyond ${edition}`;
  const sized = extras.filter((image) => typeof image.totalBytes === 'number');
  const bytes = sized.reduce((total, image) => total + (image.totalBytes as number), 0);
  const advice = 'export only the editions you deploy to make the media smaller';
  if (sized.length === 0) {
    return { kind: 'extra-editions', severity: 'info', message: `${count} ${extras.length === 1 ? 'has' : 'have'} no recorded size: ${advice}.` };
  }
  const unsized = extras.length - sized.length;
  const size = `${(bytes / GB).toFixed(1)} GB expanded${unsized > 0 ? ` (${unsized} without a recorded size)` : ''}`;
  return {
    kind: 'extra-editions',
    severity: 'info',
    message: `${count} ${extras.length === 1 ? 'takes' : 'take'} ${size}: ${advice}.`,
    bytes,
  };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function lastSegment(relativePath: string): string {
  const parts = relativePath.split(/[\\/]/);
  return parts[parts.length - 1] || relativePath;
}
