import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { deflateSync, gzipSync } from 'node:zlib';
import pino from 'pino';
import { startApp, type RunningApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { messageActivity, say } from '../support/bot-client';
import { postRaw } from '../support/raw-http';

const silent = pino({ level: 'silent' });
const LIMIT = 256 * 1024;
const json = { 'content-type': 'application/json' };

/** A message activity whose JSON is exactly `bytes` long (text padded with "a"). */
function messageOfSize(bytes: number): Buffer {
  const activity = messageActivity('');
  const empty = Buffer.byteLength(JSON.stringify(activity));
  return Buffer.from(JSON.stringify({ ...activity, text: 'a'.repeat(bytes - empty) }));
}

describe('reading request bodies (real HTTP)', () => {
  let app: RunningApp;

  before(async () => {
    app = await startApp(loadConfig({ PORT: '0' }), { logger: silent });
  });
  after(async () => {
    await app?.stop();
  });

  async function assertStillServing(): Promise<void> {
    assert.equal((await say(app.url, 'help')).length, 1);
  }

  it('answers 400 to a gzip body that is not gzip, and the process keeps serving', async () => {
    const answer = await postRaw(app.url, 'this is not gzip at all', { ...json, 'content-encoding': 'gzip' });
    assert.equal(answer.status, 400);
    await assertStillServing();
  });

  it('answers 413 to a gzip bomb (50 MB inflated) and keeps memory bounded', async () => {
    const inflated = Buffer.concat([Buffer.from('{"type":"message","text":"'), Buffer.alloc(50 * 1024 * 1024, 'a'), Buffer.from('"}')]);
    const bomb = gzipSync(inflated, { level: 9 });
    assert.ok(bomb.length < LIMIT, `the bomb itself (${bomb.length} bytes) is under the limit`);
    global.gc?.();
    const before = process.memoryUsage();
    const answers = await Promise.all([1, 2, 3].map(() => postRaw(app.url, bomb, { ...json, 'content-encoding': 'gzip' })));
    const after = process.memoryUsage();
    for (const answer of answers) assert.equal(answer.status, 413);
    // Three bombs read whole would add 150 MB of buffers; read under the limit they add almost nothing.
    const grownMb = (after.rss - before.rss) / 1024 / 1024;
    const heapGrownMb = (after.heapUsed + after.external - before.heapUsed - before.external) / 1024 / 1024;
    assert.ok(grownMb < 60, `rss grew ${grownMb.toFixed(1)} MB`);
    assert.ok(heapGrownMb < 40, `heap + external grew ${heapGrownMb.toFixed(1)} MB`);
    await assertStillServing();
  });

  it('refuses multipart uploads with 415 and writes no file to the temp folder', async () => {
    const tempBefore = new Set(readdirSync(tmpdir()));
    const boundary = 'edge-test-boundary';
    const body = [
      `--${boundary}`,
      'Content-Disposition: form-data; name="upload"; filename="payload.bin"',
      'Content-Type: application/octet-stream',
      '',
      'x'.repeat(100 * 1024),
      `--${boundary}--`,
      '',
    ].join('\r\n');
    const answer = await postRaw(app.url, body, { 'content-type': `multipart/form-data; boundary=${boundary}` });
    assert.equal(answer.status, 415);
    const created = readdirSync(tmpdir()).filter((name) => !tempBefore.has(name) && /^upload_|payload/.test(name));
    assert.deepEqual(created, []);
  });

  const refusedContent: Array<{ why: string; headers: Record<string, string>; body: string | Buffer; status: number }> = [
    { why: 'CSV once answered 500', headers: { 'content-type': 'text/csv' }, body: 'type,text\nmessage,list\n', status: 415 },
    {
      why: 'a form a web page can post once got a card',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'type=message&text=list&conversation[id]=a',
      status: 415,
    },
    { why: 'plain text is not JSON', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(messageActivity('list')), status: 415 },
    { why: 'no content type says nothing', headers: {}, body: JSON.stringify(messageActivity('list')), status: 415 },
    {
      why: 'JSON in another charset',
      headers: { 'content-type': 'application/json; charset=iso-8859-1' },
      body: JSON.stringify(messageActivity('list')),
      status: 415,
    },
    {
      why: 'an encoding the bot does not inflate',
      headers: { ...json, 'content-encoding': 'br' },
      body: JSON.stringify(messageActivity('list')),
      status: 415,
    },
    {
      why: 'two layers of gzip would be two inflations',
      headers: { ...json, 'content-encoding': 'gzip, gzip' },
      body: gzipSync(gzipSync(JSON.stringify(messageActivity('list')))),
      status: 415,
    },
    { why: 'bytes that are not UTF-8', headers: json, body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), status: 400 },
    { why: 'an empty gzip body is not gzip', headers: { ...json, 'content-encoding': 'gzip' }, body: Buffer.alloc(0), status: 400 },
    { why: 'truncated gzip', headers: { ...json, 'content-encoding': 'gzip' }, body: gzipSync(JSON.stringify(messageActivity('list'))).subarray(0, 30), status: 400 },
    { why: 'deflate that is not deflate', headers: { ...json, 'content-encoding': 'deflate' }, body: 'nope', status: 400 },
  ];
  for (const { why, headers, body, status } of refusedContent) {
    it(`answers ${status} before reading further: ${why}`, async () => {
      const answer = await postRaw(app.url, body, headers);
      assert.equal(answer.status, status, answer.text);
    });
  }

  const accepted: Array<{ why: string; headers: Record<string, string>; encode: (body: string) => Buffer | string }> = [
    { why: 'plain JSON', headers: json, encode: (body) => body },
    { why: 'JSON with charset=utf-8, as the channel sends it', headers: { 'content-type': 'application/json; charset=utf-8' }, encode: (body) => body },
    { why: 'gzip', headers: { ...json, 'content-encoding': 'gzip' }, encode: (body) => gzipSync(body) },
    { why: 'deflate', headers: { ...json, 'content-encoding': 'deflate' }, encode: (body) => deflateSync(body) },
    { why: 'identity', headers: { ...json, 'content-encoding': 'identity' }, encode: (body) => body },
  ];
  for (const { why, headers, encode } of accepted) {
    it(`reads a message sent as ${why}`, async () => {
      const answer = await postRaw(app.url, encode(JSON.stringify(messageActivity('help'))), headers);
      assert.equal(answer.status, 200, answer.text);
      assert.equal((JSON.parse(answer.text) as { activities: unknown[] }).activities.length, 1);
    });
  }

  const sizes: Array<{ why: string; bytes: number; gzip: boolean; status: number }> = [
    { why: 'a body at the limit is read', bytes: LIMIT, gzip: false, status: 200 },
    { why: 'one byte over the limit is refused', bytes: LIMIT + 1, gzip: false, status: 413 },
    { why: 'a gzip body inflating to the limit is read', bytes: LIMIT, gzip: true, status: 200 },
    { why: 'a gzip body inflating one byte past the limit is refused', bytes: LIMIT + 1, gzip: true, status: 413 },
  ];
  for (const { why, bytes, gzip, status } of sizes) {
    it(`applies one ${LIMIT}-byte limit after decompression: ${why}`, async () => {
      const body = messageOfSize(bytes);
      assert.equal(body.length, bytes);
      const answer = await postRaw(app.url, gzip ? gzipSync(body) : body, gzip ? { ...json, 'content-encoding': 'gzip' } : json);
      assert.equal(answer.status, status, answer.text.slice(0, 200));
    });
  }

  it('answers 413 to a chunked body over the limit, whatever it declares', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(new URL('/api/messages', app.url), { method: 'POST', headers: json }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
      for (let i = 0; i < 40; i += 1) req.write(Buffer.alloc(8 * 1024, 'a'));
      req.end();
    });
    assert.equal(status, 413);
    await assertStillServing();
  });

  it('refuses a conversation nesting a 3,000-deep array with 400, not 500', async () => {
    const deep = `${'['.repeat(3_000)}${']'.repeat(3_000)}`;
    const activity = JSON.stringify(messageActivity('list')).replace('"conversation":{', `"conversation":{"deep":${deep},`);
    const answer = await postRaw(app.url, activity, json);
    assert.equal(answer.status, 400, answer.text.slice(0, 200));
    await assertStillServing();
  });

  it('reads brackets inside strings as text, not nesting', async () => {
    const answer = await postRaw(app.url, JSON.stringify(messageActivity(`list ${'['.repeat(200)}`)), json);
    assert.equal(answer.status, 200, answer.text.slice(0, 200));
  });
});
