import assert from 'node:assert/strict';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import pino from 'pino';
import type { Job } from '../../../src/services/jobs/job';
import {
  buildServicingJobPayload,
  ServicingHostClient,
  ServicingHostRefused,
  ServicingHostUnavailable,
  type ServicingJobPayload,
} from '../../../src/services/jobs/servicing-host-client';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignedRequest } from '../../../src/services/jobs/webhook-signature';

const SECRET = 'servicing-host-shared-secret-1234';
const silent = pino({ level: 'silent' });

const JOB: Job = {
  id: 'K7P2Q',
  packageId: 'PS100012',
  packageName: 'Windows 11 24H2 Enterprise x64',
  packageKind: 'upgrade',
  requester: { id: '00000000-0000-4000-8000-000000000001', name: 'Ada Admin' },
  reason: 'July cumulative update',
  state: 'running',
  stages: ['service_media', 'keep_editions', 'verify_source', 'reload_image_properties', 'refresh_distribution_points', 'watch_distribution'],
  options: { keepEditionIndexes: [3], removeAutorun: true },
  fromSourceVersion: 4,
  fromBuild: '26100.4349',
  latestBuild: '26100.4652',
  newBuild: null,
  newSourceVersion: null,
  stage: 'service_media',
  cancelRequested: false,
  outcome: null,
  createdAt: new Date('2026-12-03T15:00:00Z'),
  updatedAt: new Date('2026-12-03T15:00:00Z'),
  expiresAt: new Date('2026-12-04T15:00:00Z'),
  finishedAt: null,
  version: 3,
};
const SOURCE = '\\\\cm01\\OSD$\\Upgrade\\W11-24H2';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
  url: string;
}

