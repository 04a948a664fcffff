import type { BuildNumber, Edition, ReleaseEvidence } from '../media/media-package';
import type { WimImage } from '../media/wim-image';
import type { ProductLine } from './freshness';

/**
 * Names the marketed Windows release of a package. The WIM build alone is not enough: enablement-package
 * releases keep the baseline build in the WIM (Windows 11 23H2 media reads 22621, Windows 10 22H2 media
 * reads 19041, 25H2 media may read 26100), and client 24H2 and Server 2025 share 26100. So the evidence is
 * weighed in the order of the WIM format reference, and the first that names a release consistent with
 * the build decides:
 *   1. a release marker in an image's DISPLAYNAME or NAME ("Windows Server 2025 Datacenter");
 *   2. PKEYCONFIGVERSION's build, which enablement packages raise (26200 = 25H2, 22631 = 23H2);
 *   3. a release marker in the package name ("W11-24H2-Ent");
 *   4. the build → release table.
 */

export interface ReleaseNamingInput {
  /** ConfigMgr's ImageOSVersion (or Version when it reads as a build). */
  build?: BuildNumber;
  packageName: string;
  /** The editions ConfigMgr recorded (ImageProperty). */
  editions?: readonly Edition[];
  /** The images of the install image on the share, when it was inspected. */
  wimImages?: readonly WimImage[];
}

export interface ReleaseNaming {
  release?: string;
  product?: ProductLine;
  decidedBy: ReleaseEvidence;
}

type Product = 'Windows 10' | 'Windows 11' | 'Windows Server';

interface KnownRelease {
  product: Product;
  /** "22H2" for clients, "2022" for servers. */
  version: string;
  /** Builds that media of this release carries in its WIM. */
  builds: readonly number[];
}

const KNOWN_RELEASES: readonly KnownRelease[] = [
  { product: 'Windows 10', version: '1809', builds: [17763] },
  { product: 'Windows 10', version: '2004', builds: [19041] },
  { product: 'Windows 10', version: '20H2', builds: [19041, 19042] },
  { product: 'Windows 10', version: '21H2', builds: [19041, 19044] },
  { product: 'Windows 10', version: '22H2', builds: [19041, 19045] },
  { product: 'Windows 11', version: '21H2', builds: [22000] },
  { product: 'Windows 11', version: '22H2', builds: [22621] },
  { product: 'Windows 11', version: '23H2', builds: [22621, 22631] },
  { product: 'Windows 11', version: '24H2', builds: [26100] },
  // 25H2 is an enablement package on the 24H2 branch: media made by servicing 24H2 may still read 26100.
  { product: 'Windows 11', version: '25H2', builds: [26100, 26200] },
  { product: 'Windows 11', version: '26H1', builds: [28000] },
  { product: 'Windows 11', version: '26H2', builds: [26200, 26300] },
  { product: 'Windows Server', version: '2019', builds: [17763] },
  { product: 'Windows Server', version: '2022', builds: [20348] },
  { product: 'Windows Server', version: '2025', builds: [26100] },
];

/** The release a bare build number means (the table in the Windows builds reference). */
const CLIENT_RELEASE_BY_BUILD: Readonly<Record<number, string>> = {
  17763: 'Windows 10 1809',
  19041: 'Windows 10 2004',
  19042: 'Windows 10 20H2',
  19044: 'Windows 10 21H2',
  19045: 'Windows 10 22H2',
  22000: 'Windows 11 21H2',
  22621: 'Windows 11 22H2',
  22631: 'Windows 11 23H2',
  26100: 'Windows 11 24H2',
  26200: 'Windows 11 25H2',
  26300: 'Windows 11 26H2',
  28000: 'Windows 11 26H1',
};

const SERVER_RELEASE_BY_BUILD: Readonly<Record<number, string>> = {
  17763: 'Windows Server 2019',
  20348: 'Windows Server 2022',
  26100: 'Windows Server 2025',
};

/**
 * Builds that enablement releases keep as their baseline: a PKEYCONFIGVERSION of 22621 is found on
 * 22H2 and on 23H2 media alike, 19041 on 2004 through 22H2, so those say nothing about the release.
 */
const BASELINE_BUILDS: ReadonlySet<number> = new Set([19041, 22621]);

export function nameRelease(input: ReleaseNamingInput): ReleaseNaming {
  const images = input.wimImages ?? [];
  const server = isServerMedia(input.packageName, input.editions ?? [], images);

  const fromDisplayName = releaseFromImageNames(images, input.build);
  if (fromDisplayName !== undefined) return named(fromDisplayName, 'display name');

  const fromPkey = releaseFromPkeyConfigVersion(images, input.build, server);
  if (fromPkey !== undefined) return named(fromPkey, 'PKEYCONFIGVERSION');

  const build = input.build?.build ?? firstImageBuild(images);
  const fromName = releasesNamedIn(input.packageName).filter(
    (release) => build === undefined || release.builds.includes(build),
  );
  // "22H2" alone fits both Windows 10 and 11; the build (or a product word in the name) settles it, and
  // when neither does the name decides nothing.
  if (fromName.length === 1) return named(fromName[0], 'package name');

  if (build === undefined) return { decidedBy: 'build' };
  const release = releaseOfBuild(build, server);
  return release === undefined ? { decidedBy: 'build' } : { release, product: productOf(release), decidedBy: 'build' };
}

