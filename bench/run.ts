/**
 * npm run bench: turn latency and throughput of `list` and `show` over HTTP with expectReplies, against
 * a simulated 500-package site whose AdminService answers after 2 s, next to a minimal botbuilder bot;
 * and the inventory sync of that site (time, AdminService requests, then a sync with nothing changed);
 * the WIM metadata reader (wim-metadata.ts); Approve clicks on refresh jobs (approvals.ts); the fan-out of
 * notifications to 1,000 conversations through the connector double (notify-fanout.ts).
 */
import { cpus, totalmem } from 'node:os';
import { createLogger } from '../src/logger';
import { AdminServiceSimulator } from '../src/services/demo/admin-service-simulator';
import { createSyntheticSite } from '../src/services/demo/synthetic-site';
import { runApprovalsBench } from './approvals';
import { runNotifyBench } from './notify-fanout';
import { startBotProcess, stopBotProcess, waitForSync, type BotProcess } from './bot-processes';
import { median, medianRound as medianBy } from './stats';
import { runTurnLoad, type LoadResult } from './turn-load';
import { runWimMetadataBench } from './wim-metadata';

const PACKAGES = 500;
const SLOW_ADMIN_SERVICE_MS = 2_000;
const MEASURE_MS = Number(process.env.BENCH_MEASURE_MS ?? 4_000);
const WARMUP_MS = 1_000;

const ids = createSyntheticSite(PACKAGES).packages.map((pkg) => pkg.record.PackageID);
const TURNS: Record<'list' | 'show', (client: number, turn: number) => string> = {
  list: () => 'list',
  show: (client, turn) => `show ${ids[(client * 7919 + turn * 31) % ids.length]}`,
};

async function measure(bot: BotProcess, turn: 'list' | 'show' | 'minimal', clients: number): Promise<LoadResult> {
  return runTurnLoad({
    botUrl: bot.url,
    clients,
    durationMs: MEASURE_MS,
    warmupMs: WARMUP_MS,
    textFor: turn === 'minimal' ? () => 'hello' : TURNS[turn],
  });
}

function row(label: string, result: LoadResult): string {
  const f = (n: number) => n.toFixed(1);
  return `| ${label} | ${result.clients} | ${f(result.p50Ms)} | ${f(result.p99Ms)} | ${f(result.turnsPerSecond)} | ${result.errors} |`;
}

