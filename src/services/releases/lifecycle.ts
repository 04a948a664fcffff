/**
 * Microsoft's lifecycle pages give end dates that last until 22:59:59 Pacific time on that day, which is
 * already the next morning in UTC and in Europe. Comparing the calendar date at UTC midnight with now
 * would call a release out of support a whole day early.
 *
 * The lifecycle data behind those pages writes the instant with a fixed offset, summer or winter
 * (`end: 2026-10-13T22:59:59.999-08:00`, in daylight-saving October): Pacific standard time all year. So
 * a servicing day always ends at 06:59:59.999 UTC the next morning, and no time-zone database is asked.
 */

const PACIFIC_STANDARD_OFFSET_HOURS = -8;
const HOUR_MS = 60 * 60 * 1000;

/** The instant servicing ends for a calendar date (UTC midnight): 22:59:59.999 that day at UTC-8. */
export function endOfServicingInstant(calendarDay: Date): Date {
  const localEnd = Date.UTC(calendarDay.getUTCFullYear(), calendarDay.getUTCMonth(), calendarDay.getUTCDate(), 22, 59, 59, 999);
  return new Date(localEnd - PACIFIC_STANDARD_OFFSET_HOURS * HOUR_MS);
}

/** True once the end-of-servicing day is over in Pacific time. */
export function servicingHasEnded(endOfServicing: Date, now: Date): boolean {
  return now.getTime() > endOfServicingInstant(endOfServicing).getTime();
}
