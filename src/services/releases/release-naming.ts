import type { BuildNumber, Edition, ReleaseEvidence } from '../media/media-package';
import type { WimImage } from '../media/wim-image';
import type { ProductLine } from './freshness';
import { FIRST_SERVER_ONLY_REVISION_26100 } from './server-revisions';

/**
 * Names the marketed Windows release of a package. The WIM build alone is not enough: enablement-package
 * releases keep the baseline build in the WIM (Windows 11 23H2 media reads 22621, Windows 10 22H2 media
 * reads 19041, 25H2 media may read 26100), client 24H2, LTSC 2024 and Server 2025 share 26100, and an
 * LTSC edition has its own lifecycle on a general-availability build. So the evidence is weighed in this
 * order, and the first that names a release consistent with the build and revision decides:
 *   1. the editions themselves: an LTSC EditionID (`EnterpriseS`, `IoTEnterpriseS`) or edition name;
 *   2. a release marker in an image's DISPLAYNAME or NAME ("Windows Server 2025 Datacenter");
 *   3. PKEYCONFIGVERSION's build, which enablement packages raise (26200 = 25H2, 22631 = 23H2);
 *   4. a release marker in the package name ("W11-24H2-Ent");
 *   5. the build → release table, where the revision tells releases on one build apart (26100.32xxx is
 *      Server 2025; 19041 serviced past 2004's last update is 22H2; 22621 past 22H2's end is 23H2).
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

type Family = 'Windows 10' | 'Windows 11' | 'Windows Server';

interface KnownRelease {
  family: Family;
  /** "22H2" for clients, "2022" or "23H2" for servers, "Enterprise LTSC 2021" for LTSC. */
  version: string;
  /** Builds that media of this release carries in its WIM, with the revisions it can have on each. */
  builds: Readonly<Record<number, RevisionRange>>;
  /** Set for Long-Term Servicing Channel releases: their year, and whether it is the IoT edition. */
  ltsc?: { year: string; iot: boolean };
}

/** The highest revision media of a release can have on a build; absent when any revision can be. */
interface RevisionRange {
  max?: number;
}

const ANY: RevisionRange = {};

/** 2004's last cumulative update: KB5008212 of 2021-12-14, 19041.1415. Later 19041 revisions are 20H2-22H2. */
const LAST_REVISION_2004 = 1415;
/** Windows 11 22H2's last update for Enterprise/Education: KB5066793 of 2025-10-14, 22621.6060; later ones are 23H2's. */
const LAST_REVISION_WINDOWS_11_22H2 = 6060;

const CLIENT_26100: RevisionRange = { max: FIRST_SERVER_ONLY_REVISION_26100 - 1 };

const KNOWN_RELEASES: readonly KnownRelease[] = [
  { family: 'Windows 10', version: '1809', builds: { 17763: ANY } },
  { family: 'Windows 10', version: '2004', builds: { 19041: { max: LAST_REVISION_2004 } } },
  { family: 'Windows 10', version: '20H2', builds: { 19041: ANY, 19042: ANY } },
  { family: 'Windows 10', version: '21H2', builds: { 19041: ANY, 19044: ANY } },
  { family: 'Windows 10', version: '22H2', builds: { 19041: ANY, 19045: ANY } },
  { family: 'Windows 11', version: '21H2', builds: { 22000: ANY } },
  { family: 'Windows 11', version: '22H2', builds: { 22621: { max: LAST_REVISION_WINDOWS_11_22H2 } } },
  { family: 'Windows 11', version: '23H2', builds: { 22621: ANY, 22631: ANY } },
  { family: 'Windows 11', version: '24H2', builds: { 26100: CLIENT_26100 } },
  // 25H2 is an enablement package on the 24H2 branch: media made by servicing 24H2 may still read 26100.
  { family: 'Windows 11', version: '25H2', builds: { 26100: CLIENT_26100, 26200: ANY } },
  { family: 'Windows 11', version: '26H1', builds: { 28000: ANY } },
  { family: 'Windows 11', version: '26H2', builds: { 26200: ANY, 26300: ANY } },
  ltscRelease('Windows 10', '2019', false, { 17763: ANY }),
  ltscRelease('Windows 10', '2019', true, { 17763: ANY }),
  // LTSC 2021 is 21H2 (19044); its WIM may still read the 19041 baseline.
  ltscRelease('Windows 10', '2021', false, { 19041: ANY, 19044: ANY }),
  ltscRelease('Windows 10', '2021', true, { 19041: ANY, 19044: ANY }),
  ltscRelease('Windows 11', '2024', false, { 26100: CLIENT_26100 }),
  ltscRelease('Windows 11', '2024', true, { 26100: CLIENT_26100 }),
  { family: 'Windows Server', version: '2019', builds: { 17763: ANY } },
  { family: 'Windows Server', version: '2022', builds: { 20348: ANY } },
  { family: 'Windows Server', version: '23H2', builds: { 25398: ANY } },
  { family: 'Windows Server', version: '2025', builds: { 26100: ANY } },
];

