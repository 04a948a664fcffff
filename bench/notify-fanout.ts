/**
 * `npm run bench -- notify`: one refresh job's life (its card posted, then updated at each stage)
 * fanned out to 1,000 subscribed conversations through the Bot Connector double, which enforces
 * Teams' limits (50 requests/s per app, the per-conversation windows) and answers 429 to any request
 * over them. Reported: requests/s achieved as a share of that ceiling, and lost and repeated
 * deliveries counted message by message at the double; then the same with 5% of requests answered
 * 429 at random. During a third fan-out, `show` turns/s of the bot doing the fan-out are measured
 * against the minimal botbuilder bot's, interleaved in rounds on the same machine.
 *
 * The bot is a separate process (bot-process.ts `media`) on the built-in demo site with a temporary
 * SQLite store; the conversations and their subscriptions are written into that store before the job.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../src/logger';
import { createDemoSite } from '../src/services/demo/demo-site';
import { openDatabase, type Database } from '../src/services/store/database';
import { postToBot } from '../test/support/bot-client';
import { startConnectorDouble, type ConnectorDouble } from '../test/support/connector-double';
import { approveClick, messageFrom, type BenchConversation, type BenchUser } from './approval-clicks';
import { startBotProcess, stopBotProcess, waitForSync, type BotProcess } from './bot-processes';
import { median } from './stats';
import { runTurnLoad, type LoadResult } from './turn-load';

const CONVERSATIONS = Number(process.env.BENCH_NOTIFY_CONVERSATIONS ?? 1_000);
const APP_RATE = 50;
const TURN_ROUNDS = Number(process.env.BENCH_NOTIFY_TURN_ROUNDS ?? 5);
/** `BENCH_NOTIFY_CHAT_ONLY=1` runs only the fan-out with chat (a quicker look at the turns). */
const CHAT_ONLY = process.env.BENCH_NOTIFY_CHAT_ONLY === '1';
const TURN_MS = Number(process.env.BENCH_MEASURE_MS ?? 4_000);
const TURN_WARMUP_MS = 1_000;
const TURN_CLIENTS = 50;
/** Chat load starts once the fan-out has run this long alone (its clean rate is measured before). */
const CLEAN_FAN_OUT_MS = 20_000;

const requester: BenchUser = { id: '29:bench-requester', name: 'Bench Requester', aadObjectId: 'c0000000-0000-4000-8000-000000000001' };
const demoIds = createDemoSite().packages.map((pkg) => pkg.record.PackageID);

interface FanOut {
  label: string;
  notifications: number;
  expected: number;
  seconds: number;
  requests: number;
  accepted: number;
  requestsPerSecond: number;
  acceptedPerSecond: number;
  /** Requests/s while no chat load ran (the whole fan-out when none did). */
  cleanRequestsPerSecond: number;
  lost: number;
  repeated: number;
  outOfOrder: number;
  throttledByLimit: number;
  throttledAtRandom: number;
  peakRequestsPerSecond: number;
}

const conversationId = (i: number) => `19:bench-${i}@thread.v2`;

async function seedSubscribers(database: Database, serviceUrl: string): Promise<void> {
  const now = new Date().toISOString();
  const rows = Array.from({ length: CONVERSATIONS }, (_, i) => ({
    conversation_id: conversationId(i),
    reference: JSON.stringify({
      channelId: 'msteams',
      serviceUrl,
      bot: { id: '28:upgrade-media-bot', name: 'Upgrade Media' },
      conversation: { id: conversationId(i), conversationType: 'groupChat', tenantId: '00000000-0000-4000-8000-0000000000aa' },
    }),
    updated_at: now,
    kind: 'groupChat',
    name: `Bench chat ${i}`,
    enabled: 1,
    disabled_reason: null,
    disabled_at: null,
  }));
  for (let i = 0; i < rows.length; i += 200) await database.db.insertInto('conversations').values(rows.slice(i, i + 200)).execute();
  const subscriptions = rows.map((row) => ({
    conversation_id: row.conversation_id,
    topic: 'all',
    package_filter: '',
    created_at: now,
    created_by: 'bench',
    last_delivered_at: null,
    last_failure_at: null,
    last_failure_reason: null,
  }));
  for (let i = 0; i < subscriptions.length; i += 200) await database.db.insertInto('subscriptions').values(subscriptions.slice(i, i + 200)).execute();
}

