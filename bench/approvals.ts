/**
 * `npm run bench -- approvals`: how long an Approve click takes (invoke in, card out) when 50
 * approvers click at once on 50 different jobs, next to the minimal botbuilder bot's turn at 50
 * clients in the same rounds; and the contention case, 50 approvers clicking at once on ONE job,
 * which must end with exactly one approval (the run fails otherwise).
 *
 * The bot under test is a separate process (bot-process.ts `media`) on a real site URL: an
 * AdminService simulator with a synthetic site, so that every job of a burst is on its own package.
 * Its store is a temporary SQLite file, then a throw-away PostgreSQL database when the server is there.
 * The approvers' conversation is set (`approvals here`) on a local stand-in for the Bot Connector, so
 * that each job's approval card is posted there and every decision updates it over HTTP, as in Teams.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createLogger } from '../src/logger';
import { AdminServiceSimulator } from '../src/services/demo/admin-service-simulator';
import { createSyntheticSite } from '../src/services/demo/synthetic-site';
import { openDatabase, type Database } from '../src/services/store/database';
import { postToBot } from '../test/support/bot-client';
import { approveClick, fireClicks, messageFrom, type BenchConversation, type BenchUser, type ClickResult } from './approval-clicks';
import { startBotProcess, stopBotProcess, waitForSync, type BotProcess } from './bot-processes';
import { median, medianRound, percentile } from './stats';
import { startStubConnector, type StubConnector } from './stub-connector';
import { createThrowawayDatabase } from './throwaway-postgres';
import { runTurnLoad, type LoadResult } from './turn-load';

const CLICKS = 50;
/** APPROVERS holds more people than click, as a real list would. */
const APPROVER_COUNT = 60;
/** Bursts take packages 0–249 in turn; contention jobs take 250–299; single clicks 300–399. */
const BURST_PACKAGES = 250;
const CONTENTION_PACKAGES = 50;
const SINGLE_CLICKS = 10;
const PACKAGES = 400;
const ROUNDS = Number(process.env.BENCH_APPROVAL_ROUNDS ?? 5);
const MEASURE_MS = Number(process.env.BENCH_MEASURE_MS ?? 4_000);
const WARMUP_MS = 1_000;
const POSTGRES_SERVER = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ACTIVE_STATES = ['awaiting_approval', 'approved', 'running'];

const hex12 = (n: number) => n.toString(16).padStart(12, '0');
const approvers: BenchUser[] = Array.from({ length: APPROVER_COUNT }, (_, i) => ({
  id: `29:approver-${i}`,
  name: `Approver ${i}`,
  aadObjectId: `a0000000-0000-4000-8000-${hex12(i)}`,
}));
const requesters: BenchUser[] = Array.from({ length: CLICKS }, (_, i) => ({
  id: `29:requester-${i}`,
  name: `Requester ${i}`,
  aadObjectId: `b0000000-0000-4000-8000-${hex12(i)}`,
}));

interface Burst {
  p50Ms: number;
  p99Ms: number;
  /** Until the last click was answered. */
  burstMs: number;
  errors: number;
  results: ClickResult[];
}

interface Contention extends Burst {
  /** The one click that approved. */
  winnerMs: number;
  /** Empty when exactly one transition happened; otherwise what was found. */
  problems: string[];
}

interface Round {
  minimal: LoadResult;
  /** Approve clicks one at a time, each on its own job: the click's cost without a queue. */
  single: Burst;
  burst: Burst;
  contention: Contention;
  /** From the burst's answers until the runner had ended all 50 jobs. */
  jobsEndedMs: number;
}

interface DatabaseRun {
  label: string;
  rounds: Round[];
  connector: { posts: number; updates: number };
}

function burstOf(results: ClickResult[], isExpected: (result: ClickResult) => boolean): Burst {
  const times = results.map((result) => result.ms).filter((ms) => Number.isFinite(ms));
  const sorted = [...times].sort((a, b) => a - b);
  return {
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    burstMs: sorted[sorted.length - 1] ?? Number.NaN,
    errors: results.filter((result) => !isExpected(result)).length,
    results,
  };
}

