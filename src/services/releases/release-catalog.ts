import type { Logger } from 'pino';
import { ConfigMgrAccessDenied, ConfigMgrBadResponse, ConfigMgrRequestRejected, ConfigMgrUnavailable } from '../errors';
import type { ReleaseData } from './freshness';
import { parseReleaseData } from './release-data-schema';
import { describeFeedUrl, fetchReleaseFeed } from './release-feed';
import { mergeSiteCatalog, type MergeOutcome } from './site-catalog-merge';
import { readSiteUpdateCatalog, type SiteCatalogReading, type SoftwareUpdateSource } from './site-update-catalog';
import snapshotJson from './snapshot.json';

/**
 * The release data the bot judges freshness against: the bundled snapshot until the operator's feed
 * (RELEASES_FEED_URL) has answered once with good data, then the last good feed document; and on top of
 * either, the cumulative updates the site's own update catalog lists, read at every inventory sync (the
 * newest wins per line, and every update says which source listed it). A source that fails later never
 * takes good data away: a feed keeps its last good document, a site catalog its last good reading; the
 * failure is recorded for `status` and logged.
 */

export interface ReleaseCatalogOptions {
  /** The data used until a feed answers; the bundled snapshot unless a test pins its own. */
  baseline?: ReleaseData;
  feedUrl?: string;
  logger: Logger;
  now?: () => Date;
  /** How often start() refetches the feed; default 6 hours. */
  refreshIntervalMs?: number;
  /** Default 10 s. */
  timeoutMs?: number;
  /** Default 1 MiB. */
  maxBytes?: number;
  /** The site's software-update catalog (the AdminService client); without it only snapshot and feed count. */
  siteCatalog?: SoftwareUpdateSource;
}

/** What `status` says about the site's update catalog. */
export type SiteCatalogStatus =
  | { state: 'not read' }
  | {
      state: 'used' | 'no windows updates';
      readAt: Date;
      /** Release lines it fed. */
      lines: string[];
      newest?: { release: string; kb: string; date: Date };
      rowsRead: number;
      rejectedRows: number;
      unnumbered: MergeOutcome['unnumbered'];
      truncated: boolean;
      titleFilterRefused: boolean;
      /** Set when the last read failed and this is the reading before it. */
      lastError?: string;
    }
  | { state: 'failed'; lastError: string; failedAt: Date };

export interface ReleaseCatalogStatus {
  source: 'snapshot' | 'feed';
  /** The date of the data in use. */
  asOf: Date;
  /** The last fetch's failure; cleared by the next good fetch. */
  lastError?: string;
  lastFetchAt?: Date;
  /** Absent when the bot has no site catalog to read (tests, a feed-only setup). */
  siteCatalog?: SiteCatalogStatus;
}

const DEFAULT_REFRESH_INTERVAL_MS = 6 * 60 * 60 * 1000;
const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_BYTES = 1024 * 1024;

/** The bundled snapshot, validated by the same schema as the feed (a test proves it passes). */
export function loadSnapshot(): ReleaseData {
  return parseReleaseData(snapshotJson, 'snapshot');
}

export class ReleaseCatalog {
  private current: ReleaseData;
  /** `current` with the site catalog's updates merged in; rebuilt whenever either changes. */
  private merged?: MergeOutcome;
  private siteReading?: SiteCatalogReading;
  private siteError?: { message: string; at: Date };
  private siteInFlight?: Promise<void>;
  private lastError?: string;
  private lastFetchAt?: Date;
  private inFlight?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private readonly now: () => Date;

  constructor(private readonly options: ReleaseCatalogOptions) {
    this.current = stampSource(options.baseline ?? loadSnapshot());
    this.now = options.now ?? (() => new Date());
  }

  /** The last good data (the feed's when it ever answered well, else the snapshot) with the site catalog's updates. */
  data(): ReleaseData {
    return this.merged?.data ?? this.current;
  }

  status(): ReleaseCatalogStatus {
    const siteCatalog = this.siteCatalogStatus();
    return {
      source: this.current.source,
      asOf: this.current.asOf,
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
      ...(this.lastFetchAt === undefined ? {} : { lastFetchAt: this.lastFetchAt }),
      ...(siteCatalog === undefined ? {} : { siteCatalog }),
    };
  }

  /**
   * Reads the site's update catalog now (the inventory calls this at every sync). Never throws; a failure
   * keeps the last good reading; concurrent calls share one read.
   */
  refreshSiteCatalog(): Promise<void> {
    const source = this.options.siteCatalog;
    if (source === undefined) return Promise.resolve();
    this.siteInFlight ??= this.readSiteCatalogOnce(source).finally(() => {
      this.siteInFlight = undefined;
    });
    return this.siteInFlight;
  }

