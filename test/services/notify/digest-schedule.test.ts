/**
 * The weekly digest's time, in local time. TZ is set per test (Node reads process.env.TZ anew when it is
 * assigned) to zones with daylight saving on different dates, and restored afterwards.
 */
import assert from 'node:assert/strict';
import { localDateKey, nextOccurrence, previousOccurrence } from '../../../src/services/notify/digest-schedule';

function inZone(zone: string, body: () => void): void {
  const saved = process.env.TZ;
  process.env.TZ = zone;
  try {
    body();
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
}

const MONDAY_8 = { day: 1, hour: 8, minute: 0 };

describe('digest schedule', () => {
  const cases: Array<{ zone: string; after: string; moment?: { day: number; hour: number; minute: number }; next: string; why: string }> = [
    { zone: 'Europe/Berlin', after: '2026-03-25T12:00:00Z', next: '2026-03-30T06:00:00Z', why: 'across the spring change: 08:00 CEST is 06:00 UTC' },
    { zone: 'Europe/Berlin', after: '2026-03-23T07:00:00Z', next: '2026-03-30T06:00:00Z', why: 'just after this week’s: next week' },
    { zone: 'Europe/Berlin', after: '2026-03-23T06:59:00Z', next: '2026-03-23T07:00:00Z', why: 'a minute before: today, 08:00 CET' },
    { zone: 'Europe/Berlin', after: '2026-10-20T12:00:00Z', next: '2026-10-26T07:00:00Z', why: 'across the autumn change: back to 07:00 UTC' },
    { zone: 'America/New_York', after: '2026-03-04T12:00:00Z', next: '2026-03-09T12:00:00Z', why: 'the US changes on another Sunday (8 March)' },
    { zone: 'Europe/Berlin', after: '2026-03-25T12:00:00Z', moment: { day: 0, hour: 2, minute: 30 }, next: '2026-03-29T01:30:00Z', why: 'a time that does not exist that Sunday goes at the same minute after the gap (03:30 CEST)' },
    { zone: 'UTC', after: '2026-12-31T23:59:00Z', moment: { day: 5, hour: 0, minute: 0 }, next: '2027-01-01T00:00:00Z', why: 'across the year' },
  ];
  for (const { zone, after, moment, next, why } of cases) {
    it(`${why} (${zone})`, () => {
      inZone(zone, () => {
        assert.equal(nextOccurrence(moment ?? MONDAY_8, new Date(after)).toISOString(), new Date(next).toISOString());
      });
    });
  }

  it('the previous occurrence is the one at or before the time, the local date names it', () => {
    inZone('Europe/Berlin', () => {
      assert.equal(previousOccurrence(MONDAY_8, new Date('2026-03-30T06:00:00Z')).toISOString(), '2026-03-30T06:00:00.000Z');
      assert.equal(previousOccurrence(MONDAY_8, new Date('2026-03-30T05:59:00Z')).toISOString(), '2026-03-23T07:00:00.000Z');
      assert.equal(localDateKey(new Date('2026-03-29T23:30:00Z')), '2026-03-30', 'the local day, not the UTC one');
    });
  });

  it('every next occurrence is a week of local time after the last, through a whole year of changes', () => {
    inZone('Europe/Berlin', () => {
      let at = nextOccurrence(MONDAY_8, new Date('2026-01-01T00:00:00Z'));
      for (let week = 0; week < 60; week++) {
        assert.equal(at.getDay(), 1);
        assert.equal(at.getHours(), 8);
        assert.equal(at.getMinutes(), 0);
        at = nextOccurrence(MONDAY_8, at);
      }
    });
  });

  for (const bad of [{ day: 7, hour: 8, minute: 0 }, { day: 1, hour: 24, minute: 0 }, { day: 1, hour: 8, minute: 60 }, { day: -1, hour: 8, minute: 0 }, { day: 1.5, hour: 8, minute: 0 }]) {
    it(`refuses ${JSON.stringify(bad)}`, () => {
      assert.throws(() => nextOccurrence(bad, new Date()), RangeError);
      assert.throws(() => previousOccurrence(bad, new Date()), RangeError);
    });
  }
});
