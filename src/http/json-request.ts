/**
 * The one way the bot reads a JSON request: content headers judged first (415), then the body read
 * under the size limit (413), decoded as strict UTF-8, checked for nesting depth and parsed (400).
 * It replaces restify's bodyParser, which also parsed forms, CSV and multipart uploads to disk.
 * A signed request (the servicing host's callbacks) needs the exact text before it is parsed:
 * readJsonText stops after decoding, parseJsonText does the rest, and readJsonRequest does both.
 */
import type { IncomingMessage } from 'node:http';
import { readBody } from './body-reader';
import { judgeContentHeaders } from './content-headers';
import { nestsDeeperThan } from './json-nesting';

export interface JsonBodyLimits {
  /** Bytes on the wire and again after decompression. */
  maxBodyBytes: number;
  /** Brackets open at once; a real activity nests fewer than ten. */
  maxJsonDepth: number;
}

export type JsonRefusal =
  /** `status` 0: the client left before the body was read; nothing can be answered. */
  { ok: false; status: 0 | 400 | 413 | 415; message: string; reason: string; bodyUnread: boolean };

/** `text` is the body as sent (after content decoding; a leading byte-order mark is dropped), for signatures over it. */
export type JsonRequestOutcome = { ok: true; value: unknown; text: string } | JsonRefusal;

export type JsonTextOutcome = { ok: true; text: string } | JsonRefusal;

export type JsonParseOutcome = { ok: true; value: unknown } | JsonRefusal;

const MESSAGES = {
  400: 'The request body is not valid JSON the bot can read.',
  413: 'The request body is larger than the bot accepts.',
  415: 'The bot reads only JSON (application/json in UTF-8, optionally gzip or deflate).',
} as const;

function refuse(status: 400 | 413 | 415, reason: string, bodyUnread: boolean): JsonRefusal {
  return { ok: false, status, message: MESSAGES[status], reason, bodyUnread };
}

export async function readJsonRequest(request: IncomingMessage, limits: JsonBodyLimits): Promise<JsonRequestOutcome> {
  const read = await readJsonText(request, limits);
  if (!read.ok) return read;
  const parsed = parseJsonText(read.text, limits.maxJsonDepth);
  return parsed.ok ? { ok: true, value: parsed.value, text: read.text } : parsed;
}

/** Content headers (415), bounded read (413), strict UTF-8 (400); no JSON parsing yet. */
export async function readJsonText(request: IncomingMessage, limits: Pick<JsonBodyLimits, 'maxBodyBytes'>): Promise<JsonTextOutcome> {
  const verdict = judgeContentHeaders(request.headers['content-type'], request.headers['content-encoding']);
  if (!verdict.accepted) return refuse(415, verdict.reason, true);

  const body = await readBody(request, { maxBytes: limits.maxBodyBytes, compression: verdict.compression });
  switch (body.kind) {
    case 'gone':
      return { ok: false, status: 0, message: '', reason: 'client closed the connection', bodyUnread: true };
    case 'too-large':
      return refuse(413, body.reason, true);
    case 'undecodable':
      return refuse(400, body.reason, true);
    case 'read':
      break;
  }

  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(body.bytes) };
  } catch {
    return refuse(400, 'body is not UTF-8', false);
  }
}

/** Nesting depth checked before JSON.parse, so a deeply nested body cannot exhaust the stack (400). */
export function parseJsonText(text: string, maxJsonDepth: number): JsonParseOutcome {
  if (nestsDeeperThan(text, maxJsonDepth)) return refuse(400, `JSON nested deeper than ${maxJsonDepth}`, false);
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return refuse(400, 'body is not JSON', false);
  }
}