/** Asks for a refresh of `packageId` and approves it; resolves to the job id. */
async function runJob(bot: BotProcess, packageId: string, serviceUrl: string): Promise<string> {
  const conversation: BenchConversation = { id: 'a:bench-requester', type: 'personal', serviceUrl };
  const { body } = await postToBot(bot.url, messageFrom(`refresh ${packageId} bench`, requester, conversation));
  const jobId = /Job ([0-9A-Z]{5})/.exec(JSON.stringify(body))?.[1];
  if (jobId === undefined) throw new Error(`the refresh request was not answered with a job: ${JSON.stringify(body).slice(0, 300)}`);
  const { status } = await postToBot(bot.url, approveClick(jobId, requester, conversation));
  if (status !== 200) throw new Error(`the approval was answered ${status}`);
  return jobId;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Runs one job's fan-out to the end; `during` runs while it goes on (after CLEAN_FAN_OUT_MS). */
async function fanOut(label: string, bot: BotProcess, database: Database, double: ConnectorDouble, packageId: string, during?: () => Promise<void>): Promise<FanOut> {
  const benchConversations = new Set(Array.from({ length: CONVERSATIONS }, (_, i) => conversationId(i)));
  const acceptedBefore = double.accepted.length;
  const countersBefore = { ...double.counters };
  const started = Date.now();
  const jobId = await runJob(bot, packageId, double.url);
  await waitFor(`job ${jobId} ending`, async () => {
    const row = await database.db.selectFrom('jobs').select('state').where('id', '=', jobId).executeTakeFirst();
    return row && ['succeeded', 'failed', 'cancelled'].includes(row.state) ? row.state : undefined;
  }, 5 * 60_000);
  const notifications = Number(
    (await database.db.selectFrom('notifications').select((eb) => eb.fn.countAll<number>().as('n')).where('subject', '=', `job:${jobId}`).executeTakeFirstOrThrow()).n,
  );
  const expected = notifications * CONVERSATIONS;
  let chatEndedAt: number | undefined;
  let chatStartedAt: number | undefined;
  const chat = during
    ? (async () => {
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + CLEAN_FAN_OUT_MS - Date.now())));
        chatStartedAt = Date.now();
        await during();
        chatEndedAt = Date.now();
      })()
    : Promise.resolve();
  const ours = () => double.accepted.slice(acceptedBefore).filter((write) => benchConversations.has(write.conversationId));
  await waitFor(`${expected} deliveries`, async () => (ours().length >= expected ? true : undefined), (expected / APP_RATE) * 4_000 + 120_000);
  await chat;
  // Anything repeated would arrive after the last expected one: give the dispatcher a moment to show it.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const writes = ours();
  const first = writes[0]?.at ?? started;
  const last = writes[writes.length - 1]?.at ?? started;
  const seconds = Math.max(0.001, (last - first) / 1000);
  const requests = double.counters.requests - countersBefore.requests;

  let lost = 0;
  let repeated = 0;
  let outOfOrder = 0;
  for (const id of benchConversations) {
    const order = double.acceptedOrder(id).filter((write) => write.at >= first);
    const posts = order.filter((write) => write.operation === 'post').length;
    repeated += Math.max(0, order.length - notifications) + Math.max(0, posts - 1);
    lost += Math.max(0, notifications - order.length);
    if (order[0]?.operation !== 'post' || order.slice(1).some((write) => write.operation !== 'update')) outOfOrder++;
  }
  const cleanUntil = chatStartedAt ?? last;
  const cleanWrites = writes.filter((write) => write.at <= cleanUntil).length;
  const cleanSeconds = Math.max(0.001, (Math.min(cleanUntil, last) - first) / 1000);
  void chatEndedAt;
  return {
    label,
    notifications,
    expected,
    seconds,
    requests,
    accepted: writes.length,
    requestsPerSecond: requests / seconds,
    acceptedPerSecond: writes.length / seconds,
    cleanRequestsPerSecond: cleanWrites / cleanSeconds,
    lost,
    repeated,
    outOfOrder,
    throttledByLimit: double.counters.throttledByLimit - countersBefore.throttledByLimit,
    throttledAtRandom: double.counters.throttledAtRandom - countersBefore.throttledAtRandom,
    peakRequestsPerSecond: double.counters.peakRequestsPerSecond,
  };
}