/** A servicing host on port 0 whose answer each test chooses. */
async function startHost(answer: (req: IncomingMessage, res: ServerResponse, received: Received) => void): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const entry = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), url: req.url ?? '' };
      received.push(entry);
      answer(req, res, entry);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/servicing/jobs`, received };
}

async function stop(server: Server | TcpServer): Promise<void> {
  (server as Server).closeAllConnections?.();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

function client(url: string, timeoutMs = 2_000): ServicingHostClient {
  return new ServicingHostClient({ url, secret: SECRET, timeoutMs, maxResponseBytes: 4 * 1024, logger: silent });
}

describe('servicing host client (real HTTP)', () => {
  const payload = buildServicingJobPayload(JOB, SOURCE, 'https://osd-bot.contoso.com/');

  it('builds contract 1 with the callback URL under the public URL', () => {
    const expected: ServicingJobPayload = {
      contract: 1,
      jobId: 'K7P2Q',
      package: { id: 'PS100012', name: 'Windows 11 24H2 Enterprise x64', kind: 'upgrade', sourcePath: SOURCE },
      fromBuild: '26100.4349',
      latestBuild: '26100.4652',
      stages: JOB.stages,
      options: { keepEditionIndexes: [3], removeAutorun: true },
      callbackUrl: 'https://osd-bot.contoso.com/api/jobs/K7P2Q/events',
      requestedBy: { id: '00000000-0000-4000-8000-000000000001', name: 'Ada Admin' },
      reason: 'July cumulative update',
    };
    assert.deepEqual(payload, expected);
    assert.equal(buildServicingJobPayload(JOB, SOURCE, 'https://bots.contoso.com/osd').callbackUrl, 'https://bots.contoso.com/osd/api/jobs/K7P2Q/events');
  });

  it('posts the job as JSON signed so that the host verifies it, and reads the host reference', async () => {
    const host = await startHost((_req, res) => {
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ reference: 'run-4711' }));
    });
    try {
      const submission = await client(host.url).submit(payload);
      assert.deepEqual(submission, { status: 202, reference: 'run-4711' });
      assert.equal(host.received.length, 1);
      const [got] = host.received;
      assert.ok(got);
      assert.equal(got.url, '/servicing/jobs');
      assert.match(String(got.headers['content-type']), /^application\/json; charset=utf-8$/);
      assert.deepEqual(JSON.parse(got.body), payload);
      const verdict = verifySignedRequest({
        secret: SECRET,
        timestampHeader: got.headers[TIMESTAMP_HEADER.toLowerCase()],
        signatureHeader: got.headers[SIGNATURE_HEADER.toLowerCase()],
        body: got.body,
        now: new Date(),
      });
      assert.equal(verdict.ok, true, JSON.stringify(verdict));
    } finally {
      await stop(host.server);
    }
  });

  it('takes any 2xx as accepted, whatever the body (HTML, or megabytes of it, read only to the cap)', async () => {
    let sent = 0;
    let bigAnswerClosed: Promise<void> | undefined;
    const host = await startHost((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      if (host.received.length === 1) {
        res.end('<html>ok</html>');
        return;
      }
      // 8 MB the client must not read whole: it stops at its 4 KB cap.
      const chunk = Buffer.alloc(64 * 1024, 'a');
      bigAnswerClosed = new Promise((resolve) => res.once('close', () => resolve()));
      const pump = (): void => {
        while (sent < 128) {
          sent += 1;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      res.on('error', () => undefined);
      req.socket.on('error', () => undefined);
      pump();
    });
    try {
      assert.deepEqual(await client(host.url).submit(payload), { status: 200 });
      assert.deepEqual(await client(host.url).submit(payload), { status: 200 });
      await bigAnswerClosed;
      assert.ok(sent < 128, `the client stopped reading: the host wrote ${sent} of 128 chunks`);
    } finally {
      await stop(host.server);
    }
  });

  const refusals: Array<{ status: number; why: string }> = [
    { status: 500, why: 'the host failed' },
    { status: 401, why: 'the host does not share the secret' },
    { status: 404, why: 'RUNNER_WEBHOOK_URL names the wrong path' },
  ];
  for (const c of refusals) {
    it(`throws ServicingHostRefused with a user sentence on HTTP ${c.status} (${c.why})`, async () => {
      const host = await startHost((_req, res) => {
        res.writeHead(c.status, { 'content-type': 'text/plain' });
        res.end('boom '.repeat(10_000));
      });
      try {
        const error = await client(`${host.url}?code=s3cret`).submit(payload).then(
          () => assert.fail('accepted'),
          (e: unknown) => e,
        );
        assert.ok(error instanceof ServicingHostRefused);
        assert.equal(error.status, c.status);
        const origin = new URL(host.url).origin;
        assert.equal(
          error.userMessage,
          `The servicing host at ${origin} did not accept the job (HTTP ${c.status}); check its log and that it shares RUNNER_SECRET with the bot, then ask for the refresh again.`,
        );
        assert.doesNotMatch(error.userMessage, /s3cret/, 'the URL query (a function key, say) is not shown');
      } finally {
        await stop(host.server);
      }
    });
  }

  it('does not follow a redirect with the signed job', async () => {
    const elsewhere = await startHost((_req, res) => res.end('{}'));
    const host = await startHost((_req, res) => {
      res.writeHead(307, { location: elsewhere.url });
      res.end();
    });
    try {
      const error = await client(host.url).submit(payload).catch((e: unknown) => e);
      assert.ok(error instanceof ServicingHostRefused);
      assert.equal(error.status, 307);
      assert.equal(elsewhere.received.length, 0);
    } finally {
      await stop(host.server);
      await stop(elsewhere.server);
    }
  });

  it('gives up on a host that never answers after the timeout, saying the job may have arrived', async () => {
    const sockets: Socket[] = [];
    const host = await startHost(() => undefined);
    host.server.on('connection', (socket: Socket) => sockets.push(socket));
    try {
      const started = Date.now();
      const error = await client(host.url, 300).submit(payload).catch((e: unknown) => e);
      const took = Date.now() - started;
      assert.ok(error instanceof ServicingHostUnavailable, String(error));
      assert.equal(error.maybeDelivered, true);
      assert.match(error.userMessage, /^The servicing host at http:\/\/127\.0\.0\.1:\d+ did not answer; check/);
      assert.ok(took >= 280 && took < 2_000, `took ${took} ms`);
      assert.equal(host.received.length, 1, 'the host did get the job');
    } finally {
      for (const socket of sockets) socket.destroy();
      await stop(host.server);
    }
  });

  it('treats bytes that are not HTTP as no answer', async () => {
    const tcp: TcpServer = createTcpServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => socket.end('SSH-2.0-OpenSSH_9.6\r\n\r\n\u0000\u0001garbage'));
    });
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    const { port } = tcp.address() as AddressInfo;
    try {
      const error = await client(`http://127.0.0.1:${port}/jobs`).submit(payload).catch((e: unknown) => e);
      assert.ok(error instanceof ServicingHostUnavailable, String(error));
      assert.equal(error.maybeDelivered, true, 'the request was written before the garbage came back');
    } finally {
      await stop(tcp);
    }
  });

  it('says the job never left when nothing listens at the address', async () => {
    const host = await startHost(() => undefined);
    const url = host.url;
    await stop(host.server);
    const error = await client(url).submit(payload).catch((e: unknown) => e);
    assert.ok(error instanceof ServicingHostUnavailable, String(error));
    assert.equal(error.maybeDelivered, false);
  });
});
