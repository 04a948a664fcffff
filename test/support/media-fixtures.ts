/** Realistic MediaPackage values for tests: what a ConfigMgr site with Windows 10/11 media holds. */
import type { Edition, MediaPackage } from '../../src/services/media/media-package';

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

export function makePackage(overrides: Partial<MediaPackage> = {}): MediaPackage {
  return {
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
