/** Realistic MediaPackage values for tests: what a ConfigMgr site with Windows 10/11 media holds. */
import { imageInUse } from '../../src/services/media/drift';
import type { Finding, FindingKind, MediaInspection } from '../../src/services/media/media-inspection';
import type { BuildNumber, Edition, MediaPackage } from '../../src/services/media/media-package';
import type { WimImage, WimInfo } from '../../src/services/media/wim-image';
import type { Freshness, FreshnessVerdict, ReleaseUpdate } from '../../src/services/releases/freshness';

const GB = 1024 ** 3;

/** A name that must come out of templating verbatim: template syntax, quotes, `$`, braces, unicode. */
export const TRICKY_NAME = 'Lab ${name} {{x}} "q" ü $ { } ${1+1} 日本語 🚀';

export function makeEdition(overrides: Partial<Edition> = {}): Edition {
  return {
    index: 1,
    name: 'Windows 11 Education',
    description: 'Windows 11 Education',
    editionId: 'Education',
    architecture: 'x64',
    languages: ['en-US'],
    sizeBytes: Math.round(17.2 * GB),
    osVersion: { major: 10, minor: 0, build: 26100, revision: 4349 },
    ...overrides,
  };
}

/** The three indexes a business-editions ISO usually keeps after servicing. */
export function businessEditions(): Edition[] {
  return [
    makeEdition({ index: 1, name: 'Windows 11 Education', editionId: 'Education', sizeBytes: Math.round(17.2 * GB) }),
    makeEdition({ index: 2, name: 'Windows 11 Enterprise', editionId: 'Enterprise', sizeBytes: Math.round(17.4 * GB) }),
    makeEdition({ index: 3, name: 'Windows 11 Pro', editionId: 'Professional', sizeBytes: Math.round(17.3 * GB) }),
  ];
}

/** A package as the inventory builds it: with an inspected share, the image in use is picked the same way. */
export function makePackage(overrides: Partial<MediaPackage> = {}): MediaPackage {
  const pkg: MediaPackage = {
    id: 'PS100012',
    kind: 'upgrade',
    name: 'Windows 11 24H2 Enterprise x64',
    description: 'Serviced with the June cumulative update',
    version: '10.0.26100.4349',
    language: 'en-US',
    manufacturer: 'Microsoft',
    build: { major: 10, minor: 0, build: 26100, revision: 4349 },
    buildSource: 'ImageOSVersion',
    release: 'Windows 11 24H2',
    editions: businessEditions(),
    editionsState: { state: 'known' },
    sourcePath: '\\\\cm01.contoso.com\\Sources$\\OSD\\Upgrade\\W11-24H2-x64',
    sourceVersion: 7,
    sourceDate: new Date('2025-06-12T08:15:30.250Z'),
    lastRefreshTime: new Date('2025-06-12T09:01:02Z'),
    packageSizeKb: 6_012_345,
    actionInProgress: 0,
    sourceSite: 'PS1',
    inspection: { state: 'not-inspected', reason: 'MEDIA_PATH_MAP does not map \\\\cm01.contoso.com\\Sources$.' },
    findings: [],
    ...overrides,
  };
  if (!('wimIndexInUse' in overrides)) {
    const inUse = imageInUse(pkg, pkg.inspection);
    if (inUse) pkg.wimIndexInUse = inUse.index;
  }
  return pkg;
}

const releases = [
  { release: 'Windows 11 24H2', build: 26100, revision: 4349 },
  { release: 'Windows 11 23H2', build: 22631, revision: 5472 },
  { release: 'Windows 10 22H2', build: 19045, revision: 5965 },
  { release: 'Windows Server 2025', build: 26100, revision: 4349 },
];

