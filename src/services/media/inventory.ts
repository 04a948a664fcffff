import type { Logger } from 'pino';
import pLimit from 'p-limit';
import {
  PACKAGE_CLASSES,
  type AdminService,
  type DroppedField,
  type PackageClass,
  type PackageListing,
  type PackageRecord,
} from '../configmgr/admin-service';
import { deepFreeze } from '../deep-freeze';
import { UserFacingError } from '../errors';
import { judgeFreshness } from '../releases/freshness-verdict';
import type { ReleaseCatalog } from '../releases/release-catalog';
import { nameRelease } from '../releases/release-naming';
import { findDrift, imageInUse } from './drift';
import { editionsInUseFor, type EditionsPolicy } from './editions-policy';
import { ImagePropertyUnreadable, parseImageProperty } from './image-property';
import type { SourceInspector } from './source-folder';
import { describeDuration, settleWithin } from './time-limit';
import {
  comparePackages,
  parseBuildNumber,
  type BuildNumber,
  type Edition,
  type EditionsState,
  type InventorySnapshot,
  type MediaPackage,
  type PackageKind,
} from './media-package';

/**
 * The site's OS upgrade packages and OS images, kept in memory so that chat turns answer in milliseconds.
 * A sync lists both classes (cheap: one request each, lazy properties left out) and fetches the lazy
 * ImageProperty by key only for packages that are new or whose source changed, because on a real site
 * each key lookup makes the SMS Provider read the property from the database.
 */

export interface InventoryOptions {
  adminService: AdminService;
  logger: Logger;
  demo: boolean;
  /** Key lookups in flight at once; default 8, so that a sync never floods the SMS Provider. */
  lazyFetchConcurrency?: number;
  /** Looks at each package's source on the share; without it, packages stay "not inspected". */
  inspector?: Pick<SourceInspector, 'inspect'>;
  /** Latest revisions per release; without it, packages carry no freshness verdict. */
  releases?: Pick<ReleaseCatalog, 'data'>;
  /**
   * Brings the release data up to date (the site's update catalog), at every sync, alongside the package
   * lists and before any verdict; must not throw. A failure there never fails the sync.
   */
  refreshReleases?: () => Promise<void>;
  /** EDITIONS_IN_USE: which editions the site deploys; without it the bot claims none is extra. */
  editionsPolicy?: EditionsPolicy;
  now?: () => Date;
  /**
   * Longest a sync may run before the inventory gives up on it and keeps the last inventory; default
   * 10 minutes. A ConfigMgr or share that stops answering then holds neither the next sync nor shutdown.
   */
  syncTimeLimitMs?: number;
  /** How long stop() lets a running sync end by itself before giving it up; default 2 s. */
  stopGraceMs?: number;
  /**
   * Called with the new snapshot after each successful sync, before sync() resolves (the freshness watch).
   * Its failure is logged and never fails the sync: the inventory is already replaced.
   */
  onSynced?: (snapshot: InventorySnapshot) => Promise<unknown> | void;
}

/**
 * Generous: a first sync of a large site reads every package's image properties and inspects every source
 * folder; a sync given up is started from scratch, so the limit must sit well above a slow but healthy one.
 */
export const DEFAULT_SYNC_TIME_LIMIT_MS = 10 * 60_000;

/** Source folders inspected at once: each is a few file reads on the share, mostly of small files. */
const INSPECTION_CONCURRENCY = 4;

/**
 * Each key lookup makes the SMS Provider read ImageProperty from the database; 8 at once keeps a
 * 500-package first sync near a minute on a slow provider without crowding the console's own calls.
 */
export const DEFAULT_LAZY_FETCH_CONCURRENCY = 8;

export interface SyncReport {
  durationMs: number;
  /** List calls made (one per class; the client may follow several pages for each). */
  listRequests: number;
  lazyFetches: number;
  lazyFailures: number;
  added: number;
  changed: number;
  removed: number;
}