async function main(): Promise<void> {
  const say = (line = '') => {
    process.stdout.write(`${line}\n`);
  };
  // `npm run bench -- wim`, `-- turns` or `-- approvals` runs one part (or several); all by default.
  const parts = process.argv.slice(2);
  const wanted = (part: string) => parts.length === 0 || parts.includes(part);
  if (wanted('turns')) await benchTurnsAndSync(say);
  if (wanted('wim')) {
    say();
    await runWimMetadataBench(say);
  }
  if (wanted('approvals')) {
    say();
    await runApprovalsBench(say);
  }
  if (wanted('notify')) {
    say();
    await runNotifyBench(say);
  }
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

/** The round whose turns/s is the median, so that its latencies go with its throughput. */
function medianRound(rounds: LoadResult[]): LoadResult {
  return medianBy(rounds, (round) => round.turnsPerSecond);
}

async function benchTurnsAndSync(say: (line?: string) => void): Promise<void> {
  say(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString()}`);
  say(
    `Site: ${PACKAGES} packages (synthetic), AdminService latency ${SLOW_ADMIN_SERVICE_MS} ms per request (and 0 ms for comparison); ` +
      `${MEASURE_MS / 1000} s per measurement after ${WARMUP_MS / 1000} s warm-up; the three bots are measured in turn, ` +
      `${ROUNDS} rounds, median round shown (the machine is shared and noisy)`,
  );
  say();

  const silent = createLogger({ level: 'silent' });
  const slowSite = new AdminServiceSimulator({ site: createSyntheticSite(PACKAGES), latencyMs: SLOW_ADMIN_SERVICE_MS, logger: silent });
  const fastSite = new AdminServiceSimulator({ site: createSyntheticSite(PACKAGES), latencyMs: 0, logger: silent });
  const slowUrl = await slowSite.start();
  const fastUrl = await fastSite.start();
  const mediaEnv = (url: string) => ({ PORT: '0', CM_ADMINSERVICE_URL: url, CM_AUTH: 'none', SYNC_INTERVAL_MINUTES: '0.1' });

  // Our bot's first (full) sync against the slow site, counted at the simulator; the next, with nothing changed.
  slowSite.stats.reset();
  const minimal = await startBotProcess('minimal');
  const slow = await startBotProcess('media', mediaEnv(slowUrl));
  const fast = await startBotProcess('media', mediaEnv(fastUrl));
  const first = await waitForSync(slow, null, 15 * 60_000);
  const full = { ...slowSite.stats };
  slowSite.stats.reset();
  const second = await waitForSync(slow, first.lastSuccessfulSync, 5 * 60_000);
  const unchanged = { ...slowSite.stats };
  await waitForSync(fast, null, 5 * 60_000);

  // Turns, while both bots keep syncing every 6 s: interleaved so that noise hits all alike.
  const bots = { minimal, slow, fast } as const;
  const plan: Array<[string, BotProcess, 'minimal' | 'list' | 'show']> = [
    ['minimal', bots.minimal, 'minimal'],
    ['list slow', bots.slow, 'list'],
    ['list fast', bots.fast, 'list'],
    ['show slow', bots.slow, 'show'],
    ['show fast', bots.fast, 'show'],
  ];
  const rounds = new Map<string, LoadResult[]>();
  for (const clients of [1, 50]) {
    for (let round = 0; round < ROUNDS; round++) {
      for (const [label, bot, turn] of plan) {
        const key = `${label}@${clients}`;
        rounds.set(key, [...(rounds.get(key) ?? []), await measure(bot, turn, clients)]);
      }
    }
  }
  await Promise.all([stopBotProcess(minimal), stopBotProcess(slow), stopBotProcess(fast)]);
  await slowSite.stop();
  await fastSite.stop();
  const result = (key: string) => medianRound(rounds.get(key) ?? []);

  say('Turns over HTTP (deliveryMode expectReplies), closed loop:');
  say();
  say('| bot and turn | clients | p50 ms | p99 ms | turns/s | errors |');
  say('|---|---|---|---|---|---|');
  for (const clients of [1, 50]) {
    say(row('minimal botbuilder bot, one small card', result(`minimal@${clients}`)));
    for (const turn of ['list', 'show']) {
      say(row(`\`${turn}\`, AdminService at 2 s`, result(`${turn} slow@${clients}`)));
      say(row(`\`${turn}\`, AdminService at 0 s`, result(`${turn} fast@${clients}`)));
    }
  }
  say();
  for (const turn of ['list', 'show']) {
    // Ratios per round, then their median: each round measured the bots back to back.
    const ofFloor = median(
      (rounds.get(`${turn} slow@50`) ?? []).map((r, i) => r.turnsPerSecond / (rounds.get('minimal@50') ?? [])[i].turnsPerSecond),
    );
    const slowVsFast = median(
      (rounds.get(`${turn} slow@50`) ?? []).map((r, i) => r.turnsPerSecond / (rounds.get(`${turn} fast@50`) ?? [])[i].turnsPerSecond),
    );
    say(
      `- \`${turn}\` at 50 clients: ${(100 * ofFloor).toFixed(0)}% of the minimal bot's turns/s (target ≥ 80%); ` +
        `2 s vs 0 s AdminService: ${slowVsFast.toFixed(2)}× the turns/s; ` +
        `p99 at 1 client ${result(`${turn} slow@1`).p99Ms.toFixed(1)} ms (target < 20 ms).`,
    );
  }
  say();
  say('Inventory sync of the 500-package site at 2 s per AdminService request:');
  say();
  say('| sync | duration | requests | list requests | key requests (lazy ImageProperty) | most key requests at once |');
  say('|---|---|---|---|---|---|');
  say(`| first (full) | ${((first.lastSyncDurationMs ?? 0) / 1000).toFixed(1)} s | ${full.requests} | ${full.listRequests} | ${full.keyRequests} | ${full.maxKeyRequestsInFlight} |`);
  say(`| second (nothing changed) | ${((second.lastSyncDurationMs ?? 0) / 1000).toFixed(1)} s | ${unchanged.requests} | ${unchanged.listRequests} | ${unchanged.keyRequests} | ${unchanged.maxKeyRequestsInFlight} |`);
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
