import assert from 'node:assert/strict';
import { connect } from 'node:net';
import pino from 'pino';
import { startApp, type RunningApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { say } from '../support/bot-client';

const silent = pino({ level: 'silent' });

interface SocketEnd {
  /** What the server wrote before closing. */
  written: string;
  closedAfterMs: number;
}

/** Opens a raw connection, writes `bytes`, and waits for the server to close it (or gives up). */
function holdOpen(url: string, bytes: string, giveUpMs: number): Promise<SocketEnd> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let written = '';
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error(`still open after ${giveUpMs} ms`));
    }, giveUpMs);
    socket.on('data', (chunk) => (written += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(giveUp);
      resolve({ written, closedAfterMs: Date.now() - started });
    });
  });
}

describe('slow clients (real sockets, short timeouts)', () => {
  let app: RunningApp;
  const limits = { headersTimeoutMs: 600, requestTimeoutMs: 800, keepAliveTimeoutMs: 300 };

  before(async () => {
    app = await startApp(loadConfig({ PORT: '0' }), { logger: silent, http: limits });
  });
  after(async () => {
    await app?.stop();
  });

  const cases: Array<{ why: string; bytes: string; expect: RegExp; giveUpMs?: number }> = [
    { why: 'headers that never finish', bytes: 'POST /api/messages HTTP/1.1\r\nHost: bot\r\nContent-Type: app', expect: /^HTTP\/1\.1 408/ },
    {
      why: 'a body that declares 1,000 bytes and sends 13',
      bytes: 'POST /api/messages HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"type":"mess',
      expect: /^(HTTP\/1\.1 408|$)/,
    },
    {
      why: 'a kept-alive connection left idle after its answer',
      bytes: 'GET /healthz HTTP/1.1\r\nHost: bot\r\nConnection: keep-alive\r\n\r\n',
      expect: /^HTTP\/1\.1 200/,
      // Node's default keeps it 5 s.
      giveUpMs: 3_000,
    },
  ];
  for (const { why, bytes, expect, giveUpMs = 5_000 } of cases) {
    it(`closes ${why} within the configured time`, async () => {
      // Generous against a busy machine, far below Node's defaults (60 s headers, 300 s request, checked every 30 s).
      const end = await holdOpen(app.url, bytes, giveUpMs);
      assert.match(end.written, expect);
    });
  }

  it('holds 200 slow bodies at once without refusing the channel', async () => {
    const slow = Array.from({ length: 200 }, () =>
      holdOpen(app.url, 'POST /api/messages HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{', 8_000),
    );
    assert.equal((await say(app.url, 'help')).length, 1);
    const ends = await Promise.all(slow);
    assert.ok(ends.every((end) => end.closedAfterMs < 8_000));
  });
});