/** Up to `limit` at a time, in order. */
async function inBatches<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        out[index] = await work(items[index], index);
      }
    }),
  );
  return out;
}

class ApprovalsBench {
  private readonly approversChannel: BenchConversation;

  constructor(
    private readonly bot: BotProcess,
    private readonly store: Database,
    private readonly connector: StubConnector,
    private readonly packageIds: readonly string[],
  ) {
    this.approversChannel = { id: '19:approvers@thread.tacv2', type: 'channel', serviceUrl: connector.url };
  }

  private requesterChat(i: number): BenchConversation {
    return { id: `a:requester-${i}`, type: 'personal', serviceUrl: this.connector.url };
  }

  /** `approvals here` in the approvers' channel: approval cards are posted there and updated on each change. */
  async setApproversChannel(): Promise<void> {
    const { status, body } = await postToBot(this.bot.url, messageFrom('approvals here', approvers[0], this.approversChannel));
    if (status !== 200 || !JSON.stringify(body).includes('Approval requests will be posted in this conversation')) {
      throw new Error(`"approvals here" was not accepted: HTTP ${status} ${JSON.stringify(body).slice(0, 300)}`);
    }
  }

  /** `refresh <id>` from requester i; the job id read from the replies. */
  async request(packageId: string, requester: number): Promise<string> {
    const { status, body } = await postToBot(this.bot.url, messageFrom(`refresh ${packageId}`, requesters[requester], this.requesterChat(requester)));
    const text = JSON.stringify(body);
    const activities = (body as { activities?: unknown[] } | undefined)?.activities ?? [];
    const jobId = /"jobId":"([A-Z0-9]{5})"/.exec(text)?.[1];
    // A new job answers with two cards (the job and its approval); an active one with a sentence.
    if (status !== 200 || activities.length !== 2 || jobId === undefined) {
      throw new Error(`"refresh ${packageId}" made no new job: HTTP ${status} ${text.slice(0, 300)}`);
    }
    return jobId;
  }

  async burstRound(round: number): Promise<{ burst: Burst; jobsEndedMs: number }> {
    const packages = Array.from({ length: CLICKS }, (_, i) => this.packageIds[(round * CLICKS + i) % BURST_PACKAGES]);
    const jobIds = await inBatches(packages, 10, (packageId, i) => this.request(packageId, i));
    const clicks = jobIds.map((jobId, i) => approveClick(jobId, approvers[i], this.approversChannel));
    const results = await fireClicks(this.bot.url, clicks, jobIds);
    const burst = burstOf(results, (result) => result.answer.kind === 'approved');
    const started = performance.now();
    await this.settle(jobIds);
    return { burst, jobsEndedMs: performance.now() - started };
  }

  async singleClicks(round: number): Promise<Burst> {
    const first = BURST_PACKAGES + CONTENTION_PACKAGES;
    const packages = Array.from({ length: SINGLE_CLICKS }, (_, i) => this.packageIds[first + ((round * SINGLE_CLICKS + i) % (PACKAGES - first))]);
    const jobIds = await inBatches(packages, 10, (packageId, i) => this.request(packageId, i));
    const results: ClickResult[] = [];
    for (const [i, jobId] of jobIds.entries()) results.push(...(await fireClicks(this.bot.url, [approveClick(jobId, approvers[i], this.approversChannel)], [jobId])));
    await this.settle(jobIds);
    return burstOf(results, (result) => result.answer.kind === 'approved');
  }

