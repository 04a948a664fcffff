/** What `status` reports: the bot's view of its own health, without calling ConfigMgr in the turn. */
import type { SkippedPackageRow } from './media/inventory';
import type { SiteCatalogStatus } from './releases/release-catalog';

export interface SiteStatus {
  demo: boolean;
  /** The AdminService base URL (no credentials). */
  adminServiceUrl: string;
  /** Outcome of the last sync attempt. */
  configMgrReachable: boolean | null;
  lastSyncAttemptAt: Date | null;
  lastSuccessfulSyncAt: Date | null;
  lastSyncDurationMs: number | null;
  lastSyncError?: string;
  packageCounts: { upgrade: number; image: number };
  /** Rows of the last successful sync that were left out, and the first of them named. */
  skippedRows?: { count: number; examples: readonly SkippedPackageRow[] };
  syncIntervalMinutes: number;
  /** The release data freshness verdicts are judged against. */
  releaseData?: {
    source: 'snapshot' | 'feed';
    asOf: Date;
    lastError?: string;
    warning?: string;
    /** The site's own update catalog, merged over the snapshot or feed; absent when the bot does not read one. */
    siteCatalog?: SiteCatalogStatus;
  };
}