export interface SyncState {
  lastAttemptAt: Date | null;
  lastSuccessAt: Date | null;
  lastDurationMs: number | null;
  lastError?: string;
  /** Outcome of the last sync attempt; null before the first one ends. */
  reachable: boolean | null;
  /** Rows the last successful sync left out (unusable or listed twice); the rest of the site is unaffected. */
  skippedRows: number;
  /** The first of them, named; at most MAX_NAMED_SKIPPED_ROWS. */
  skippedRowExamples: readonly SkippedPackageRow[];
  /** When the sync running now started; absent when none runs. */
  runningSince?: Date;
  /**
   * When the first of the syncs that passed their time limit started; absent once a sync ends in time.
   * /healthz reports the bot as degraded while it is set.
   */
  stuckSince?: Date;
}

/** A sync that passed its time limit: the users' sentence (status, cards) says the last inventory stays. */
export class SyncTimedOut extends UserFacingError {
  constructor(limitMs: number) {
    super(
      `The last sync did not finish within ${describeDuration(limitMs)} because ConfigMgr or the share did not answer; the bot answers from the last inventory and tries again at the next sync.`,
    );
  }
}

/** The inventory was stopped while a sync ran. */
class InventoryStopped extends Error {
  constructor() {
    super('The inventory stopped before the sync ended.');
    this.name = 'InventoryStopped';
  }
}

/** A row ConfigMgr listed that the bot left out: which (its id when it has a valid one, else its position) and why. */
export interface SkippedPackageRow {
  kind: PackageKind;
  /** 1-based position in that class's list; absent for a repeat, which is named by its id. */
  position?: number;
  packageId?: string;
  reason: string;
}

/** Enough to name the problem rows in `status` and the log without letting a broken site flood either. */
export const MAX_NAMED_SKIPPED_ROWS = 10;

const KIND_BY_CLASS: Readonly<Record<PackageClass, PackageKind>> = {
  SMS_OperatingSystemInstallPackage: 'upgrade',
  SMS_ImagePackage: 'image',
};


export class MediaInventory {
  private readonly adminService: AdminService;
  private readonly logger: Logger;
  private readonly demo: boolean;
  private readonly concurrency: number;
  private readonly inspector?: Pick<SourceInspector, 'inspect'>;
  private readonly releases?: Pick<ReleaseCatalog, 'data'>;
  private readonly refreshReleases?: () => Promise<void>;
  private readonly editionsPolicy?: EditionsPolicy;
  private readonly now: () => Date;
  private current: InventorySnapshot;
  private state: SyncState = {
    lastAttemptAt: null,
    lastSuccessAt: null,
    lastDurationMs: null,
    reachable: null,
    skippedRows: 0,
    skippedRowExamples: [],
  };
  private inFlight: Promise<SyncReport> | null = null;
  /** Aborts the running sync (its time limit, or stop()). */
  private running: AbortController | null = null;
  private readonly syncTimeLimitMs: number;
  private readonly stopGraceMs: number;
  private readonly onSynced?: (snapshot: InventorySnapshot) => Promise<unknown> | void;
  private timer: NodeJS.Timeout | null = null;
  private readonly firstSettled: Promise<void>;
  private settleFirst!: () => void;

