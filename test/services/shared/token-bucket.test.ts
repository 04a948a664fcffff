import assert from 'node:assert/strict';
import sinon from 'sinon';
import { DEFAULT_TOKEN_BUCKET, TokenBucketLimiter } from '../../../src/services/shared/token-bucket';

describe('TokenBucketLimiter', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: new Date('2026-12-03T12:00:00Z'), toFake: ['Date'] });
  });
  afterEach(() => clock.restore());

  it('lets a burst through, then refuses until tokens refill', () => {
    const limiter = new TokenBucketLimiter({ burst: 3, refillPerSecond: 2 });
    assert.deepEqual([1, 2, 3, 4].map(() => limiter.tryTake('alice')), [true, true, true, false]);
    clock.tick(499);
    assert.equal(limiter.tryTake('alice'), false, 'under one token after 499 ms at 2/s');
    clock.tick(1);
    assert.equal(limiter.tryTake('alice'), true, 'one token after 500 ms');
    assert.equal(limiter.tryTake('alice'), false);
    clock.tick(60_000);
    assert.deepEqual([1, 2, 3, 4].map(() => limiter.tryTake('alice')), [true, true, true, false], 'refills to the burst, not beyond');
  });

  it('keeps each sender apart', () => {
    const limiter = new TokenBucketLimiter({ burst: 2, refillPerSecond: 1 });
    limiter.tryTake('alice');
    limiter.tryTake('alice');
    assert.equal(limiter.tryTake('alice'), false);
    assert.equal(limiter.tryTake('bob'), true, 'bob is not slowed by alice');
  });

  it('refusals cost nothing: a sender who keeps trying gets through at the refill rate', () => {
    const limiter = new TokenBucketLimiter({ burst: 1, refillPerSecond: 1 });
    let allowed = 0;
    for (let ms = 0; ms < 10_000; ms += 100) {
      if (limiter.tryTake('script')) allowed++;
      clock.tick(100);
    }
    assert.equal(allowed, 10, 'one a second over ten seconds of ten tries a second');
  });

  it('remembers at most maxKeys senders, forgetting the one seen least recently', () => {
    const limiter = new TokenBucketLimiter({ burst: 1, refillPerSecond: 0.001, maxKeys: 100 });
    assert.equal(limiter.tryTake('alice'), true);
    for (let i = 0; i < 1000; i++) limiter.tryTake(`made-up-${i}`);
    assert.equal(limiter.size, 100);
    assert.equal(limiter.tryTake('made-up-999'), false, 'a recent sender is still remembered');
  });

  it('has defaults a person never reaches and a script does', () => {
    const limiter = new TokenBucketLimiter();
    // A person: 20 quick clicks through pages, then a message every 2 s for ten minutes.
    for (let i = 0; i < 20; i++) assert.equal(limiter.tryTake('person'), true);
    for (let i = 0; i < 300; i++) {
      clock.tick(2_000);
      assert.equal(limiter.tryTake('person'), true);
    }
    // A script: 4,096 requests as fast as it can.
    let allowed = 0;
    for (let i = 0; i < 4096; i++) if (limiter.tryTake('script')) allowed++;
    assert.equal(allowed, DEFAULT_TOKEN_BUCKET.burst);
  });

  it('refuses limits that would let nothing through', () => {
    assert.throws(() => new TokenBucketLimiter({ burst: 0 }), RangeError);
    assert.throws(() => new TokenBucketLimiter({ refillPerSecond: 0 }), RangeError);
    assert.throws(() => new TokenBucketLimiter({ maxKeys: 0 }), RangeError);
  });
});
