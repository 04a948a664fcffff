/**
 * Sliding-window rate limits, kept in memory and given the clock, so that they are pure and testable.
 * Why sliding windows rather than a token bucket: Teams states its limits as "at most N in any window
 * of T" (7/1 s, 8/2 s, 60/30 s, 1800/1 h per conversation, about 50/s per app), and a receiver that
 * counts a strict sliding window refuses a bucket's burst at a window's edge. A limiter here remembers
 * the times of the last requests and gives each new one the earliest time at which no window of any
 * limit would hold more than its count. A small margin widens every window, so that a request sent a
 * little late (a busy event loop) or arriving a little early still keeps the receiver's count.
 */

export interface WindowLimit {
  count: number;
  perMs: number;
}

/** Teams' limits on messages a bot sends into one conversation (thread). */
export const TEAMS_CONVERSATION_LIMITS: readonly WindowLimit[] = Object.freeze([
  { count: 7, perMs: 1_000 },
  { count: 8, perMs: 2_000 },
  { count: 60, perMs: 30_000 },
  { count: 1_800, perMs: 3_600_000 },
]);

/** How much wider than stated every window is kept: covers timer lateness and network reordering. */
export const DEFAULT_WINDOW_MARGIN_MS = 40;

/**
 * The app window's margin is wider: up to 16 sends share one event loop, and the time from booking a
 * request to its bytes leaving varies with what else the loop does (seen: 42 ms), so two requests booked a
 * second and a margin apart could still arrive less than a second apart. 60 ms keeps 94% of the ceiling.
 */
export const APP_WINDOW_MARGIN_MS = 60;

/** The app-wide limit: `ratePerSecond` requests in any second. */
export function appLimits(ratePerSecond: number): readonly WindowLimit[] {
  return [{ count: ratePerSecond, perMs: 1_000 }];
}

/** Throws on a limit that can never be met (a count below 1, a window that is not a positive whole number). */
export function validateLimits(limits: readonly WindowLimit[]): void {
  for (const limit of limits) {
    if (!Number.isInteger(limit.count) || limit.count < 1) throw new RangeError(`a rate limit needs a whole count of at least 1, not ${limit.count}`);
    if (!Number.isFinite(limit.perMs) || limit.perMs <= 0) throw new RangeError(`a rate limit needs a positive window, not ${limit.perMs} ms`);
  }
}

/**
 * One sender's history against a set of limits. Requests are recorded in time order (a request is
 * never recorded before the last one), which is what `nextAllowedAt` hands out.
 */
export class SlidingWindowLimiter {
  private readonly limits: readonly WindowLimit[];
  private readonly keep: number;
  private readonly longestMs: number;
  /** Times (ms) of the last `keep` requests, oldest first. */
  private readonly times: number[] = [];

  constructor(limits: readonly WindowLimit[], private readonly marginMs = DEFAULT_WINDOW_MARGIN_MS) {
    validateLimits(limits);
    this.limits = limits.map((limit) => ({ ...limit }));
    this.keep = Math.max(0, ...this.limits.map((limit) => limit.count));
    this.longestMs = Math.max(0, ...this.limits.map((limit) => limit.perMs)) + marginMs;
  }

  /** The earliest time (ms, ≥ nowMs) at which one more request keeps every limit. */
  nextAllowedAt(nowMs: number): number {
    let at = Math.max(nowMs, this.times.at(-1) ?? nowMs);
    // Moving later for one limit only empties the windows of the others, so this settles in a pass or two.
    for (let moved = true; moved; ) {
      moved = false;
      for (const limit of this.limits) {
        const index = this.times.length - limit.count;
        if (index < 0) continue;
        const freeAt = this.times[index] + limit.perMs + this.marginMs;
        if (freeAt > at) {
          at = freeAt;
          moved = true;
        }
      }
    }
    return at;
  }

  /** Records a request made (or booked) at atMs; a time before the last recorded one counts as that one. */
  record(atMs: number): void {
    this.times.push(Math.max(atMs, this.times.at(-1) ?? atMs));
    if (this.times.length > this.keep) this.times.splice(0, this.times.length - this.keep);
  }

  /** Books the next allowed time from nowMs and returns it: the caller sends then. */
  reserve(nowMs: number): number {
    const at = this.nextAllowedAt(nowMs);
    this.record(at);
    return at;
  }

  /** True when no window of any limit still holds a request at nowMs: the history can be forgotten. */
  isIdle(nowMs: number): boolean {
    const last = this.times.at(-1);
    return last === undefined || last + this.longestMs <= nowMs;
  }
}

/**
 * The per-conversation limiters, at most `maxConversations` of them: when more conversations are
 * active, the least recently used one is forgotten (most likely idle by then). Forgetting a busy conversation's
 * history can only let Teams answer 429, which the dispatcher honours.
 */
export class ConversationLimiters {
  private readonly limiters = new Map<string, SlidingWindowLimiter>();

  constructor(
    private readonly limits: readonly WindowLimit[],
    private readonly maxConversations = 10_000,
    private readonly marginMs = DEFAULT_WINDOW_MARGIN_MS,
  ) {
    validateLimits(limits);
    if (!Number.isInteger(maxConversations) || maxConversations < 1) throw new RangeError(`maxConversations must be a whole number of at least 1, not ${maxConversations}`);
  }

  get size(): number {
    return this.limiters.size;
  }

  /** When the conversation may get its next request. */
  nextAllowedAt(conversationId: string, nowMs: number): number {
    return this.limiters.get(conversationId)?.nextAllowedAt(nowMs) ?? nowMs;
  }

  record(conversationId: string, atMs: number): void {
    let limiter = this.limiters.get(conversationId);
    if (limiter) {
      // Map order is insertion order: re-inserting marks it most recently used.
      this.limiters.delete(conversationId);
    } else {
      limiter = new SlidingWindowLimiter(this.limits, this.marginMs);
    }
    limiter.record(atMs);
    this.limiters.set(conversationId, limiter);
    while (this.limiters.size > this.maxConversations) {
      const leastRecent = this.limiters.keys().next().value as string;
      this.limiters.delete(leastRecent);
    }
  }

  /** Forgets the conversations whose windows hold nothing any more (the dispatcher calls it now and then). */
  forgetIdle(nowMs: number): void {
    for (const [conversationId, limiter] of this.limiters) {
      if (limiter.isIdle(nowMs)) this.limiters.delete(conversationId);
    }
  }
}
