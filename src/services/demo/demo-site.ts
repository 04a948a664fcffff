import type { PackageClass } from '../configmgr/admin-service';
import {
  ALL_SERVER_EDITION_KEYS,
  MULTI_EDITION_KEYS,
  PACKAGE_TYPE,
  applyMediaToRecord,
  clientEditions,
  serverEditions,
  windowsBuild,
  type DemoMedia,
  type DemoPackage,
  type DemoSite,
} from './demo-media';
import { installedEverywhere, type DemoDistributionPoint } from './demo-distribution';

export type { DemoSite, DemoPackage, DemoPackageRecord, DemoMedia, DemoEdition } from './demo-media';

/**
 * The built-in demo site (site code PS1, provider cm01.contoso.com): the OS upgrade packages and OS images
 * a ConfigMgr team typically keeps, some current as of the bundled release data (2026-04-14), some months
 * behind, plus two awkward records on purpose: a name with quotes, an en dash and an apostrophe, and a
 * lab image whose ImageProperty is not XML.
 */

export const DEMO_SITE_CODE = 'PS1';
export const DEMO_PROVIDER_HOST = 'cm01.contoso.com';
export const DEMO_SHARE = '\\\\cm01.contoso.com\\OSD$';
/**
 * EDITIONS_IN_USE of the demo site, used when the variable is not set: its client media deploy Enterprise
 * (most packages keep only that index), its OS images also the school district's Education; its servers
 * make no claim, so the demo shows both ways.
 */
export const DEMO_EDITIONS_IN_USE = 'Enterprise; image=Enterprise, Education; Windows Server=*';

export interface DemoPackageSpec {
  packageClass: PackageClass;
  id: string;
  name: string;
  description: string;
  /** As the admin typed it: a build, a date, or free text. */
  version: string;
  /** Folder for upgrade packages, file for images, relative to the OSD$ share. */
  source: string;
  media?: DemoMedia;
  sourceVersion: number;
  sourceDate: string;
  lastRefreshTime: string;
  packageSizeKb: number;
  language?: string;
  manufacturer?: string;
  actionInProgress?: number;
  /** For broken records: ImageProperty text as stored, instead of XML generated from the media. */
  rawImageProperty?: string;
  rawImageOSVersion?: string | null;
  /** The revision the media has after servicing: ReloadImageProperties then shows it (see DemoPackage.servicedMedia). */
  servicedRevision?: number;
  /** How many of the site's DPs hold the package (the first ones), default all. */
  distributionPointCount?: number;
}

/** The demo site's distribution points: two in the datacentre, two in branch offices (one a pull DP in reality). */
export const DEMO_DISTRIBUTION_POINTS: readonly DemoDistributionPoint[] = [
  { host: 'DP01.contoso.com', siteCode: DEMO_SITE_CODE },
  { host: 'DP02.contoso.com', siteCode: DEMO_SITE_CODE },
  { host: 'DP-BER01.contoso.com', siteCode: DEMO_SITE_CODE },
  { host: 'DP-NYC01.contoso.com', siteCode: DEMO_SITE_CODE },
];

export function demoPackage(spec: DemoPackageSpec, siteCode = DEMO_SITE_CODE, share = DEMO_SHARE): DemoPackage {
  const pkg: DemoPackage = {
    packageClass: spec.packageClass,
    record: {
      PackageID: spec.id,
      Name: spec.name,
      Description: spec.description,
      Version: spec.version,
      Language: spec.language ?? 'en-US',
      Manufacturer: spec.manufacturer ?? 'Microsoft',
      PkgSourcePath: `${share}\\${spec.source}`,
      ImageOSVersion: null,
      ImageProperty: null,
      SourceVersion: spec.sourceVersion,
      SourceDate: spec.sourceDate,
      LastRefreshTime: spec.lastRefreshTime,
      PackageSize: spec.packageSizeKb,
      ActionInProgress: spec.actionInProgress ?? 0,
      SourceSite: siteCode,
      PackageType: PACKAGE_TYPE[spec.packageClass],
    },
  };
  if (spec.media) {
    pkg.media = spec.media;
    applyMediaToRecord(pkg.record, spec.media);
  }
  if (spec.rawImageProperty !== undefined) pkg.record.ImageProperty = spec.rawImageProperty;
  if (spec.rawImageOSVersion !== undefined) pkg.record.ImageOSVersion = spec.rawImageOSVersion;
  if (spec.media && spec.servicedRevision !== undefined) {
    const build = { ...spec.media.build, revision: spec.servicedRevision };
    pkg.servicedMedia = { build, editions: spec.media.editions.map((edition) => ({ ...edition })) };
  }
  return pkg;
}

