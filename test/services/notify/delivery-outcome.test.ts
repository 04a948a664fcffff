import assert from 'node:assert/strict';
import { DeliveryFailed } from '../../../src/services/notify/deliverer';
import { backoffDelayMs, classifyDeliveryError, type BackoffPolicy, type DeliveryOperation, type DeliveryOutcome } from '../../../src/services/notify/delivery-outcome';

const policy: BackoffPolicy = { backoffBaseMs: 1000, backoffMaxMs: 60_000, maxRetryAfterMs: 120_000, random: () => 1 };

const failed = (status: number | undefined, options: { code?: string; retryAfterMs?: number; permanent?: boolean } = {}) =>
  new DeliveryFailed(status, options.permanent ?? false, 'refused', { code: options.code, retryAfterMs: options.retryAfterMs });

describe('what a failed send means', () => {
  const cases: { why: string; error: unknown; operation: DeliveryOperation; kind: DeliveryOutcome['kind']; retryInMs?: number }[] = [
    { why: '429 waits its Retry-After', error: failed(429, { retryAfterMs: 7_500 }), operation: 'post', kind: 'delivered-later', retryInMs: 7_500 },
    { why: '429 without Retry-After backs off', error: failed(429), operation: 'update', kind: 'delivered-later', retryInMs: 1000 },
    { why: 'a Retry-After beyond the bound waits the bound', error: failed(429, { retryAfterMs: 86_400_000 }), operation: 'post', kind: 'delivered-later', retryInMs: 120_000 },
    { why: 'a negative Retry-After backs off', error: failed(429, { retryAfterMs: -5 }), operation: 'post', kind: 'delivered-later', retryInMs: 1000 },
    { why: '412 is retried', error: failed(412), operation: 'update', kind: 'transient', retryInMs: 1000 },
    { why: '502 is retried', error: failed(502), operation: 'post', kind: 'transient', retryInMs: 1000 },
    { why: '503 is retried', error: failed(503), operation: 'reply', kind: 'transient', retryInMs: 1000 },
    { why: '504 is retried', error: failed(504), operation: 'post', kind: 'transient', retryInMs: 1000 },
    { why: 'no status (network) is retried', error: failed(undefined), operation: 'post', kind: 'transient', retryInMs: 1000 },
    { why: 'any other thrown error (timeout, socket) is retried', error: new Error('socket hang up'), operation: 'post', kind: 'transient', retryInMs: 1000 },
    { why: 'a thrown non-error is retried', error: 'boom', operation: 'post', kind: 'transient', retryInMs: 1000 },
    { why: 'no status but known permanent (a bad reference) fails', error: failed(undefined, { permanent: true }), operation: 'post', kind: 'failed' },
    { why: '403 stops the conversation', error: failed(403, { code: 'MessageWritesBlocked' }), operation: 'post', kind: 'conversation-gone' },
    { why: '403 without a code stops the conversation', error: failed(403), operation: 'update', kind: 'conversation-gone' },
    { why: '404 ConversationNotFound stops the conversation', error: failed(404, { code: 'ConversationNotFound' }), operation: 'update', kind: 'conversation-gone' },
    { why: '404 on a post stops the conversation', error: failed(404), operation: 'post', kind: 'conversation-gone' },
    { why: '404 on an update posts anew', error: failed(404, { code: 'ActivityNotFoundInConversation' }), operation: 'update', kind: 'activity-gone' },
    { why: '404 on a reply fails the delivery', error: failed(404), operation: 'reply', kind: 'failed' },
    { why: '400 fails', error: failed(400, { code: 'BadSyntax' }), operation: 'post', kind: 'failed' },
    { why: '401 fails', error: failed(401), operation: 'post', kind: 'failed' },
    { why: '413 fails', error: failed(413), operation: 'update', kind: 'failed' },
    { why: '500 fails', error: failed(500), operation: 'post', kind: 'failed' },
  ];
  for (const c of cases) {
    it(c.why, () => {
      const outcome = classifyDeliveryError(c.error, c.operation, 1, policy);
      assert.equal(outcome.kind, c.kind);
      if (c.retryInMs !== undefined) assert.equal((outcome as { retryInMs: number }).retryInMs, c.retryInMs);
    });
  }

  it('names the status and the Teams code in the reason', () => {
    const outcome = classifyDeliveryError(failed(403, { code: 'MessageWritesBlocked' }), 'post', 1, policy);
    assert.equal(outcome.reason, 'HTTP 403 MessageWritesBlocked: refused');
    assert.equal(outcome.status, 403);
    assert.equal(outcome.code, 'MessageWritesBlocked');
  });

  const backoffs: { why: string; attempt: number; random: number; ms: number }[] = [
    { why: 'first retry, most jitter', attempt: 1, random: 0, ms: 500 },
    { why: 'first retry, no jitter', attempt: 1, random: 0.999_999, ms: 1000 },
    { why: 'doubles each try', attempt: 3, random: 0.5, ms: 3000 },
    { why: 'stops growing at the bound', attempt: 12, random: 0.5, ms: 45_000 },
    { why: 'a huge attempt count stays at the bound', attempt: 10_000, random: 0, ms: 30_000 },
  ];
  for (const c of backoffs) {
    it(`backs off exponentially with jitter: ${c.why}`, () => {
      assert.equal(backoffDelayMs(c.attempt, { ...policy, random: () => c.random }), c.ms);
    });
  }
});