/** `count` varied packages: both kinds, several releases, some without build or editions. */
export function makePackages(count: number): MediaPackage[] {
  return Array.from({ length: count }, (_, i) => {
    const r = releases[i % releases.length];
    const kind = i % 3 === 2 ? 'image' : 'upgrade';
    const id = `PS1${String(i + 1).padStart(5, '0')}`;
    const unknownBuild = i % 11 === 5;
    return makePackage({
      id,
      kind,
      name: `${r.release} ${kind === 'image' ? 'Install image' : 'Upgrade'} ${i + 1}`,
      version: unknownBuild ? 'June refresh' : `10.0.${r.build}.${r.revision}`,
      build: unknownBuild ? undefined : { major: 10, minor: 0, build: r.build, revision: r.revision },
      buildSource: unknownBuild ? undefined : 'ImageOSVersion',
      release: unknownBuild ? undefined : r.release,
      editionsState: i % 7 === 3 ? { state: 'not-fetched' } : { state: 'known' },
      editions: i % 7 === 3 ? [] : businessEditions(),
      sourcePath: `\\\\cm01.contoso.com\\Sources$\\OSD\\${kind}\\${id}${kind === 'image' ? '\\install.wim' : ''}`,
    });
  });
}

// --- What the share holds (issue 3) ----------------------------------------------------------------

export function makeBuild(build: number, revision: number): BuildNumber {
  return { major: 10, minor: 0, build, revision };
}

/** One WIM image as the reader returns it: Windows 11 24H2 Enterprise, serviced to 26100.4349. */
export function makeWimImage(overrides: Partial<WimImage> = {}): WimImage {
  return {
    index: 1,
    name: 'Windows 11 Enterprise',
    description: 'Windows 11 Enterprise',
    displayName: 'Windows 11 Enterprise',
    flags: 'Enterprise',
    editionId: 'Enterprise',
    installationType: 'Client',
    productType: 'WinNT',
    architecture: 'x64',
    languages: ['en-US'],
    defaultLanguage: 'en-US',
    version: makeBuild(26100, 4349),
    spLevel: 0,
    pkeyConfigVersion: '10.0.26100.4349;2016-01-01T00:00:00Z',
    pkeyConfigBuild: makeBuild(26100, 4349),
    totalBytes: Math.round(17.4 * GB),
    fileCount: 101_234,
    directoryCount: 23_456,
    createdAt: new Date('2025-06-11T07:00:00Z'),
    modifiedAt: new Date('2025-06-11T08:00:00Z'),
    ...overrides,
  };
}

/** The WIM images matching businessEditions(): Education, Enterprise, Pro. */
export function businessWimImages(): WimImage[] {
  return businessEditions().map((edition) =>
    makeWimImage({ index: edition.index, name: edition.name, displayName: edition.name, editionId: edition.editionId, flags: edition.editionId, totalBytes: edition.sizeBytes }),
  );
}

export function makeWimInfo(overrides: Partial<WimInfo> = {}): WimInfo {
  const images = overrides.images ?? businessWimImages();
  return {
    path: '/mnt/osd/Upgrade/W11-24H2-x64/sources/install.wim',
    format: 'wim',
    version: 0x10d00,
    compression: 'lzx',
    solid: false,
    partNumber: 1,
    totalParts: 1,
    imageCount: images.length,
    bootIndex: 0,
    guid: '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
    bytesRead: 208 + 9_876,
    fileSizeBytes: Math.round(5.1 * GB),
    ...overrides,
    images,
  };
}

/** A fully inspected upgrade package folder whose files agree with makePackage(). */
export function makeInspection(
  overrides: Partial<Extract<MediaInspection, { state: 'inspected' }>> = {},
): Extract<MediaInspection, { state: 'inspected' }> {
  return {
    state: 'inspected',
    inspectedAt: new Date('2026-11-25T06:30:00Z'),
    localPath: '/mnt/osd/Upgrade/W11-24H2-x64',
    installImage: {
      relativePath: 'sources/install.wim',
      info: makeWimInfo(),
      sizeBytes: Math.round(5.1 * GB),
      modifiedAt: new Date('2025-06-11T08:00:00Z'),
    },
    buildFile: { name: 'build.txt', present: true, text: '26100.4349', build: makeBuild(26100, 4349) },
    autorunInfPresent: false,
    setupExePresent: true,
    folderSizeBytes: Math.round(5.9 * GB),
    ...overrides,
  };
}

