import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { startApp, type RunningApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { cardActionActivity, messageActivity } from '../support/bot-client';
import { postRaw } from '../support/raw-http';

/** Counts what the app logs, as production does (level info, JSON lines). */
class LogMeter extends Writable {
  bytes = 0;
  lines: string[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.bytes += chunk.length;
    this.lines.push(chunk.toString('utf8'));
    done();
  }
}

describe('log volume from outside input', () => {
  let app: RunningApp;
  const meter = new LogMeter();

  before(async () => {
    app = await startApp(loadConfig({ PORT: '0' }), { logger: pino({ level: 'info' }, meter) });
  });
  after(async () => {
    await app?.stop();
  });

  const huge = 'v'.repeat(250 * 1024);
  const cases: Array<{ why: string; body: string; headers: Record<string, string>; status: number; logged: RegExp }> = [
    {
      why: 'a 250 KB action.verb on a card button',
      body: JSON.stringify(cardActionActivity(huge, {})),
      headers: { 'content-type': 'application/json' },
      status: 200,
      logged: /rejected card action/,
    },
    {
      why: 'a 250 KB verb that is not even a string',
      body: JSON.stringify(cardActionActivity([huge] as unknown as string, {})),
      headers: { 'content-type': 'application/json' },
      status: 200,
      logged: /rejected card action/,
    },
    {
      why: 'a 12 KB content type',
      body: JSON.stringify(messageActivity('help')),
      headers: { 'content-type': `text/${'x'.repeat(12 * 1024)}` },
      status: 415,
      logged: /request rejected/,
    },
  ];
  for (const { why, body, headers, status, logged } of cases) {
    it(`logs under 2 KB for ${why}`, async () => {
      const linesBefore = meter.lines.length;
      const bytesBefore = meter.bytes;
      const answer = await postRaw(app.url, body, headers);
      assert.equal(answer.status, status, answer.text.slice(0, 200));
      const written = meter.lines.slice(linesBefore).join('');
      assert.match(written, logged);
      assert.ok(meter.bytes - bytesBefore < 2_048, `logged ${meter.bytes - bytesBefore} bytes: ${written.slice(0, 300)}`);
      assert.match(written, /"length":\d+/);
    });
  }
});
