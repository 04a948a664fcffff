import { catalogLineNamed, catalogLineOfBuild, serverLineOfVersion, type CatalogLine } from './catalog-lines';
import { isServerOnlyRevision } from './server-revisions';

/**
 * Reads the title (LocalizedDisplayName) and product categories of one SMS_SoftwareUpdate row: is it a
 * cumulative update of a Windows line the bot judges media against, which line, and which build it brings.
 * Titles are Microsoft's and not a contract, and how they read on a live site is unconfirmed, so the reading
 * is tolerant about spelling ("Version 24H2", ", version 24H2", arm64 or x64, with or without the build) and
 * strict about meaning: anything that is not a whole cumulative update of a known line is ignored with a
 * reason, because one wrong "latest" would turn every verdict of that line wrong.
 *
 * Previews ("Cumulative Update Preview", the optional fourth-week release) do not count: they are optional,
 * admins do not service media with them, and counting them would call media serviced with the monthly
 * security update one revision behind for two weeks of every month. The next monthly update contains them.
 */

export interface TitleBuild {
  build: number;
  revision: number;
}

export type TitleReading =
  | {
      kind: 'cumulative';
      line: CatalogLine;
      /** "KB5079473" when the title names one. */
      kb?: string;
      /** The build the title carries: "(26100.8037)". Older titles carry none. */
      build?: TitleBuild;
      /** The title says so; otherwise the date decides (see site-update-catalog.ts). */
      outOfBand?: true;
    }
  | { kind: 'ignored'; why: string };

/** Real titles are under 150 characters; anything far longer is not a title we can trust. */
export const MAX_TITLE_LENGTH = 300;

/** Not a cumulative update of Windows itself, although the title may say "Cumulative Update" or "Windows 11". */
const NOT_WINDOWS_CUMULATIVE: ReadonlyArray<{ pattern: RegExp; why: string }> = [
  { pattern: /dynamic update/i, why: 'a Dynamic Update (Setup or Safe OS) refreshes setup files, not the image' },
  { pattern: /\bsetup\b/i, why: 'a Setup update refreshes setup files, not the image' },
  { pattern: /\.net\b|\bframework\b/i, why: 'a .NET Framework update, not Windows itself' },
  {
    pattern: /defender|security intelligence|antimalware|antivirus|malicious software|\bMSRT\b/i,
    why: 'a Defender or malware-tool update, not a cumulative update',
  },
  { pattern: /servicing stack/i, why: 'a servicing stack update alone, not a cumulative update' },
  { pattern: /hotpatch/i, why: 'a hotpatch applies on top of a baseline update and is not applied to media' },
  { pattern: /feature update|enablement package|\bupgrade to\b/i, why: 'a feature update or enablement package, not a cumulative update' },
  { pattern: /\bpreview\b/i, why: 'an optional preview: media is judged against the monthly and out-of-band updates' },
  {
    pattern: /\b(office|sql server|exchange|sharepoint|visual studio|edge|azure stack|azure local|hci|silverlight)\b/i,
    why: 'an update for another product',
  },
  { pattern: /\bembedded\b|\bIoT Core\b|\bmobile\b|\bholographic\b/i, why: 'a Windows edition the bot does not judge' },
];