/** A realistic finding of each kind, as the drift check words it. */
export const findingExamples: Record<FindingKind, Finding> = {
  'version-mismatch': { kind: 'version-mismatch', severity: 'error', message: 'ConfigMgr says 26100.6584, install.wim says 26100.4349: reload image properties.' },
  'build-file-mismatch': { kind: 'build-file-mismatch', severity: 'warning', message: 'build.txt says 26100.6584, install.wim says 26100.4349: update build.txt after servicing.' },
  'editions-mismatch': { kind: 'editions-mismatch', severity: 'warning', message: 'ConfigMgr lists 3 editions, install.wim holds 11: reload image properties.' },
  'extra-editions': { kind: 'extra-editions', severity: 'info', message: 'Indexes 2–11 are not deployed: removing them saves space on every distribution point.', bytes: Math.round(34.7 * GB) },
  'edition-moved': { kind: 'edition-moved', severity: 'warning', message: '"Windows 11 Enterprise" is index 1 in ConfigMgr and index 2 in install.wim: reload image properties and set index 2 in the task sequence.' },
  'missing-editions-in-use': { kind: 'missing-editions-in-use', severity: 'warning', message: 'install.wim holds none of the editions this site deploys (EDITIONS_IN_USE: Enterprise): replace the media.' },
  'edition-sizes': { kind: 'edition-sizes', severity: 'info', message: 'install.wim holds 11 indexes of 17.2–18.9 GB expanded each; which of them this site deploys is not configured (EDITIONS_IN_USE), so none is called extra.' },
  'autorun-inf': { kind: 'autorun-inf', severity: 'warning', message: 'autorun.inf is still in the folder: delete it, antivirus software often blocks the copy.' },
  'missing-build-file': { kind: 'missing-build-file', severity: 'info', message: 'build.txt is missing: write the build after servicing, so that the bot can check it.' },
  'unreadable-build-file': { kind: 'unreadable-build-file', severity: 'warning', message: 'build.txt says "June_refresh *final*": write the build number, e.g. 26100.4349.' },
  'missing-install-image': { kind: 'missing-install-image', severity: 'error', message: 'No install.wim, install.esd or install.swm under sources: copy the media again.' },
  'unreadable-install-image': { kind: 'unreadable-install-image', severity: 'error', message: 'sources/install.wim is truncated (2 MB of an expected 5 GB): copy it again.' },
  'refused-path': { kind: 'refused-path', severity: 'error', message: 'The source path leads outside the mapped share (..\\..\\Windows): fix the package source.' },
};

export function makeFinding(kind: FindingKind, overrides: Partial<Finding> = {}): Finding {
  return { ...findingExamples[kind], ...overrides };
}

export const RELEASE_DATA_AS_OF = new Date('2026-04-19T00:00:00Z');
export const LATEST_24H2: ReleaseUpdate = { revision: 8246, kb: 'KB5083769', date: new Date('2026-04-14T00:00:00Z') };

/** One verdict of each kind, for Windows 11 24H2 media (23H2 for out of support). */
export const verdictExamples = {
  current: { state: 'current', release: 'Windows 11 24H2', releaseBuild: 26100, latest: LATEST_24H2 },
  behind: { state: 'behind', release: 'Windows 11 24H2', releaseBuild: 26100, latest: LATEST_24H2, revisionsBehind: 3, monthsBehind: 4 },
  'out-of-support': {
    state: 'out-of-support',
    release: 'Windows 11 23H2',
    releaseBuild: 22631,
    endedOn: new Date('2026-11-10T00:00:00Z'),
    latest: { revision: 6936, kb: 'KB5082052', date: new Date('2026-04-14T00:00:00Z') },
    updatesAfterEnd: 0,
  },
  unknown: { state: 'unknown', reason: 'the release data has no line for Windows 11 26H1.' },
} satisfies Record<FreshnessVerdict['state'], FreshnessVerdict>;

export function makeFreshness(verdict: FreshnessVerdict = verdictExamples.current, overrides: Partial<Freshness> = {}): Freshness {
  return { verdict, asOf: RELEASE_DATA_AS_OF, ...overrides };
}

/** A warning as the release catalog words it when its data is older than 45 days. */
export const DATA_WARNING = 'The release data is from 2026-04-19, 220 days old: point RELEASES_FEED_URL at a current feed.';
