import type { PackageClass } from '../configmgr/admin-service';
import {
  ALL_SERVER_EDITION_KEYS,
  MULTI_EDITION_KEYS,
  clientEditions,
  serverEditions,
  windowsBuild,
  type ClientEditionKey,
  type DemoMedia,
  type DemoSite,
  type ServerEditionKey,
} from './demo-media';
import { DEMO_PROVIDER_HOST, DEMO_SITE_CODE, demoPackage } from './demo-site';
import { seededRandom } from '../shared/seeded-random';

/**
 * A large site for benchmarks and paging tests: `count` packages spread over the releases the demo site
 * knows, each with plausible revisions, sizes, dates and edition sets. The same count always gives the
 * same site (a seeded generator, no Math.random), so benchmark runs compare like with like.
 */

interface ReleaseLine {
  label: string;
  folder: string;
  buildNumber: number;
  /** Monthly LCU revisions, oldest first, with the month they shipped. */
  revisions: readonly [number, string][];
  media: (revision: number, variant: number) => { media: DemoMedia; editionLabel: string };
}

const CLIENT_VARIANTS: readonly [string, readonly ClientEditionKey[]][] = [
  ['Enterprise', ['Enterprise']],
  ['Enterprise and Enterprise N', ['Enterprise', 'EnterpriseN']],
  ['Education', ['Education', 'EducationN']],
  ['Pro', ['Pro']],
  ['Business Editions', MULTI_EDITION_KEYS],
];

const SERVER_VARIANTS: readonly [string, readonly ServerEditionKey[]][] = [
  ['Standard and Datacenter', ALL_SERVER_EDITION_KEYS],
  ['Standard Core', ['StandardCore']],
  ['Datacenter', ['DatacenterCore', 'Datacenter']],
];

function clientLine(
  label: string,
  folder: string,
  product: 'Windows 10' | 'Windows 11',
  wimBuild: number,
  revisions: readonly [number, string][],
): ReleaseLine {
  return {
    label,
    folder,
    buildNumber: wimBuild,
    revisions,
    media: (revision, variant) => {
      const [editionLabel, keys] = CLIENT_VARIANTS[variant % CLIENT_VARIANTS.length];
      const b = windowsBuild(wimBuild, revision);
      return { media: { build: b, editions: clientEditions(product, keys, b) }, editionLabel };
    },
  };
}

function serverLine(year: '2022' | '2025', revisions: readonly [number, string][]): ReleaseLine {
  return {
    label: `Windows Server ${year}`,
    folder: `WS${year}`,
    buildNumber: year === '2022' ? 20348 : 26100,
    revisions,
    media: (revision, variant) => {
      const [editionLabel, keys] = SERVER_VARIANTS[variant % SERVER_VARIANTS.length];
      const b = windowsBuild(year === '2022' ? 20348 : 26100, revision);
      return { media: { build: b, editions: serverEditions(year, keys, b) }, editionLabel };
    },
  };
}

const RELEASE_LINES: readonly ReleaseLine[] = [
  clientLine('Windows 10 22H2', 'Win10-22H2', 'Windows 10', 19041, [
    [6332, '2025-09'], [6456, '2025-10'], [6575, '2025-11'], [6691, '2025-12'], [6809, '2026-01'],
    [6937, '2026-02'], [7058, '2026-03'], [7184, '2026-04'],
  ]),
  clientLine('Windows 11 23H2', 'Win11-23H2', 'Windows 11', 22621, [
    [5909, '2025-09'], [6060, '2025-10'], [6199, '2025-11'], [6345, '2025-12'], [6491, '2026-01'],
    [6649, '2026-02'], [6783, '2026-03'], [6936, '2026-04'],
  ]),
  clientLine('Windows 11 24H2', 'Win11-24H2', 'Windows 11', 26100, [
    [6584, '2025-09'], [6899, '2025-10'], [7171, '2025-11'], [7462, '2025-12'], [7623, '2026-01'],
    [7840, '2026-02'], [8037, '2026-03'], [8246, '2026-04'],
  ]),
  clientLine('Windows 11 25H2', 'Win11-25H2', 'Windows 11', 26200, [
    [6899, '2025-10'], [7171, '2025-11'], [7462, '2025-12'], [7623, '2026-01'], [7840, '2026-02'],
    [8037, '2026-03'], [8246, '2026-04'],
  ]),
  serverLine('2022', [
    [4171, '2025-09'], [4294, '2025-10'], [4405, '2025-11'], [4529, '2025-12'], [4648, '2026-01'],
    [4893, '2026-02'], [4962, '2026-03'], [5020, '2026-04'],
  ]),
  serverLine('2025', [
    [31650, '2025-09'], [31789, '2025-10'], [31933, '2025-11'], [32074, '2025-12'], [32230, '2026-01'],
    [32370, '2026-02'], [32522, '2026-03'],
  ]),
];

