/**
 * A stand-in for the channel's connector (the activity's serviceUrl): it records what the bot sends,
 * and either answers like the connector does or never answers at all.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ConnectorStub {
  /** Use as an activity's serviceUrl. */
  url: string;
  /** Paths of the requests received so far. */
  received: string[];
  /** Their bodies, as text. */
  bodies: string[];
  /** Sockets the bot opened that are still open. */
  openSockets(): number;
  stop(): Promise<void>;
}

export async function startConnectorStub(mode: 'answer' | 'never-answer'): Promise<ConnectorStub> {
  const received: string[] = [];
  const bodies: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req: IncomingMessage, res) => {
    received.push(req.url ?? '');
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => bodies.push(Buffer.concat(chunks).toString('utf8')));
    if (mode === 'answer') {
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: `reply-${received.length}` }));
      });
    }
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
    openSockets: () => sockets.size,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
