import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { startApp, type RunningApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import type { ServicingEvent } from '../../src/services/jobs/servicing-callback';
import type { ReceiptLedger, ServicingEventAnswer } from '../../src/services/jobs/servicing-callback-ports';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signRequest } from '../../src/services/jobs/webhook-signature';
import { postRaw, type RawAnswer } from '../support/raw-http';

const SECRET = 'servicing-host-shared-secret-1234';
const WEBHOOK_ENV = { PORT: '0', RUNNER: 'webhook', RUNNER_WEBHOOK_URL: 'https://osd-build.contoso.com/jobs', RUNNER_SECRET: SECRET };
const NOW = new Date('2026-12-03T16:00:00Z');
const T = Math.floor(NOW.getTime() / 1000);
const JOB = 'K7P2Q';
const COMPLETED = JSON.stringify({ contract: 1, event: 'completed', newBuild: '26100.4652', configMgrUpdated: true });

class LogLines extends Writable {
  lines: string[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.lines.push(chunk.toString('utf8'));
    done();
  }
}

/** The store's ledger in miniature: a signature counts once. */
class MemoryLedger implements ReceiptLedger {
  readonly seen = new Map<string, string>();
  failNext = false;
  async record(signature: string, jobId: string): Promise<boolean> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('database is locked');
    }
    if (this.seen.has(signature)) return false;
    this.seen.set(signature, jobId);
    return true;
  }
}

/** The job service's side of the port: records what it was handed and answers what the test says. */
class FakeJobs {
  calls: Array<{ jobId: string; event: ServicingEvent }> = [];
  answer: ServicingEventAnswer | 'throw' = { status: 202 };
  port = async (jobId: string, event: ServicingEvent): Promise<ServicingEventAnswer> => {
    this.calls.push({ jobId, event });
    if (this.answer === 'throw') throw new Error('job service broke');
    return this.answer;
  };
}

function signed(body: string, timestamp = T, secret = SECRET): Record<string, string> {
  return {
    'content-type': 'application/json',
    [TIMESTAMP_HEADER]: String(timestamp),
    [SIGNATURE_HEADER]: `sha256=${signRequest(secret, timestamp, body)}`,
  };
}

