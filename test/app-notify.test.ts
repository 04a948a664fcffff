/**
 * The notifications' composition in the running app: /healthz carries the outbox figures (numbers only),
 * read at most once a second and never failing the probe, and the app starts its dispatcher, watch and
 * digest with the rest.
 */
import assert from 'node:assert/strict';
import pino from 'pino';
import { notifyHealthProbe } from '../src/app-notify';
import { startApp, type RunningApp } from '../src/app';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/services/store/database';
import { disableConversation, saveConversation } from '../src/services/notify/conversation-repository';
import { enqueueNotification } from '../src/services/notify/outbox-repository';
import { createFreshDatabase, type ScratchDatabase } from './support/test-databases';

const silent = pino({ level: 'silent' });

async function healthz(app: RunningApp): Promise<Record<string, unknown>> {
  const response = await fetch(`${app.url}/healthz`);
  assert.equal(response.status, 200);
  return (await response.json()) as Record<string, unknown>;
}

describe('notifications in the running app', function () {
  this.timeout(30_000);
  let database: ScratchDatabase;
  let app: RunningApp | undefined;

  beforeEach(async () => {
    database = await createFreshDatabase('sqlite');
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    await database.drop();
  });

  it('/healthz says how much waits, since when, and how many conversations stopped, without naming any', async () => {
    app = await startApp(loadConfig({ PORT: '0', DATABASE_URL: database.url, DIGEST: 'off' }), { logger: silent, notify: { dispatcherStopped: true } });
    assert.deepEqual((await healthz(app)).notifications, { outboxDepth: 0, oldestUndeliveredAgeSeconds: 0, stoppedConversations: 0 });

    const db = app.jobs.database.db;
    await enqueueNotification(db, { kind: 'freshness.drift', packageId: 'PS100012', packageName: 'Windows 11 24H2', payload: {}, createdAt: new Date(Date.now() - 90_000) });
    await saveConversation(db, { conversationId: '19:secret-channel@thread.tacv2', reference: { serviceUrl: 'https://smba.example.test/' }, kind: 'channel', name: 'Secret ops', at: new Date() });
    await disableConversation(db, '19:secret-channel@thread.tacv2', 'Teams answered 403 MessageWritesBlocked', new Date());
    // The figures are read at most once a second.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const body = await healthz(app);
    const figures = body.notifications as { outboxDepth: number; oldestUndeliveredAgeSeconds: number; stoppedConversations: number };
    assert.equal(figures.outboxDepth, 1);
    assert.ok(figures.oldestUndeliveredAgeSeconds >= 90 && figures.oldestUndeliveredAgeSeconds < 120, String(figures.oldestUndeliveredAgeSeconds));
    assert.equal(figures.stoppedConversations, 1);
    assert.doesNotMatch(JSON.stringify(body), /secret|MessageWritesBlocked/i, 'no conversation names or reasons for anyone who asks');
  });

  it('reads the figures once however often it is probed within a second, and answers null rather than failing when the store fails', async () => {
    const opened = await openDatabase(database.url, { logger: silent });
    let reads = 0;
    const counting = new Proxy(opened.db, {
      get(target, property, receiver) {
        if (property === 'selectFrom') reads++;
        return Reflect.get(target, property, receiver);
      },
    });
    let now = new Date('2026-12-03T10:00:00Z');
    const probe = notifyHealthProbe(counting, silent, () => now);
    await Promise.all([probe(), probe(), probe()]);
    const afterOne = reads;
    assert.ok(afterOne > 0);
    await probe();
    assert.equal(reads, afterOne, 'probes within a second share one reading');
    now = new Date(now.getTime() + 1_001);
    await opened.close();
    assert.deepEqual(await probe(), { notifications: null });
  });
});