export async function runNotifyBench(say: (line?: string) => void): Promise<void> {
  say(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load ${loadavg()[0].toFixed(1)}, ${new Date().toISOString()}`);
  say(
    `Notifications: one demo refresh job's life fanned out to ${CONVERSATIONS} subscribed conversations through the connector double ` +
      `(${APP_RATE} requests/s per app, Teams' per-conversation windows; over them it answers 429); the bot's NOTIFY_RATE_PER_SECOND=${APP_RATE}, SQLite store.`,
  );
  say();
  const directory = mkdtempSync(join(tmpdir(), 'umb-bench-notify-'));
  const double = await startConnectorDouble({ appRatePerSecond: APP_RATE });
  const url = `sqlite:${join(directory, 'bot.db')}`;
  const minimal = await startBotProcess('minimal');
  const bot = await startBotProcess('media', { PORT: '0', DATABASE_URL: url, NOTIFY_RATE_PER_SECOND: String(APP_RATE), DIGEST: 'off' });
  const database = await openDatabase(url, { logger: createLogger({ level: 'silent' }) });
  try {
    await waitForSync(bot, null, 60_000);
    await seedSubscribers(database, double.url);
    const showRounds: LoadResult[] = [];
    const minimalRounds: LoadResult[] = [];
    /** The same rounds once every fan-out has ended: what `show` gets from this machine with the dispatcher idle. */
    const idleShowRounds: LoadResult[] = [];
    const idleMinimalRounds: LoadResult[] = [];
    let chatWindow = { from: 0, to: 0 };
    const measureChat = async () => {
      // One round not counted: the bot has not drawn a `show` card yet, nor the minimal bot its reply.
      await runTurnLoad({ botUrl: bot.url, clients: TURN_CLIENTS, durationMs: TURN_MS, warmupMs: TURN_WARMUP_MS, textFor: (client, turn) => `show ${demoIds[(client * 7 + turn) % demoIds.length]}` });
      await runTurnLoad({ botUrl: minimal.url, clients: TURN_CLIENTS, durationMs: TURN_MS, warmupMs: TURN_WARMUP_MS, textFor: () => 'hello' });
      chatWindow = { from: Date.now(), to: 0 };
      for (let round = 0; round < TURN_ROUNDS; round++) {
        showRounds.push(await runTurnLoad({ botUrl: bot.url, clients: TURN_CLIENTS, durationMs: TURN_MS, warmupMs: TURN_WARMUP_MS, textFor: (client, turn) => `show ${demoIds[(client * 7 + turn) % demoIds.length]}` }));
        minimalRounds.push(await runTurnLoad({ botUrl: minimal.url, clients: TURN_CLIENTS, durationMs: TURN_MS, warmupMs: TURN_WARMUP_MS, textFor: () => 'hello' }));
      }
      chatWindow = { ...chatWindow, to: Date.now() };
    };
    const runs: FanOut[] = [];
    if (!CHAT_ONLY) {
      runs.push(await fanOut('no faults', bot, database, double, 'PS100012'));
      double.faults.throttleShare = 0.05;
      double.faults.throttleRetryAfterSeconds = 1;
      runs.push(await fanOut('5% of requests answered 429 (Retry-After 1 s)', bot, database, double, 'PS100012'));
      double.faults.throttleShare = 0;
    }
    const withChat = await fanOut(`no faults, \`show\` at ${TURN_CLIENTS} clients from its ${CLEAN_FAN_OUT_MS / 1000}th second`, bot, database, double, 'PS100012', measureChat);

    const pct = (value: number) => `${(100 * value).toFixed(1)}%`;
    say('| fan-out | notifications × conversations | seconds | requests/s (share of 50) | without chat load | accepted/s | lost | repeated | out of order | 429 over a limit | 429 injected |');
    say('|---|---|---|---|---|---|---|---|---|---|---|');
    runs.push(withChat);
    for (let round = 0; round < TURN_ROUNDS; round++) {
      idleShowRounds.push(await runTurnLoad({ botUrl: bot.url, clients: TURN_CLIENTS, durationMs: TURN_MS, warmupMs: TURN_WARMUP_MS, textFor: (client, turn) => `show ${demoIds[(client * 7 + turn) % demoIds.length]}` }));
      idleMinimalRounds.push(await runTurnLoad({ botUrl: minimal.url, clients: TURN_CLIENTS, durationMs: TURN_MS, warmupMs: TURN_WARMUP_MS, textFor: () => 'hello' }));
    }
    const duringChat = double.accepted.filter((write) => write.at >= chatWindow.from && write.at <= chatWindow.to).length / Math.max(0.001, (chatWindow.to - chatWindow.from) / 1000);
    for (const run of runs) {
      say(
        `| ${run.label} | ${run.notifications} × ${CONVERSATIONS} = ${run.expected} | ${run.seconds.toFixed(1)} | ${run.requestsPerSecond.toFixed(1)} (${pct(run.requestsPerSecond / APP_RATE)}) | ` +
          `${run.cleanRequestsPerSecond.toFixed(1)} (${pct(run.cleanRequestsPerSecond / APP_RATE)}) | ${run.acceptedPerSecond.toFixed(1)} | ${run.lost} | ${run.repeated} | ${run.outOfOrder} | ${run.throttledByLimit} | ${run.throttledAtRandom} |`,
      );
    }
    say();
    const ratios = showRounds.map((round, i) => round.turnsPerSecond / minimalRounds[i].turnsPerSecond);
    say(`Chat during the last fan-out, interleaved rounds after one uncounted round (${TURN_CLIENTS} clients, closed loop; the dispatcher gives way to chat while the event loop is busy):`);
    say();
    const idleRatios = idleShowRounds.map((round, i) => round.turnsPerSecond / idleMinimalRounds[i].turnsPerSecond);
    say('| round | `show` turns/s (bot fanning out) | minimal bot turns/s | ratio | after the fan-outs: `show` | minimal | ratio |');
    say('|---|---|---|---|---|---|---|');
    showRounds.forEach((round, i) =>
      say(
        `| ${i + 1} | ${round.turnsPerSecond.toFixed(1)} | ${minimalRounds[i].turnsPerSecond.toFixed(1)} | ${pct(ratios[i])} | ` +
          `${idleShowRounds[i].turnsPerSecond.toFixed(1)} | ${idleMinimalRounds[i].turnsPerSecond.toFixed(1)} | ${pct(idleRatios[i])} |`,
      ),
    );
    say();
    for (const run of runs) {
      say(`- ${run.label}: ${pct(run.requestsPerSecond / APP_RATE)} of the 50 requests/s ceiling${run === withChat ? '' : ' (target ≥ 90%)'}, ${run.lost} lost, ${run.repeated} repeated, ${run.outOfOrder} out of order.`);
    }
    say(`- While the chat rounds ran, the dispatcher sent ${duringChat.toFixed(1)} requests/s (it gives way to chat); the busiest second at the double held ${double.counters.peakRequestsPerSecond} requests.`);
    say(
      `- \`show\` during the fan-out: ${pct(median(ratios))} of the minimal bot's turns/s (median of ${ratios.length} rounds; target ≥ 80%); ` +
        `with the dispatcher idle, in the same run: ${pct(median(idleRatios))}.`,
    );
  } finally {
    await database.close();
    await Promise.all([stopBotProcess(bot), stopBotProcess(minimal)]);
    await double.stop();
    rmSync(directory, { recursive: true, force: true });
  }
}
