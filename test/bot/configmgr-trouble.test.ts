import assert from 'node:assert/strict';
import pino from 'pino';
import { startApp, type RunningApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { AdminServiceSimulator, type SimulatorFault } from '../../src/services/demo/admin-service-simulator';
import { createDemoSite } from '../../src/services/demo/demo-site';
import { cardTextOf } from '../support/bot-client';

const silent = pino({ level: 'silent' });

async function startAgainst(simulator: AdminServiceSimulator, url?: string): Promise<RunningApp> {
  const config = loadConfig({ PORT: '0', CM_ADMINSERVICE_URL: url ?? simulator.baseUrl, CM_AUTH: 'none', SYNC_INTERVAL_MINUTES: '600' });
  return startApp(config, { logger: silent, adminService: { timeoutMs: 300, retries: 1, retryBaseDelayMs: 10 } });
}

describe('the bot when ConfigMgr is in trouble', () => {
  let simulator: AdminServiceSimulator;
  let app: RunningApp;

  beforeEach(async () => {
    simulator = new AdminServiceSimulator({ site: createDemoSite(), logger: silent });
    await simulator.start();
    app = await startAgainst(simulator);
    assert.equal(app.inventory.syncState().reachable, true, 'the first sync succeeds');
  });
  afterEach(async () => {
    await app.stop();
    await simulator.stop();
  });

  const faults: Array<[string, SimulatorFault | 'stopped', RegExp]> = [
    ['answers 503', { status: 503 }, /did not answer/],
    ['is down', 'stopped', /did not answer/],
    ['is slower than the timeout', { delayMs: 2_000 }, /did not answer/],
    ['answers 401', { status: 401 }, /refused the bot's credentials/],
    ['answers HTML', { status: 200, contentType: 'text/html', body: '<html><body>IIS login</body></html>' }, /cannot read/],
    ['answers truncated JSON', { status: 200, contentType: 'application/json', body: '{"value":[{"PackageID":"PS1' }, /cannot read/],
  ];
  for (const [what, fault, reason] of faults) {
    it(`keeps answering from the last inventory, and says so, when the AdminService ${what}`, async () => {
      if (fault === 'stopped') await simulator.stop();
      else simulator.injectFault(fault);
      await assert.rejects(app.inventory.sync());

      const list = await cardTextOf(app.url, 'list');
      assert.match(list, /PS100012/, 'the last inventory is still listed');
      assert.match(list, /ConfigMgr is not answering/);
      assert.match(await cardTextOf(app.url, 'show PS100012'), /ConfigMgr is not answering/);

      const status = await cardTextOf(app.url, 'status');
      assert.match(status, reason);
      assert.doesNotMatch(status, /at .*\(.*\.ts:\d+/, 'no stack trace');
    });
  }

  it('answers a turn while a sync is waiting on a slow AdminService', async () => {
    simulator.injectFault({ delayMs: 250 });
    let syncDone = false;
    const sync = app.inventory.sync().finally(() => {
      syncDone = true;
    });
    assert.match(await cardTextOf(app.url, 'show PS100012'), /PS100012/);
    assert.equal(syncDone, false, 'the turn did not wait for ConfigMgr');
    await sync.catch(() => undefined);
  });

  it('recovers on the next sync once ConfigMgr answers again', async () => {
    simulator.injectFault({ status: 503 });
    await assert.rejects(app.inventory.sync());
    simulator.injectFault(null);
    await app.inventory.sync();
    assert.doesNotMatch(await cardTextOf(app.url, 'list'), /ConfigMgr is not answering/);
  });
});

describe('the bot before it could ever read ConfigMgr', () => {
  it('says in one sentence that the media could not be read yet and points to status', async () => {
    const app = await startApp(
      loadConfig({ PORT: '0', CM_ADMINSERVICE_URL: 'http://127.0.0.1:9/AdminService', CM_AUTH: 'none' }),
      { logger: silent, adminService: { timeoutMs: 200, retries: 0 } },
    );
    try {
      assert.equal(app.inventory.syncState().reachable, false);
      assert.match(await cardTextOf(app.url, 'show PS100012'), /not been able to read the media from ConfigMgr yet; type "status"/);
      assert.match(await cardTextOf(app.url, 'status'), /did not answer/);
    } finally {
      await app.stop();
    }
  });
});