const UPGRADE: PackageClass = 'SMS_OperatingSystemInstallPackage';
const IMAGE: PackageClass = 'SMS_ImagePackage';

function win10(revision: number, keys = ['Enterprise'] as const): DemoMedia {
  const b = windowsBuild(19041, revision); // 22H2 media keeps the 2004 baseline build in its WIM
  return { build: b, editions: clientEditions('Windows 10', keys, b) };
}

function win11(
  buildNumber: 22621 | 26100 | 26200,
  revision: number,
  keys: Parameters<typeof clientEditions>[1] = ['Enterprise'],
  architecture: 'x64' | 'ARM64' = 'x64',
): DemoMedia {
  const b = windowsBuild(buildNumber, revision);
  return { build: b, editions: clientEditions('Windows 11', keys, b, architecture) };
}

function server(year: '2022' | '2025', revision: number, keys = ALL_SERVER_EDITION_KEYS): DemoMedia {
  const b = windowsBuild(year === '2022' ? 20348 : 26100, revision);
  return { build: b, editions: serverEditions(year, keys, b) };
}

/** The specs of the demo site, in the order ConfigMgr would list them (by PackageID). */
export function demoPackageSpecs(): DemoPackageSpec[] {
  return [
    {
      packageClass: UPGRADE,
      id: 'PS100004',
      name: 'Windows 10 Enterprise 22H2 x64',
      description: 'In-place upgrade media for the remaining Windows 10 devices (ESU).',
      version: '19045.6575',
      source: 'Upgrade\\Win10-22H2-x64',
      media: win10(6575),
      sourceVersion: 9,
      sourceDate: '2025-11-12T09:14:27Z',
      lastRefreshTime: '2025-11-12T09:41:05Z',
      packageSizeKb: 4_712_448,
    },
    {
      packageClass: IMAGE,
      id: 'PS100005',
      name: 'Windows 10 Enterprise 22H2 x64 - 2025-10',
      description: 'Reference image for the kiosk and lab task sequences.',
      version: '2025-10',
      source: 'Images\\Win10-22H2-x64\\2025-10\\install.wim',
      media: win10(6456),
      sourceVersion: 4,
      sourceDate: '2025-10-16T13:02:11Z',
      lastRefreshTime: '2025-10-16T13:30:44Z',
      packageSizeKb: 4_398_112,
    },
    {
      packageClass: UPGRADE,
      id: 'PS10000C',
      name: 'Windows 11 Enterprise 23H2 x64',
      description: 'Upgrade media for the 23H2 ring (Enterprise servicing ends 2026-11-10).',
      version: '22631.6936',
      source: 'Upgrade\\Win11-23H2-x64',
      media: win11(22621, 6936),
      sourceVersion: 14,
      sourceDate: '2026-04-15T08:05:51Z',
      lastRefreshTime: '2026-04-15T08:47:19Z',
      packageSizeKb: 5_031_904,
    },
    {
      packageClass: IMAGE,
      id: 'PS10000D',
      name: 'Windows 11 Enterprise 23H2 x64 - 2025-12',
      description: 'Bare-metal image for 23H2 hardware that cannot take 24H2 yet.',
      version: '22631.6345',
      source: 'Images\\Win11-23H2-x64\\2025-12\\install.wim',
      media: win11(22621, 6345),
      sourceVersion: 6,
      sourceDate: '2025-12-11T10:20:00Z',
      lastRefreshTime: '2025-12-11T10:58:31Z',
      packageSizeKb: 4_987_530,
    },
    {
      packageClass: UPGRADE,
      id: 'PS100012',
      name: 'Windows 11 24H2 Enterprise x64',
      description: 'Feature update to 24H2 for the broad ring. Only the Enterprise index is kept.',
      version: '26100.4349',
      source: 'Upgrade\\Win11-24H2-x64',
      media: win11(26100, 4349),
      // The share already holds media serviced to 26100.8246 that ConfigMgr was never told of (demo-media): a refresh
      // job reloads the image properties, after which ConfigMgr records what the share holds.
      servicedRevision: 8246,
      sourceVersion: 7,
      sourceDate: '2025-06-12T07:55:40Z',
      lastRefreshTime: '2025-06-12T08:31:12Z',
      packageSizeKb: 5_694_771,
    },
    {
      packageClass: IMAGE,
      id: 'PS100013',
      name: 'Windows 11 24H2 Enterprise x64 - 2026-04',
      description: 'Serviced with the April 2026 LCU by the OSD pipeline.',
      version: '26100.8246',
      source: 'Images\\Win11-24H2-x64\\2026-04\\install.wim',
      media: win11(26100, 8246),
      sourceVersion: 3,
      sourceDate: '2026-04-16T06:12:09Z',
      lastRefreshTime: '2026-04-16T06:49:53Z',
      packageSizeKb: 5_412_306,
    },
    {
      packageClass: IMAGE,
      id: 'PS100023',
      name: 'Windows 11 24H2 Enterprise x64 - 2026-09',
      description: "Serviced with September 2026's out-of-band update by the OSD pipeline: the current one.",
      version: '26100.9457',
      source: 'Images\\Win11-24H2-x64\\2026-09\\install.wim',
      media: win11(26100, 9457),
      sourceVersion: 4,
      sourceDate: '2026-09-15T06:10:41Z',
      lastRefreshTime: '2026-09-15T06:48:12Z',
      packageSizeKb: 5_498_771,
    },
    {
      packageClass: UPGRADE,
      id: 'PS100015',
      name: 'Windows 11 24H2 Business Editions x64',
      description: 'Unmodified business editions ISO, all 11 indexes (used for edition changes).',
      version: '26100.8246',
      source: 'Upgrade\\Win11-24H2-x64-AllEditions',
      media: win11(26100, 8246, MULTI_EDITION_KEYS),
      sourceVersion: 2,
      sourceDate: '2026-04-15T14:31:27Z',
      lastRefreshTime: '2026-04-15T15:20:02Z',
      packageSizeKb: 6_481_225,
    },
    {
      packageClass: IMAGE,
      id: 'PS100016',
      name: 'Windows 11 24H2 Education x64',
      description: 'Image for the school district tenants.',
      version: '2026-02',
      source: 'Images\\Win11-24H2-Edu-x64\\install.wim',
      media: win11(26100, 7840, ['Education', 'EducationN']),
      sourceVersion: 5,
      sourceDate: '2026-02-12T11:40:03Z',
      lastRefreshTime: '2026-02-12T12:15:37Z',
      packageSizeKb: 6_002_118,
    },
    {
      packageClass: UPGRADE,
      id: 'PS100017',
      name: 'Windows 11 24H2 Enterprise ARM64',
      description: 'Upgrade media for the Snapdragon pilot devices.',
      version: '26100.7623',
      source: 'Upgrade\\Win11-24H2-ARM64',
      media: win11(26100, 7623, ['Enterprise'], 'ARM64'),
      sourceVersion: 3,
      sourceDate: '2026-01-15T09:03:48Z',
      lastRefreshTime: '2026-01-15T09:37:26Z',
      packageSizeKb: 5_289_013,
    },
    {
      packageClass: UPGRADE,
      id: 'PS100018',
      name: 'Windows 11 25H2 Enterprise x64',
      description: 'Feature update to 25H2 for the pilot ring.',
      version: '26200.8246',
      source: 'Upgrade\\Win11-25H2-x64',
      media: win11(26200, 8246, ['Enterprise', 'EnterpriseN']),
      sourceVersion: 4,
      sourceDate: '2026-04-15T16:02:44Z',
      lastRefreshTime: '2026-04-15T16:44:10Z',
      packageSizeKb: 5_922_407,
    },
    {
      packageClass: IMAGE,
      id: 'PS100019',
      name: 'Windows 11 25H2 Enterprise x64 - 2026-03',
      description: 'Bare-metal image for new hardware.',
      version: '26200.8037',
      source: 'Images\\Win11-25H2-x64\\2026-03\\install.wim',
      media: win11(26200, 8037),
      sourceVersion: 2,
      sourceDate: '2026-03-12T07:48:15Z',
      lastRefreshTime: '2026-03-12T08:29:51Z',
      packageSizeKb: 5_508_630,
    },
    {
      packageClass: UPGRADE,
      id: 'PS10001A',
      name: 'Windows 11 24H2 Pro – O\'Brien\'s "lab" media',
      description: 'Pro-only media from the Dublin lab; do not deploy to production.',
      version: '26100.7462',
      source: 'Upgrade\\Lab\\OBrien-Win11-24H2-Pro',
      media: win11(26100, 7462, ['Pro']),
      distributionPointCount: 3,
      sourceVersion: 1,
      sourceDate: '2025-12-10T17:22:38Z',
      lastRefreshTime: '2025-12-10T17:59:02Z',
      packageSizeKb: 5_661_310,
    },
    {
      packageClass: IMAGE,
      id: 'PS10001C',
      name: 'Lab - Windows 11 capture (broken)',
      description: 'Capture from the lab reference VM; the WIM was still being written when ConfigMgr read it.',
      version: '26100.1742',
      source: 'Images\\Lab\\Capture-2026-03-30\\install.wim',
      // ConfigMgr stored the error text instead of XML, and no OS version: a record the bot must survive.
      rawImageProperty: 'Error: 0x80070020 The process cannot access the file because it is being used by another process.',
      rawImageOSVersion: null,
      distributionPointCount: 3,
      sourceVersion: 1,
      sourceDate: '2026-03-30T15:05:12Z',
      lastRefreshTime: '2026-03-30T15:06:40Z',
      packageSizeKb: 3_871_204,
    },
    {
      packageClass: UPGRADE,
      id: 'PS10001F',
      name: 'Windows Server 2022 Standard and Datacenter',
      description: 'In-place upgrade media for 2019 servers; Core and Desktop Experience.',
      version: '20348.4893',
      source: 'Upgrade\\WS2022',
      media: server('2022', 4893),
      sourceVersion: 8,
      sourceDate: '2026-02-11T10:12:33Z',
      lastRefreshTime: '2026-02-11T10:51:09Z',
      packageSizeKb: 5_180_664,
    },
    {
      packageClass: IMAGE,
      id: 'PS100020',
      name: 'Windows Server 2022 Datacenter and Standard - 2026-04',
      description: 'Server build image, all four indexes.',
      version: '20348.5020',
      source: 'Images\\WS2022\\2026-04\\install.wim',
      media: server('2022', 5020),
      sourceVersion: 11,
      sourceDate: '2026-04-15T12:44:57Z',
      lastRefreshTime: '2026-04-15T13:31:26Z',
      packageSizeKb: 5_377_089,
    },
    {
      packageClass: UPGRADE,
      id: 'PS100021',
      name: 'Windows Server 2025 Datacenter',
      description: 'In-place upgrade media for 2022 Datacenter hosts.',
      version: '26100.32522',
      source: 'Upgrade\\WS2025-Datacenter',
      media: server('2025', 32522, ['DatacenterCore', 'Datacenter']),
      sourceVersion: 3,
      sourceDate: '2026-03-11T09:30:18Z',
      lastRefreshTime: '2026-03-11T10:02:47Z',
      packageSizeKb: 6_210_375,
    },
    {
      packageClass: IMAGE,
      id: 'PS100022',
      name: 'Windows Server 2025 Standard Core',
      description: 'Server Core image for infrastructure roles.',
      version: '2026-01',
      source: 'Images\\WS2025\\StandardCore\\install.wim',
      media: server('2025', 32230, ['StandardCore']),
      sourceVersion: 2,
      sourceDate: '2026-01-14T08:18:21Z',
      lastRefreshTime: '2026-01-14T08:52:35Z',
      packageSizeKb: 3_409_882,
    },
  ];
}

