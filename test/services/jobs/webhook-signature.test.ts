import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  signatureHeaders,
  signRequest,
  verifySignedRequest,
  type HeaderValue,
  type SignatureVerdict,
} from '../../../src/services/jobs/webhook-signature';

const SECRET = 'a-runner-secret-of-some-length';
const NOW = new Date('2026-12-03T16:00:00Z');
const T = Math.floor(NOW.getTime() / 1000);
const BODY = '{"contract":1,"event":"completed"}';

describe('webhook signatures', () => {
  it('signs hex HMAC-SHA256 over "<timestamp>.<body>", as a host computes it by hand', () => {
    const byHand = createHmac('sha256', SECRET).update(`${T}.${BODY}`).digest('hex');
    assert.equal(signRequest(SECRET, T, BODY), byHand);
    assert.match(byHand, /^[0-9a-f]{64}$/);
    assert.deepEqual(signatureHeaders(SECRET, T, BODY), { [TIMESTAMP_HEADER]: String(T), [SIGNATURE_HEADER]: `sha256=${byHand}` });
  });

  it('signs non-ASCII bodies over their UTF-8 bytes', () => {
    const body = '{"message":"Übersetzt – 完了"}';
    const byBytes = createHmac('sha256', SECRET).update(Buffer.concat([Buffer.from(`${T}.`), Buffer.from(body, 'utf8')])).digest('hex');
    assert.equal(signRequest(SECRET, T, body), byBytes);
  });

  it('refuses to sign with a timestamp that is not whole seconds', () => {
    assert.throws(() => signRequest(SECRET, 1.5, BODY), RangeError);
    assert.throws(() => signRequest(SECRET, Date.now() * 1000 * 1000, BODY), RangeError);
  });

  const good = `sha256=${signRequest(SECRET, T, BODY)}`;
  const cases: Array<{ why: string; timestamp: HeaderValue; signature: HeaderValue; body?: string; secret?: string; expect: SignatureVerdict }> = [
    { why: 'a fresh, correct signature', timestamp: String(T), signature: good, expect: { ok: true, timestamp: T } },
    { why: 'upper-case hex is the same signature', timestamp: String(T), signature: good.toUpperCase().replace('SHA256=', 'sha256='), expect: { ok: true, timestamp: T } },
    { why: 'surrounding blanks are not part of a header value', timestamp: ` ${T} `, signature: ` ${good} `, expect: { ok: true, timestamp: T } },
    { why: 'one value given as an array', timestamp: [String(T)], signature: [good], expect: { ok: true, timestamp: T } },
    { why: 'no signature header', timestamp: String(T), signature: undefined, expect: { ok: false, reason: 'missing' } },
    { why: 'no timestamp header', timestamp: undefined, signature: good, expect: { ok: false, reason: 'missing' } },
    { why: 'an empty signature header', timestamp: String(T), signature: '  ', expect: { ok: false, reason: 'missing' } },
    { why: 'no sha256= prefix', timestamp: String(T), signature: good.slice(7), expect: { ok: false, reason: 'malformed' } },
    { why: 'another algorithm', timestamp: String(T), signature: good.replace('sha256', 'sha1'), expect: { ok: false, reason: 'malformed' } },
    { why: 'a hex digest one digit short', timestamp: String(T), signature: good.slice(0, -1), expect: { ok: false, reason: 'malformed' } },
    { why: 'non-hex digits', timestamp: String(T), signature: `sha256=${'g'.repeat(64)}`, expect: { ok: false, reason: 'malformed' } },
    { why: 'a 100 KB header is not read', timestamp: String(T), signature: `sha256=${'a'.repeat(100_000)}`, expect: { ok: false, reason: 'malformed' } },
    { why: 'two signatures', timestamp: String(T), signature: [good, good], expect: { ok: false, reason: 'malformed' } },
    { why: 'milliseconds (13 digits), not seconds', timestamp: String(T * 1000), signature: good, expect: { ok: false, reason: 'malformed' } },
    { why: 'a fractional timestamp', timestamp: `${T}.5`, signature: good, expect: { ok: false, reason: 'malformed' } },
    { why: 'a negative timestamp', timestamp: `-${T}`, signature: good, expect: { ok: false, reason: 'malformed' } },
    { why: 'an ISO date instead of seconds', timestamp: NOW.toISOString(), signature: good, expect: { ok: false, reason: 'malformed' } },
    { why: 'a leading zero', timestamp: `0${T}`, signature: good, expect: { ok: false, reason: 'malformed' } },
    { why: 'a 40-digit number', timestamp: '9'.repeat(40), signature: good, expect: { ok: false, reason: 'malformed' } },
    { why: 'ten minutes old', timestamp: String(T - 600), signature: `sha256=${signRequest(SECRET, T - 600, BODY)}`, expect: { ok: false, reason: 'stale' } },
    { why: 'ten minutes ahead', timestamp: String(T + 600), signature: `sha256=${signRequest(SECRET, T + 600, BODY)}`, expect: { ok: false, reason: 'future' } },
    { why: 'exactly at the tolerance is still fine', timestamp: String(T - 300), signature: `sha256=${signRequest(SECRET, T - 300, BODY)}`, expect: { ok: true, timestamp: T - 300 } },
    { why: 'one second past the tolerance', timestamp: String(T - 301), signature: `sha256=${signRequest(SECRET, T - 301, BODY)}`, expect: { ok: false, reason: 'stale' } },
    { why: 'the body changed after signing', timestamp: String(T), signature: good, body: BODY.replace('completed', 'failed'), expect: { ok: false, reason: 'mismatch' } },
    { why: 'the timestamp changed after signing', timestamp: String(T + 1), signature: good, expect: { ok: false, reason: 'mismatch' } },
    { why: 'signed with another secret', timestamp: String(T), signature: good, secret: `${SECRET}x`, expect: { ok: false, reason: 'mismatch' } },
  ];
  for (const c of cases) {
    it(`judges ${c.why}: ${c.expect.ok ? 'ok' : c.expect.reason}`, () => {
      const verdict = verifySignedRequest({
        secret: c.secret ?? SECRET,
        timestampHeader: c.timestamp,
        signatureHeader: c.signature,
        body: c.body ?? BODY,
        now: NOW,
      });
      assert.deepEqual(verdict, c.expect);
    });
  }

  it('honours a narrower tolerance', () => {
    const signature = `sha256=${signRequest(SECRET, T - 31, BODY)}`;
    assert.deepEqual(verifySignedRequest({ secret: SECRET, timestampHeader: String(T - 31), signatureHeader: signature, body: BODY, now: NOW, toleranceSeconds: 30 }), {
      ok: false,
      reason: 'stale',
    });
  });
});
