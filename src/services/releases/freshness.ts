/** How current a package's media is, against the latest cumulative update of its release. */

export type ProductLine = 'client' | 'server';

/** Which release data listed an update: every verdict names the source that decided it. */
export type ReleaseSource = 'snapshot' | 'feed' | 'site catalog';

/** One monthly (or out-of-band) cumulative update of a release. */
export interface ReleaseUpdate {
  revision: number;
  kb: string;
  /** Release date (UTC midnight). */
  date: Date;
  outOfBand?: boolean;
  /** The release data that listed it; absent only in hand-made test data. */
  from?: ReleaseSource;
  /** Where a person can check the entry (a public page), when the data names one. */
  citation?: string;
}

export interface ReleaseLine {
  /** "Windows 11 24H2", "Windows Server 2025". */
  release: string;
  product: ProductLine;
  build: number;
  /** Oldest first; the last one is the latest known. */
  updates: ReleaseUpdate[];
  /**
   * The last day of servicing for the editions admins deploy (Enterprise/Education; a server's extended
   * end), as a calendar date at UTC midnight. Microsoft's lifecycle pages mean the end of that day in
   * Pacific time: compare with `servicingHasEnded` (lifecycle.ts), never with getTime().
   */
  endOfServicing?: Date;
  /** e.g. "Extended Security Updates only". */
  supportNote?: string;
  /** When mainstream support ends (servers, LTSC): only security updates after it. Calendar date as above. */
  mainstreamEnd?: Date;
  /** When servicing ends for Home and Pro, where it ends earlier than `endOfServicing`. Calendar date as above. */
  homeProEnd?: Date;
  /** The lifecycle page that states these dates, when the data names one. */
  lifecycleCitation?: string;
}

export interface ReleaseData {
  /** When the data was gathered; the bot says "as of" this and warns when it is old. */
  asOf: Date;
  source: 'snapshot' | 'feed';
  lines: ReleaseLine[];
}

export type FreshnessVerdict =
  | { state: 'current'; release: string; latest: ReleaseUpdate }
  | { state: 'behind'; release: string; latest: ReleaseUpdate; revisionsBehind: number; monthsBehind: number }
  | { state: 'out-of-support'; release: string; endedOn: Date; latest?: ReleaseUpdate }
  | { state: 'unknown'; reason: string };

export interface Freshness {
  verdict: FreshnessVerdict;
  /** The release data's date: every verdict is "as of" it. */
  asOf: Date;
  /** Set when the release data itself is older than 45 days. */
  dataWarning?: string;
}
