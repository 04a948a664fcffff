/**
 * A closed-loop load generator: N clients, each sending one message activity with
 * deliveryMode "expectReplies" and waiting for the replies before sending the next.
 */
import http from 'node:http';
import { messageActivity } from '../test/support/bot-client';
import { percentile } from './stats';

export interface LoadResult {
  clients: number;
  turns: number;
  errors: number;
  seconds: number;
  turnsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

function post(agent: http.Agent, url: URL, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        // The generator shares the machine with the bots: it checks the start of each answer and
        // counts the rest, rather than copying and searching every byte.
        let head = '';
        let bytes = 0;
        response.on('data', (chunk: Buffer) => {
          if (head.length < 64) head += chunk.toString('utf8', 0, Math.min(chunk.length, 64));
          bytes += chunk.length;
        });
        response.on('end', () => {
          if (response.statusCode !== 200 || !head.startsWith('{"activities":[{')) {
            reject(new Error(`HTTP ${response.statusCode}: ${head}`));
          } else resolve(bytes);
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** Runs `clients` loops for `durationMs` after a short warm-up; `textFor` picks each turn's message. */
export async function runTurnLoad(options: {
  botUrl: string;
  clients: number;
  durationMs: number;
  warmupMs: number;
  textFor: (client: number, turn: number) => string;
}): Promise<LoadResult> {
  const url = new URL('/api/messages', options.botUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.clients });
  const latencies: number[] = [];
  let errors = 0;
  const start = performance.now();
  const measureFrom = start + options.warmupMs;
  const end = measureFrom + options.durationMs;

  async function client(id: number): Promise<void> {
    for (let turn = 0; performance.now() < end; turn++) {
      const body = JSON.stringify(messageActivity(options.textFor(id, turn), id));
      const sent = performance.now();
      try {
        await post(agent, url, body);
        const done = performance.now();
        if (sent >= measureFrom && done <= end) latencies.push(done - sent);
      } catch {
        if (sent >= measureFrom) errors++;
      }
    }
  }

  await Promise.all(Array.from({ length: options.clients }, (_, id) => client(id)));
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const seconds = options.durationMs / 1000;
  return {
    clients: options.clients,
    turns: latencies.length,
    errors,
    seconds,
    turnsPerSecond: latencies.length / seconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
  };
}