function ltscRelease(family: Family, year: string, iot: boolean, builds: KnownRelease['builds']): KnownRelease {
  return { family, version: `${iot ? 'IoT ' : ''}Enterprise LTSC ${year}`, builds, ltsc: { year, iot } };
}

/**
 * What a bare build number means (the table in the Windows builds reference), most likely first: the first
 * release whose revision range admits the media's revision wins.
 */
const CLIENT_RELEASES_BY_BUILD: Readonly<Record<number, readonly string[]>> = {
  17763: ['Windows 10 1809'],
  19041: ['Windows 10 2004', 'Windows 10 22H2'],
  19042: ['Windows 10 20H2'],
  19044: ['Windows 10 21H2'],
  19045: ['Windows 10 22H2'],
  22000: ['Windows 11 21H2'],
  22621: ['Windows 11 22H2', 'Windows 11 23H2'],
  22631: ['Windows 11 23H2'],
  26100: ['Windows 11 24H2'],
  26200: ['Windows 11 25H2'],
  26300: ['Windows 11 26H2'],
  28000: ['Windows 11 26H1'],
};

const SERVER_RELEASES_BY_BUILD: Readonly<Record<number, readonly string[]>> = {
  17763: ['Windows Server 2019'],
  20348: ['Windows Server 2022'],
  25398: ['Windows Server 23H2'],
  26100: ['Windows Server 2025'],
};

/**
 * Builds that enablement releases keep as their baseline: a PKEYCONFIGVERSION of 22621 is found on
 * 22H2 and on 23H2 media alike, 19041 on 2004 through 22H2, so those say nothing about the release.
 */
const BASELINE_BUILDS: ReadonlySet<number> = new Set([19041, 22621]);

/** EnterpriseS (LTSC), EnterpriseSN (its N edition), EnterpriseSEval, IoTEnterpriseS and IoTEnterpriseSK. */
const LTSC_EDITION_ID = /^(iot)?enterprises(n|k|eval)?$/i;

/** The build and the highest revision anything says the media has: a release boundary crossed by either is crossed. */
interface MediaBuild {
  build: number;
  revision?: number;
}

export function nameRelease(input: ReleaseNamingInput): ReleaseNaming {
  const images = input.wimImages ?? [];
  const editions = input.editions ?? [];
  const media = mediaBuildOf(input.build, images);
  const productFromEditions = productOfEditions(editions, images);
  const server = productFromEditions === undefined ? nameSaysServer(input.packageName) : productFromEditions === 'server';

  const fromEditions = ltscReleaseOfEditions(editions, images, media);
  if (fromEditions !== undefined) return named(fromEditions, 'edition');

  const fromDisplayName = releaseFromImageNames(images, input.build);
  if (fromDisplayName !== undefined) return named(fromDisplayName, 'display name');

  const fromPkey = releaseFromPkeyConfigVersion(images, input.build, server);
  if (fromPkey !== undefined) return named(fromPkey, 'PKEYCONFIGVERSION');

  // The name counts only for what the editions do not already say: "Server 2025" in the name of a package
  // whose editions are Enterprise names nothing.
  const fromName = releasesNamedIn(input.packageName).filter(
    (release) => (media === undefined || fits(release, media)) && (productFromEditions === undefined || productOf(release) === productFromEditions),
  );
  // "22H2" alone fits both Windows 10 and 11; the build (or a product word in the name) settles it, and
  // when neither does the name decides nothing.
  if (fromName.length === 1) return named(fromName[0], 'package name');

  if (media === undefined) return { decidedBy: 'build' };
  const release = releaseOfBuild(media, server);
  return release === undefined ? { decidedBy: 'build' } : named(release, 'build');
}

function nameOf(release: KnownRelease): string {
  return `${release.family} ${release.version}`;
}

function productOf(release: KnownRelease): ProductLine {
  return release.family === 'Windows Server' ? 'server' : 'client';
}

function named(release: KnownRelease, decidedBy: ReleaseEvidence): ReleaseNaming {
  return { release: nameOf(release), product: productOf(release), decidedBy };
}

function knownRelease(name: string): KnownRelease | undefined {
  return KNOWN_RELEASES.find((release) => nameOf(release) === name);
}