  constructor(options: InventoryOptions) {
    const concurrency = options.lazyFetchConcurrency ?? DEFAULT_LAZY_FETCH_CONCURRENCY;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`lazyFetchConcurrency must be a positive integer, not ${concurrency}`);
    }
    this.adminService = options.adminService;
    this.logger = options.logger;
    this.demo = options.demo;
    this.concurrency = concurrency;
    this.inspector = options.inspector;
    this.releases = options.releases;
    this.refreshReleases = options.refreshReleases;
    this.editionsPolicy = options.editionsPolicy;
    this.now = options.now ?? (() => new Date());
    this.syncTimeLimitMs = options.syncTimeLimitMs ?? DEFAULT_SYNC_TIME_LIMIT_MS;
    if (!(this.syncTimeLimitMs > 0)) throw new RangeError(`syncTimeLimitMs must be a positive number, not ${this.syncTimeLimitMs}`);
    this.stopGraceMs = options.stopGraceMs ?? 2_000;
    this.onSynced = options.onSynced;
    this.current = freezeSnapshot({ packages: [], generation: 0, syncedAt: null, demo: options.demo });
    this.firstSettled = new Promise((resolve) => {
      this.settleFirst = resolve;
    });
  }

  /** The inventory as of the last successful sync; frozen, so callers share it without copying. */
  snapshot(): InventorySnapshot {
    return this.current;
  }

  syncState(): SyncState {
    return { ...this.state };
  }

  /**
   * Brings the inventory up to date with ConfigMgr. Callers that arrive during a sync share its outcome.
   * A sync that passes its time limit is given up (SyncTimedOut) and can never replace the inventory later.
   */
  sync(): Promise<SyncReport> {
    if (!this.inFlight) {
      const controller = new AbortController();
      const startedAt = this.now();
      this.running = controller;
      this.state = { ...this.state, runningSince: startedAt };
      const attempt = this.runSync(controller.signal);
      // A sync given up may still fail later, when ConfigMgr or the share finally answers; nobody waits for it.
      attempt.catch(() => undefined);
      this.inFlight = this.awaitWithinLimit(attempt, controller, startedAt).finally(() => {
        if (this.running === controller) this.running = null;
        this.inFlight = null;
        this.settleFirst();
      });
    }
    return this.inFlight;
  }

  private async awaitWithinLimit(attempt: Promise<SyncReport>, controller: AbortController, startedAt: Date): Promise<SyncReport> {
    let outcome;
    try {
      outcome = await settleWithin(attempt, this.syncTimeLimitMs, controller.signal);
    } finally {
      const { runningSince: _running, ...rest } = this.state;
      this.state = rest;
    }
    if (outcome.kind === 'done') {
      // Outside the time limit: the inventory is replaced already, so slow work after it cannot make the sync "time out".
      await this.tellSynced(this.current);
      return outcome.value;
    }
    if (outcome.kind === 'aborted') throw new InventoryStopped();
    const timedOut = new SyncTimedOut(this.syncTimeLimitMs);
    controller.abort(timedOut);
    this.state = {
      ...this.state,
      lastDurationMs: this.syncTimeLimitMs,
      lastError: timedOut.userMessage,
      stuckSince: this.state.stuckSince ?? startedAt,
    };
    this.current = freezeSnapshot({ ...this.current, lastSyncError: { at: startedAt, message: timedOut.userMessage } });
    this.logger.warn(
      { startedAt, syncTimeLimitMs: this.syncTimeLimitMs, stuckSince: this.state.stuckSince },
      'inventory sync passed its time limit; keeping the last inventory',
    );
    throw timedOut;
  }

  /** Syncs now in the background, then every `intervalMs`; failures are logged and kept in syncState. */
  start(intervalMs: number): void {
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
      throw new RangeError(`The sync interval must be a positive number of milliseconds, not ${intervalMs}`);
    }
    if (this.timer) return;
    const syncInBackground = (): void => {
      // Errors are already logged and recorded by runSync; nothing above a timer could handle them.
      this.sync().catch(() => undefined);
    };
    this.timer = setInterval(syncInBackground, intervalMs);
    this.timer.unref();
    syncInBackground();
  }

  /**
   * Stops the timer; a running sync gets `stopGraceMs` to end by itself and is then given up, so stop()
   * returns within that bound even when the sync is stuck on a share or ConfigMgr.
   */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const inFlight = this.inFlight;
    if (!inFlight) return;
    const ended = await settleWithin(inFlight.then(noop, noop), this.stopGraceMs);
    if (ended.kind === 'done') return;
    this.logger.warn({ stopGraceMs: this.stopGraceMs }, 'stopping: the running sync did not end in time and is given up');
    this.running?.abort(new InventoryStopped());
    await inFlight.then(noop, noop);
  }

  /** Resolves once the first sync attempt has succeeded or failed. */
  whenFirstSyncSettled(): Promise<void> {
    return this.firstSettled;
  }

  /** One sync; every step checks `signal`, so a sync given up stops at its next step and never commits. */
  private async runSync(signal: AbortSignal): Promise<SyncReport> {
    const started = performance.now();
    const attemptAt = this.now();
    this.state = { ...this.state, lastAttemptAt: attemptAt };
    const releasesRefreshed = (this.refreshReleases?.() ?? Promise.resolve()).catch((error: unknown) => {
      this.logger.warn({ err: error }, 'release data could not be refreshed; judging with the last good data');
    });
    let lists: { packageClass: PackageClass; listing: PackageListing }[];
    try {
      lists = await Promise.all(
        PACKAGE_CLASSES.map(async (packageClass) => ({ packageClass, listing: await this.adminService.listPackages(packageClass) })),
      );
    } catch (error) {
      if (signal.aborted) throw error;
      const durationMs = Math.round(performance.now() - started);
      // Users read this in `status` and on every card: the one-sentence form, never the request detail.
      const message = error instanceof UserFacingError ? error.userMessage : 'ConfigMgr could not be read; the bot logged the details.';
      const { stuckSince: _ended, ...rest } = this.state;
      this.state = { ...rest, lastDurationMs: durationMs, lastError: message, reachable: false };
      this.current = freezeSnapshot({ ...this.current, lastSyncError: { at: attemptAt, message } });
      this.logger.error({ err: error, durationMs }, 'inventory sync failed; keeping the last inventory');
      throw error;
    }

    await releasesRefreshed;
    signal.throwIfAborted();
    const { records, skipped, dropped } = usableRows(lists);
    if (skipped.length > 0 || dropped.length > 0) this.warnAboutRows(skipped, dropped);

    const previousById = new Map(this.current.packages.map((pkg) => [pkg.id, pkg]));
    const limit = pLimit(this.concurrency);
    let lazyFetches = 0;
    let lazyFailures = 0;
    const packages = await Promise.all(
      records.map(({ packageClass, record }) => {
        const base = mapRecord(packageClass, record);
        const previous = previousById.get(base.id);
        if (previous && !needsEditions(previous, base)) {
          return withEditions(base, previous.editions, previous.editionsState);
        }
        return limit(async () => {
          signal.throwIfAborted();
          lazyFetches++;
          try {
            const full = await this.adminService.getPackage(packageClass, base.id);
            return withImageProperty(base, full.ImageProperty, this.logger);
          } catch (error) {
            if (signal.aborted) throw error;
            lazyFailures++;
            this.logger.warn(
              { err: error, packageId: base.id },
              'could not fetch the image properties; keeping the package without editions until the next sync',
            );
            return withEditions(base, [], { state: 'not-fetched' });
          }
        });
      }),
    );
    signal.throwIfAborted();
    const inspectionLimit = pLimit(INSPECTION_CONCURRENCY);
    const examined = await Promise.all(
      packages.map((pkg) => inspectionLimit(() => this.examine(pkg, previousById.get(pkg.id), signal))),
    );
    examined.sort(comparePackages);
    // The last step before the commit, with no await after it: a sync given up never replaces the inventory.
    signal.throwIfAborted();

    const changes = diff(this.current.packages, examined);
    const changed = changes.added + changes.changed + changes.removed > 0;
    const durationMs = Math.round(performance.now() - started);
    this.current = freezeSnapshot({
      packages: changed ? examined : this.current.packages,
      generation: changed ? this.current.generation + 1 : this.current.generation,
      syncedAt: this.now(),
      demo: this.demo,
    });
    this.state = {
      lastAttemptAt: attemptAt,
      lastSuccessAt: this.current.syncedAt,
      lastDurationMs: durationMs,
      reachable: true,
      skippedRows: skipped.length,
      skippedRowExamples: Object.freeze(skipped.slice(0, MAX_NAMED_SKIPPED_ROWS).map((row) => Object.freeze(row))),
    };
    const report: SyncReport = {
      durationMs,
      listRequests: PACKAGE_CLASSES.length,
      lazyFetches,
      lazyFailures,
      ...changes,
    };
    this.logger.info(
      { ...report, packages: examined.length, skippedRows: skipped.length, generation: this.current.generation },
      'inventory synced',
    );
    return report;
  }

  private async tellSynced(snapshot: InventorySnapshot): Promise<void> {
    if (!this.onSynced) return;
    try {
      await this.onSynced(snapshot);
    } catch (error) {
      this.logger.warn({ err: error, generation: snapshot.generation }, 'the work that follows a sync failed; the inventory is synced regardless');
    }
  }

  /** One warning per sync, however many rows were odd: counts, and the first few named. */
  private warnAboutRows(skipped: readonly SkippedPackageRow[], dropped: readonly DroppedField[]): void {
    this.logger.warn(
      {
        skippedRows: skipped.length,
        skipped: skipped.slice(0, MAX_NAMED_SKIPPED_ROWS).map(describeSkippedRow),
        droppedFields: dropped.length,
        dropped: dropped.slice(0, MAX_NAMED_SKIPPED_ROWS).map(({ packageId, field, reason }) => `${packageId}.${field}: ${reason}`),
      },
      'ConfigMgr listed rows or fields the bot cannot read; it left them out and kept the rest',
    );
  }

  /**
   * What is really on the share and how current it is: the source folder (re-read only when it changed),
   * the release named from the best evidence, the drift findings and the freshness verdict.
   */
  private async examine(pkg: MediaPackage, previous: MediaPackage | undefined, signal: AbortSignal): Promise<MediaPackage> {
    signal.throwIfAborted();
    const inspection = this.inspector ? await this.inspector.inspect(pkg, previous?.inspection, { signal }) : pkg.inspection;
    const wimImages = inspection.state === 'inspected' ? inspection.installImage?.info?.images : undefined;
    const naming = nameRelease({ build: pkg.build, packageName: pkg.name, editions: pkg.editions, wimImages });
    const examined: MediaPackage = { ...pkg, inspection, releaseDecidedBy: naming.decidedBy };
    if (naming.release !== undefined) examined.release = naming.release;
    const editionsInUse = editionsInUseFor(this.editionsPolicy, examined);
    if (editionsInUse) examined.editionsInUse = editionsInUse;
    const inUse = imageInUse(examined, inspection);
    if (inUse) examined.wimIndexInUse = inUse.index;
    examined.findings = findDrift(examined, inspection);
    if (this.releases) {
      // Both builds are judged: the files on the share decide, ConfigMgr's record is said beside them when it differs.
      examined.freshness = judgeFreshness(
        { release: naming.release, product: naming.product, shareBuild: inUse?.version, configMgrBuild: pkg.build },
        this.releases.data(),
        this.now(),
      );
    }
    return examined;
  }
}

