import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { startApp } from '../../../src/app';
import { loadConfig } from '../../../src/config';
import { MediaPathMapper } from '../../../src/services/media/media-paths';
import { SourceInspector } from '../../../src/services/media/source-folder';

/**
 * "Start-up that reads calmly" (issue 6): the demo's deliberately broken WIM is a finding on a card, not a
 * warning with a stack trace in the log at every start.
 */

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A pino logger that keeps every line it writes, parsed. */
function capturingLogger(level = 'debug'): { logger: pino.Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return { logger: pino({ level }, sink), lines };
}

const WARN = 40;

describe('a calm start (issue 6)', function () {
  this.timeout(15_000);

  it('starts the demo site without a warning, an error or a stack trace, and notes the broken WIM once', async () => {
    const { logger, lines } = capturingLogger();
    const app = await startApp(loadConfig({ PORT: '0' }), { logger });
    try {
      await app.inventory.whenFirstSyncSettled();
      await app.inventory.sync();
    } finally {
      await app.stop();
    }
    const loud = lines.filter((line) => line.level >= WARN);
    assert.deepEqual(loud.map((line) => line.msg), [], JSON.stringify(loud).slice(0, 2000));
    const withStack = lines.filter((line) => JSON.stringify(line).includes('"stack"'));
    assert.deepEqual(withStack.map((line) => line.msg), []);

    const broken = lines.filter((line) => line.problem === 'write-in-progress');
    assert.equal(broken.length, 1, JSON.stringify(broken));
    assert.equal(broken[0].level <= 30, true);
    assert.equal(broken[0].sourcePath, '\\\\cm01.contoso.com\\OSD$\\Images\\Lab\\Capture-2026-03-30\\install.wim');
    assert.equal(broken[0].err, undefined);
    assert.ok(
      app.inventory.snapshot().packages.find((pkg) => pkg.id === 'PS10001C')?.findings.some((f) => f.kind === 'unreadable-install-image'),
      'the broken WIM is still a finding',
    );
  });

  it('logs a broken install image again only when what is wrong with it changes', async () => {
    const base = await mkdtemp(join(tmpdir(), 'calm-start-'));
    try {
      const fixtures = join(__dirname, '../../fixtures/wim');
      await mkdir(join(base, 'Images'), { recursive: true });
      const wim = join(base, 'Images', 'capture.wim');
      await copyFile(join(fixtures, 'broken-write-in-progress.wim'), wim);
      const { logger, lines } = capturingLogger();
      const inspector = new SourceInspector({
        mapper: new MediaPathMapper([{ uncPrefix: '\\\\cm01\\OSD$', localRoot: base }]),
        buildFileName: 'BuildNumber.txt',
        logger,
      });
      const pkg = { kind: 'image' as const, sourcePath: '\\\\cm01\\OSD$\\Images\\capture.wim', sourceVersion: 1 };
      const noted = () => lines.filter((line) => typeof line.problem === 'string').map((line) => line.problem);

      const first = await inspector.inspect(pkg);
      assert.deepEqual(noted(), ['write-in-progress']);
      // Touched but still broken the same way: read again, not logged again.
      const later = new Date(Date.now() + 60_000);
      await utimes(wim, later, later);
      const second = await inspector.inspect(pkg, first);
      assert.deepEqual(noted(), ['write-in-progress']);
      // Broken another way: logged.
      await copyFile(join(fixtures, 'broken-image-count.wim'), wim);
      await inspector.inspect(pkg, second);
      assert.deepEqual(noted(), ['write-in-progress', 'inconsistent']);
      assert.ok(lines.every((line) => line.level < WARN && line.err === undefined), JSON.stringify(lines));
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });
});
