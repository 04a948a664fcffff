/**
 * How fast one sender may make the bot work: a token bucket per key (a user), pure apart from the
 * clock it is given. A person typing or clicking stays far inside the burst; a script sending
 * thousands of requests is slowed to the refill rate. The map of buckets is itself bounded, so that
 * made-up sender ids cannot grow it.
 */

export interface TokenBucketOptions {
  /** Requests a sender may make at once, and the most a bucket holds. */
  burst: number;
  /** Tokens added per second, up to `burst`: the sustained rate. */
  refillPerSecond: number;
  /** Senders remembered at most; the one idle longest is forgotten first (its bucket had refilled). */
  maxKeys: number;
  now?: () => number;
}

export const DEFAULT_TOKEN_BUCKET: Readonly<Omit<TokenBucketOptions, 'now'>> = {
  // A person sends a message every few seconds and clicks "Next" a few times a second at most.
  burst: 30,
  refillPerSecond: 2,
  maxKeys: 10_000,
};

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly options: Required<TokenBucketOptions>;

  constructor(options: Partial<TokenBucketOptions> = {}) {
    this.options = { ...DEFAULT_TOKEN_BUCKET, now: () => Date.now(), ...options };
    const { burst, refillPerSecond, maxKeys } = this.options;
    if (!(burst >= 1) || !(refillPerSecond > 0) || !(maxKeys >= 1)) {
      throw new RangeError(`burst must be ≥ 1, refillPerSecond > 0 and maxKeys ≥ 1 (got ${burst}, ${refillPerSecond}, ${maxKeys})`);
    }
  }

  /** Takes one token for `key`: true when the request may go ahead, false when it is over the limit. */
  tryTake(key: string): boolean {
    const now = this.options.now();
    const bucket = this.buckets.get(key);
    let tokens = this.options.burst;
    if (bucket !== undefined) {
      const elapsedSeconds = Math.max(0, now - bucket.updatedAt) / 1000;
      tokens = Math.min(this.options.burst, bucket.tokens + elapsedSeconds * this.options.refillPerSecond);
      // Re-inserted below, so that the map's order is least recently seen first.
      this.buckets.delete(key);
    } else if (this.buckets.size >= this.options.maxKeys) {
      this.buckets.delete(this.buckets.keys().next().value as string);
    }
    const allowed = tokens >= 1;
    this.buckets.set(key, { tokens: allowed ? tokens - 1 : tokens, updatedAt: now });
    return allowed;
  }

  /** Senders remembered now (at most maxKeys). */
  get size(): number {
    return this.buckets.size;
  }
}
