import { strict as assert } from 'node:assert';
import { endOfServicingInstant, servicingHasEnded } from '../../../src/services/releases/lifecycle';

describe('lifecycle end dates (22:59:59 Pacific on the stated day)', () => {
  const cases: Array<{ day: string; endsAt: string; why: string }> = [
    { day: '2026-11-10', endsAt: '2026-11-11T06:59:59.999Z', why: 'November is standard time, UTC-8' },
    { day: '2027-10-12', endsAt: '2027-10-13T05:59:59.999Z', why: 'October is daylight saving time, UTC-7' },
    { day: '2025-10-14', endsAt: '2025-10-15T05:59:59.999Z', why: "Windows 10's end, in daylight saving time" },
    { day: '2026-03-08', endsAt: '2026-03-09T05:59:59.999Z', why: 'the day clocks change: the evening is already UTC-7' },
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
