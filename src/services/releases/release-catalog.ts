import type { Logger } from 'pino';
import type { ReleaseData } from './freshness';
import { parseReleaseData } from './release-data-schema';
import { describeFeedUrl, fetchReleaseFeed } from './release-feed';
import snapshotJson from './snapshot.json';

/**
 * The release data the bot judges freshness against: the bundled snapshot until the operator's feed
 * (RELEASES_FEED_URL) has answered once with good data, then the last good feed document. A feed that
 * fails later never takes good data away; the failure is recorded for `status` and logged.
 */

export interface ReleaseCatalogOptions {
  feedUrl?: string;
  logger: Logger;
  now?: () => Date;
  /** How often start() refetches the feed; default 6 hours. */
  refreshIntervalMs?: number;
  /** Default 10 s. */
  timeoutMs?: number;
  /** Default 1 MiB. */
  maxBytes?: number;
}

export interface ReleaseCatalogStatus {
  source: 'snapshot' | 'feed';
  /** The date of the data in use. */
  asOf: Date;
  /** The last fetch's failure; cleared by the next good fetch. */
  lastError?: string;
  lastFetchAt?: Date;
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
  private lastError?: string;
  private lastFetchAt?: Date;
  private inFlight?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private readonly now: () => Date;

  constructor(private readonly options: ReleaseCatalogOptions) {
    this.current = loadSnapshot();
    this.now = options.now ?? (() => new Date());
  }

  /** The last good data: the feed's when it ever answered well, else the snapshot. */
  data(): ReleaseData {
    return this.current;
  }

  status(): ReleaseCatalogStatus {
    return {
      source: this.current.source,
      asOf: this.current.asOf,
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
      ...(this.lastFetchAt === undefined ? {} : { lastFetchAt: this.lastFetchAt }),
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
    await this.inFlight;
  }

  private async fetchOnce(feedUrl: string): Promise<void> {
    this.lastFetchAt = this.now();
    try {
      const data = await fetchReleaseFeed(feedUrl, {
        timeoutMs: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        maxBytes: this.options.maxBytes ?? DEFAULT_MAX_BYTES,
      });
      this.current = data;
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