/** Editions are read again when the package is new, its source changed, or the last read failed. */
function needsEditions(previous: MediaPackage, next: MediaPackage): boolean {
  return (
    previous.editionsState.state === 'not-fetched' ||
    previous.sourceVersion !== next.sourceVersion ||
    // ReloadImageProperties rewrites ImageOSVersion without a new source version.
    previous.build?.build !== next.build?.build ||
    previous.build?.revision !== next.build?.revision ||
    previous.kind !== next.kind
  );
}

function mapRecord(packageClass: PackageClass, record: PackageRecord): MediaPackage {
  const fromImage = parseBuildNumber(record.ImageOSVersion);
  const fromVersion = fromImage ? undefined : parseBuildNumber(record.Version);
  const build: BuildNumber | undefined = fromImage ?? fromVersion;
  const pkg: MediaPackage = {
    id: record.PackageID.toUpperCase(),
    kind: KIND_BY_CLASS[packageClass],
    name: record.Name,
    description: record.Description ?? '',
    version: record.Version ?? '',
    language: record.Language ?? '',
    manufacturer: record.Manufacturer ?? '',
    editions: [],
    editionsState: { state: 'not-fetched' },
    sourcePath: record.PkgSourcePath ?? '',
    sourceVersion: record.SourceVersion ?? 0,
    actionInProgress: record.ActionInProgress ?? 0,
    sourceSite: record.SourceSite ?? '',
    inspection: { state: 'not-inspected', reason: 'The bot has not looked at the source folder.' },
    findings: [],
  };
  if (build) {
    pkg.build = build;
    pkg.buildSource = fromImage ? 'ImageOSVersion' : 'Version';
  }
  const sourceDate = parseDate(record.SourceDate);
  if (sourceDate) pkg.sourceDate = sourceDate;
  const lastRefreshTime = parseDate(record.LastRefreshTime);
  if (lastRefreshTime) pkg.lastRefreshTime = lastRefreshTime;
  if (typeof record.PackageSize === 'number' && Number.isFinite(record.PackageSize)) pkg.packageSizeKb = record.PackageSize;
  return pkg;
}

