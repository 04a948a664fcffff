import assert from 'node:assert/strict';
import { median, medianRound, percentile } from '../../bench/stats';

describe('bench statistics', () => {
  const table: Array<{ values: number[]; fraction: number; expected: number; why: string }> = [
    { values: [1, 2, 3, 4], fraction: 0.5, expected: 3, why: 'nearest rank, rounded down, of an even count is the upper middle' },
    { values: Array.from({ length: 50 }, (_, i) => i + 1), fraction: 0.99, expected: 50, why: 'p99 of 50 clicks is the slowest one' },
    { values: Array.from({ length: 200 }, (_, i) => i + 1), fraction: 0.99, expected: 199, why: 'p99 of 200 leaves the slowest two out' },
    { values: [7], fraction: 0.99, expected: 7, why: 'one value is every percentile' },
  ];
  for (const { values, fraction, expected, why } of table) {
    it(`percentile ${fraction} of ${values.length} values: ${why}`, () => {
      assert.equal(percentile(values, fraction), expected);
    });
  }

  it('percentile of nothing is NaN, not a crash', () => {
    assert.ok(Number.isNaN(percentile([], 0.5)));
  });

  it('median sorts a copy and leaves the input as it was', () => {
    const values = [5, 1, 3];
    assert.equal(median(values), 3);
    assert.deepEqual(values, [5, 1, 3]);
  });

  it('medianRound returns the whole round whose key is the median, so its other figures go with it', () => {
    const rounds = [
      { p50: 30, p99: 90 },
      { p50: 10, p99: 70 },
      { p50: 20, p99: 400 },
    ];
    assert.deepEqual(medianRound(rounds, (round) => round.p50), { p50: 20, p99: 400 });
  });
});
