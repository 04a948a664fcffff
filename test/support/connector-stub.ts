/**
 * A stand-in for the channel's connector (the activity's serviceUrl): it records what the bot sends,
 * and either answers like the connector does (a new activity id for each post, the same id for an
 * update, a refusal for the conversations told to refuse) or never answers at all.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request the bot made, as the connector saw it. */
export interface ConnectorRequest {
  method: string;
  /** The path below the stub's url, e.g. /v3/conversations/a%3Aconversation-0/activities/reply-1. */
  path: string;
  /** The conversation id the path names (decoded), when it names one. */
  conversationId?: string;
  /** The activity id the path names (decoded): the one replied to (POST) or updated (PUT). */
  activityId?: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  activity?: Record<string, unknown>;
  /** The status the stub answered. */
  status: number;
  /** The id the stub gave a posted activity. */
  answeredId?: string;
}

export interface ConnectorStub {
  /** Use as an activity's serviceUrl. */
  url: string;
  /** Paths of the requests received so far. */
  received: string[];
  /** Their bodies, as text. */
  bodies: string[];
  /** Every request with what it meant and what the stub answered, oldest first. */
  requests: ConnectorRequest[];
  /** Conversations to refuse, with the status to answer (403 blocked, 404 gone); change it at any time. */
  refuse: Map<string, number>;
  /** Sockets the bot opened that are still open. */
  openSockets(): number;
  stop(): Promise<void>;
}

const CONVERSATION_PATH = /\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]+))?/;

export async function startConnectorStub(mode: 'answer' | 'never-answer'): Promise<ConnectorStub> {
  const received: string[] = [];
  const bodies: string[] = [];
  const requests: ConnectorRequest[] = [];
  const refuse = new Map<string, number>();
  const sockets = new Set<Socket>();
  let nextId = 0;
  const server: Server = createServer((req: IncomingMessage, res) => {
    received.push(req.url ?? '');
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      bodies.push(body);
      if (mode === 'never-answer') return;
      const path = (req.url ?? '').replace(/^\/connector/, '');
      const match = CONVERSATION_PATH.exec(path);
      const conversationId = match ? decodeURIComponent(match[1]) : undefined;
      const activityId = match?.[2] === undefined ? undefined : decodeURIComponent(match[2]);
      let activity: Record<string, unknown> | undefined;
      try {
        activity = body === '' ? undefined : (JSON.parse(body) as Record<string, unknown>);
      } catch {
        activity = undefined;
      }
      const request: ConnectorRequest = { method: req.method ?? '', path, conversationId, activityId, activity, status: 200 };
      requests.push(request);
      const refusal = conversationId === undefined ? undefined : refuse.get(conversationId);
      if (refusal !== undefined) {
        request.status = refusal;
        res.writeHead(refusal, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'BotDisabledByAdmin', message: 'The bot is not allowed in this conversation.' } }));
        return;
      }
      // An update keeps its id; anything posted gets a new one.
      request.answeredId = req.method === 'PUT' && activityId !== undefined ? activityId : `reply-${++nextId}`;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: request.answeredId }));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/connector`,
    received,
    bodies,
    requests,
    refuse,
    openSockets: () => sockets.size,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
