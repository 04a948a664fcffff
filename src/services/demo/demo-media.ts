import { formatFullBuild, type BuildNumber } from '../media/media-package';
import type { PackageClass } from '../configmgr/admin-service';
import type { DemoDistributionPoint, DemoDistributionStatus } from './demo-distribution';

/**
 * The structured model behind the demo site: each package's media (build + WIM indexes), from which the
 * AdminService record's ImageProperty XML and ImageOSVersion are generated, as ConfigMgr does when it
 * reads the WIM (ReloadImageProperties).
 */

export type DemoArchitecture = 'x86' | 'x64' | 'ARM64';

export interface DemoEdition {
  index: number;
  name: string;
  description: string;
  editionId: string;
  installationType: 'Client' | 'Server' | 'Server Core';
  architecture: DemoArchitecture;
  languages: string[];
  sizeBytes: number;
}

export interface DemoMedia {
  build: BuildNumber;
  editions: DemoEdition[];
}

/** A package as the AdminService stores it: every property, with the lazy ImageProperty filled. */
export interface DemoPackageRecord {
  PackageID: string;
  Name: string;
  Description: string;
  Version: string;
  Language: string;
  Manufacturer: string;
  PkgSourcePath: string;
  ImageOSVersion: string | null;
  ImageProperty: string | null;
  SourceVersion: number;
  SourceDate: string;
  LastRefreshTime: string;
  PackageSize: number;
  ActionInProgress: number;
  SourceSite: string;
  PackageType: number;
}

export interface DemoPackage {
  packageClass: PackageClass;
  record: DemoPackageRecord;
  /** What the source WIM holds; ReloadImageProperties copies it into the record. Absent for broken records. */
  media?: DemoMedia;
  /**
   * The media after servicing: the next ReloadImageProperties makes it the package's media (a new build for the
   * demo's refresh jobs to show). Absent: ReloadImageProperties re-reads `media`.
   */
  servicedMedia?: DemoMedia;
  /** The package on each DP that holds it (SMS_PackageStatusDistPointsSummarizer); none when absent. */
  distribution?: DemoDistributionStatus[];
}

/** A ConfigMgr site as the simulator serves it. Mutable on purpose: tests change it between syncs. */
export interface DemoSite {
  siteCode: string;
  /** The SMS Provider's host name, used in @odata.context like a real site. */
  providerHost: string;
  packages: DemoPackage[];
  /** The site's distribution points (each package names those that hold it in `distribution`). */
  distributionPoints?: DemoDistributionPoint[];
}

/** PackageType of each class (SMS_PackageBaseclass.PackageType). */
export const PACKAGE_TYPE: Readonly<Record<PackageClass, number>> = {
  SMS_OperatingSystemInstallPackage: 259,
  SMS_ImagePackage: 257,
};

/** WIM ARCH numbers, which ConfigMgr records in ImageProperty. */
const ARCH_NUMBER: Readonly<Record<DemoArchitecture, number>> = { x86: 0, x64: 9, ARM64: 12 };

/** ImageProperty XML in the form ConfigMgr stores it: one IMAGE per WIM index, PROPERTY elements by NAME. */
export function imagePropertyXml(media: DemoMedia): string {
  const images = media.editions.map((edition) => {
    const properties: [string, string][] = [
      ['Image name', edition.name],
      ['Image description', edition.description],
      ['Edition ID', edition.editionId],
      ['Installation type', edition.installationType],
      ['Architecture', String(ARCH_NUMBER[edition.architecture])],
      ['Language', edition.languages.join(';')],
      ['OS version', formatFullBuild(media.build)],
      ['Size', String(edition.sizeBytes)],
    ];
    const body = properties
      .map(([name, value]) => `<PROPERTY NAME="${escapeXml(name)}">${escapeXml(value)}</PROPERTY>`)
      .join('');
    return `<IMAGE INDEX="${edition.index}">${body}</IMAGE>`;
  });
  return `<WIM>${images.join('')}</WIM>`;
}

/** Copies the media's build and editions into the record, as ReloadImageProperties does on a real site. */
export function applyMediaToRecord(record: DemoPackageRecord, media: DemoMedia): void {
  record.ImageOSVersion = formatFullBuild(media.build);
  record.ImageProperty = imagePropertyXml(media);
}