describe('POST /api/jobs/:id/events (real HTTP)', () => {
  let app: RunningApp;
  const ledger = new MemoryLedger();
  const jobs = new FakeJobs();
  const logs = new LogLines();

  before(async () => {
    app = await startApp(loadConfig(WEBHOOK_ENV), {
      logger: pino({ level: 'info' }, logs),
      servicingCallbacks: { ledger, onServicingEvent: jobs.port, now: () => NOW },
    });
  });
  after(async () => {
    await app?.stop();
  });
  beforeEach(() => {
    jobs.calls = [];
    jobs.answer = { status: 202 };
  });

  function post(body: string | Buffer, headers: Record<string, string>, jobId = JOB): Promise<RawAnswer> {
    return postRaw(app.url, body, headers, 10_000, `/api/jobs/${jobId}/events`);
  }

  it('gives servicing hosts its own listen URL to call back to when PUBLIC_URL is unset', () => {
    assert.equal(app.publicUrl, app.url);
  });

  it('accepts a signed callback (202) and hands it to the job service once', async () => {
    const answer = await post(COMPLETED, signed(COMPLETED));
    assert.equal(answer.status, 202, answer.text);
    assert.deepEqual(jobs.calls, [{ jobId: JOB, event: JSON.parse(COMPLETED) as ServicingEvent }]);
  });

  it('hands a lower-case job id over in capitals', async () => {
    const body = JSON.stringify({ contract: 1, event: 'stage_started', stage: 'service_media' });
    const answer = await post(body, signed(body), JOB.toLowerCase());
    assert.equal(answer.status, 202, answer.text);
    assert.equal(jobs.calls[0]?.jobId, JOB);
  });

  it('refuses the same signed request replayed (409) and hands it over only the first time', async () => {
    const body = JSON.stringify({ contract: 1, event: 'stage_done', stage: 'service_media', newBuild: '26100.4652' });
    const headers = signed(body, T - 5);
    assert.equal((await post(body, headers)).status, 202);
    const replay = await post(body, headers);
    assert.equal(replay.status, 409);
    assert.equal((JSON.parse(replay.text) as { code: string }).code, 'replayed');
    assert.equal(jobs.calls.length, 1);
  });

  it('passes on a wrong-state answer from the job service as 409 with its sentence', async () => {
    jobs.answer = { status: 409, message: 'Job K7P2Q was cancelled; it takes no more servicing events.' };
    const body = JSON.stringify({ contract: 1, event: 'stage_started', stage: 'keep_editions' });
    const answer = await post(body, signed(body));
    assert.equal(answer.status, 409);
    assert.deepEqual(JSON.parse(answer.text), { error: 'Job K7P2Q was cancelled; it takes no more servicing events.', code: 'conflict' });
  });

  it('answers 404 for a job the service does not know, once the signature is valid', async () => {
    jobs.answer = { status: 404, message: 'No job with that id takes servicing callbacks.' };
    const body = JSON.stringify({ contract: 1, event: 'failed', message: 'WIM not found' });
    const answer = await post(body, signed(body), 'ZZZZZ');
    assert.equal(answer.status, 404);
    assert.equal(jobs.calls.length, 1);
  });

  const other = signRequest(SECRET, T, COMPLETED);
  const refusedSignatures: Array<{ why: string; body: string; headers: Record<string, string> }> = [
    { why: 'no signature header', body: COMPLETED, headers: { 'content-type': 'application/json', [TIMESTAMP_HEADER]: String(T) } },
    { why: 'no headers at all', body: COMPLETED, headers: { 'content-type': 'application/json' } },
    { why: 'signed with another secret', body: COMPLETED, headers: signed(COMPLETED, T, `${SECRET}-old`) },
    { why: 'a malformed signature header', body: COMPLETED, headers: { ...signed(COMPLETED), [SIGNATURE_HEADER]: `sha512=${other}` } },
    { why: 'a malformed timestamp header', body: COMPLETED, headers: { ...signed(COMPLETED), [TIMESTAMP_HEADER]: 'yesterday' } },
    { why: 'the body changed after signing', body: COMPLETED.replace('4652', '4653'), headers: signed(COMPLETED) },
    { why: 'a timestamp ten minutes old', body: COMPLETED, headers: signed(COMPLETED, T - 600) },
    { why: 'a timestamp ten minutes in the future', body: COMPLETED, headers: signed(COMPLETED, T + 600) },
  ];
  for (const c of refusedSignatures) {
    it(`refuses ${c.why} with 401 and one sentence, and tells the job service nothing`, async () => {
      const answer = await post(c.body, c.headers);
      assert.equal(answer.status, 401);
      const { error } = JSON.parse(answer.text) as { error: string };
      assert.match(error, /^[^.;]+;[^.]+\.$/, 'one sentence');
      assert.doesNotMatch(error, /missing|malformed|stale|future|mismatch/, 'no detail for the caller');
      assert.equal(jobs.calls.length, 0);
    });
  }

  it('answers an unsigned caller 401 whether or not the job exists: no job ids leak', async () => {
    jobs.answer = { status: 404, message: 'No such job.' };
    const unknown = await post(COMPLETED, { 'content-type': 'application/json' }, 'ZZZZZ');
    jobs.answer = { status: 202 };
    const known = await post(COMPLETED, { 'content-type': 'application/json' }, JOB);
    assert.equal(unknown.status, 401);
    assert.deepEqual([known.status, known.text], [unknown.status, unknown.text]);
  });

  const badBodies: Array<{ why: string; body: string }> = [
    { why: 'not JSON', body: 'event=completed' },
    { why: 'unknown keys', body: JSON.stringify({ contract: 1, event: 'completed', exitCode: 0 }) },
    { why: 'a bad build', body: JSON.stringify({ contract: 1, event: 'completed', newBuild: '26100' }) },
    { why: 'JSON nested deeper than a callback ever is', body: `{"contract":1,"event":"completed","message":${'['.repeat(50)}${']'.repeat(50)}}` },
  ];
  for (const c of badBodies) {
    it(`refuses a signed body that is ${c.why} with 400`, async () => {
      const answer = await post(c.body, signed(c.body));
      assert.equal(answer.status, 400, answer.text);
      assert.equal(jobs.calls.length, 0);
    });
  }

  it('refuses a body over 16 KB with 413 before checking its signature', async () => {
    const body = JSON.stringify({ contract: 1, event: 'failed', message: 'x'.repeat(17 * 1024) });
    const answer = await post(body, signed(body));
    assert.equal(answer.status, 413);
    assert.equal(jobs.calls.length, 0);
  });

  it('refuses a body that is not JSON by its content type with 415', async () => {
    const answer = await post(COMPLETED, { ...signed(COMPLETED), 'content-type': 'text/plain' });
    assert.equal(answer.status, 415);
  });

  const badIds = ['K7P2', 'K7P2Q1', 'K7P2O', '..%2F..', '%00%00%00%00%00', 'K7P2Q%0A'];
  for (const id of badIds) {
    it(`answers 404 to the job id "${id}" without asking the job service`, async () => {
      const answer = await post(COMPLETED, signed(COMPLETED), id);
      assert.equal(answer.status, 404);
      assert.equal(jobs.calls.length, 0);
    });
  }

  it('answers 500 with a sentence when the job service throws, and keeps serving', async () => {
    jobs.answer = 'throw';
    const body = JSON.stringify({ contract: 1, event: 'stage_started', stage: 'service_media', message: 'again' });
    const answer = await post(body, signed(body));
    assert.equal(answer.status, 500);
    assert.match((JSON.parse(answer.text) as { error: string }).error, /retry/);
    jobs.answer = { status: 202 };
    const next = JSON.stringify({ contract: 1, event: 'stage_started', stage: 'service_media', message: 'once more' });
    assert.equal((await post(next, signed(next))).status, 202);
  });

  it('answers 500 when the receipt ledger fails, without handing the event over', async () => {
    ledger.failNext = true;
    const body = JSON.stringify({ contract: 1, event: 'failed', message: 'ledger down' });
    const answer = await post(body, signed(body));
    assert.equal(answer.status, 500);
    assert.equal(jobs.calls.length, 0);
  });

  it('survives hostile requests and still accepts the next signed callback', async () => {
    const hostile: Array<[string | Buffer, Record<string, string>, string?]> = [
      [Buffer.from([0xff, 0xfe, 0x00]), signed('x')],
      ['', signed('')],
      ['{}', { ...signed('{}'), [SIGNATURE_HEADER]: 'sha256=' + 'a'.repeat(8000) }],
      ['{}', { ...signed('{}'), [TIMESTAMP_HEADER]: '1e309' }],
      ['null', signed('null')],
      ['[]', signed('[]')],
      ['"text"', signed('"text"')],
      [JSON.stringify({ contract: 1, event: 'completed', __proto__: { polluted: true } }), signed('{}')],
      ['{"contract":1,"event":"completed"}', { 'content-type': 'application/json', 'content-encoding': 'gzip' }],
    ];
    for (const [body, headers, id] of hostile) {
      const answer = await post(body, headers, id);
      assert.ok(answer.status >= 400 && answer.status < 500, `got ${answer.status} for ${String(body).slice(0, 30)}`);
    }
    assert.equal(jobs.calls.length, 0);
    const body = JSON.stringify({ contract: 1, event: 'stage_done', stage: 'keep_editions' });
    assert.equal((await post(body, signed(body))).status, 202);
  });

  it('never logs the secret or a signature', () => {
    const text = logs.lines.join('');
    assert.ok(text.includes('servicing callback'), 'the route logged');
    assert.ok(!text.includes(SECRET));
    assert.ok(!text.includes(signRequest(SECRET, T, COMPLETED)));
  });
});

describe('POST /api/jobs/:id/events when the runner is not a webhook', () => {
  for (const [why, env, withPort] of [
    ['RUNNER=configmgr', { PORT: '0' }, true],
    ['RUNNER=webhook without the job service wired', WEBHOOK_ENV, false],
  ] as const) {
    it(`answers 404 under ${why}, even to a correctly signed callback`, async () => {
      const jobs = new FakeJobs();
      const app = await startApp(loadConfig({ ...env, PUBLIC_URL: 'https://osd-bot.contoso.com/' }), {
        logger: pino({ level: 'silent' }),
        servicingCallbacks: withPort ? { ledger: new MemoryLedger(), onServicingEvent: jobs.port } : undefined,
      });
      try {
        const now = Math.floor(Date.now() / 1000);
        const answer = await postRaw(app.url, COMPLETED, signed(COMPLETED, now), 10_000, `/api/jobs/${JOB}/events`);
        assert.equal(answer.status, 404);
        assert.equal(jobs.calls.length, 0);
        assert.equal(app.publicUrl, 'https://osd-bot.contoso.com');
      } finally {
        await app.stop();
      }
    });
  }
});