/** True when media of `release` can carry this build (and revision, when known). */
function fits(release: KnownRelease, media: MediaBuild): boolean {
  const range = release.builds[media.build];
  if (range === undefined) return false;
  if (media.revision === undefined) return true;
  return range.max === undefined || media.revision <= range.max;
}

/**
 * ConfigMgr's build, else the WIM's; the revision is the highest either reports for that build, because a
 * serviced WIM behind a ConfigMgr record that was not reloaded is still serviced media.
 */
function mediaBuildOf(configMgrBuild: BuildNumber | undefined, images: readonly WimImage[]): MediaBuild | undefined {
  const build = configMgrBuild?.build ?? images.find((image) => image.version !== undefined)?.version?.build;
  if (build === undefined) return undefined;
  const revisions = [configMgrBuild, ...images.map((image) => image.version)]
    .filter((version): version is BuildNumber => version !== undefined && version.build === build)
    .map((version) => version.revision);
  return revisions.length === 0 ? { build } : { build, revision: Math.max(...revisions) };
}

/** The first release for the build whose revisions admit the media's; the other product's table after. */
function releaseOfBuild(media: MediaBuild, server: boolean): KnownRelease | undefined {
  const tables = server ? [SERVER_RELEASES_BY_BUILD, CLIENT_RELEASES_BY_BUILD] : [CLIENT_RELEASES_BY_BUILD, SERVER_RELEASES_BY_BUILD];
  for (const table of tables) {
    for (const name of table[media.build] ?? []) {
      const release = knownRelease(name);
      if (release !== undefined && fits(release, media)) return release;
    }
  }
  return undefined;
}

/**
 * LTSC media is named by its editions: the EditionIDs of the WIM's images (else ConfigMgr's), or, when no
 * edition carries an id, ConfigMgr's edition names ("Windows 10 Enterprise LTSC 2021"). Every edition
 * with an id must be LTSC: a WIM that mixes LTSC with general-availability editions is left to the other
 * evidence. The IoT release, whose servicing lasts longer, only when every LTSC edition is IoT.
 */
function ltscReleaseOfEditions(editions: readonly Edition[], images: readonly WimImage[], media: MediaBuild | undefined): KnownRelease | undefined {
  if (media === undefined) return undefined;
  const imageIds = images.map((image) => image.editionId).filter((id): id is string => !!id);
  const ids = imageIds.length > 0 ? imageIds : editions.map((edition) => edition.editionId).filter((id): id is string => !!id);
  let iot: boolean;
  if (ids.length > 0) {
    if (!ids.every((id) => LTSC_EDITION_ID.test(id))) return undefined;
    iot = ids.every((id) => /^iot/i.test(id));
  } else {
    const names = editions.map((edition) => edition.name).filter((name) => name.trim() !== '');
    if (names.length === 0 || !names.every((name) => /\bLTS[CB]\b/i.test(name))) return undefined;
    iot = names.every((name) => /\biot\b/i.test(name));
  }
  return KNOWN_RELEASES.find((release) => release.ltsc?.iot === iot && fits(release, media));
}

/**
 * A release marker in DISPLAYNAME or NAME ("Windows Server 2025 Standard", "Windows 11 Enterprise 24H2",
 * "Windows 11 Enterprise LTSC"). Real client display names rarely carry one, so most client media falls
 * through to PKEYCONFIGVERSION. Images that name different releases cancel each other out: a mixed WIM
 * proves nothing.
 */
