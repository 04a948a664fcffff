import type { ProductLine } from './freshness';
import { isServerOnlyRevision } from './server-revisions';

/**
 * The one place that maps how Microsoft's update catalog names a Windows line ("Windows 11 Version 24H2",
 * "Microsoft server operating system version 21H2", "Windows Server 2019") to the release lines the bot
 * judges media against, spelled as ReleaseLine.release spells them. Several release lines can take the same
 * cumulative update: LTSC 2024 gets 24H2's, LTSC 2021 gets Windows 10 21H2's, LTSC 2019 gets 1809's. The
 * first release named is the line's own; the others take its updates only when the release data has them.
 */

export interface CatalogLine {
  /** How the catalog names it, normalised: "Windows 11 24H2", "Server 21H2", "Windows Server 2019". */
  titled: string;
  product: ProductLine;
  /** The build its cumulative updates carry (26100 in "(26100.8037)"). */
  build: number;
  /** Builds a title of this line may carry: 24H2 and 25H2 share revisions, so either build reads the same. */
  acceptedBuilds: readonly number[];
  /** Release lines fed by its updates, own line first. */
  releases: readonly string[];
}

export const CATALOG_LINES: readonly CatalogLine[] = [
  { titled: 'Windows 11 25H2', product: 'client', build: 26200, acceptedBuilds: [26200, 26100], releases: ['Windows 11 25H2'] },
  {
    titled: 'Windows 11 24H2',
    product: 'client',
    build: 26100,
    acceptedBuilds: [26100, 26200],
    releases: ['Windows 11 24H2', 'Windows 11 Enterprise LTSC 2024'],
  },
  { titled: 'Windows 11 23H2', product: 'client', build: 22631, acceptedBuilds: [22631, 22621], releases: ['Windows 11 23H2'] },
  { titled: 'Windows 11 22H2', product: 'client', build: 22621, acceptedBuilds: [22621], releases: ['Windows 11 22H2'] },
  { titled: 'Windows 10 22H2', product: 'client', build: 19045, acceptedBuilds: [19045, 19044, 19041], releases: ['Windows 10 22H2'] },
  // Windows 10 21H2 left general servicing in 2024: its cumulative updates now serve LTSC 2021.
  {
    titled: 'Windows 10 21H2',
    product: 'client',
    build: 19044,
    acceptedBuilds: [19044, 19045, 19041],
    releases: ['Windows 10 Enterprise LTSC 2021', 'Windows 10 21H2'],
  },
  {
    titled: 'Windows 10 1809',
    product: 'client',
    build: 17763,
    acceptedBuilds: [17763],
    releases: ['Windows 10 Enterprise LTSC 2019', 'Windows 10 1809'],
  },
  { titled: 'Windows Server 2019', product: 'server', build: 17763, acceptedBuilds: [17763], releases: ['Windows Server 2019'] },
  // The catalog calls Server 2022 and 2025 "Microsoft server operating system version 21H2 / 24H2".
  { titled: 'Windows Server 2022', product: 'server', build: 20348, acceptedBuilds: [20348], releases: ['Windows Server 2022'] },
  { titled: 'Windows Server 23H2', product: 'server', build: 25398, acceptedBuilds: [25398], releases: ['Windows Server 23H2'] },
  { titled: 'Windows Server 2025', product: 'server', build: 26100, acceptedBuilds: [26100], releases: ['Windows Server 2025'] },
];

/** "Microsoft server operating system version 21H2" is Server 2022, and so on. */
const SERVER_VERSION_TO_LINE: Readonly<Record<string, string>> = {
  '21H2': 'Windows Server 2022',
  '23H2': 'Windows Server 23H2',
  '24H2': 'Windows Server 2025',
};

export function catalogLineNamed(titled: string): CatalogLine | undefined {
  return CATALOG_LINES.find((line) => line.titled === titled);
}

export function serverLineOfVersion(version: string): CatalogLine | undefined {
  const titled = SERVER_VERSION_TO_LINE[version.toUpperCase()];
  return titled === undefined ? undefined : catalogLineNamed(titled);
}

/**
 * The line a bare build means, for titles that name no line ("2026-03 Security Update (KB5079473) (26200.8037)").
 * 26100 is shared by client 24H2 and Server 2025: Server's own revisions start at 32000, and a server
 * category settles the rest; 17763 is LTSC 2019 unless a server category says Server 2019.
 */
export function catalogLineOfBuild(build: number, revision: number, server: boolean | undefined): CatalogLine | undefined {
  if (isServerOnlyRevision(build, revision)) return catalogLineNamed('Windows Server 2025');
  const isServer = server ?? false;
  const candidates = CATALOG_LINES.filter((line) => line.build === build);
  if (candidates.length <= 1) return candidates[0];
  return candidates.find((line) => (line.product === 'server') === isServer);
}
