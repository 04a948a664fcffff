/** The HTTP surface: POST /api/messages for the Bot Framework channel, GET /healthz for probes. */
import type { Logger } from 'pino';
import * as restify from 'restify';
import type { ActivityProcessor } from './bot/activity-processor';

export interface ServerOptions {
  processActivity: ActivityProcessor;
  logger: Logger;
  health: () => Record<string, unknown>;
}

/** Generous for any real activity (Teams caps messages near 28 KB), small enough to refuse floods. */
const MAX_BODY_BYTES = 256 * 1024;

export function createServer(options: ServerOptions): restify.Server {
  const server = restify.createServer({ name: 'upgrade-media-bot', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ mapParams: false, maxBodySize: MAX_BODY_BYTES }));

  server.post('/api/messages', async (req, res) => {
    if (!isActivityLike(req.body)) {
      res.send(400, { error: 'The request body is not a Bot Framework activity.' });
      return;
    }
    const outcome = await options.processActivity(req.header('authorization') ?? '', req.body);
    if (outcome.json === undefined) {
      res.status(outcome.status);
      res.end();
    } else {
      res.sendRaw(outcome.status, outcome.json, { 'content-type': 'application/json; charset=utf-8' });
    }
  });

  server.get('/healthz', async (_req, res) => {
    res.send(200, { status: 'ok', ...options.health() });
  });

  server.on('restifyError', (req: restify.Request, _res: restify.Response, err: Error & { statusCode?: number }, callback: () => void) => {
    options.logger.warn({ path: req.path(), status: err.statusCode, err: err.message }, 'request rejected');
    callback();
  });
  return server;
}

/** A body that is not an object with a string `type` never reaches the adapter. */
function isActivityLike(body: unknown): body is Record<string, unknown> & { type: string } {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && typeof (body as { type?: unknown }).type === 'string';
}
