import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { ReleaseCatalog, loadSnapshot } from '../../../src/services/releases/release-catalog';
import { releaseDataSchema } from '../../../src/services/releases/release-data-schema';
import snapshotJson from '../../../src/services/releases/snapshot.json';

type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

const goodFeed = (asOf: string, revision = 9000) => ({
  asOf,
  lines: [
    {
      release: 'Windows 11 24H2',
      product: 'client',
      build: 26100,
      updates: [{ revision, kb: 'KB5099999', date: asOf }],
    },
  ],
});

const sendJson = (body: unknown): Handler => (_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
};

/** Log lines the catalog wrote, parsed. */
function capturingLogger() {
  const lines: { level: number; msg: string; feed?: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe('ReleaseCatalog', () => {
  let server: http.Server;
  let baseUrl: string;
  let handler: Handler;
  let requests: number;

  before(async () => {
    server = http.createServer((request, response) => {
      requests += 1;
      handler(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  beforeEach(() => {
    requests = 0;
    handler = sendJson(goodFeed('2026-11-01'));
  });

  afterEach(() => server.closeAllConnections());

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const silent = pino({ level: 'silent' });
  const now = () => new Date('2026-11-25T10:00:00Z');

  describe('the bundled snapshot', () => {
    it('validates against the feed schema', () => {
      const result = releaseDataSchema.safeParse(snapshotJson);
      assert.equal(result.success, true, result.success ? '' : JSON.stringify(result.error.issues));
    });

    it('is dated 2026-04-19 and keeps client and server lines apart', () => {
      const snapshot = loadSnapshot();
      assert.equal(snapshot.asOf.toISOString(), '2026-04-19T00:00:00.000Z');
      assert.equal(snapshot.source, 'snapshot');
      const lines = Object.fromEntries(snapshot.lines.map((line) => [`${line.release}|${line.product}`, line]));
      const latest = (key: string) => lines[key]?.updates.at(-1);
      assert.deepEqual(latest('Windows 11 24H2|client'), { revision: 8246, kb: 'KB5083769', date: new Date('2026-04-14T00:00:00Z') });
      assert.deepEqual(latest('Windows 11 25H2|client'), { revision: 8246, kb: 'KB5083769', date: new Date('2026-04-14T00:00:00Z') });
      assert.equal(latest('Windows 11 23H2|client')?.revision, 6936);
      assert.equal(latest('Windows 10 22H2|client')?.revision, 7184);
      assert.deepEqual(latest('Windows Server 2022|server'), { revision: 5024, kb: 'KB5091575', date: new Date('2026-04-19T00:00:00Z'), outOfBand: true });
      assert.deepEqual(latest('Windows Server 2025|server'), { revision: 32698, kb: 'KB5091157', date: new Date('2026-04-19T00:00:00Z'), outOfBand: true });
      assert.equal(lines['Windows Server 2025|server'].build, 26100);
      assert.equal(lines['Windows 11 23H2|client'].endOfServicing?.toISOString(), '2026-11-10T00:00:00.000Z');
      assert.equal(lines['Windows 10 22H2|client'].endOfServicing?.toISOString(), '2025-10-14T00:00:00.000Z');
      assert.equal(lines['Windows 10 22H2|client'].supportNote, 'Extended Security Updates only');
    });

    it('lists every line\'s updates oldest first, each revision once', () => {
      for (const line of loadSnapshot().lines) {
        const revisions = line.updates.map((update) => update.revision);
        assert.deepEqual(revisions, [...revisions].sort((a, b) => a - b), line.release);
        const dates = line.updates.map((update) => update.date.getTime());
        assert.deepEqual(dates, [...dates].sort((a, b) => a - b), `${line.release} dates follow revisions`);
      }
    });
  });

  it('answers from the snapshot and does nothing on refresh without a feed URL', async () => {
    const catalog = new ReleaseCatalog({ logger: silent, now });
    await catalog.refresh();
    catalog.start();
    await catalog.stop();
    assert.equal(catalog.data().source, 'snapshot');
    assert.deepEqual(catalog.status(), { source: 'snapshot', asOf: new Date('2026-04-19T00:00:00Z') });
    assert.equal(requests, 0);
  });

  it('replaces the snapshot with a good feed', async () => {
    const catalog = new ReleaseCatalog({ feedUrl: `${baseUrl}/feed.json`, logger: silent, now });
    await catalog.refresh();
    assert.equal(catalog.data().source, 'feed');
    assert.equal(catalog.data().lines[0].updates[0].revision, 9000);
    assert.deepEqual(catalog.status(), {
      source: 'feed',
      asOf: new Date('2026-11-01T00:00:00Z'),
      lastFetchAt: now(),
    });
  });

  const failures: { what: string; handler: Handler | 'unreachable'; error: RegExp }[] = [
    { what: 'an unreachable feed', handler: 'unreachable', error: /could not be fetched: ECONNREFUSED/ },
    {
      what: 'a feed slower than the timeout',
      handler: (_request, response) => {
        setTimeout(() => sendJson(goodFeed('2026-11-20'))(_request, response), 1500).unref();
      },
      error: /no answer within 200 ms/,
    },
    {
      what: 'a feed that sends headers and then stalls',
      handler: (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{"asOf":');
      },
      error: /no answer within 200 ms/,
    },
    {
      what: 'a body that is not JSON',
      handler: (_request, response) => response.end('asOf=2026-11-20'),
      error: /answered text, not JSON/,
    },
    {
      what: 'an HTML page',
      handler: (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end('<!doctype html><html><body>Sign in</body></html>');
      },
      error: /answered HTML, not JSON/,
    },
    {
      what: 'JSON of the wrong shape',
      handler: sendJson({ asOf: '2026-11-20', lines: [{ release: 'Windows 11 24H2', product: 'desktop', build: 26100, updates: [] }] }),
      error: /wrong shape at lines\.0\.product/,
    },
    {
      what: 'a date that is not a calendar date',
      handler: sendJson({ ...goodFeed('2026-11-20'), asOf: '2026-02-30' }),
      error: /wrong shape at asOf: 2026-02-30 is not a calendar date/,
    },
    {
      what: 'a KB that is not a KB number',
      handler: sendJson({ asOf: '2026-11-20', lines: [{ ...goodFeed('2026-11-20').lines[0], updates: [{ revision: 1, kb: 'latest', date: '2026-11-20' }] }] }),
      error: /wrong shape at lines\.0\.updates\.0\.kb/,
    },
    {
      what: 'a huge body',
      handler: sendJson({ ...goodFeed('2026-11-20'), notes: ['x'.repeat(200_000)] }),
      error: /larger than 65536 bytes/,
    },
    {
      what: 'an HTTP error',
      handler: (_request, response) => {
        response.writeHead(503);
        response.end('maintenance');
      },
      error: /answered HTTP 503/,
    },
  ];

  for (const { what, handler: failing, error } of failures) {
    it(`keeps the last good data and records the error after ${what}`, async () => {
      const { logger, lines } = capturingLogger();
      let feedUrl = `${baseUrl}/feed.json?token=secret`;
      if (failing === 'unreachable') {
        const closed = http.createServer();
        await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
        const port = (closed.address() as AddressInfo).port;
        await new Promise<void>((resolve) => closed.close(() => resolve()));
        feedUrl = `http://127.0.0.1:${port}/feed.json?token=secret`;
      }
      const catalog = new ReleaseCatalog({ feedUrl, logger, now, timeoutMs: 200, maxBytes: 64 * 1024 });
      if (failing === 'unreachable') {
        await catalog.refresh();
        assert.equal(catalog.data().source, 'snapshot', 'the snapshot stays when the feed never answered');
      } else {
        await catalog.refresh();
        assert.equal(catalog.data().source, 'feed');
        handler = failing;
        await catalog.refresh();
        assert.equal(catalog.data().source, 'feed', 'the last good feed stays');
        assert.equal(catalog.data().asOf.toISOString(), '2026-11-01T00:00:00.000Z');
      }
      const status = catalog.status();
      assert.match(status.lastError ?? '', error);
      assert.deepEqual(status.lastFetchAt, now());
      const warning = lines.find((line) => line.level === 40);
      assert.ok(warning, 'the failure is logged');
      assert.equal(warning.msg, 'release feed failed; keeping the last good release data');
      assert.doesNotMatch(JSON.stringify(lines), /secret/, 'the query string (a token) stays out of the logs');
    });
  }

  it('recovers with a later good fetch and clears the error', async () => {
    const catalog = new ReleaseCatalog({ feedUrl: `${baseUrl}/feed.json`, logger: silent, now, timeoutMs: 500 });
    handler = (_request, response) => response.end('not json');
    await catalog.refresh();
    assert.equal(catalog.data().source, 'snapshot');
    assert.match(catalog.status().lastError ?? '', /not JSON/);
    handler = sendJson(goodFeed('2026-11-24', 9100));
    await catalog.refresh();
    assert.equal(catalog.data().source, 'feed');
    assert.equal(catalog.data().lines[0].updates[0].revision, 9100);
    assert.equal(catalog.status().lastError, undefined);
  });

  it('shares one fetch between concurrent refreshes', async () => {
    const catalog = new ReleaseCatalog({ feedUrl: `${baseUrl}/feed.json`, logger: silent, now });
    await Promise.all([catalog.refresh(), catalog.refresh(), catalog.refresh()]);
    assert.equal(requests, 1);
  });

  it('refreshes in the background from start() until stop()', async () => {
    const catalog = new ReleaseCatalog({ feedUrl: `${baseUrl}/feed.json`, logger: silent, now, refreshIntervalMs: 40 });
    catalog.start();
    catalog.start(); // a second start does not double the schedule
    await new Promise((resolve) => setTimeout(resolve, 150));
    await catalog.stop();
    const seen = requests;
    assert.ok(seen >= 2 && seen <= 6, `expected about 4 fetches (one at start, then every 40 ms), saw ${seen}`);
    assert.equal(catalog.data().source, 'feed');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(requests, seen, 'no fetch after stop()');
  });
});
