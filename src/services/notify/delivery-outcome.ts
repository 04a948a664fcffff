/**
 * What a failed send means for its delivery, decided in one place so that the dispatcher's rules can be
 * read (and table-tested) at a glance. Teams' facts: 429 is "too fast, wait Retry-After"; 412, 502, 503,
 * 504 and an answer that never came are worth retrying with jittered backoff; 403 means the bot was
 * removed or blocked and 404 ConversationNotFound that the conversation is gone (stop sending there);
 * 404 on an update means the message was deleted (post a new one); anything else will fail again.
 */
import { DeliveryFailed } from './deliverer';

export type DeliveryOperation = 'post' | 'update' | 'reply';

export type DeliveryOutcome =
  /** Throttled (429): try again after retryInMs. */
  | { kind: 'delivered-later'; retryInMs: number; status: number; code?: string; reason: string }
  /** Worth retrying after retryInMs (412/502/503/504, a timeout, a network failure). */
  | { kind: 'transient'; retryInMs: number; status?: number; code?: string; reason: string }
  /** The bot cannot reach the conversation any more: disable it. */
  | { kind: 'conversation-gone'; status: number; code?: string; reason: string }
  /** The message to update no longer exists: post a new one. */
  | { kind: 'activity-gone'; status: number; code?: string; reason: string }
  /** Trying again would fail again. */
  | { kind: 'failed'; status?: number; code?: string; reason: string };

export interface BackoffPolicy {
  /** The first retry's delay before jitter. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** A Retry-After above this is taken as this (a garbage header must not park a delivery for days). */
  maxRetryAfterMs: number;
  /** [0, 1): Math.random in production, fixed in tests. */
  random: () => number;
}

const RETRIED_STATUSES = new Set([412, 502, 503, 504]);

/**
 * The delay before retry number `attempt` (1 = the first retry): exponential from backoffBaseMs, capped at
 * backoffMaxMs, then jittered down by up to half so that deliveries failed together do not return together.
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 30));
  const ceiling = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (ceiling / 2) * policy.random());
}

/** Classifies what post/update/reply threw; attempt is the number of this try (1 = the first). */
export function classifyDeliveryError(error: unknown, operation: DeliveryOperation, attempt: number, policy: BackoffPolicy): DeliveryOutcome {
  if (!(error instanceof DeliveryFailed)) {
    const reason = `no answer from Teams: ${error instanceof Error ? error.message : String(error)}`;
    return { kind: 'transient', retryInMs: backoffDelayMs(attempt, policy), reason };
  }
  const { status, code } = error;
  const reason = describe(error);
  if (status === undefined) {
    // No status: the request never got an answer (network, timeout), unless the deliverer knew it never could.
    return error.permanent ? { kind: 'failed', code, reason } : { kind: 'transient', retryInMs: backoffDelayMs(attempt, policy), code, reason };
  }
  if (status === 429) {
    const retryAfter = error.retryAfterMs;
    const retryInMs = retryAfter !== undefined && Number.isFinite(retryAfter) && retryAfter >= 0 ? Math.min(Math.ceil(retryAfter), policy.maxRetryAfterMs) : backoffDelayMs(attempt, policy);
    return { kind: 'delivered-later', retryInMs, status, code, reason };
  }
  if (RETRIED_STATUSES.has(status)) return { kind: 'transient', retryInMs: backoffDelayMs(attempt, policy), status, code, reason };
  if (status === 403) return { kind: 'conversation-gone', status, code, reason };
  if (status === 404) {
    if (code === 'ConversationNotFound' || operation === 'post') return { kind: 'conversation-gone', status, code, reason };
    if (operation === 'update') return { kind: 'activity-gone', status, code, reason };
  }
  return { kind: 'failed', status, code, reason };
}

/** One line for last_error and last_failure_reason: status, Teams' code, and the message. */
export function describe(error: DeliveryFailed): string {
  const head = [error.status !== undefined ? `HTTP ${error.status}` : undefined, error.code].filter((part) => part !== undefined).join(' ');
  return head ? `${head}: ${error.message}` : error.message;
}
