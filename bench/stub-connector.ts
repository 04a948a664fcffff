/**
 * The channel's side of proactive messages for the bench: a local stand-in for the Bot Connector at
 * the activities' serviceUrl. It accepts every post (answering a new activity id) and every update at
 * once and counts them, so that the bot's card updates after a click are real HTTP calls without a
 * remote round trip in the figures.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubConnector {
  /** The serviceUrl to put on activities. */
  url: string;
  counts(): { posts: number; updates: number; other: number };
  stop(): Promise<void>;
}

export async function startStubConnector(): Promise<StubConnector> {
  let posts = 0;
  let updates = 0;
  let other = 0;
  const server = http.createServer((request, response) => {
    // The body is not needed: drained and dropped.
    request.resume();
    request.on('end', () => {
      const path = request.url ?? '';
      let id = 'stub';
      if (request.method === 'POST' && /^\/v3\/conversations\/[^/]+\/activities(\/[^/]+)?$/.test(path)) {
        posts += 1;
        id = `stub-${posts}`;
      } else if (request.method === 'PUT' && /^\/v3\/conversations\/[^/]+\/activities\/[^/]+$/.test(path)) {
        updates += 1;
        id = decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
      } else other += 1;
      const body = JSON.stringify({ id });
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      response.end(body);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    counts: () => ({ posts, updates, other }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
