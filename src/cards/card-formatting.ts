/** Small text formats the cards share: times Teams localises, sizes, durations. */

/**
 * A time as the Adaptive Cards DATE()/TIME() functions accept it: strict RFC 3339 without
 * milliseconds (Teams shows the raw text when the format is off). Null for a missing or invalid date.
 */
export function cardTimestamp(date: Date | null | undefined): string | null {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) return null;
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** "{{DATE(…, SHORT)}} {{TIME(…)}}": Teams renders it in the reader's time zone and language. */
export function localisedDateTime(date: Date | null | undefined, whenUnknown: string): string {
  const stamp = cardTimestamp(date);
  return stamp === null ? whenUnknown : `{{DATE(${stamp}, SHORT)}} {{TIME(${stamp})}}`;
}

const KB = 1024;
const MB = KB * 1024;
const GB = MB * 1024;

/** Sizes the way admins read WIM and package sizes: GB with one decimal, MB below a GB. */
export function formatBytes(bytes: number | null | undefined): string {
  if (typeof bytes !== 'number' || !Number.isFinite(bytes) || bytes < 0) return 'not known';
  if (bytes >= GB) return `${(bytes / GB).toFixed(1)} GB`;
  if (bytes >= MB) return `${Math.round(bytes / MB)} MB`;
  return `${Math.max(0, Math.round(bytes / KB))} KB`;
}

/** ConfigMgr's PackageSize, which we treat as KB. */
export function formatKilobytes(kb: number | null | undefined): string {
  if (typeof kb !== 'number' || !Number.isFinite(kb) || kb < 0) return 'not known';
  return formatBytes(kb * KB);
}

export function formatDuration(ms: number | null | undefined): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return 'not known';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

/** "1 package", "2 packages". */
export function countOf(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}

/**
 * A calendar day as "2026-04-14", for dates that are days rather than moments (a KB's release
 * date, the end of servicing, the release data's date). Stored as UTC midnight, they must not go
 * through Teams' DATE(): a reader west of UTC would see the day before.
 */
export function calendarDate(date: Date | null | undefined, whenUnknown = 'an unknown date'): string {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) return whenUnknown;
  return date.toISOString().slice(0, 10);
}
