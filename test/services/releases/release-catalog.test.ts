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

    it('is dated 2026-09-14 and keeps client and server lines apart', () => {
      const snapshot = loadSnapshot();
      assert.equal(snapshot.asOf.toISOString(), '2026-09-14T00:00:00.000Z');
      assert.equal(snapshot.source, 'snapshot');
      assert.equal(snapshot.lines.find((line) => line.release === 'Windows Server 2025')?.build, 26100);
      assert.equal(snapshot.lines.find((line) => line.release === 'Windows Server 2025')?.product, 'server');
    });

    const latest: { line: string; revision: number; kb?: string; date: string; outOfBand?: true; cve?: string; why: string }[] = [
      { line: 'Windows 11 24H2|client', revision: 9457, kb: 'KB5129195', date: '2026-09-14', outOfBand: true, why: 'the September 2026 out-of-band release follows KB5124008' },
      { line: 'Windows 11 25H2|client', revision: 9457, kb: 'KB5129195', date: '2026-09-14', outOfBand: true, why: '25H2 shares 24H2\'s revisions' },
      { line: 'Windows 11 Enterprise LTSC 2024|client', revision: 9457, kb: 'KB5129195', date: '2026-09-14', outOfBand: true, why: 'LTSC 2024 gets 24H2\'s updates' },
      { line: 'Windows 11 23H2|client', revision: 7582, kb: 'KB5122880', date: '2026-09-08', why: 'monthly until its end in November 2026' },
      { line: 'Windows 11 22H2|client', revision: 6060, kb: 'KB5066793', date: '2025-10-14', why: 'its last update, on the day servicing ended' },
      { line: 'Windows 10 22H2|client', revision: 7727, kb: 'KB5129236', date: '2026-09-14', outOfBand: true, why: 'Extended Security Updates continue' },
      { line: 'Windows 10 Enterprise LTSC 2021|client', revision: 7725, kb: 'KB5122878', date: '2026-09-08', why: 'the September out-of-band release is not confirmed for 19044' },
      { line: 'Windows 10 2004|client', revision: 1415, kb: 'KB5008212', date: '2021-12-14', why: 'its last update' },
      { line: 'Windows Server 2019|server', revision: 9245, date: '2026-09-08', cve: 'https://github.com/CVEProject/cvelistV5/blob/main/cves/2026/85xxx/CVE-2026-85880.json', why: 'a CVE record confirms September\'s revision without naming its KB' },
      { line: 'Windows 10 Enterprise LTSC 2019|client', revision: 9245, date: '2026-09-08', cve: 'https://github.com/CVEProject/cvelistV5/blob/main/cves/2026/85xxx/CVE-2026-85880.json', why: 'LTSC 2019 gets Server 2019\'s updates' },
      { line: 'Windows Server 2022|server', revision: 5622, date: '2026-09-08', cve: 'https://github.com/CVEProject/cvelistV5/blob/main/cves/2026/85xxx/CVE-2026-85880.json', why: 'a CVE record confirms September\'s revision without naming its KB' },
      { line: 'Windows Server 23H2|server', revision: 2330, kb: 'KB5087541', date: '2026-05-12', why: 'nothing later was found' },
      { line: 'Windows Server 2025|server', revision: 33438, date: '2026-09-08', cve: 'https://github.com/CVEProject/cvelistV5/blob/main/cves/2026/81xxx/CVE-2026-81963.json', why: 'the server-only 26100.3xxxx line, September from a CVE record' },
    ];
    for (const { line, revision, kb, date, outOfBand, cve, why } of latest) {
      it(`knows ${line.split('|')[0]} up to ${revision}${kb ? `, ${kb}` : ''} (${why})`, () => {
        const lines = Object.fromEntries(loadSnapshot().lines.map((candidate) => [`${candidate.release}|${candidate.product}`, candidate]));
        const newest = lines[line]?.updates.at(-1);
        assert.ok(newest, `${line} is in the snapshot`);
        const { citation, ...entry } = newest;
        assert.deepEqual(entry, { revision, ...(kb ? { kb } : {}), date: new Date(`${date}T00:00:00Z`), ...(outOfBand ? { outOfBand } : {}) });
        assert.equal(citation, kb ? `https://support.microsoft.com/help/${kb.slice(2)}` : cve);
      });
    }

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
    assert.deepEqual(catalog.status(), { source: 'snapshot', asOf: loadSnapshot().asOf });
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
