/**
 * The HTTP surface: POST /api/messages for the Bot Framework channel, GET /healthz for probes and
 * POST /api/jobs/:id/events for a servicing host's signed callbacks (RUNNER=webhook).
 */
import type { Logger } from 'pino';
import * as restify from 'restify';
import type { ActivityProcessor } from './bot/activity-processor';
import { readJsonRequest, type JsonBodyLimits } from './http/json-request';
import { registerServicingEvents, type ServicingCallbackOptions } from './http/servicing-events';
import { describeOutsideValue } from './services/shared/outside-value';

export interface HttpLimits extends JsonBodyLimits {
  /** Until the request's headers are complete. */
  headersTimeoutMs: number;
  /** Until the whole request, body included, is received; then 408 and the connection closes. */
  requestTimeoutMs: number;
  /** How long an idle kept-alive connection stays open between requests. */
  keepAliveTimeoutMs: number;
}

/**
 * The channel gives a turn 15 s and sends its few kilobytes at once: a client that takes 10 s for
 * its headers or its body is not the channel. 256 KB is generous for any real activity (Teams caps
 * messages near 28 KB) and small enough to refuse floods.
 */
export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  maxBodyBytes: 256 * 1024,
  maxJsonDepth: 32,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
};

export interface ServerOptions {
  processActivity: ActivityProcessor;
  logger: Logger;
  health: () => Record<string, unknown> | Promise<Record<string, unknown>>;
  limits?: Partial<HttpLimits>;
  /** Set when RUNNER=webhook; otherwise POST /api/jobs/:id/events answers 404. */
  servicingCallbacks?: ServicingCallbackOptions;
}

export function createServer(options: ServerOptions): restify.Server {
  const limits: HttpLimits = { ...DEFAULT_HTTP_LIMITS, ...options.limits };
  const { logger } = options;
  const server = restify.createServer({ name: 'upgrade-media-bot', handleUncaughtExceptions: false });
  applyTimeouts(server, limits);

  server.post('/api/messages', async (req, res) => {
    const body = await readJsonRequest(req, limits);
    if (!body.ok) {
      if (body.status === 0) return;
      logger.warn(
        { path: req.path(), status: body.status, reason: body.reason, contentType: describeOutsideValue(req.header('content-type')) },
        'request rejected',
      );
      // A body left unread would otherwise be drained on a kept-alive connection.
      if (body.bodyUnread) res.setHeader('connection', 'close');
      res.send(body.status, { error: body.message });
      return;
    }
    if (!isActivityLike(body.value)) {
      res.send(400, { error: 'The request body is not a Bot Framework activity.' });
      return;
    }
    const outcome = await options.processActivity(req.header('authorization') ?? '', body.value);
    for (const [name, value] of Object.entries(outcome.headers ?? {})) res.setHeader(name, value);
    if (outcome.json === undefined) {
      res.status(outcome.status);
      res.end();
    } else {
      res.sendRaw(outcome.status, outcome.json, { 'content-type': 'application/json; charset=utf-8' });
    }
  });

  registerServicingEvents(server, logger, options.servicingCallbacks);

  server.get('/healthz', async (_req, res) => {
    res.send(200, { status: 'ok', ...(await options.health()) });
  });

  server.on('restifyError', (req: restify.Request, _res: restify.Response, err: Error & { statusCode?: number }, callback: () => void) => {
    logger.warn({ path: describeOutsideValue(req.path()), status: err.statusCode, err: describeOutsideValue(err.message) }, 'request rejected');
    callback();
  });
  return server;
}

/**
 * Node checks these timeouts every connectionsCheckingInterval (30 s by default, read when the
 * server starts listening): unfinished headers were answered only after ~80 s. Checking often keeps
 * the bound close to the configured time.
 */
function applyTimeouts(server: restify.Server, limits: HttpLimits): void {
  const http = server.server;
  http.headersTimeout = limits.headersTimeoutMs;
  http.requestTimeout = Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs);
  http.keepAliveTimeout = limits.keepAliveTimeoutMs;
  (http as { connectionsCheckingInterval?: number }).connectionsCheckingInterval = Math.max(
    50,
    Math.min(1_000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4)),
  );
}

/** A body that is not an object with a string `type` never reaches the adapter. */
function isActivityLike(body: unknown): body is Record<string, unknown> & { type: string } {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && typeof (body as { type?: unknown }).type === 'string';
}
