import type { Logger } from 'pino';
import type { SoftwareUpdateListing, SoftwareUpdateQuery } from '../configmgr/admin-service-client';
import type { CatalogLine } from './catalog-lines';
import { MAX_TITLE_LENGTH, readUpdateTitle } from './update-title';

/**
 * Reads the newest cumulative updates of each Windows line from the site's own software-update catalog
 * (SMS_SoftwareUpdate through the AdminService). Every site that deploys Windows updates syncs Microsoft's
 * catalog, so this keeps release data fresh without anyone maintaining a feed. Each row is hostile until
 * read: a row that cannot be trusted (no KB number, a date in the future, an oversized title) is left out
 * with a reason, and only rows that read as a whole cumulative update of a known line are kept.
 */

export interface SoftwareUpdateSource {
  listSoftwareUpdates(query: SoftwareUpdateQuery): Promise<SoftwareUpdateListing>;
}

/** One cumulative update of one line, as the site's catalog lists it (architectures folded together). */
export interface CatalogUpdate {
  line: CatalogLine;
  kb: string;
  /** DatePosted as a calendar date (UTC midnight). */
  date: Date;
  /** From the title's build, when it carries one. */
  revision?: number;
  superseded: boolean;
  /** The title says so, or it was posted on another day than the second Tuesday of its month. */
  outOfBand: boolean;
  titleSaysOutOfBand: boolean;
}

export interface RejectedRow {
  /** 1-based position in the answer. */
  position: number;
  reason: string;
}

export interface SiteCatalogReading {
  readAt: Date;
  updates: CatalogUpdate[];
  rowsRead: number;
  /** Rows that are not cumulative updates of a known Windows line (normal: .NET, Defender, Dynamic Update…). */
  ignored: number;
  /** Rows that could not be trusted, the first few of them with a reason. */
  rejectedCount: number;
  rejectedExamples: RejectedRow[];
  truncated: boolean;
  titleFilterRefused: boolean;
}

/** Titles every Windows cumulative update carries, old style or new; the site narrows its answer with them. */
export const TITLE_CLUES = ['Cumulative Update', 'Security Update'] as const;

export const DEFAULT_SITE_CATALOG_QUERY: Omit<SoftwareUpdateQuery, 'titleClues'> = {
  // A site keeps a few months of non-expired updates per product and architecture: hundreds of rows.
  maxRows: 2000,
  // About 400 bytes a row with six properties: 2000 rows stay under 1 MiB; 4 MiB means the wrong answer.
  maxBytes: 4 * 1024 * 1024,
  maxPages: 20,
};

const MAX_REJECTED_EXAMPLES = 5;
const MAX_CATEGORIES = 50;
const MAX_CATEGORY_LENGTH = 200;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Windows 10 came out in July 2015: an earlier date is not a date of any line the bot judges. */
const EARLIEST_DATE = Date.UTC(2015, 6, 1);

export async function readSiteUpdateCatalog(
  source: SoftwareUpdateSource,
  options: { now: Date; logger: Logger; query?: Partial<SoftwareUpdateQuery> },
): Promise<SiteCatalogReading> {
  const listing = await source.listSoftwareUpdates({ titleClues: TITLE_CLUES, ...DEFAULT_SITE_CATALOG_QUERY, ...options.query });
  const reading: SiteCatalogReading = {
    readAt: options.now,
    updates: [],
    rowsRead: listing.rows.length,
    ignored: 0,
    rejectedCount: 0,
    rejectedExamples: [],
    truncated: listing.truncated,
    titleFilterRefused: listing.titleFilterRefused,
  };
  const byLineAndKb = new Map<string, CatalogUpdate>();
  listing.rows.forEach((row, index) => {
    const outcome = readRow(row, options.now);
    if (outcome.kind === 'ignored') {
      reading.ignored++;
      return;
    }
    if (outcome.kind === 'rejected') {
      reading.rejectedCount++;
      if (reading.rejectedExamples.length < MAX_REJECTED_EXAMPLES) reading.rejectedExamples.push({ position: index + 1, reason: outcome.reason });
      return;
    }
    const update = outcome.update;
    const key = `${update.line.titled}|${update.kb}`;
    const seen = byLineAndKb.get(key);
    if (seen === undefined) {
      byLineAndKb.set(key, update);
      return;
    }
    // x64, arm64 and x86 rows of one KB are one update: the same revision on every architecture.
    if (seen.revision !== undefined && update.revision !== undefined && seen.revision !== update.revision) {
      options.logger.warn({ kb: update.kb, line: update.line.titled, revisions: [seen.revision, update.revision] }, 'one KB with two builds in the site catalog; keeping the first');
    }
    byLineAndKb.set(key, {
      ...seen,
      revision: seen.revision ?? update.revision,
      superseded: seen.superseded && update.superseded,
      outOfBand: seen.outOfBand || update.outOfBand,
      titleSaysOutOfBand: seen.titleSaysOutOfBand || update.titleSaysOutOfBand,
    });
  });
  reading.updates = withEarliestDates([...byLineAndKb.values()]);
  if (reading.rejectedCount > 0) {
    options.logger.warn({ rejected: reading.rejectedCount, examples: reading.rejectedExamples }, 'site update catalog rows left out');
  }
  return reading;
}

