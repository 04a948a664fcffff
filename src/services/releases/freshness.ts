/** How current a package's media is, against the latest cumulative update of its release. */
import type { BuildNumber } from '../media/media-package';

export type ProductLine = 'client' | 'server';

/** Which release data listed an update: every verdict names the source that decided it. */
export type ReleaseSource = 'snapshot' | 'feed' | 'site catalog';

/** One monthly (or out-of-band) cumulative update of a release. */
export interface ReleaseUpdate {
  revision: number;
  /** "KB5083769"; absent when the only public record of the update (a CVE record) names no KB. */
  kb?: string;
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
  /**
   * When a live source (the site's update catalog) last confirmed this line; absent, the line is only as
   * fresh as the data's asOf. A verdict on this line is "as of" the later of the two.
   */
  asOf?: Date;
}

export interface ReleaseData {
  /** When the data was gathered; the bot says "as of" this and warns when it is old. */
  asOf: Date;
  source: 'snapshot' | 'feed';
  lines: ReleaseLine[];
}

/**
 * `releaseBuild` is the release line's build (19045 for Windows 10 22H2), so that the latest update reads as
 * the release names it, not as the media's baseline build (its WIM may say 19041).
 */
export type FreshnessVerdict =
  | { state: 'current'; release: string; releaseBuild: number; latest: ReleaseUpdate }
  | { state: 'behind'; release: string; releaseBuild: number; latest: ReleaseUpdate; revisionsBehind: number; monthsBehind: number }
  | {
      state: 'out-of-support';
      release: string;
      releaseBuild: number;
      endedOn: Date;
      /** The latest update that exists for the release, Extended Security Updates included; absent when the data lists none. */
      latest?: ReleaseUpdate;
      /** How far the media is behind `latest` (0 when it has it); absent when its revision or `latest` is not known. */
      revisionsBehind?: number;
      monthsBehind?: number;
      /**
       * Updates the data lists after the end of servicing. Microsoft releases those only as Extended Security
       * Updates, which need an ESU subscription; 0 when the release got none.
       */
      updatesAfterEnd: number;
    }
  | { state: 'unknown'; reason: string };

/** Where the build a verdict judges was read: the install image on the share (what deploys) or ConfigMgr's record. */
export type BuildSource = 'share' | 'configmgr';

export interface JudgedBuild {
  source: BuildSource;
  build: BuildNumber;
}

export interface Freshness {
  /**
   * The verdict that decides (badges, sorting): on the share's install image when it was read, since those are
   * the files that deploy; on ConfigMgr's build otherwise.
   */
  verdict: FreshnessVerdict;
  /** The build `verdict` judges and where it was read; absent when neither side knows a build. */
  judged?: JudgedBuild;
  /**
   * ConfigMgr's build and its own verdict, set only when it differs from the share's (image properties not
   * reloaded after servicing, or older media copied back), so that the cards say both and never contradict
   * the build ConfigMgr shows.
   */
  configMgr?: {
    build: BuildNumber;
    verdict: FreshnessVerdict;
    /** 'newer': the share was serviced and ConfigMgr not told (not reloaded); 'older': older media went back to the share. */
    files: 'newer' | 'older';
  };
  /** The release data's date: every verdict is "as of" it. */
  asOf: Date;
  /** Set when the release data itself is older than 45 days: the verdict is then not good news, only "as of". */
  dataWarning?: string;
}