  private async readSiteCatalogOnce(source: SoftwareUpdateSource): Promise<void> {
    const startedAt = performance.now();
    try {
      const reading = await readSiteUpdateCatalog(source, { now: this.now(), logger: this.options.logger });
      this.siteReading = reading;
      this.siteError = undefined;
      this.remerge();
      const merged = this.merged;
      this.options.logger.info(
        {
          ms: Math.round(performance.now() - startedAt),
          rows: reading.rowsRead,
          cumulativeUpdates: reading.updates.length,
          ignored: reading.ignored,
          rejected: reading.rejectedCount,
          truncated: reading.truncated,
          linesFed: merged?.linesFed ?? [],
          unnumbered: merged?.unnumbered.map((entry) => entry.kb) ?? [],
        },
        'site update catalog read',
      );
    } catch (error) {
      this.siteError = { message: siteCatalogFailure(error), at: this.now() };
      this.options.logger.warn(
        { err: error, keeping: this.siteReading ? 'the last reading' : this.current.source },
        'site update catalog could not be read; keeping the other release data',
      );
    }
  }

  /** The site reading merged into the current snapshot or feed data. */
  private remerge(): void {
    this.merged = this.siteReading ? mergeSiteCatalog(this.current, this.siteReading.updates, this.siteReading.readAt) : undefined;
  }

  private siteCatalogStatus(): SiteCatalogStatus | undefined {
    if (this.options.siteCatalog === undefined) return undefined;
    const reading = this.siteReading;
    const merged = this.merged;
    if (reading === undefined || merged === undefined) {
      return this.siteError ? { state: 'failed', lastError: this.siteError.message, failedAt: this.siteError.at } : { state: 'not read' };
    }
    return {
      state: merged.linesFed.length > 0 ? 'used' : 'no windows updates',
      readAt: reading.readAt,
      lines: merged.linesFed,
      ...(merged.newest === undefined ? {} : { newest: merged.newest }),
      rowsRead: reading.rowsRead,
      rejectedRows: reading.rejectedCount,
      unnumbered: merged.unnumbered,
      truncated: reading.truncated,
      titleFilterRefused: reading.titleFilterRefused,
      ...(this.siteError === undefined ? {} : { lastError: this.siteError.message }),
    };
  }

  /** Fetches the feed now (no-op without a feed URL). Never throws; concurrent calls share one fetch. */
  refresh(): Promise<void> {
    if (this.options.feedUrl === undefined) return Promise.resolve();
    this.inFlight ??= this.fetchOnce(this.options.feedUrl).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Fetches now and then every refresh interval until stop(). */
  start(): void {
    if (this.options.feedUrl === undefined || this.timer !== undefined) return;
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.options.refreshIntervalMs ?? DEFAULT_REFRESH_INTERVAL_MS);
    // Release data is never a reason to keep the process alive.
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all([this.inFlight, this.siteInFlight]);
  }

  private async fetchOnce(feedUrl: string): Promise<void> {
    this.lastFetchAt = this.now();
    try {
      const data = await fetchReleaseFeed(feedUrl, {
        timeoutMs: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        maxBytes: this.options.maxBytes ?? DEFAULT_MAX_BYTES,
      });
      this.current = stampSource(data);
      this.remerge();
      this.lastError = undefined;
      this.options.logger.info(
        { feed: describeFeedUrl(feedUrl), asOf: data.asOf.toISOString().slice(0, 10), lines: data.lines.length },
        'release feed loaded',
      );
    } catch (error) {
      this.lastError = (error as Error).message;
      this.options.logger.warn(
        { feed: describeFeedUrl(feedUrl), err: error, keeping: this.current.source, asOf: this.current.asOf.toISOString().slice(0, 10) },
        'release feed failed; keeping the last good release data',
      );
    }
  }
}

/** One sentence for `status` saying why the site catalog was not read; the log carries the request detail. */
function siteCatalogFailure(error: unknown): string {
  if (error instanceof ConfigMgrRequestRejected) return `ConfigMgr rejected the query for SMS_SoftwareUpdate (HTTP ${error.status})`;
  if (error instanceof ConfigMgrAccessDenied) return "ConfigMgr refused the bot's credentials for SMS_SoftwareUpdate";
  if (error instanceof ConfigMgrBadResponse) return 'ConfigMgr answered the update query with something the bot cannot read';
  if (error instanceof ConfigMgrUnavailable) return 'ConfigMgr did not answer the update query';
  return 'the update query failed';
}

/** Every update names the data that listed it, unless it already does (a feed may carry its own). */
function stampSource(data: ReleaseData): ReleaseData {
  return {
    ...data,
    lines: data.lines.map((line) => ({ ...line, updates: line.updates.map((update) => ({ from: data.source, ...update })) })),
  };
}