export function findDemoPackage(site: DemoSite, packageId: string): DemoPackage | undefined {
  const wanted = packageId.toUpperCase();
  return site.packages.find((pkg) => pkg.record.PackageID.toUpperCase() === wanted);
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

// ---- edition sets, shared by the hand-written demo site and the synthetic one ----

type ClientProduct = 'Windows 10' | 'Windows 11';

/** [display suffix, EDITIONID, relative size] of the editions on Microsoft's client ISOs. */
const CLIENT_EDITIONS: Readonly<Record<string, readonly [string, string, number]>> = {
  Home: ['Home', 'Core', 0.97],
  HomeN: ['Home N', 'CoreN', 0.94],
  HomeSingleLanguage: ['Home Single Language', 'CoreSingleLanguage', 0.97],
  Education: ['Education', 'Education', 1.0],
  EducationN: ['Education N', 'EducationN', 0.97],
  Pro: ['Pro', 'Professional', 1.0],
  ProN: ['Pro N', 'ProfessionalN', 0.97],
  ProEducation: ['Pro Education', 'ProfessionalEducation', 1.0],
  ProEducationN: ['Pro Education N', 'ProfessionalEducationN', 0.97],
  ProWorkstations: ['Pro for Workstations', 'ProfessionalWorkstation', 1.0],
  ProNWorkstations: ['Pro N for Workstations', 'ProfessionalWorkstationN', 0.97],
  Enterprise: ['Enterprise', 'Enterprise', 1.01],
  EnterpriseN: ['Enterprise N', 'EnterpriseN', 0.98],
};

export type ClientEditionKey = keyof typeof CLIENT_EDITIONS;

/** The 11 indexes of a 24H2-era consumer/business ISO as admins download it from VLSC / the Admin Center. */
export const MULTI_EDITION_KEYS: readonly ClientEditionKey[] = [
  'Home',
  'HomeN',
  'Education',
  'EducationN',
  'Pro',
  'ProN',
  'ProEducation',
  'ProEducationN',
  'ProWorkstations',
  'Enterprise',
  'EnterpriseN',
];

/** Expanded size (WIM TOTALBYTES) of a Pro index per client build, in bytes. */
const CLIENT_BASE_SIZE: Readonly<Record<number, number>> = {
  19041: 15_742_310_400,
  22621: 17_208_115_200,
  26100: 18_942_803_968,
  26200: 19_106_467_840,
};

export function clientEditions(
  product: ClientProduct,
  keys: readonly ClientEditionKey[],
  build: BuildNumber,
  architecture: DemoArchitecture = 'x64',
  languages: string[] = ['en-US'],
): DemoEdition[] {
  const base = (CLIENT_BASE_SIZE[build.build] ?? 18_000_000_000) * (architecture === 'ARM64' ? 0.93 : 1);
  return keys.map((key, position) => {
    const [suffix, editionId, relativeSize] = CLIENT_EDITIONS[key];
    const name = `${product} ${suffix}`;
    return {
      index: position + 1,
      name,
      description: name,
      editionId,
      installationType: 'Client',
      architecture,
      languages: [...languages],
      // A few KB apart per index and revision, as real indexes are.
      sizeBytes: Math.round(base * relativeSize) + build.revision * 4096 + position * 77_824,
    };
  });
}

export type ServerEditionKey = 'StandardCore' | 'Standard' | 'DatacenterCore' | 'Datacenter';

export const ALL_SERVER_EDITION_KEYS: readonly ServerEditionKey[] = [
  'StandardCore',
  'Standard',
  'DatacenterCore',
  'Datacenter',
];

export function serverEditions(
  year: '2022' | '2025',
  keys: readonly ServerEditionKey[],
  build: BuildNumber,
  languages: string[] = ['en-US'],
): DemoEdition[] {
  const coreSize = year === '2022' ? 8_871_212_032 : 10_394_607_616;
  const desktopSize = year === '2022' ? 15_271_510_016 : 17_582_325_760;
  return keys.map((key, position) => {
    const datacenter = key.startsWith('Datacenter');
    const core = key.endsWith('Core');
    const edition = datacenter ? 'Datacenter' : 'Standard';
    const name = `Windows Server ${year} ${edition}${core ? '' : ' (Desktop Experience)'}`;
    return {
      index: position + 1,
      name,
      description: core
        ? `This option (recommended) reduces management and servicing by installing only what is needed to run most server roles and applications.`
        : `This option installs the full graphical environment, consuming extra drive space.`,
      editionId: datacenter ? 'ServerDatacenter' : 'ServerStandard',
      installationType: core ? 'Server Core' : 'Server',
      architecture: 'x64',
      languages: [...languages],
      sizeBytes: (core ? coreSize : desktopSize) + build.revision * 4096 + (datacenter ? 24_576 : 0),
    };
  });
}

export function windowsBuild(buildNumber: number, revision: number): BuildNumber {
  return { major: 10, minor: 0, build: buildNumber, revision };
}