function withImageProperty(base: MediaPackage, imageProperty: string | null | undefined, logger: Logger): MediaPackage {
  if (imageProperty === null || imageProperty === undefined || imageProperty.trim() === '') {
    return withEditions(base, [], {
      state: 'unreadable',
      reason: 'ConfigMgr has no image properties for this package; run Reload Image Properties on it',
    });
  }
  try {
    return withEditions(base, parseImageProperty(imageProperty), { state: 'known' });
  } catch (error) {
    if (!(error instanceof ImagePropertyUnreadable)) throw error;
    // The card says why in a sentence; the parser's own words are for whoever reads the log.
    logger.info({ packageId: base.id, reason: error.reason, detail: error.detail }, 'image properties cannot be read; the package shows it');
    return withEditions(base, [], { state: 'unreadable', reason: error.reason });
  }
}

function withEditions(base: MediaPackage, editions: Edition[], editionsState: EditionsState): MediaPackage {
  return { ...base, editions, editionsState };
}

/**
 * The rows of both lists the inventory can use, and those it leaves out: rows the client could not
 * read, and repeats. PackageIDs are unique per site; a repeat means a page was served twice, so the
 * first is kept.
 */
function usableRows(lists: readonly { packageClass: PackageClass; listing: PackageListing }[]): {
  records: { packageClass: PackageClass; record: PackageRecord }[];
  skipped: SkippedPackageRow[];
  dropped: DroppedField[];
} {
  const records: { packageClass: PackageClass; record: PackageRecord }[] = [];
  const skipped: SkippedPackageRow[] = [];
  const seen = new Set<string>();
  for (const { packageClass, listing } of lists) {
    const kind = KIND_BY_CLASS[packageClass];
    for (const row of listing.skipped) {
      skipped.push({ kind, position: row.position, ...(row.packageId ? { packageId: row.packageId.toUpperCase() } : {}), reason: row.reason });
    }
    for (const record of listing.records) {
      const id = record.PackageID.toUpperCase();
      if (seen.has(id)) {
        skipped.push({ kind, packageId: id, reason: 'listed twice; the first is kept' });
        continue;
      }
      seen.add(id);
      records.push({ packageClass, record });
    }
  }
  return { records, skipped, dropped: lists.flatMap(({ listing }) => listing.dropped) };
}