/** A fresh copy of the demo site; each call returns new objects, so tests can change theirs freely. */
export function createDemoSite(): DemoSite {
  return {
    siteCode: DEMO_SITE_CODE,
    providerHost: DEMO_PROVIDER_HOST,
    distributionPoints: DEMO_DISTRIBUTION_POINTS.map((point) => ({ ...point })),
    packages: demoPackageSpecs().map((spec) => {
      const pkg = demoPackage(spec);
      const points = DEMO_DISTRIBUTION_POINTS.slice(0, spec.distributionPointCount ?? DEMO_DISTRIBUTION_POINTS.length);
      pkg.distribution = installedEverywhere(points, spec.sourceVersion, spec.lastRefreshTime);
      return pkg;
    }),
  };
}

/** One SMS_SoftwareUpdate row as the AdminService answers it (the properties the bot reads, and CI_ID). */
export interface DemoSoftwareUpdate {
  CI_ID: number;
  ArticleID: string;
  LocalizedDisplayName: string;
  /** ISO date-time, UTC. */
  DatePosted: string;
  IsSuperseded: boolean;
  IsExpired: boolean;
  LocalizedCategoryInstanceNames: string[];
}

/**
 * The demo site's software-update catalog: a few cumulative updates of several lines in the title forms the
 * public catalog uses (the 2026 form with the build, the older form without), superseded ones, an expired one,
 * and the rows a real catalog holds beside them that must be ignored (a preview, a .NET update, a Defender
 * update, a Setup Dynamic Update). It lists September 2026's updates, the newest the bundled snapshot knows, so
 * `npm start` shows verdicts decided by the site catalog (and an April snapshot in tests sees them as newer). KBs, dates and builds are Microsoft's.
 */
