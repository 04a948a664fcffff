import { strict as assert } from 'node:assert';
import { endOfServicingInstant, servicingHasEnded } from '../../../src/services/releases/lifecycle';

describe('lifecycle end dates (22:59:59 Pacific standard time on the stated day)', () => {
  // Microsoft's lifecycle data writes e.g. `end: 2026-10-13T22:59:59.999-08:00` for an October date:
  // the offset is UTC-8 in summer too, so every end is 06:59:59.999 UTC the next morning.
  const cases: Array<{ day: string; endsAt: string; why: string }> = [
    { day: '2026-11-10', endsAt: '2026-11-11T06:59:59.999Z', why: 'November, standard time' },
    { day: '2027-10-12', endsAt: '2027-10-13T06:59:59.999Z', why: 'October: the lifecycle data keeps UTC-8 in daylight saving time' },
    { day: '2025-10-14', endsAt: '2025-10-15T06:59:59.999Z', why: "Windows 10's end, 23:59:59 on a Pacific wall clock" },
    { day: '2026-03-08', endsAt: '2026-03-09T06:59:59.999Z', why: 'the day clocks change makes no difference' },
    { day: '2028-02-29', endsAt: '2028-03-01T06:59:59.999Z', why: 'a leap day rolls over into March' },
  ];
  for (const { day, endsAt, why } of cases) {
    it(`ends ${day} at ${endsAt} (${why})`, () => {
      const end = endOfServicingInstant(new Date(`${day}T00:00:00Z`));
      assert.equal(end.toISOString(), endsAt);
    });
  }

  it('keeps a release in support through the whole stated day in Europe and UTC', () => {
    const end = new Date('2026-11-10T00:00:00Z');
    assert.equal(servicingHasEnded(end, new Date('2026-11-10T23:30:00Z')), false);
    assert.equal(servicingHasEnded(end, new Date('2026-11-11T06:59:00Z')), false);
    assert.equal(servicingHasEnded(end, new Date('2026-11-11T07:00:00Z')), true);
  });
});