  async contentionRound(round: number): Promise<Contention> {
    const packageId = this.packageIds[BURST_PACKAGES + (round % CONTENTION_PACKAGES)];
    const jobId = await this.request(packageId, round % CLICKS);
    const clicks = Array.from({ length: CLICKS }, (_, i) => approveClick(jobId, approvers[i], this.approversChannel));
    const results = await fireClicks(this.bot.url, clicks, clicks.map(() => jobId));
    const approved = results.filter((result) => result.answer.kind === 'approved');
    const refused = results.filter((result) => result.answer.kind === 'refused');
    const problems: string[] = [];
    if (approved.length !== 1 || refused.length !== CLICKS - 1) {
      const odd = results.find((result) => result.answer.kind === 'unexpected')?.answer;
      problems.push(`answers: ${approved.length} approved, ${refused.length} refused${odd?.kind === 'unexpected' ? ` (e.g. ${odd.detail})` : ''}`);
    }
    await this.settle([jobId]);
    // The store is the proof: one approval row and one `approved` event, every other click a `decision_refused`.
    const events = await this.store.db
      .selectFrom('job_events')
      .select(['kind', sql<number>`count(*)`.as('count')])
      .where('job_id', '=', jobId)
      .groupBy('kind')
      .execute();
    const count = (kind: string) => Number(events.find((row) => row.kind === kind)?.count ?? 0);
    const rows = await this.store.db.selectFrom('approvals').select(sql<number>`count(*)`.as('count')).where('job_id', '=', jobId).executeTakeFirst();
    if (count('approved') !== 1 || count('decision_refused') !== CLICKS - 1 || Number(rows?.count ?? 0) !== 1) {
      problems.push(`store: ${count('approved')} approved events, ${count('decision_refused')} decision_refused events, ${Number(rows?.count ?? 0)} approval rows for job ${jobId}`);
    }
    const burst = burstOf(results, (result) => result.answer.kind !== 'unexpected');
    return { ...burst, winnerMs: approved[0]?.ms ?? Number.NaN, problems };
  }

