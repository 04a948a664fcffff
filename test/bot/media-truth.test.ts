import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { startApp, type RunningApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { AdminServiceSimulator } from '../../src/services/demo/admin-service-simulator';
import { createDemoSite } from '../../src/services/demo/demo-site';
import snapshot from '../../src/services/releases/snapshot.json';
import aprilSnapshot from '../fixtures/releases/snapshot-2026-04-19.json';
import { cardText, cardTextOf, onlyCard, say } from '../support/bot-client';

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

  it("judges ConfigMgr's build and the share's when ConfigMgr was not reloaded, and the list's badge never contradicts its Build column", async () => {
    // PS100012: install.wim was serviced to 26100.8246, ConfigMgr still records 26100.4349.
    const list = await cardTextOf(app.url, 'list');
    const row = /PS100012 · Windows 11 24H2[^\n]*\n([^\n]*)\n([^\n]*)\n/.exec(list);
    assert.ok(row, list);
    assert.equal(row[1], '26100.4349');
    assert.match(row[2], /^Files (current|\d+ behind)( as of \d{4}-\d{2}-\d{2})? · ConfigMgr not reloaded$/);
    const show = await cardTextOf(app.url, 'show PS100012');
    assert.match(show, /The files on the share \(install\.wim, 26100\.8246\) are (current|\d+ revisions?)/);
    assert.match(show, /ConfigMgr's record \(ImageOSVersion, 26100\.4349\) is \d+ revisions \(\d+ months?\) behind/);
  });

  it("judges a line the site's catalog confirmed as of its reading, and warns where only the old snapshot speaks", async () => {
    const text = await cardTextOf(app.url, 'show PS10001A');
    // The demo site's update catalog lists September 2026's out-of-band update, newer than the snapshot.
    assert.match(text, /\d+ revisions \(\d+ months?\) behind as of [\d-]+: latest 26100\.9457, KB5129195 of 2026-09-14 \(out of band\), from the site's update catalog/);
    assert.doesNotMatch(text, /Release data is \d+ days old/);
    // Server 2025's newest update is the snapshot's, not the demo catalog's: that verdict rests on the snapshot alone.
    assert.match(await cardTextOf(app.url, 'show PS100021'), new RegExp(`Release data is \\d+ days old \\(as of ${snapshot.asOf}\\)`));
    assert.match(await cardTextOf(app.url, 'show PS10000C'), /Out of support since 2026-11-10/);
  });

  it("calls media serviced with the latest update the site's catalog confirms current, in green", async () => {
    // PS100023 carries 26100.9457, September 2026's out-of-band update, which the demo catalog lists.
    const card = onlyCard(await say(app.url, 'show PS100023'));
    assert.match(cardText(card), /Current as of \d{4}-\d{2}-\d{2}: the latest is 26100\.9457, KB5129195 of 2026-09-14 \(out of band\), from the site's update catalog\./);
    assert.ok(JSON.stringify(card).includes('"color":"Good"'), 'current on fresh data is good news');
  });

  it('names an update that a CVE record confirms without a KB by its build and date alone', async () => {
    const show = await cardTextOf(app.url, 'show PS10001F');
    assert.match(show, /latest 20348\.5622 of 2026-09-08, from the bundled snapshot/);
    assert.doesNotMatch(show, /undefined/);
  });

  it("compares Windows 10 22H2 with its ESU updates, names them with the release's build 19045, and says they need ESU", async () => {
    // PS100004's WIM says 19041.6575 (22H2 keeps 2004's baseline build); the release data holds later ESU updates.
    const show = await cardTextOf(app.url, 'show PS100004');
    assert.match(
      show,
      /Out of support since 2025-10-14 \(as of [\d-]+\), and \d+ revisions? \(\d+ months?\) behind the latest update, 19045\.\d+, KB\d+ of [\d-]+(?: \(out of band\))?(?:, from [^;]+)?; updates after 2025-10-14 need Extended Security Updates \(ESU\)\./,
    );
    assert.doesNotMatch(show, /19041\.7\d{3}, KB/);
    assert.match(await cardTextOf(app.url, 'list'), /PS100004 · Windows 10 22H2\n19041\.6575\nOut of support · \d+ behind\n/);
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
    // Nothing on the demo site is serviced with the site catalog's September 2026 update.
    assert.match(text, /\d+ behind/);
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

describe("the truth about the media on release data older than the bot's 45-day warning", () => {
  const DAY_MS = 86_400_000;
  let simulator: AdminServiceSimulator;
  let feed: http.Server;
  let app: RunningApp;
  let asOf: string;

  before(async () => {
    simulator = new AdminServiceSimulator({ site: createDemoSite(), logger: silent });
    await simulator.start();
    // The operator's feed was last updated 100 days ago; it holds April 2026's updates (26100.8246 the latest 24H2).
    asOf = new Date(Date.now() - 100 * DAY_MS).toISOString().slice(0, 10);
    const body = JSON.stringify({ ...aprilSnapshot, asOf });
    feed = http.createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(body);
    });
    await new Promise<void>((resolve) => feed.listen(0, '127.0.0.1', resolve));
    const { port } = feed.address() as AddressInfo;
    app = await startApp(
      loadConfig({ PORT: '0', CM_ADMINSERVICE_URL: simulator.baseUrl, CM_AUTH: 'none', RELEASES_FEED_URL: `http://127.0.0.1:${port}/releases.json` }),
      { logger: silent },
    );
  });
  after(async () => {
    await app?.stop();
    await simulator?.stop();
    await new Promise((resolve) => feed?.close(resolve));
  });

  it('says "as of" beside a current verdict, not in green, and keeps the warning', async () => {
    const card = onlyCard(await say(app.url, 'list'));
    const text = cardText(card);
    // PS100013 carries 26100.8246, the latest the feed knows.
    assert.match(text, new RegExp(`PS100013 · Windows 11 24H2\\n26100\\.8246\\nCurrent as of ${asOf}\\n`));
    assert.ok(!JSON.stringify(card).includes('"color":"Good"'), 'nothing is drawn as good news on old data');
    assert.match(text, new RegExp(`⚠ Release data is 100 days old \\(as of ${asOf}\\)`));
    const show = onlyCard(await say(app.url, 'show PS100013'));
    assert.match(cardText(show), new RegExp(`Current as of ${asOf}: the latest is 26100\\.8246`));
    assert.ok(!JSON.stringify(show).includes('"color":"Good"'));
  });
});