export function readUpdateTitle(rawTitle: string, categories: readonly string[] = []): TitleReading {
  if (rawTitle.length > MAX_TITLE_LENGTH) return { kind: 'ignored', why: `the title is longer than ${MAX_TITLE_LENGTH} characters` };
  const title = normalise(rawTitle);
  if (title === '') return { kind: 'ignored', why: 'the title is empty' };
  for (const { pattern, why } of NOT_WINDOWS_CUMULATIVE) {
    if (pattern.test(title)) return { kind: 'ignored', why };
  }
  const build = buildIn(title);
  const cumulative = /\bcumulative update\b/i.test(title);
  // Windows Update's newer short titles: "2026-03 Security Update (KB5079473) (26200.8037)".
  const shortSecurityTitle = /\bsecurity update\b/i.test(title) && build !== undefined;
  if (!cumulative && !shortSecurityTitle) return { kind: 'ignored', why: 'not a cumulative update' };

  const server = categories.length === 0 ? undefined : categories.some((category) => /server/i.test(category));
  const named = lineNamedIn(title);
  if (named === 'unknown') return { kind: 'ignored', why: 'it names a Windows version the bot has no release line for' };
  const line = named ?? (build ? catalogLineOfBuild(build.build, build.revision, server) : lineOfCategories(categories));
  if (line === undefined) {
    return { kind: 'ignored', why: build ? `no Windows line the bot knows has build ${build.build}` : 'it names no Windows line and carries no build' };
  }
  if (build !== undefined && !line.acceptedBuilds.includes(build.build)) {
    return { kind: 'ignored', why: `it names ${line.titled} but carries build ${build.build}.${build.revision}` };
  }
  if (build !== undefined && line.product === 'client' && isServerOnlyRevision(build.build, build.revision)) {
    return { kind: 'ignored', why: `it names ${line.titled} but carries Server 2025's revision ${build.revision}` };
  }
  const kb = /\bKB\s?(\d{6,8})\b/i.exec(title)?.[1];
  return {
    kind: 'cumulative',
    line,
    ...(kb === undefined ? {} : { kb: `KB${kb}` }),
    ...(build === undefined ? {} : { build }),
    ...(/\bout[- ]of[- ]band\b|\bOOB\b/i.test(title) ? { outOfBand: true as const } : {}),
  };
}

/** One spelling for dashes, spaces and compatibility characters, so that patterns stay simple. */
function normalise(title: string): string {
  return title
    .normalize('NFKC')
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/[\s\u00a0]+/g, ' ')
    .trim();
}

/** "(26100.8037)" or "(Build 26100.8037)": a five-digit build and a revision, in parentheses. */
function buildIn(title: string): TitleBuild | undefined {
  const match = /\((?:OS )?(?:build )?(\d{5})\.(\d{1,6})\)/i.exec(title);
  return match ? { build: Number(match[1]), revision: Number(match[2]) } : undefined;
}

/**
 * The line a title names, undefined when it names none ("Security Update (KB…) (26200.8037)"), or 'unknown'
 * when it names a version the table does not have (Windows 10 Version 1607, Windows 11 26H1): such an update
 * is not evidence about any line the bot judges.
 */
function lineNamedIn(title: string): CatalogLine | 'unknown' | undefined {
  const serverVersion = /\b(?:server operating system|windows server),? version (\w{4})\b/i.exec(title)?.[1];
  if (serverVersion !== undefined) return serverLineOfVersion(serverVersion) ?? 'unknown';
  const serverYear = /\bwindows server (\d{4})(?: R2)?\b/i.exec(title);
  if (serverYear !== null) return /\bR2\b/.test(serverYear[0]) ? 'unknown' : (catalogLineNamed(`Windows Server ${serverYear[1]}`) ?? 'unknown');
  const client = /\bwindows (10|11),? version (\w{4})\b/i.exec(title);
  if (client !== null) return catalogLineNamed(`Windows ${client[1]} ${client[2].toUpperCase()}`) ?? 'unknown';
  // "Cumulative Update for Windows 11 for x64-based Systems" is 21H2's original spelling: no longer serviced.
  if (/\bwindows (10|11) for\b/i.test(title)) return 'unknown';
  return undefined;
}

/** A title without line or build: only a server category that names its version tells the line. */
function lineOfCategories(categories: readonly string[]): CatalogLine | undefined {
  for (const category of categories) {
    const version = /server operating system\W*(\w{4})\b/i.exec(category)?.[1];
    if (version !== undefined) return serverLineOfVersion(version);
    const year = /^windows server (\d{4})$/i.exec(category.trim())?.[1];
    if (year !== undefined) return catalogLineNamed(`Windows Server ${year}`);
  }
  return undefined;
}
