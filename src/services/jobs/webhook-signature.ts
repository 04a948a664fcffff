/**
 * The HMAC both sides of the webhook runner agree on. The bot signs the job it posts to the servicing
 * host and the host signs every callback it posts back, the same way: hex HMAC-SHA256 with
 * RUNNER_SECRET over `<unix seconds>.<body text>`. The timestamp is inside the MAC so that an old
 * request cannot be re-dated, and it is bounded so that a captured request is worth minutes, not
 * forever (the receipt ledger refuses repeats inside that window). Pure: no clock, no I/O.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const TIMESTAMP_HEADER = 'X-UMB-Timestamp';
export const SIGNATURE_HEADER = 'X-UMB-Signature';
/** The signature header reads `sha256=<64 hex digits>`. */
export const SIGNATURE_PREFIX = 'sha256=';
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Unix seconds: at most 11 digits (year 5138), no sign, no fraction, no leading zero. */
const TIMESTAMP_PATTERN = /^[1-9][0-9]{0,10}$/;
const SIGNATURE_PATTERN = /^sha256=([0-9a-f]{64})$/i;
/** Header values are read only this far; anything longer is malformed before any regex runs on it. */
const MAX_HEADER_CHARACTERS = 128;

/** Hex HMAC-SHA256 over `${timestamp}.${body}` (body as UTF-8). */
export function signRequest(secret: string, timestamp: number, body: string): string {
  if (!Number.isSafeInteger(timestamp) || timestamp <= 0) throw new RangeError('timestamp must be whole unix seconds');
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

/** The two headers a signed request carries, ready to merge into a request's headers. */
export function signatureHeaders(secret: string, timestamp: number, body: string): Record<string, string> {
  return {
    [TIMESTAMP_HEADER]: String(timestamp),
    [SIGNATURE_HEADER]: `${SIGNATURE_PREFIX}${signRequest(secret, timestamp, body)}`,
  };
}

export type SignatureRefusal = 'missing' | 'malformed' | 'stale' | 'future' | 'mismatch';

export type SignatureVerdict = { ok: true; timestamp: number } | { ok: false; reason: SignatureRefusal };

/** A header as Node hands it over: absent, one value, or (for some repeated headers) several. */
export type HeaderValue = string | readonly string[] | undefined;

export interface SignedRequest {
  secret: string;
  timestampHeader: HeaderValue;
  signatureHeader: HeaderValue;
  body: string;
  now: Date;
  toleranceSeconds?: number;
}

export function verifySignedRequest(request: SignedRequest): SignatureVerdict {
  const { secret, body, now, toleranceSeconds = DEFAULT_TOLERANCE_SECONDS } = request;
  const timestampText = single(request.timestampHeader);
  const signatureText = single(request.signatureHeader);
  if (timestampText === undefined || signatureText === undefined) return { ok: false, reason: 'missing' };
  if (timestampText === null || signatureText === null) return { ok: false, reason: 'malformed' };

  if (!TIMESTAMP_PATTERN.test(timestampText)) return { ok: false, reason: 'malformed' };
  const match = SIGNATURE_PATTERN.exec(signatureText);
  if (!match) return { ok: false, reason: 'malformed' };
  const timestamp = Number(timestampText);

  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (nowSeconds - timestamp > toleranceSeconds) return { ok: false, reason: 'stale' };
  if (timestamp - nowSeconds > toleranceSeconds) return { ok: false, reason: 'future' };

  // Both are 32 bytes: the pattern fixed the length, so timingSafeEqual never throws here.
  const expected = Buffer.from(signRequest(secret, timestamp, body), 'hex');
  const given = Buffer.from(match[1] ?? '', 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'mismatch' };
  return { ok: true, timestamp };
}

/** undefined = absent or empty; null = present but unusable (repeated, too long); else the trimmed value. */
function single(value: HeaderValue): string | undefined | null {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    if (value.length === 0) return undefined;
    if (value.length > 1) return null;
    return single(value[0]);
  }
  if (value.length > MAX_HEADER_CHARACTERS) return null;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}
