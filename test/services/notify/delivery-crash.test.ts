/**
 * A dispatcher killed with SIGKILL mid fan-out loses nothing, and repeats only what Teams allows it to:
 * a post (or thread reply) whose request was in flight at the kill, so that its answer never came. The
 * dispatcher runs in a child process (test/support/dispatcher-worker.ts) against the connector double,
 * which, after a number of accepted requests, holds every request without answering; the child is
 * killed while requests are held, and a second child takes the claims over once their lease expires.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Schema } from '../../../src/services/store/schema';
import { startConnectorDouble, type ConnectorDouble, type InFlightRequest } from '../../support/connector-double';
import type { DispatcherWorkerSettings } from '../../support/dispatcher-worker';
import { enqueueJobStory, seedConversations, waitUntilSettled } from '../../support/notify-world';
import { forEachDatabase } from '../../support/test-databases';

const REPO_ROOT = join(__dirname, '..', '..', '..');
const WORKER = join(REPO_ROOT, 'test', 'support', 'dispatcher-worker.ts');
/**
 * Short, so that the takeover comes soon; longer than a claim of the second child can last (its sends
 * time out after 1.5 s, plus the limiters' waits), so that it never takes over its own claims.
 */
const LEASE_MS = 5_000;
/**
 * Under the double's 50/s: the second process cannot know what the killed one sent in its last second,
 * and the double counts both in one app window.
 */
const RATE_PER_SECOND = 30;
const CONVERSATIONS = 40;
const CHANNEL_EVERY = 4;
const SLOTS = 8;

interface Worker {
  child: ChildProcess;
  exited: Promise<NodeJS.Signals | number | null>;
}

/** Collapses runs of one value: an update repeated after the kill shows the same text twice in a row. */
function collapsed(texts: readonly unknown[]): unknown[] {
  return texts.filter((text, index) => index === 0 || text !== texts[index - 1]);
}