/** "PS100099 (Name missing)" or "OS image row 7 (PackageID missing)": for the log. */
function describeSkippedRow(row: SkippedPackageRow): string {
  const which = row.packageId ?? `${row.kind === 'upgrade' ? 'OS upgrade package' : 'OS image'} row ${row.position ?? '?'}`;
  return `${which} (${row.reason})`;
}

function parseDate(text: string | null | undefined): Date | undefined {
  if (!text) return undefined;
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : new Date(time);
}

function diff(before: readonly MediaPackage[], after: readonly MediaPackage[]): { added: number; changed: number; removed: number } {
  const beforeById = new Map(before.map((pkg) => [pkg.id, pkg]));
  let added = 0;
  let changed = 0;
  for (const pkg of after) {
    const old = beforeById.get(pkg.id);
    if (!old) added++;
    else if (!samePackage(old, pkg)) changed++;
    beforeById.delete(pkg.id);
  }
  return { added, changed, removed: beforeById.size };
}

function samePackage(a: MediaPackage, b: MediaPackage): boolean {
  // Both sides are plain data built the same way (same key order), so their JSON compares them fully.
  return JSON.stringify(a) === JSON.stringify(b);
}

function noop(): void {}

function freezeSnapshot(snapshot: InventorySnapshot): InventorySnapshot {
  for (const pkg of snapshot.packages) deepFreeze(pkg);
  Object.freeze(snapshot.packages);
  return Object.freeze(snapshot);
}
