import type { BuildNumber, Edition } from '../media/media-package';

/**
 * Names the marketed Windows release of a package. The WIM build alone is not enough: enablement-package
 * releases keep the baseline build in the WIM (Windows 11 23H2 media reads 22621, Windows 10 22H2 media
 * reads 19041), and client 24H2 and Server 2025 share 26100. So a release marker in the package name wins,
 * as long as the build does not contradict it; otherwise the build decides.
 */

export interface ReleaseNamingInput {
  build?: BuildNumber;
  packageName: string;
  editions?: readonly Edition[];
}

export interface ReleaseNaming {
  release?: string;
  decidedBy: 'name' | 'build';
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

export function nameRelease(input: ReleaseNamingInput): ReleaseNaming {
  const build = input.build?.build;
  const fromName = releasesNamedIn(input.packageName).filter(
    (release) => build === undefined || release.builds.includes(build),
  );
  // "22H2" alone fits both Windows 10 and 11; the build (or a product word in the name) settles it, and
  // when neither does the name decides nothing.
  if (fromName.length === 1) {
    return { release: `${fromName[0].product} ${fromName[0].version}`, decidedBy: 'name' };
  }
  if (build === undefined) return { decidedBy: 'build' };
  const server = isServer(input.packageName, input.editions ?? []);
  const release = server
    ? (SERVER_RELEASE_BY_BUILD[build] ?? CLIENT_RELEASE_BY_BUILD[build])
    : (CLIENT_RELEASE_BY_BUILD[build] ?? SERVER_RELEASE_BY_BUILD[build]);
  return release === undefined ? { decidedBy: 'build' } : { release, decidedBy: 'build' };
}

/** Releases the name points at, most specific first; a product word narrows "22H2" to Windows 10 or 11. */
function releasesNamedIn(packageName: string): KnownRelease[] {
  const name = packageName.replace(/[\u2010-\u2015_]/g, ' ');
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

/** Server media says so in its name or its editions (EDITIONID ServerStandard…, names "Windows Server …"). */
function isServer(packageName: string, editions: readonly Edition[]): boolean {
  if (/\bserver\b/i.test(packageName)) return true;
  return editions.some(
    (edition) => /^server/i.test(edition.editionId ?? '') || /\bserver\b/i.test(edition.name),
  );
}
