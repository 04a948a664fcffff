/** How current a package's media is, against the latest cumulative update of its release. */

export type ProductLine = 'client' | 'server';

/** One monthly (or out-of-band) cumulative update of a release. */
export interface ReleaseUpdate {
  revision: number;
  kb: string;
  /** Release date (UTC midnight). */
  date: Date;
  outOfBand?: boolean;
}

export interface ReleaseLine {
  /** "Windows 11 24H2", "Windows Server 2025". */
  release: string;
  product: ProductLine;
  build: number;
  /** Oldest first; the last one is the latest known. */
  updates: ReleaseUpdate[];
  /** When servicing ended (for the editions admins deploy), if it has. */
  endOfServicing?: Date;
  /** e.g. "Extended Security Updates only". */
  supportNote?: string;
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
