/** A real HTTP(S) server on 127.0.0.1:0 whose answers each test scripts, recording what it received. */
import http, { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

export interface ReceivedRequest {
  method: string;
  /** The raw request target, as sent on the wire. */
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  socket: Socket;
}

export type ScriptedHandler = (request: ReceivedRequest, response: ServerResponse) => void | Promise<void>;

export interface ScriptedServer {
  /** e.g. http://127.0.0.1:34567/AdminService */
  baseUrl: string;
  origin: string;
  port: number;
  requests: ReceivedRequest[];
  /** Replaces the handler and forgets earlier requests. */
  script(handler: ScriptedHandler): void;
  close(): Promise<void>;
}

export function json(response: ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  response.writeHead(status, { 'Content-Type': 'application/json; odata.metadata=minimal', ...headers });
  response.end(JSON.stringify(body));
}

export async function startScriptedServer(tls?: { cert: string; key: string }): Promise<ScriptedServer> {
  let handler: ScriptedHandler = (_request, response) => json(response, 500, { error: 'no script' });
  const requests: ReceivedRequest[] = [];
  const listener = (incoming: IncomingMessage, response: ServerResponse): void => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const request: ReceivedRequest = {
        method: incoming.method ?? '',
        url: incoming.url ?? '',
        headers: incoming.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        socket: incoming.socket,
      };
      requests.push(request);
      Promise.resolve(handler(request, response)).catch((error: unknown) => {
        response.destroy(error as Error);
      });
    });
  };
  const server = tls ? https.createServer({ cert: tls.cert, key: tls.key }, listener) : http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  return {
    baseUrl: `${origin}/AdminService`,
    origin,
    port,
    requests,
    script: (next) => {
      handler = next;
      requests.length = 0;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