export function createDemoUpdateCatalog(): DemoSoftwareUpdate[] {
  const windows11 = ['Windows 11', 'Security Updates'];
  const rows: Array<Omit<DemoSoftwareUpdate, 'CI_ID' | 'IsExpired'> & { IsExpired?: boolean }> = [
    {
      ArticleID: '5079473',
      LocalizedDisplayName: '2026-03 Cumulative Update for Windows 11, version 24H2 for x64-based Systems (KB5079473) (26100.8037)',
      DatePosted: '2026-03-10T17:00:00Z',
      IsSuperseded: true,
      LocalizedCategoryInstanceNames: windows11,
    },
    {
      ArticleID: '5083769',
      LocalizedDisplayName: '2026-04 Cumulative Update for Windows 11, version 24H2 for x64-based Systems (KB5083769)',
      DatePosted: '2026-04-14T17:00:00Z',
      IsSuperseded: true,
      LocalizedCategoryInstanceNames: windows11,
    },
    {
      ArticleID: '5124008',
      LocalizedDisplayName: '2026-09 Cumulative Update for Windows 11, version 24H2 for x64-based Systems (KB5124008) (26100.9445)',
      DatePosted: '2026-09-08T17:00:00Z',
      IsSuperseded: true,
      LocalizedCategoryInstanceNames: windows11,
    },
    {
      ArticleID: '5129195',
      LocalizedDisplayName: '2026-09 Cumulative Update for Windows 11, version 24H2 for x64-based Systems (KB5129195) (26100.9457)',
      DatePosted: '2026-09-14T17:00:00Z',
      IsSuperseded: false,
      LocalizedCategoryInstanceNames: windows11,
    },
    {
      ArticleID: '5129195',
      LocalizedDisplayName: '2026-09 Cumulative Update for Windows 11, version 25H2 for arm64-based Systems (KB5129195) (26200.9457)',
      DatePosted: '2026-09-14T17:00:00Z',
      IsSuperseded: false,
      LocalizedCategoryInstanceNames: windows11,
    },
    {
      ArticleID: '5124010',
      LocalizedDisplayName: '2026-09 Cumulative Update Preview for Windows 11, version 24H2 for x64-based Systems (KB5124010)',
      DatePosted: '2026-09-22T17:00:00Z',
      IsSuperseded: false,
      LocalizedCategoryInstanceNames: ['Windows 11', 'Updates'],
    },
    {
      ArticleID: '5082052',
      LocalizedDisplayName: '2026-04 Cumulative Update for Windows 11 Version 23H2 for x64-based Systems (KB5082052)',
      DatePosted: '2026-04-14T17:00:00Z',
      IsSuperseded: false,
      LocalizedCategoryInstanceNames: windows11,
    },
    {
      ArticleID: '5122878',
      LocalizedDisplayName: '2026-09 Cumulative Update for Windows 10 Version 22H2 for x64-based Systems (KB5122878)',
      DatePosted: '2026-09-08T17:00:00Z',
      IsSuperseded: false,
      LocalizedCategoryInstanceNames: ['Windows 10, version 1903 and later', 'Security Updates'],
    },
    {
      ArticleID: '5082142',
      LocalizedDisplayName: '2026-04 Cumulative Update for Microsoft server operating system version 21H2 for x64-based Systems (KB5082142)',
      DatePosted: '2026-04-14T17:00:00Z',
      IsSuperseded: false,
      LocalizedCategoryInstanceNames: ['Microsoft Server operating system-21H2', 'Security Updates'],
    },
    {
      ArticleID: '5051987',
      LocalizedDisplayName: '2025-02 Cumulative Update for Windows 11 Version 24H2 for x64-based Systems (KB5051987)',
      DatePosted: '2025-02-11T18:00:00Z',
      IsSuperseded: true,
      IsExpired: true,
      LocalizedCategoryInstanceNames: windows11,
    },
    {
      ArticleID: '5049622',
      LocalizedDisplayName: '2025-01 Cumulative Update for .NET Framework 3.5 and 4.8.1 for Windows 11, version 24H2 for x64 (KB5049622)',
      DatePosted: '2025-01-14T18:00:00Z',
      IsSuperseded: false,
      LocalizedCategoryInstanceNames: windows11,
    },
    {
      ArticleID: '2267602',
      LocalizedDisplayName: 'Security Intelligence Update for Microsoft Defender Antivirus - KB2267602',
      DatePosted: '2026-09-30T06:00:00Z',
      IsSuperseded: false,
      LocalizedCategoryInstanceNames: ['Microsoft Defender Antivirus', 'Definition Updates'],
    },
    {
      ArticleID: '5053424',
      LocalizedDisplayName: '2025-02 Setup Dynamic Update for Windows 11 Version 24H2 for x64-based Systems (KB5053424)',
      DatePosted: '2025-02-11T18:00:00Z',
      IsSuperseded: false,
      LocalizedCategoryInstanceNames: ['Windows 10 and later Dynamic Update', 'Critical Updates'],
    },
  ];
  return rows.map((row, index) => ({ CI_ID: 16_777_300 + index, IsExpired: false, ...row }));
}
