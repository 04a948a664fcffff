/**
 * The one way the bot reads a JSON request: content headers judged first (415), then the body read
 * under the size limit (413), decoded as strict UTF-8, checked for nesting depth and parsed (400).
 * It replaces restify's bodyParser, which also parsed forms, CSV and multipart uploads to disk.
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

export type JsonRequestOutcome =
  | { ok: true; value: unknown }
  /** `status` 0: the client left before the body was read; nothing can be answered. */
  | { ok: false; status: 0 | 400 | 413 | 415; message: string; reason: string; bodyUnread: boolean };

const MESSAGES = {
  400: 'The request body is not valid JSON the bot can read.',
  413: 'The request body is larger than the bot accepts.',
  415: 'The bot reads only JSON (application/json in UTF-8, optionally gzip or deflate).',
} as const;

function refuse(status: 400 | 413 | 415, reason: string, bodyUnread: boolean): JsonRequestOutcome {
  return { ok: false, status, message: MESSAGES[status], reason, bodyUnread };
}

export async function readJsonRequest(request: IncomingMessage, limits: JsonBodyLimits): Promise<JsonRequestOutcome> {
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

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body.bytes);
  } catch {
    return refuse(400, 'body is not UTF-8', false);
  }
  if (nestsDeeperThan(text, limits.maxJsonDepth)) return refuse(400, `JSON nested deeper than ${limits.maxJsonDepth}`, false);
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return refuse(400, 'body is not JSON', false);
  }
}
