/**
 * What the bot says when the share denies it access. The suite runs as root, whom no file mode stops,
 * so the code under test runs in a child process that has dropped to the unprivileged user "nobody".
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');
const NOBODY = '65534';

/** Runs `script` (TypeScript, with the project's modules) as nobody and returns what it printed as JSON. */
function runAsNobody(script: string): unknown {
  assert.equal(process.getuid?.(), 0, 'these tests drop privileges, so they run as root (as CI does)');
  const output = execFileSync(
    'setpriv',
    ['--reuid', NOBODY, '--regid', NOBODY, '--clear-groups', process.execPath, '-r', 'ts-node/register', '-e', script],
    { cwd: root, env: { PATH: process.env.PATH, TS_NODE_TRANSPILE_ONLY: 'true', HOME: tmpdir() }, encoding: 'utf8', timeout: 60_000 },
  );
  return JSON.parse(output.trim().split('\n').pop() ?? 'null');
}

describe('a share that denies the bot access', () => {
  let folder: string;
  before(() => {
    folder = mkdtempSync(join(tmpdir(), 'umb-denied-'));
    chmodSync(folder, 0o755);
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('reports an install image it may not read as unreadable, naming the file and the permission', () => {
    const wim = join(folder, 'install.wim');
    copyFileSync(join(root, 'test/fixtures/wim/win11-25h2-enterprise.wim'), wim);
    chmodSync(wim, 0o600);
    const result = runAsNobody(`
      require('./src/services/media/wim-reader').readWimMetadata(${JSON.stringify(wim)}).then(
        () => console.log(JSON.stringify({ read: true })),
        (error) => console.log(JSON.stringify({ problem: error.problem, message: error.message })));`);
    const { problem, message } = result as { problem?: string; message?: string };
    assert.equal(problem, 'unreadable', JSON.stringify(result));
    assert.match(message ?? '', /install\.wim cannot be read: the bot has no permission to read it/);
  });

  it('leaves a media folder it may not open not inspected, saying that read access is missing', () => {
    const share = join(folder, 'share');
    const media = join(share, 'Upgrade', 'Win11-25H2');
    mkdirSync(join(media, 'sources'), { recursive: true });
    copyFileSync(join(root, 'test/fixtures/wim/win11-25h2-enterprise.wim'), join(media, 'sources', 'install.wim'));
    writeFileSync(join(media, 'BuildNumber.txt'), '26200.6584\r\n');
    chmodSync(share, 0o755);
    chmodSync(join(share, 'Upgrade'), 0o755);
    chmodSync(media, 0o700);
    const result = runAsNobody(`
      const pino = require('pino');
      const { MediaPathMapper } = require('./src/services/media/media-paths');
      const { SourceInspector } = require('./src/services/media/source-folder');
      const inspector = new SourceInspector({
        mapper: new MediaPathMapper([{ uncPrefix: '\\\\\\\\fs01\\\\OSD$', localRoot: ${JSON.stringify(share)} }]),
        buildFileName: 'BuildNumber.txt',
        logger: pino({ level: 'silent' }),
      });
      inspector.inspect({ kind: 'upgrade', sourcePath: '\\\\\\\\fs01\\\\OSD$\\\\Upgrade\\\\Win11-25H2', sourceVersion: 1 })
        .then((inspection) => console.log(JSON.stringify(inspection)));`);
    assert.equal((result as { state: string }).state, 'not-inspected');
    assert.match((result as { reason: string }).reason, /permission denied; give the bot's account read access to the share/);
  });
});