  /** Waits until the runner has ended the jobs and their card updates stopped arriving. */
  private async settle(jobIds: readonly string[]): Promise<void> {
    const deadline = Date.now() + 180_000;
    for (;;) {
      const active = await this.store.db
        .selectFrom('jobs')
        .select(sql<number>`count(*)`.as('count'))
        .where('id', 'in', [...jobIds])
        .where('state', 'in', ACTIVE_STATES as never)
        .executeTakeFirst();
      if (Number(active?.count ?? 0) === 0) break;
      if (Date.now() > deadline) throw new Error(`the runner did not end ${Number(active?.count)} jobs within 3 minutes`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (let last = -1; ; ) {
      const { posts, updates } = this.connector.counts();
      if (posts + updates === last) return;
      last = posts + updates;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }
}

async function runOnDatabase(
  label: string,
  databaseUrl: string,
  siteUrl: string,
  packageIds: readonly string[],
  minimal: BotProcess,
  say: (line?: string) => void,
): Promise<DatabaseRun> {
  const connector = await startStubConnector();
  const bot = await startBotProcess('media', {
    PORT: '0',
    CM_ADMINSERVICE_URL: siteUrl,
    CM_AUTH: 'none',
    APPROVERS: approvers.map((person) => person.aadObjectId).join(','),
    DATABASE_URL: databaseUrl,
  });
  let store: Database | undefined;
  try {
    const synced = await waitForSync(bot, null, 5 * 60_000);
    if (synced.packages < PACKAGES) throw new Error(`the bot sees ${synced.packages} packages, not ${PACKAGES}`);
    store = await openDatabase(databaseUrl, { logger: createLogger({ level: 'silent' }), poolSize: 2 });
    const bench = new ApprovalsBench(bot, store, connector, packageIds);
    await bench.setApproversChannel();
    // Round 0 warms both bots up (first cards rendered, connections, query plans) and is not counted.
    await bench.singleClicks(0);
    await bench.burstRound(0);
    await bench.contentionRound(0);
    const rounds: Round[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const minimalResult = await runTurnLoad({ botUrl: minimal.url, clients: CLICKS, durationMs: MEASURE_MS, warmupMs: WARMUP_MS, textFor: () => 'hello' });
      const single = await bench.singleClicks(round);
      const { burst, jobsEndedMs } = await bench.burstRound(round);
      const contention = await bench.contentionRound(round);
      rounds.push({ minimal: minimalResult, single, burst, contention, jobsEndedMs });
      say(
        `  ${label} round ${round}: minimal p50 ${minimalResult.p50Ms.toFixed(1)} ms; one click at a time p50 ${single.p50Ms.toFixed(1)} ms; 50 jobs p50 ${burst.p50Ms.toFixed(1)} p99 ${burst.p99Ms.toFixed(1)} ms` +
          `${burst.errors ? ` (${burst.errors} errors)` : ''}; one job p50 ${contention.p50Ms.toFixed(1)} p99 ${contention.p99Ms.toFixed(1)} ms` +
          `${contention.problems.length ? ` — ${contention.problems.join('; ')}` : ', exactly one approval'}`,
      );
    }
    const { posts, updates } = connector.counts();
    return { label, rounds, connector: { posts, updates } };
  } finally {
    await store?.close();
    await stopBotProcess(bot);
    await connector.stop();
  }
}

const f = (n: number) => n.toFixed(1);

function report(runs: readonly DatabaseRun[], say: (line?: string) => void): string[] {
  const failures: string[] = [];
  say();
  say('Approve clicks over HTTP (adaptiveCard/action invoke, verb job.approve, answered in the response), 50 fired at once:');
  say();
  say('| bot and operation | store | concurrent | p50 ms | p99 ms | ops/s | errors |');
  say('|---|---|---|---|---|---|---|');
  for (const run of runs) {
    const minimal = medianRound(run.rounds.map((round) => round.minimal), (result) => result.p50Ms);
    const burst = medianRound(run.rounds.map((round) => round.burst), (result) => result.p50Ms);
    // One click at a time: every round's clicks together, so that p99 is not just the slowest of ten.
    const singles = burstOf(run.rounds.flatMap((round) => round.single.results), (result) => result.answer.kind === 'approved');
    const meanSingle = singles.results.reduce((sum, result) => sum + result.ms, 0) / singles.results.length;
    const contention = medianRound(run.rounds.map((round) => round.contention), (result) => result.p50Ms);
    say(`| minimal botbuilder bot, one small card (closed loop) | – | ${CLICKS} | ${f(minimal.p50Ms)} | ${f(minimal.p99Ms)} | ${f(minimal.turnsPerSecond)} | ${minimal.errors} |`);
    say(`| Approve, one click at a time (${singles.results.length} clicks, all rounds) | ${run.label} | 1 | ${f(singles.p50Ms)} | ${f(singles.p99Ms)} | ${f(1000 / meanSingle)} | ${singles.errors} |`);
    say(`| Approve, 50 clicks on 50 jobs | ${run.label} | ${CLICKS} | ${f(burst.p50Ms)} | ${f(burst.p99Ms)} | ${f((1000 * CLICKS) / burst.burstMs)} | ${burst.errors} |`);
    say(`| Approve, 50 clicks on one job | ${run.label} | ${CLICKS} | ${f(contention.p50Ms)} | ${f(contention.p99Ms)} | ${f((1000 * CLICKS) / contention.burstMs)} | ${contention.errors} |`);
  }
  say();
  for (const run of runs) {
    const ratio = (pick: (round: Round) => [number, number]) => median(run.rounds.map((round) => pick(round)[0] / pick(round)[1]));
    const p50 = ratio((round) => [round.burst.p50Ms, round.minimal.p50Ms]);
    const p99 = ratio((round) => [round.burst.p99Ms, round.minimal.p99Ms]);
    const oneP50 = ratio((round) => [round.contention.p50Ms, round.minimal.p50Ms]);
    const exact = run.rounds.filter((round) => round.contention.problems.length === 0).length;
    const winner = median(run.rounds.map((round) => round.contention.winnerMs));
    const ended = median(run.rounds.map((round) => round.jobsEndedMs));
    say(
      `- ${run.label}: an Approve click at 50 at once takes ${p50.toFixed(1)}× the minimal bot's turn at p50 and ${p99.toFixed(1)}× at p99 ` +
        `(per-round ratios, median); on one job ${oneP50.toFixed(1)}× at p50, the approving click answered in ${f(winner)} ms (median), ` +
        `exactly one approval and ${CLICKS - 1} refusals in ${exact} of ${run.rounds.length} rounds; ` +
        `the runner ended a burst's 50 jobs ${(ended / 1000).toFixed(1)} s after the last answer (median); ` +
        `${run.connector.posts} approval cards posted and ${run.connector.updates} updated on the stand-in connector.`,
    );
    for (const [i, round] of run.rounds.entries()) {
      for (const problem of round.contention.problems) failures.push(`${run.label} round ${i + 1}, 50 clicks on one job: ${problem}`);
      if (round.single.errors > 0) failures.push(`${run.label} round ${i + 1}, one click at a time: ${round.single.errors} clicks not answered with the approved card`);
      if (round.burst.errors > 0) {
        const odd = round.burst.results.find((result) => result.answer.kind !== 'approved')?.answer;
        failures.push(`${run.label} round ${i + 1}, 50 clicks on 50 jobs: ${round.burst.errors} clicks not answered with the approved card (e.g. ${JSON.stringify(odd)})`);
      }
    }
  }
  return failures;
}

export async function runApprovalsBench(say: (line?: string) => void): Promise<void> {
  say(
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ` +
      `load average ${loadavg()[0].toFixed(1)} at start, ${new Date().toISOString()}`,
  );
  say(
    `Site: ${PACKAGES} synthetic packages on an AdminService simulator at a real site URL (0 ms); APPROVERS ${APPROVER_COUNT} GUIDs, ` +
      `each click by its own approver, each job asked for by its own requester; ${ROUNDS} rounds after a warm-up round, median round shown ` +
      `(each round: the minimal bot ${MEASURE_MS / 1000} s at ${CLICKS} clients, ${SINGLE_CLICKS} new jobs approved one click at a time, then 50 new jobs approved at once, then 50 clicks on one new job); ` +
      `approved jobs start at once (the runner takes 4 at a time) and fail at their first stage, the share being unmapped`,
  );
  const silent = createLogger({ level: 'silent' });
  const sim = new AdminServiceSimulator({ site: createSyntheticSite(PACKAGES), latencyMs: 0, logger: silent });
  const siteUrl = await sim.start();
  const packageIds = createSyntheticSite(PACKAGES).packages.map((pkg) => pkg.record.PackageID);
  const minimal = await startBotProcess('minimal');
  const folder = mkdtempSync(join(tmpdir(), 'bench-approvals-'));
  const runs: DatabaseRun[] = [];
  try {
    runs.push(await runOnDatabase('SQLite', `sqlite:${join(folder, 'jobs.db')}`, siteUrl, packageIds, minimal, say));
    if (process.env.BENCH_POSTGRES === 'off') {
      say('  PostgreSQL: skipped (BENCH_POSTGRES=off)');
    } else {
      const database = await createThrowawayDatabase(POSTGRES_SERVER);
      if ('unavailable' in database) {
        say(`  PostgreSQL: skipped, could not create a database on ${new URL(POSTGRES_SERVER).host} (${database.unavailable})`);
      } else {
        try {
          runs.push(await runOnDatabase('PostgreSQL', database.url, siteUrl, packageIds, minimal, say));
        } finally {
          await database.drop();
        }
      }
    }
  } finally {
    await stopBotProcess(minimal);
    await sim.stop();
    rmSync(folder, { recursive: true, force: true });
  }
  const failures = report(runs, say);
  if (failures.length > 0) throw new Error(`approvals bench: ${failures.join('\n')}`);
}
