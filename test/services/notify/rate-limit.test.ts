import assert from 'node:assert/strict';
import { ConversationLimiters, SlidingWindowLimiter, TEAMS_CONVERSATION_LIMITS, validateLimits, type WindowLimit } from '../../../src/services/notify/rate-limit';

/** The largest number of times in any window [t, t + perMs) (the receiver's strict sliding count). */
function busiestWindow(times: readonly number[], perMs: number): number {
  let busiest = 0;
  for (let start = 0, end = 0; end < times.length; end++) {
    while (times[end] - times[start] >= perMs) start++;
    busiest = Math.max(busiest, end - start + 1);
  }
  return busiest;
}

describe('sliding-window rate limits', () => {
  const cases: { why: string; limits: WindowLimit[]; margin: number; history: number[]; now: number; next: number }[] = [
    { why: 'nothing sent yet: now', limits: [{ count: 2, perMs: 1000 }], margin: 0, history: [], now: 5, next: 5 },
    { why: 'room left in the window: now', limits: [{ count: 2, perMs: 1000 }], margin: 0, history: [0], now: 10, next: 10 },
    { why: 'window full: when its oldest leaves', limits: [{ count: 2, perMs: 1000 }], margin: 0, history: [0, 100], now: 200, next: 1000 },
    { why: 'the margin widens the window', limits: [{ count: 2, perMs: 1000 }], margin: 40, history: [0, 100], now: 200, next: 1040 },
    { why: 'the oldest already left: now', limits: [{ count: 2, perMs: 1000 }], margin: 40, history: [0, 100], now: 1500, next: 1500 },
    { why: 'the slower of two limits decides', limits: [{ count: 2, perMs: 1000 }, { count: 3, perMs: 5000 }], margin: 0, history: [0, 1000, 2000], now: 2100, next: 5000 },
    { why: 'never before the last booked request', limits: [{ count: 5, perMs: 1000 }], margin: 0, history: [0, 700], now: 300, next: 700 },
  ];
  for (const c of cases) {
    it(`tells when the next request may go: ${c.why}`, () => {
      const limiter = new SlidingWindowLimiter(c.limits, c.margin);
      for (const time of c.history) limiter.record(time);
      assert.equal(limiter.nextAllowedAt(c.now), c.next);
    });
  }

  it('keeps a receiver counting strict 1-second windows at or under the app rate, however requests arrive', () => {
    const limiter = new SlidingWindowLimiter([{ count: 50, perMs: 1000 }]);
    const sent: number[] = [];
    let now = 0;
    for (let i = 0; i < 1000; i++) {
      now += i % 7 === 0 ? 3 : 0;
      sent.push(limiter.reserve(now));
    }
    assert.ok(busiestWindow(sent, 1000) <= 50);
    // Even a receiver that sees each request up to 40 ms early or late counts no more than 50.
    assert.ok(busiestWindow(sent, 1000 + 40) <= 50);
    // …and the limit is nearly used: 1000 requests at 50 per 1.04 s take under 21 s.
    assert.ok(sent.at(-1)! < 21_000, `took ${sent.at(-1)} ms`);
  });

  it("keeps every one of Teams' conversation windows", () => {
    const limiter = new SlidingWindowLimiter(TEAMS_CONVERSATION_LIMITS);
    const sent = Array.from({ length: 200 }, () => limiter.reserve(0));
    for (const limit of TEAMS_CONVERSATION_LIMITS) assert.ok(busiestWindow(sent, limit.perMs) <= limit.count, `${limit.count}/${limit.perMs}`);
    assert.equal(busiestWindow(sent, 1000), 7);
    assert.equal(busiestWindow(sent, 30_000), 60);
  });

  it('forgets all but the requests its longest count needs', () => {
    const limiter = new SlidingWindowLimiter([{ count: 3, perMs: 1000 }]);
    for (let i = 0; i < 100; i++) limiter.record(i * 10);
    assert.equal(limiter.nextAllowedAt(990), 970 + 1000 + 40);
  });

  const badLimits: { why: string; limits: WindowLimit[] }[] = [
    { why: 'a count of 0', limits: [{ count: 0, perMs: 1000 }] },
    { why: 'a fractional count', limits: [{ count: 1.5, perMs: 1000 }] },
    { why: 'a window of 0', limits: [{ count: 1, perMs: 0 }] },
    { why: 'an endless window', limits: [{ count: 1, perMs: Infinity }] },
  ];
  for (const c of badLimits) {
    it(`refuses a limit that can never be met: ${c.why}`, () => {
      assert.throws(() => validateLimits(c.limits), RangeError);
      assert.throws(() => new SlidingWindowLimiter(c.limits), RangeError);
    });
  }

  describe('per conversation', () => {
    it('limits each conversation on its own', () => {
      const limiters = new ConversationLimiters([{ count: 1, perMs: 1000 }], 10, 0);
      limiters.record('a', 0);
      assert.equal(limiters.nextAllowedAt('a', 10), 1000);
      assert.equal(limiters.nextAllowedAt('b', 10), 10);
    });

    it('remembers at most the bound of conversations, forgetting the least recently used', () => {
      const limiters = new ConversationLimiters([{ count: 1, perMs: 1000 }], 2, 0);
      limiters.record('a', 0);
      limiters.record('b', 0);
      limiters.record('a', 1000);
      limiters.record('c', 0);
      assert.equal(limiters.size, 2);
      assert.equal(limiters.nextAllowedAt('b', 10), 10, 'b was forgotten');
      assert.equal(limiters.nextAllowedAt('a', 10), 2000);
    });

    it('forgets conversations whose windows are empty', () => {
      const limiters = new ConversationLimiters([{ count: 1, perMs: 1000 }], 10, 0);
      limiters.record('a', 0);
      limiters.record('b', 900);
      limiters.forgetIdle(1500);
      assert.equal(limiters.size, 1);
    });

    it('refuses a bound below one conversation', () => {
      assert.throws(() => new ConversationLimiters(TEAMS_CONVERSATION_LIMITS, 0), RangeError);
    });
  });
});