function named(release: KnownRelease, decidedBy: ReleaseEvidence): ReleaseNaming {
  const name = `${release.product} ${release.version}`;
  return { release: name, product: productOf(name), decidedBy };
}

function productOf(release: string): ProductLine {
  return release.startsWith('Windows Server') ? 'server' : 'client';
}

function releaseOfBuild(build: number, server: boolean): string | undefined {
  return server
    ? (SERVER_RELEASE_BY_BUILD[build] ?? CLIENT_RELEASE_BY_BUILD[build])
    : (CLIENT_RELEASE_BY_BUILD[build] ?? SERVER_RELEASE_BY_BUILD[build]);
}

function firstImageBuild(images: readonly WimImage[]): number | undefined {
  return images.find((image) => image.version !== undefined)?.version?.build;
}

/**
 * A release marker in DISPLAYNAME or NAME ("Windows Server 2025 Standard", "Windows 11 Enterprise 24H2").
 * Real client display names rarely carry one, so most client media falls through to PKEYCONFIGVERSION.
 * Images that name different releases cancel each other out: a mixed WIM proves nothing.
 */
function releaseFromImageNames(images: readonly WimImage[], configMgrBuild: BuildNumber | undefined): KnownRelease | undefined {
  const found = new Map<string, KnownRelease>();
  for (const image of images) {
    const build = image.version?.build ?? configMgrBuild?.build;
    for (const text of [image.displayName, image.name]) {
      if (!text) continue;
      const candidates = releasesNamedIn(text).filter((release) => build === undefined || release.builds.includes(build));
      if (candidates.length === 1) {
        found.set(`${candidates[0].product} ${candidates[0].version}`, candidates[0]);
        break;
      }
    }
  }
  return found.size === 1 ? [...found.values()][0] : undefined;
}

/**
 * PKEYCONFIGVERSION carries the build the enablement package raised the media to (26200 on 25H2 media whose
 * WIM build is 26100). It decides only when it names one release that the WIM build can belong to.
 */
function releaseFromPkeyConfigVersion(
  images: readonly WimImage[],
  configMgrBuild: BuildNumber | undefined,
  server: boolean,
): KnownRelease | undefined {
  const found = new Map<string, KnownRelease>();
  for (const image of images) {
    const pkeyBuild = image.pkeyConfigBuild?.build;
    if (pkeyBuild === undefined || BASELINE_BUILDS.has(pkeyBuild)) continue;
    const name = releaseOfBuild(pkeyBuild, server);
    const release = name === undefined ? undefined : KNOWN_RELEASES.find((known) => `${known.product} ${known.version}` === name);
    if (release === undefined) continue;
    const wimBuild = image.version?.build ?? configMgrBuild?.build;
    if (wimBuild !== undefined && wimBuild !== pkeyBuild && !release.builds.includes(wimBuild)) continue;
    found.set(name!, release);
  }
  return found.size === 1 ? [...found.values()][0] : undefined;
}

/** Releases a text points at, most specific first; a product word narrows "22H2" to Windows 10 or 11. */
function releasesNamedIn(text: string): KnownRelease[] {
  const name = text.replace(/[\u2010-\u2015_]/g, ' ');
  const server = /\bserver\b|\bws\s?20\d\d\b/i.exec(name);
  const serverYear = /\b(?:server|ws)\s*(2019|2022|2025)\b/i.exec(name)?.[1];
  if (server && serverYear) {
    return KNOWN_RELEASES.filter((release) => release.product === 'Windows Server' && release.version === serverYear);
  }
  const clientVersion = /\b(1809|2004|2[0-9]H[12])\b/i.exec(name)?.[1]?.toUpperCase();
  if (clientVersion === undefined || server) return [];
  const product = /\b(?:windows|win|w)\s?(10|11)\b/i.exec(name)?.[1];
  return KNOWN_RELEASES.filter(
    (release) =>
      release.product !== 'Windows Server' &&
      release.version === clientVersion &&
      (product === undefined || release.product === `Windows ${product}`),
  );
}

/**
 * Server media says so. The install image is the best witness (INSTALLATIONTYPE "Server"/"Server Core",
 * EDITIONID "ServerStandard…"); without it, ConfigMgr's editions and the package name.
 */
function isServerMedia(packageName: string, editions: readonly Edition[], images: readonly WimImage[]): boolean {
  const installationTypes = images.map((image) => image.installationType).filter((type): type is string => !!type);
  if (installationTypes.length > 0) return installationTypes.some((type) => /server/i.test(type));
  const editionIds = images.map((image) => image.editionId).filter((id): id is string => !!id);
  if (editionIds.length > 0) return editionIds.some((id) => /^server/i.test(id));
  if (/\bserver\b/i.test(packageName)) return true;
  return editions.some((edition) => /^server/i.test(edition.editionId ?? '') || /\bserver\b/i.test(edition.name));
}
