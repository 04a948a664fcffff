import assert from 'node:assert/strict';
import pino from 'pino';
import { startApp, type RunningApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { cardTextOf, say } from '../support/bot-client';
import { GOOD_IMAGE, GOOD_UPGRADE, ODD_ROWS, oddSite } from '../support/odd-package-rows';
import { json, startScriptedServer, type ScriptedServer } from '../services/configmgr/scripted-server';

const silent = pino({ level: 'silent' });

describe('the bot when ConfigMgr answers rows with fields of other JSON types', () => {
  let server: ScriptedServer;
  let app: RunningApp;
  const skipped = ODD_ROWS.filter((row) => row.skipped);

  before(async () => {
    server = await startScriptedServer();
    server.script(oddSite);
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', CM_ADMINSERVICE_URL: server.baseUrl, CM_AUTH: 'none', SYNC_INTERVAL_MINUTES: '600' });
    app = await startApp(config, { logger: silent, adminService: { retries: 0 } });
  });
  after(async () => {
    await app?.stop();
    await server?.close();
  });

  it('lists the good packages instead of blanking the site', async () => {
    const text = await cardTextOf(app.url, 'list');
    for (const id of [GOOD_IMAGE.PackageID, GOOD_UPGRADE.PackageID, 'PS100103', 'PS100109']) assert.match(text, new RegExp(id));
    assert.doesNotMatch(text, /PS100101|evil\.example/);
  });

  it('counts the skipped rows in status, names the first five, and the card is valid for Teams', async () => {
    const text = await cardTextOf(app.url, 'status');
    assert.match(text, /ConfigMgr is answering\./);
    const line = text.split('\n').find((candidate) => candidate.includes('rows from ConfigMgr were skipped'));
    assert.ok(line, text);
    assert.equal(
      line,
      `${skipped.length} rows from ConfigMgr were skipped: ${skipped
        .slice(0, 5)
        .map((row) => row.skipped)
        .join(', ')}, and ${skipped.length - 5} more. The other packages are shown as usual.`,
    );
    assert.doesNotMatch(text, /evil\.example/);
  });

  it('reports the number of skipped rows on /healthz', async () => {
    const response = await fetch(`${app.url}/healthz`);
    assert.equal(response.status, 200);
    const health = (await response.json()) as Record<string, unknown>;
    assert.equal(health.skippedRows, skipped.length);
    assert.equal(health.configMgrReachable, true);
  });

  it('says nothing about skipped rows once ConfigMgr answers cleanly again', async () => {
    server.script((request, response) => {
      if (request.url.includes("('") || request.url.includes('SMS_OperatingSystemInstallPackage')) oddSite(request, response);
      else json(response, 200, { value: [GOOD_IMAGE] });
    });
    await app.inventory.sync();
    assert.doesNotMatch(await cardTextOf(app.url, 'status'), /skipped/);
    const replies = await say(app.url, 'show PS100100');
    assert.equal(replies.length, 1);
  });
});