function releaseFromImageNames(images: readonly WimImage[], configMgrBuild: BuildNumber | undefined): KnownRelease | undefined {
  const found = new Map<string, KnownRelease>();
  for (const image of images) {
    const version = image.version ?? configMgrBuild;
    const media = version === undefined ? undefined : { build: version.build, revision: version.revision };
    for (const text of [image.displayName, image.name]) {
      if (!text) continue;
      const candidates = releasesNamedIn(text).filter((release) => media === undefined || fits(release, media));
      if (candidates.length === 1) {
        found.set(nameOf(candidates[0]), candidates[0]);
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
    const pkey = image.pkeyConfigBuild;
    if (pkey === undefined || BASELINE_BUILDS.has(pkey.build)) continue;
    const wim = image.version ?? configMgrBuild;
    // The revision that tells 24H2 from Server 2025 is the image's own; PKEYCONFIGVERSION's is its baseline's.
    const revision = wim !== undefined && wim.build === pkey.build ? wim.revision : undefined;
    const release = releaseOfBuild(revision === undefined ? { build: pkey.build } : { build: pkey.build, revision }, server);
    if (release === undefined) continue;
    if (wim !== undefined && wim.build !== pkey.build && !fits(release, { build: wim.build, revision: wim.revision })) continue;
    found.set(nameOf(release), release);
  }
  return found.size === 1 ? [...found.values()][0] : undefined;
}

/**
 * "Windows Server 2025", "Server 2022", "WS2019", "Windows Server, version 23H2": the only wordings that make
 * a name a server's. The word "server" alone does not ("W11 24H2 Ent - server team").
 */
const SERVER_RELEASE_WORDING = /\b(?:windows\s*)?server\s*,?\s*(?:version\s*)?(2019|2022|2025|23H2)\b|\bws\s?(2019|2022|2025)\b/i;
const CLIENT_PRODUCT_WORDING = /\b(?:windows|win|w)\s?(10|11)\b/i;

/**
 * Releases a text points at; a product word narrows "22H2" to Windows 10 or 11. A name may point at a
 * server and a client release at once ("W11 24H2 - replaces Server 2025"): the build and the editions then
 * choose, and when they cannot the name decides nothing.
 */
function releasesNamedIn(text: string): KnownRelease[] {
  const name = text.replace(/[\u2010-\u2015_]/g, ' ');
  const found: KnownRelease[] = [];
  const serverRelease = SERVER_RELEASE_WORDING.exec(name);
  if (serverRelease) {
    const version = (serverRelease[1] ?? serverRelease[2]).toUpperCase();
    found.push(...KNOWN_RELEASES.filter((release) => release.family === 'Windows Server' && release.version === version));
  }
  const product = CLIENT_PRODUCT_WORDING.exec(name)?.[1];
  // "Server 24H2 lab" names no client release; "W11 24H2 for the server team" does.
  if (product === undefined && /\bserver\b/i.test(name)) return found;
  const family = (release: KnownRelease) => release.family !== 'Windows Server' && (product === undefined || release.family === `Windows ${product}`);
  if (/\bLTS[CB]\b/i.test(name)) {
    const year = /\b(2019|2021|2024)\b/.exec(name)?.[1];
    const iot = /\biot\b/i.test(name);
    return [...found, ...KNOWN_RELEASES.filter((release) => release.ltsc?.iot === iot && (year === undefined || release.ltsc.year === year) && family(release))];
  }
  const clientVersion = /\b(1809|2004|2[0-9]H[12])\b/i.exec(name)?.[1]?.toUpperCase();
  if (clientVersion === undefined) return found;
  return [...found, ...KNOWN_RELEASES.filter((release) => !release.ltsc && release.version === clientVersion && family(release))];
}

/**
 * Server or client, as the editions say. The install image is the best witness (INSTALLATIONTYPE
 * "Server"/"Server Core"/"Client", EDITIONID "ServerStandard…"), then ConfigMgr's editions (ids, then names).
 * Enterprise multi-session (EditionID ServerRdsh, INSTALLATIONTYPE "Client") is client media despite its id.
 * Undefined when the editions say nothing either way. A 26100 revision of 32000 or more is Server 2025
 * whatever they say; the revision ranges apply that rule.
 */
function productOfEditions(editions: readonly Edition[], images: readonly WimImage[]): ProductLine | undefined {
  const installationTypes = images.map((image) => image.installationType).filter((type): type is string => !!type);
  if (installationTypes.length > 0) return installationTypes.some((type) => /server/i.test(type)) ? 'server' : 'client';
  const imageIds = images.map((image) => image.editionId).filter((id): id is string => !!id);
  if (imageIds.length > 0) return imageIds.some(isServerEditionId) ? 'server' : 'client';
  const editionIds = editions.map((edition) => edition.editionId).filter((id): id is string => !!id);
  if (editionIds.length > 0) return editionIds.some(isServerEditionId) ? 'server' : 'client';
  const editionNames = editions.map((edition) => edition.name);
  if (editionNames.some((name) => /\bwindows\s+server\b/i.test(name))) return 'server';
  if (editionNames.some((name) => CLIENT_PRODUCT_WORDING.test(name))) return 'client';
  return undefined;
}

/** When nothing else is known: only a server's wording ("Windows Server", "Server 2022", "Server Core"), not the word alone. */
function nameSaysServer(packageName: string): boolean {
  return SERVER_RELEASE_WORDING.test(packageName) || /\bwindows\s+server\b|\bserver\s+core\b/i.test(packageName);
}

function isServerEditionId(editionId: string): boolean {
  return /^server/i.test(editionId) && !/^serverrdsh$/i.test(editionId);
}
