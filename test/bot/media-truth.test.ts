import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { startApp, type RunningApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { AdminServiceSimulator } from '../../src/services/demo/admin-service-simulator';
import { createDemoSite } from '../../src/services/demo/demo-site';
import snapshot from '../../src/services/releases/snapshot.json';
import { cardTextOf } from '../support/bot-client';

const silent = pino({ level: 'silent' });

describe('the truth about the media, on the demo site and its share', () => {
  let app: RunningApp;
  before(async () => {
    app = await startApp(loadConfig({ PORT: '0' }), { logger: silent });
  });
  after(async () => {
    await app?.stop();
  });

  it('shows what install.wim says beside ConfigMgr, with the finding and its fix', async () => {
    const text = await cardTextOf(app.url, 'show PS100012');
    assert.match(text, /10\.0\.26100\.4349, from ImageOSVersion/);
    assert.match(text, /WIM build\n26100\.8246/);
    assert.match(text, /ConfigMgr says 26100\.4349, install\.wim says 26100\.8246: .*reload image properties\./);
    assert.match(text, /from PKEYCONFIGVERSION/);
  });

  it('reads an ESD and a split set on the share', async () => {
    assert.match(await cardTextOf(app.url, 'show PS100017'), /sources\/install\.esd/);
    assert.match(await cardTextOf(app.url, 'show PS100021'), /sources\/install\.swm/);
  });

  it('says which build file, autorun.inf and broken image findings the share has', async () => {
    assert.match(await cardTextOf(app.url, 'show PS100018'), /BuildNumber\.txt says 26200\.8037/);
    assert.match(await cardTextOf(app.url, 'show PS100015'), /autorun\.inf/);
    assert.match(await cardTextOf(app.url, 'show PS10001A'), /which is not a build number/);
    assert.match(await cardTextOf(app.url, 'show PS10001C'), /still being written/);
  });

  it("sets the WIM's editions beside ConfigMgr's, with what the extra ones cost", async () => {
    const text = await cardTextOf(app.url, 'editions PS10000C');
    assert.match(text, /Not in ConfigMgr/);
    assert.match(text, /Education/);
    assert.match(text, /GB/);
  });

  it('judges freshness as of the release data, and warns that the bundled data is old', async () => {
    const text = await cardTextOf(app.url, 'show PS10001A');
    const latest = snapshot.lines.find((line) => line.release === 'Windows 11 24H2')!.updates!.at(-1)!;
    assert.match(text, new RegExp(`\\d+ revisions \\(\\d+ months?\\) behind as of ${snapshot.asOf}: latest 26100\\.${latest.revision}, ${latest.kb} of ${latest.date}`));
    assert.match(text, new RegExp(`Release data is \\d+ days old \\(as of ${snapshot.asOf}\\)`));
    assert.match(await cardTextOf(app.url, 'show PS10000C'), /Out of support since 2026-11-10/);
  });

  it('lists every package that is behind or drifting, worst first, for "stale" and "what media is behind?"', async () => {
    for (const question of ['stale', 'behind', 'what media is behind?']) {
      const text = await cardTextOf(app.url, question);
      assert.match(text, /need attention, worst first/, question);
      const outOfSupport = text.indexOf('Out of support');
      const behind = text.search(/revisions? \(\d+ months?\) behind/);
      assert.ok(outOfSupport >= 0 && behind > outOfSupport, `out of support before behind in: ${text}`);
    }
  });

  it('flags freshness and drift in the list', async () => {
    const text = await cardTextOf(app.url, 'list');
    assert.match(text, /Out of support/);
    // The demo media was serviced in April 2026; the bundled snapshot reaches later, so none of it is current.
    assert.match(text, /behind/);
    assert.match(text, /⚠ \d/);
  });

  it('reports the release data in status', async () => {
    assert.match(await cardTextOf(app.url, 'status'), new RegExp(`Release data\\nAs of ${snapshot.asOf} \\(bundled snapshot\\)`));
  });
});

describe('the truth about the media on a site whose share is not mapped, with a release feed', () => {
  let simulator: AdminServiceSimulator;
  let feed: http.Server;
  let feedBody = '';
  const feedRevision = snapshot.lines.find((line) => line.release === 'Windows 11 24H2')!.updates!.at(-1)!.revision + 10;
  let app: RunningApp;

  before(async () => {
    simulator = new AdminServiceSimulator({ site: createDemoSite(), logger: silent });
    await simulator.start();
    feed = http.createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(feedBody);
    });
    await new Promise<void>((resolve) => feed.listen(0, '127.0.0.1', resolve));
    // The operator's feed: today's date and one more 24H2/25H2 update than the bundled snapshot knows.
    const today = new Date().toISOString().slice(0, 10);
    const lines = snapshot.lines.map((line) =>
      line.release === 'Windows 11 24H2' && line.product === 'client'
        ? { ...line, updates: [...line.updates!, { revision: feedRevision, kb: 'KB5099999', date: today }] }
        : line,
    );
    feedBody = JSON.stringify({ ...snapshot, asOf: today, lines });
    const { port } = feed.address() as AddressInfo;
    app = await startApp(
      loadConfig({
        PORT: '0',
        CM_ADMINSERVICE_URL: simulator.baseUrl,
        CM_AUTH: 'none',
        RELEASES_FEED_URL: `http://127.0.0.1:${port}/releases.json`,
      }),
      { logger: silent },
    );
  });
  after(async () => {
    await app?.stop();
    await simulator?.stop();
    await new Promise((resolve) => feed?.close(resolve));
  });

  it('says plainly that the share was not inspected, and shows no findings', async () => {
    const text = await cardTextOf(app.url, 'show PS100012');
    // Card text is markdown source: Teams shows MEDIA\_PATH\_MAP as MEDIA_PATH_MAP.
    assert.match(text, /Not inspected: .*MEDIA\\_PATH\\_MAP/);
    assert.doesNotMatch(text, /⛔|⚠/);
  });

  it("judges against the operator's feed, without the old-data warning", async () => {
    const text = await cardTextOf(app.url, 'show PS100013');
    assert.match(text, new RegExp(`revisions? \\(\\d+ months?\\) behind .*latest 26100\\.${feedRevision}, KB5099999`));
    assert.doesNotMatch(text, /Release data is \d+ days old/);
    assert.match(await cardTextOf(app.url, 'status'), /Release data\nAs of \d{4}-\d{2}-\d{2} \(from RELEASES_FEED_URL\)/);
  });
});
