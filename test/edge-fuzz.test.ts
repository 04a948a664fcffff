/**
 * Fuzzes the running bot's HTTP edge: thousands of generated bodies, activities, invokes and headers
 * against the real server in a child process (a crash there cannot hide behind mocha), bounded in time.
 * The bar: no response of 500 or more, no turn that fails inside the bot, no crash, no request left
 * unanswered, and memory bounded.
 * Replay a run with FUZZ_SEED=<seed>; FUZZ_CASES changes how many random cases run.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { EdgeFuzzCases, type FuzzRequest } from './support/edge-fuzz-cases';

const root = join(__dirname, '..');
const SEED = Number(process.env.FUZZ_SEED ?? 20261203);
const RANDOM_CASES = Number(process.env.FUZZ_CASES ?? 8000);
const CONCURRENCY = 12;
/** The whole run stops sending after this long, however many cases are left. */
const TIME_BUDGET_MS = 90_000;
/** At least this many cases must have run within the budget for the run to count. */
const MINIMUM_CASES = 5000;
/** Peak resident memory the bot may reach during the run (it starts near 150 MB). */
const PEAK_RSS_LIMIT_MB = 450;

interface Answer {
  status: number | 'no answer';
  detail?: string;
  /** The bot answered with its "something went wrong" sentence: a turn threw. */
  turnFailed?: boolean;
}

/** The sentence the adapter sends when a turn throws; a hostile request must get a clear answer instead. */
const TURN_FAILED = /Something went wrong on the bot side/;

/** A loopback stand-in for the Bot Connector: accepts every reply the bot sends outside expectReplies. */
async function startConnectorSink(): Promise<{ server: Server; url: string; received: () => number }> {
  let received = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `sink-${received}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, received: () => received };
}

/** Starts src/index.ts on the demo site, on a free port, and resolves with its URL once it listens. */
async function startBotProcess(): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, ['--disable-warning=DEP0111', '-r', 'ts-node/register/transpile-only', join(root, 'src/index.ts')], {
    cwd: root,
    env: { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', SYNC_INTERVAL_MINUTES: '60' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // Kept draining for the whole run: a full pipe would stall the bot's logging, and with it the bot.
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-200_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the bot did not start within 60 s:\n${output}`)), 60_000);
    const check = () => {
      const found = /listening on (http:\/\/127\.0\.0\.1:\d+)\/api\/messages/.exec(output);
      if (found) {
        clearTimeout(timer);
        child.stdout?.off('data', check);
        resolve(found[1]);
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => reject(new Error(`the bot exited with ${code} before it listened:\n${output}`)));
  });
  return { child, url, output: () => output };
}

function send(url: string, fuzz: FuzzRequest): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request(
      `${url}/api/messages`,
      { method: 'POST', headers: { ...fuzz.headers, 'content-length': String(fuzz.body.length) }, timeout: 30_000 },
      (res) => {
        // The head of the answer is enough to see whether a turn failed inside the bot.
        let head = '';
        res.on('data', (chunk: Buffer) => {
          if (head.length < 4096) head += chunk.toString('utf8');
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, turnFailed: TURN_FAILED.test(head) }));
        res.on('error', (error) => resolve({ status: res.statusCode ?? 0, detail: error.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out after 30 s')));
    req.on('error', (error) => {
      // A server may answer 413/415 and close before it has read the whole body: that is an answer.
      resolve({ status: 'no answer', detail: error.message });
    });
    req.end(fuzz.body);
  });
}

function residentMegabytes(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const found = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return found ? Number(found[1]) / 1024 : Number.NaN;
}

describe('the HTTP edge under fuzzing', function () {
  this.timeout(240_000);
  let sink: Awaited<ReturnType<typeof startConnectorSink>>;
  let bot: Awaited<ReturnType<typeof startBotProcess>>;

  before(async () => {
    sink = await startConnectorSink();
    bot = await startBotProcess();
  });

  after(async () => {
    if (bot?.child.exitCode === null) {
      bot.child.kill('SIGKILL');
      await new Promise((resolve) => bot.child.once('exit', resolve));
    }
    await new Promise((resolve) => sink?.server.close(resolve));
  });

  it(`answers thousands of hostile requests with no 5xx, no failed turn, no crash and bounded memory (seed ${SEED})`, async () => {
    const cases = new EdgeFuzzCases(SEED, sink.url);
    const queue: FuzzRequest[] = cases.knownCases();
    for (let i = 0; i < RANDOM_CASES; i++) queue.push(cases.next());
    const pid = bot.child.pid as number;
    const startRss = residentMegabytes(pid, 'VmRSS');

    const failures: string[] = [];
    const statuses = new Map<string, number>();
    const deadline = Date.now() + TIME_BUDGET_MS;
    let sent = 0;
    const worker = async () => {
      while (queue.length > 0 && Date.now() < deadline && bot.child.exitCode === null) {
        const fuzz = queue.shift() as FuzzRequest;
        const answer = await send(bot.url, fuzz);
        sent += 1;
        const key = String(answer.status);
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
        const failed = answer.status === 'no answer' ? !/EPIPE|ECONNRESET/.test(answer.detail ?? '') : answer.status >= 500 || answer.turnFailed;
        if (failed) {
          failures.push(`${fuzz.family}: ${answer.status} ${answer.detail ?? ''} — body ${fuzz.body.subarray(0, 160).toString('latin1')}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    assert.equal(bot.child.exitCode, null, `the bot died during the run:\n${bot.output().slice(-4000)}`);
    const health = await fetch(`${bot.url}/healthz`);
    assert.equal(health.status, 200, 'the bot no longer answers /healthz after the run');
    const peakRss = residentMegabytes(pid, 'VmHWM');
    const endRss = residentMegabytes(pid, 'VmRSS');
    const tally = [...statuses.entries()].sort().map(([status, count]) => `${status}×${count}`).join(', ');
    // The figure the README and the closing note quote.
    console.log(`      fuzz: ${sent} requests (seed ${SEED}), ${tally}; rss ${startRss.toFixed(0)} MB → ${endRss.toFixed(0)} MB, peak ${peakRss.toFixed(0)} MB; connector sink got ${sink.received()} replies`);

    assert.deepEqual(failures.slice(0, 20), [], `${failures.length} requests got a 5xx, a failed turn or no answer`);
    assert.ok(sent >= MINIMUM_CASES, `only ${sent} requests ran within ${TIME_BUDGET_MS / 1000} s`);
    assert.ok(peakRss < PEAK_RSS_LIMIT_MB, `peak memory ${peakRss.toFixed(0)} MB passed ${PEAK_RSS_LIMIT_MB} MB`);
  });
});
