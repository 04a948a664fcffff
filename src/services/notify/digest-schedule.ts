/**
 * When the weekly digest is due: the next (or last) occurrence of a weekday and time in the bot's local
 * time zone (TZ). Pure, and calendar-based rather than "add 7 × 24 h", because a week that crosses a
 * daylight-saving change is 167 or 169 hours long and the digest must still come at 08:00.
 *
 * At a time that does not exist on the day of a spring-forward change (02:30 in most of Europe), the
 * digest goes at the same minute after the gap (03:30), as JavaScript's Date resolves it; at a time
 * that happens twice in the autumn, at the first of the two.
 */

/** A weekly moment: day 0 = Sunday … 6 = Saturday, at hour:minute local time (config.notifications.digest). */
export interface WeeklyMoment {
  day: number;
  hour: number;
  minute: number;
}

/** The first occurrence strictly after `after`. */
export function nextOccurrence(moment: WeeklyMoment, after: Date): Date {
  assertMoment(moment);
  for (let offset = 0; offset <= 7; offset++) {
    const candidate = occurrenceOn(moment, after, offset);
    if (candidate !== undefined && candidate.getTime() > after.getTime()) return candidate;
  }
  // Unreachable: within 8 calendar days the weekday comes round after `after`.
  throw new Error('no weekly occurrence within eight days');
}

/** The last occurrence at or before `atOrBefore`. */
export function previousOccurrence(moment: WeeklyMoment, atOrBefore: Date): Date {
  assertMoment(moment);
  for (let offset = 0; offset >= -7; offset--) {
    const candidate = occurrenceOn(moment, atOrBefore, offset);
    if (candidate !== undefined && candidate.getTime() <= atOrBefore.getTime()) return candidate;
  }
  throw new Error('no weekly occurrence within eight days');
}

/** The local calendar date of an occurrence, e.g. "2026-03-30": what names a week's digest once. */
export function localDateKey(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The moment on the local calendar day `offset` days from `from`'s, when that day is the moment's weekday. */
function occurrenceOn(moment: WeeklyMoment, from: Date, offset: number): Date | undefined {
  // Noon of the day: its weekday is right whatever a daylight-saving change does to the small hours.
  const noon = new Date(from.getFullYear(), from.getMonth(), from.getDate() + offset, 12, 0, 0, 0);
  if (noon.getDay() !== moment.day) return undefined;
  return new Date(noon.getFullYear(), noon.getMonth(), noon.getDate(), moment.hour, moment.minute, 0, 0);
}

function assertMoment(moment: WeeklyMoment): void {
  const whole = (n: number, max: number) => Number.isInteger(n) && n >= 0 && n <= max;
  if (!whole(moment.day, 6) || !whole(moment.hour, 23) || !whole(moment.minute, 59)) {
    throw new RangeError(`a weekly moment needs day 0–6, hour 0–23 and minute 0–59, not ${JSON.stringify(moment)}`);
  }
}
