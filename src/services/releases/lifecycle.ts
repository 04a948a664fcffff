/**
 * Microsoft's lifecycle pages give end dates that last until 22:59:59 Pacific time on that day, which is
 * already the next morning in UTC and in Europe. Comparing the calendar date at UTC midnight with now
 * would call a release out of support a whole day early.
 */

const PACIFIC = 'America/Los_Angeles';
const HOUR_MS = 60 * 60 * 1000;

/** The instant servicing ends for a calendar date (UTC midnight): 22:59:59.999 that day in Pacific time. */
export function endOfServicingInstant(calendarDay: Date): Date {
  const localEnd = Date.UTC(calendarDay.getUTCFullYear(), calendarDay.getUTCMonth(), calendarDay.getUTCDate(), 22, 59, 59, 999);
  // Pacific is UTC-8, or UTC-7 in daylight saving time; ask the time-zone database which applies then.
  return new Date(localEnd - pacificOffsetHours(new Date(localEnd + 8 * HOUR_MS)) * HOUR_MS);
}

/** True once the end-of-servicing day is over in Pacific time. */
export function servicingHasEnded(endOfServicing: Date, now: Date): boolean {
  return now.getTime() > endOfServicingInstant(endOfServicing).getTime();
}

/** -8 or -7: the offset of Pacific time from UTC at `instant`. */
function pacificOffsetHours(instant: Date): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: PACIFIC, timeZoneName: 'shortOffset' })
    .formatToParts(instant)
    .find((part) => part.type === 'timeZoneName')?.value;
  const hours = /GMT([+-]\d{1,2})/.exec(name ?? '')?.[1];
  return hours === undefined ? -8 : Number(hours);
}
