/**
 * POST /api/jobs/:id/events: a servicing host (RUNNER=webhook) reports progress on a job. The order
 * of checks is the point: read at most a few kilobytes, check the id's shape, then the signature and
 * its timestamp, then the replay ledger, and only then parse the body and ask the job service. An
 * unsigned caller learns nothing about which jobs exist (every refusal before the signature is the
 * same for a real and an invented id), and nothing reaches the job service twice.
 */
import type { Logger } from 'pino';
import type * as restify from 'restify';
import { isJobId } from '../services/jobs/job';
import { parseServicingCallback } from '../services/jobs/servicing-callback';
import type { ReceiptLedger, ServicingEventPort } from '../services/jobs/servicing-callback-ports';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignedRequest } from '../services/jobs/webhook-signature';
import { describeOutsideValue } from '../services/shared/outside-value';
import { parseJsonText, readJsonText } from './json-request';

export interface ServicingCallbackOptions {
  /** RUNNER_SECRET. */
  secret: string;
  ledger: ReceiptLedger;
  onServicingEvent: ServicingEventPort;
  now?: () => Date;
  /** How far a callback's timestamp may be from the bot's clock, either way; 300 s by default. */
  toleranceSeconds?: number;
  /** A callback is a few hundred bytes; 16 KB by default. */
  maxBodyBytes?: number;
}

export const SERVICING_CALLBACK_BODY_BYTES = 16 * 1024;
const MAX_JSON_DEPTH = 8;

const SENTENCES = {
  notFound: 'No job with that id takes servicing callbacks.',
  unsigned: 'The callback is not signed with the runner secret within the allowed time window; sign it again with the current time.',
  replayed: 'This callback was already received; sign a new one with the current time if it is a new event.',
  badBody: 'The callback body does not follow servicing contract 1; see the bot log for the field at fault.',
  failed: 'The bot could not record the callback; sign it again with the current time and retry in a minute.',
} as const;

type Answer = { status: number; body: Record<string, unknown>; close?: boolean };

/** Registers the route; without `options` (RUNNER is not webhook) it answers 404 to everyone. */
export function registerServicingEvents(server: restify.Server, logger: Logger, options: ServicingCallbackOptions | undefined): void {
  server.post('/api/jobs/:id/events', async (req, res) => {
    let answer: Answer;
    try {
      answer = options === undefined ? { status: 404, body: { error: SENTENCES.notFound }, close: true } : await receive(req, options, logger);
    } catch (error) {
      logger.error({ err: error }, 'servicing callback failed');
      answer = { status: 500, body: { error: SENTENCES.failed } };
    }
    if (answer.status === 0) return;
    if (answer.close) res.setHeader('connection', 'close');
    res.send(answer.status, answer.body);
  });
}

async function receive(req: restify.Request, options: ServicingCallbackOptions, logger: Logger): Promise<Answer> {
  const read = await readJsonText(req, { maxBodyBytes: options.maxBodyBytes ?? SERVICING_CALLBACK_BODY_BYTES });
  if (!read.ok) {
    if (read.status !== 0) logger.warn({ status: read.status, reason: read.reason }, 'servicing callback refused');
    return { status: read.status, body: { error: read.message }, close: read.bodyUnread };
  }

  const rawId: unknown = req.params?.id;
  if (typeof rawId !== 'string' || !isJobId(rawId)) {
    logger.warn({ jobId: describeOutsideValue(rawId) }, 'servicing callback refused: not a job id');
    return { status: 404, body: { error: SENTENCES.notFound } };
  }
  const jobId = rawId.toUpperCase();

  const signatureHeader = req.headers[SIGNATURE_HEADER.toLowerCase()];
  const verdict = verifySignedRequest({
    secret: options.secret,
    timestampHeader: req.headers[TIMESTAMP_HEADER.toLowerCase()],
    signatureHeader,
    body: read.text,
    now: (options.now ?? (() => new Date()))(),
    toleranceSeconds: options.toleranceSeconds,
  });
  if (!verdict.ok) {
    logger.warn({ jobId, reason: verdict.reason }, 'servicing callback refused: signature');
    return { status: 401, body: { error: SENTENCES.unsigned } };
  }

  // Verified, so the header is one `sha256=<hex>` value; lower-case so that case changes are no way around the ledger.
  const signature = String(signatureHeader).trim().toLowerCase();
  const receivedAt = (options.now ?? (() => new Date()))();
  if (!(await options.ledger.record(signature, jobId, receivedAt))) {
    logger.warn({ jobId }, 'servicing callback refused: replayed');
    return { status: 409, body: { error: SENTENCES.replayed, code: 'replayed' } };
  }

  const json = parseJsonText(read.text, MAX_JSON_DEPTH);
  const parsed = json.ok ? parseServicingCallback(json.value) : { ok: false as const, problem: json.reason };
  if (!parsed.ok) {
    logger.warn({ jobId, problem: parsed.problem }, 'servicing callback refused: body');
    return { status: 400, body: { error: SENTENCES.badBody } };
  }

  const outcome = await options.onServicingEvent(jobId, parsed.event);
  if (outcome.status === 202) {
    logger.info({ jobId, event: parsed.event.event, stage: parsed.event.stage }, 'servicing callback accepted');
    return { status: 202, body: { accepted: true } };
  }
  logger.warn({ jobId, status: outcome.status, event: parsed.event.event }, 'servicing callback refused by the job');
  return { status: outcome.status, body: { error: outcome.message, ...(outcome.status === 409 ? { code: 'conflict' } : {}) } };
}