forEachDatabase('a notification dispatcher killed with SIGKILL mid fan-out', (database) => {
  let connector: ConnectorDouble;
  let db: Kysely<Schema>;
  const workers: Worker[] = [];

  beforeEach(async () => {
    connector = await startConnectorDouble({ appRatePerSecond: 50 });
    db = (await database.open()).db;
  });
  afterEach(async () => {
    for (const worker of workers.splice(0)) {
      if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
      await worker.exited;
    }
    await connector.stop();
  });

  async function startWorker(settings: Omit<DispatcherWorkerSettings, 'databaseUrl' | 'claimLeaseMs' | 'concurrency' | 'ratePerSecond'>): Promise<Worker> {
    const full: DispatcherWorkerSettings = { databaseUrl: database.url(), claimLeaseMs: LEASE_MS, concurrency: SLOTS, ratePerSecond: RATE_PER_SECOND, ...settings };
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', WORKER, JSON.stringify(full)], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe']});
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
    const worker = { child, exited };
    workers.push(worker);
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve();
      });
      void exited.then((how) => reject(new Error(`worker ${settings.instanceId} ended before it was ready (${String(how)}): ${stderr}`)));
    });
    return worker;
  }

  /**
   * Waits until the double holds requests: all the child's send slots, or whatever it has held for a
   * moment. Soon enough that the child's claims are still its own (their lease has not run out).
   */
  async function heldSteadily(slots: number, withinMs: number): Promise<void> {
    const until = Date.now() + withinMs;
    let seen = -1;
    let steadySince = Date.now();
    while (Date.now() < until) {
      const now = connector.inFlight.length;
      if (now >= slots) return;
      if (now !== seen) {
        seen = now;
        steadySince = Date.now();
      } else if (now > 0 && Date.now() - steadySince >= 300) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.fail(`the double held ${connector.inFlight.length} requests`);
  }

  const cases = [
    { during: 'posts', create: true, why: 'held posts took effect, their answers were lost: those may be repeated' },
    { during: 'posts', create: false, why: 'held posts were lost before taking effect: each is made once' },
    { during: 'updates', create: true, why: 'held updates took effect: sent again, they change nothing' },
  ];
  for (const { during, create, why } of cases) {
    it(`delivers every (notification, conversation) after a takeover of a kill during ${during}, repeating only posts in flight: ${why}`, async function () {
      this.timeout(120_000);
      const conversations = await seedConversations(db, connector.url, CONVERSATIONS, CHANNEL_EVERY);
      const texts = await enqueueJobStory(db, 'CR4SH');
      const channels = conversations.filter((conversation) => conversation.kind === 'channel').length;
      const writes = conversations.length * texts.length + channels;
      // Every conversation's first notification is a post, the later ones updates.
      connector.holdAfter(during === 'posts' ? conversations.length / 2 : Math.floor(writes / 2), { create });

      // The first child's requests wait as long as the connector makes them: they are in flight when it dies.
      const first = await startWorker({ instanceId: 'first', connectorTimeoutMs: 60_000, sendTimeoutMs: 60_000 });
      const repeatsBefore = connector.counters.duplicates;
      await heldSteadily(SLOTS, 60_000);
      first.child.kill('SIGKILL');
      assert.equal(await first.exited, 'SIGKILL');
      const inFlightAtKill: InFlightRequest[] = [...connector.inFlight];
      connector.stopHolding();

      // The second child's sends end well within the lease, so it never takes over its own claims.
      const second = await startWorker({ instanceId: 'second', connectorTimeoutMs: 1_000, sendTimeoutMs: 1_500 });
      const counts = await waitUntilSettled(db, conversations.length * texts.length, 60_000);
      second.child.kill('SIGTERM');
      await second.exited;

      assert.deepEqual(counts, { total: 160, open: 0, delivered: 160, failed: 0, stopped: 0 }, 'nothing lost');
      assert.deepEqual(connector.limitBreaks, [], 'no Teams limit broken');
      const createdInFlight = inFlightAtKill.filter((request) => request.created);
      const repeatable = new Set(createdInFlight.filter((request) => request.operation !== 'update').map((request) => request.conversationId.split(';messageid=')[0]));
      const updatedInFlight = new Set(createdInFlight.filter((request) => request.operation === 'update').map((request) => request.conversationId));
      assert.ok(connector.counters.duplicates <= createdInFlight.length, `${connector.counters.duplicates} repeats, ${createdInFlight.length} created in flight`);

      const cards = await db.selectFrom('status_cards').selectAll().where('subject', '=', 'job:CR4SH').execute();
      const cardOf = new Map(cards.map((card) => [card.conversation_id, card.activity_id]));
      for (const { conversationId, kind } of conversations) {
        const messages = connector.messages(conversationId);
        const current = messages.find((message) => message.id === cardOf.get(conversationId));
        assert.ok(current, `${conversationId} has its status card`);
        const versions = current.versions.map((version) => version.summary);
        assert.deepEqual(collapsed(versions), texts, `${conversationId}: every step once, in order`);
        if (versions.length !== texts.length) assert.ok(updatedInFlight.has(conversationId), `${conversationId} repeated an update that was not in flight`);
        const topLevel = messages.filter((message) => message.threadId === undefined);
        const replies = messages.filter((message) => message.threadId !== undefined);
        const expectedReplies = kind === 'channel' ? 1 : 0;
        if (!repeatable.has(conversationId)) {
          assert.equal(topLevel.length, 1, `${conversationId} got a second card without a post in flight`);
          assert.equal(replies.length, expectedReplies, `${conversationId} got a second reply without one in flight`);
        } else {
          assert.ok(topLevel.length <= 2 && replies.length <= expectedReplies + 1, `${conversationId}: at most one repeat`);
        }
        if (kind === 'channel') assert.ok(replies.some((reply) => reply.threadId === current.id), `${conversationId}'s outcome is in the card's thread`);
      }
      assert.equal(repeatsBefore, 0);
      if (during === 'posts' && create) assert.ok(connector.counters.duplicates > 0, 'the test did make a post whose answer was lost');
      process.stdout.write(
        `      [${database.dialect}, ${during}, create=${create}] held ${inFlightAtKill.length} at the kill (${createdInFlight.length} took effect), ${connector.counters.duplicates} repeats, ${connector.counters.requests} requests\n`,
      );
    });
  }
});