type RowOutcome = { kind: 'update'; update: CatalogUpdate } | { kind: 'ignored' } | { kind: 'rejected'; reason: string };

function readRow(row: unknown, now: Date): RowOutcome {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return { kind: 'rejected', reason: 'not an object' };
  const fields = row as Record<string, unknown>;
  if (fields.IsExpired === true) return { kind: 'ignored' };
  const title = fields.LocalizedDisplayName;
  if (typeof title !== 'string') return { kind: 'rejected', reason: 'LocalizedDisplayName is not text' };
  if (title.length > MAX_TITLE_LENGTH) return { kind: 'rejected', reason: `the title is longer than ${MAX_TITLE_LENGTH} characters` };
  const reading = readUpdateTitle(title, categoriesOf(fields.LocalizedCategoryInstanceNames));
  if (reading.kind === 'ignored') return { kind: 'ignored' };

  const kb = kbOf(fields.ArticleID);
  if (kb === undefined) return { kind: 'rejected', reason: 'ArticleID is not a KB number' };
  if (reading.kb !== undefined && reading.kb !== kb) return { kind: 'rejected', reason: `the title names ${reading.kb} but ArticleID is ${kb}` };
  const date = calendarDateOf(fields.DatePosted);
  if (date === undefined) return { kind: 'rejected', reason: 'DatePosted is not a date' };
  if (date.getTime() > now.getTime() + DAY_MS) return { kind: 'rejected', reason: `DatePosted ${date.toISOString().slice(0, 10)} is in the future` };
  if (date.getTime() < EARLIEST_DATE) return { kind: 'rejected', reason: `DatePosted ${date.toISOString().slice(0, 10)} is before any Windows line the bot knows` };
  return {
    kind: 'update',
    update: {
      line: reading.line,
      kb,
      date,
      ...(reading.build === undefined ? {} : { revision: reading.build.revision }),
      superseded: fields.IsSuperseded === true,
      outOfBand: reading.outOfBand === true || !isSecondTuesday(date),
      titleSaysOutOfBand: reading.outOfBand === true,
    },
  };
}

/**
 * A KB is released once, but the catalog dates each entry: one added later for another version (a 26H2 entry
 * of September's update was dated 09-29) would move the release date and look out of band. The earliest
 * DatePosted of a KB is its release date, for every line it serves.
 */
function withEarliestDates(updates: CatalogUpdate[]): CatalogUpdate[] {
  const earliest = new Map<string, Date>();
  for (const update of updates) {
    const seen = earliest.get(update.kb);
    if (seen === undefined || update.date.getTime() < seen.getTime()) earliest.set(update.kb, update.date);
  }
  return updates.map((update) => {
    const date = earliest.get(update.kb)!;
    if (date === update.date) return update;
    return { ...update, date, outOfBand: update.titleSaysOutOfBand || !isSecondTuesday(date) };
  });
}

/** "5079473", "KB5079473" or the number 5079473. */
function kbOf(articleId: unknown): string | undefined {
  const text = typeof articleId === 'number' && Number.isSafeInteger(articleId) ? String(articleId) : articleId;
  if (typeof text !== 'string' || text.length > 20) return undefined;
  const digits = /^\s*(?:KB)?\s?(\d{6,8})\s*$/i.exec(text)?.[1];
  return digits === undefined ? undefined : `KB${digits}`;
}

/** An ISO date-time (the AdminService's form) as the UTC calendar day; Patch Tuesday posts at 17:00 UTC. */
function calendarDateOf(value: unknown): Date | undefined {
  if (typeof value !== 'string' || value.length > 40 || !/^\d{4}-\d{2}-\d{2}/.test(value)) return undefined;
  const instant = new Date(value);
  if (Number.isNaN(instant.getTime())) return undefined;
  return new Date(Date.UTC(instant.getUTCFullYear(), instant.getUTCMonth(), instant.getUTCDate()));
}

function categoriesOf(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value
    .slice(0, MAX_CATEGORIES)
    .filter((category): category is string => typeof category === 'string' && category.length <= MAX_CATEGORY_LENGTH);
}

/** The monthly security release ("B") comes out on the second Tuesday; anything else is out of band. */
export function isSecondTuesday(date: Date): boolean {
  return date.getUTCDay() === 2 && date.getUTCDate() >= 8 && date.getUTCDate() <= 14;
}