const TEAMS = ['Broad ring', 'Pilot ring', 'Finance', 'Engineering', 'Retail stores', 'Kiosks', 'VDI', 'Lab'];

export function syntheticPackageId(siteCode: string, n: number): string {
  return `${siteCode}${n.toString(16).toUpperCase().padStart(5, '0')}`;
}

export function createSyntheticSite(count: number, seed = 20260414): DemoSite {
  if (!Number.isInteger(count) || count < 0 || count > 0xfffff) {
    throw new RangeError(`A synthetic site holds 0 to ${0xfffff} packages, not ${count}.`);
  }
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const packages = [];
  for (let n = 1; n <= count; n++) {
    const line = RELEASE_LINES[(n - 1) % RELEASE_LINES.length];
    const packageClass: PackageClass = random() < 0.55 ? 'SMS_OperatingSystemInstallPackage' : 'SMS_ImagePackage';
    // Recent revisions are likelier: most teams are at most a few months behind.
    const revisionIndex = Math.max(0, line.revisions.length - 1 - Math.floor(random() * random() * line.revisions.length));
    const [revision, month] = line.revisions[revisionIndex];
    const { media, editionLabel } = line.media(revision, Math.floor(random() * 5));
    const team = pick(TEAMS);
    const day = 10 + Math.floor(random() * 18);
    const minute = Math.floor(random() * 600);
    const sourceDate = `${month}-${String(day).padStart(2, '0')}T${String(6 + Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}:00Z`;
    const refreshed = new Date(Date.parse(sourceDate) + (20 + Math.floor(random() * 40)) * 60_000)
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
    const id = syntheticPackageId(DEMO_SITE_CODE, n);
    const upgrade = packageClass === 'SMS_OperatingSystemInstallPackage';
    const totalBytes = media.editions.reduce((sum, edition) => sum + edition.sizeBytes, 0);
    packages.push(
      demoPackage({
        packageClass,
        id,
        name: upgrade
          ? `${line.label} ${editionLabel} x64 (${team})`
          : `${line.label} ${editionLabel} x64 - ${month} (${team})`,
        description: upgrade ? `Upgrade media for ${team.toLowerCase()}.` : `Image for ${team.toLowerCase()}.`,
        version: random() < 0.7 ? `${media.build.build === 19041 ? 19045 : media.build.build === 22621 ? 22631 : media.build.build}.${revision}` : month,
        source: upgrade
          ? `Upgrade\\${line.folder}-x64-${id}`
          : `Images\\${line.folder}-x64\\${month}-${id}\\install.wim`,
        media,
        sourceVersion: 1 + Math.floor(random() * 20),
        sourceDate,
        lastRefreshTime: refreshed,
        // WIM compression keeps the package near a third of the expanded size; upgrade media adds setup files.
        packageSizeKb: Math.round(totalBytes / 1024 / (media.editions.length > 2 ? 9 : 3.4)) + (upgrade ? 820_000 : 0),
      }),
    );
  }
  return { siteCode: DEMO_SITE_CODE, providerHost: DEMO_PROVIDER_HOST, packages };
}
