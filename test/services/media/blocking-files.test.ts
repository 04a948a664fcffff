import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { cp, link, mkdir, mkdtemp, open, rm, unlink, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startApp } from '../../../src/app';
import { loadConfig } from '../../../src/config';
import { AdminServiceClient } from '../../../src/services/configmgr/admin-service-client';
import { AdminServiceSimulator } from '../../../src/services/demo/admin-service-simulator';
import { findDemoMediaRoot } from '../../../src/services/demo/demo-media-root';
import { createDemoSite, DEMO_SHARE } from '../../../src/services/demo/demo-site';
import { MediaInventory } from '../../../src/services/media/inventory';
import type { MediaInspection } from '../../../src/services/media/media-inspection';
import type { MediaPackage } from '../../../src/services/media/media-package';
import { MediaPathMapper } from '../../../src/services/media/media-paths';
import { SourceInspector } from '../../../src/services/media/source-folder';
import type { WimInfo } from '../../../src/services/media/wim-image';
import { readWimMetadata } from '../../../src/services/media/wim-reader';

/**
 * Issue 6, point 12: a file on the share that blocks when opened (a named pipe), a share that never answers
 * and a ConfigMgr that never answers must not freeze the bot, its next sync or its shutdown.
 */

const silent = pino({ level: 'silent' });
const demoMedia = findDemoMediaRoot() as string;

/** Fails with a message instead of hanging the suite when `work` does not settle in time. */
async function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

const fifos: string[] = [];
function mkfifo(path: string): void {
  execFileSync('mkfifo', [path]);
  fifos.push(path);
}

/**
 * Opens every FIFO the tests made read-write (which never blocks on Linux), so that a reader stuck in
 * open() on it, if the code under test has the bug, is let go and the suite can exit.
 */
async function releaseFifos(): Promise<void> {
  for (const path of fifos.splice(0)) {
    const handle = await open(path, constants.O_RDWR | constants.O_NONBLOCK).catch(() => undefined);
    await handle?.close();
  }
}

/** The demo media copied to a temporary share, so that tests can swap files for pipes. */
async function copyDemoShare(base: string): Promise<string> {
  const share = join(base, 'OSD$');
  await cp(join(demoMedia, 'OSD$'), share, { recursive: true });
  return share;
}

function byId(packages: readonly MediaPackage[], id: string): MediaPackage {
  const pkg = packages.find((candidate) => candidate.id === id);
  assert.ok(pkg, `${id} is not in the inventory`);
  return pkg;
}

function inspected(pkg: MediaPackage): Extract<MediaInspection, { state: 'inspected' }> {
  assert.equal(pkg.inspection.state, 'inspected', `${pkg.id}: ${JSON.stringify(pkg.inspection)}`);
  return pkg.inspection as Extract<MediaInspection, { state: 'inspected' }>;
}

describe('files and services that never answer (issue 6, point 12)', function () {
  this.timeout(15_000);
  let base: string;

  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'blocking-files-'));
  });
  after(async () => {
    await releaseFifos();
    await rm(base, { recursive: true, force: true });
  });

  describe('the source inspector', () => {
    let share: string;
    let outside: string;
    let reads: string[];
    let socketServer: NetServer;
    let inspector: SourceInspector;
    const upgrade = (folder: string) => ({ kind: 'upgrade' as const, sourcePath: `\\\\cm01\\OSD$\\${folder}`, sourceVersion: 1 });
    const image = (file: string) => ({ kind: 'image' as const, sourcePath: `\\\\cm01\\OSD$\\${file}`, sourceVersion: 1 });
    const inspect = async (pkg: Parameters<SourceInspector['inspect']>[0]) => {
      const result = await within(inspector.inspect(pkg), 5_000, `inspecting ${pkg.sourcePath}`);
      assert.equal(result.state, 'inspected', JSON.stringify(result));
      return result as Extract<MediaInspection, { state: 'inspected' }>;
    };

    before(async () => {
      share = join(base, 'share');
      outside = join(base, 'outside');
      await mkdir(outside, { recursive: true });
      const good = join(demoMedia, 'OSD$', 'Upgrade', 'Win11-24H2-x64', 'sources', 'install.wim');

      // A build file that is a named pipe: open() without O_NONBLOCK waits for a writer forever.
      await mkdir(join(share, 'PipeBuildFile', 'sources'), { recursive: true });
      await cp(good, join(share, 'PipeBuildFile', 'sources', 'install.wim'));
      mkfifo(join(share, 'PipeBuildFile', 'BuildNumber.txt'));

      await mkdir(join(share, 'PipeImage', 'sources'), { recursive: true });
      mkfifo(join(share, 'PipeImage', 'sources', 'install.wim'));
      await writeFile(join(share, 'PipeImage', 'BuildNumber.txt'), '26100.4349');

      await mkdir(join(share, 'Images'), { recursive: true });
      mkfifo(join(share, 'Images', 'pipe.wim'));

      // A socket as the build file: not a file either.
      await mkdir(join(share, 'SocketBuildFile'), { recursive: true });
      socketServer = createNetServer();
      await new Promise<void>((resolve) => socketServer.listen(join(share, 'SocketBuildFile', 'BuildNumber.txt'), resolve));

      // A pipe deep in a media folder: the size walk must step over it.
      await mkdir(join(share, 'PipeInFolder', 'sources'), { recursive: true });
      await cp(good, join(share, 'PipeInFolder', 'sources', 'install.wim'));
      await writeFile(join(share, 'PipeInFolder', 'BuildNumber.txt'), '26100.8246');
      mkfifo(join(share, 'PipeInFolder', 'sources', 'pipe'));

      // Hard links inside the share to files outside it (point 13a): same file system, other names elsewhere.
      await writeFile(join(outside, 'secret.txt'), '26100.9999 from outside the share');
      await cp(good, join(outside, 'secret.wim'));
      await cp(good, join(outside, 'other-secret.wim'));
      await mkdir(join(share, 'HardLinked', 'sources'), { recursive: true });
      await link(join(outside, 'secret.txt'), join(share, 'HardLinked', 'BuildNumber.txt'));
      await link(join(outside, 'secret.wim'), join(share, 'HardLinked', 'sources', 'install.wim'));
      await link(join(outside, 'other-secret.wim'), join(share, 'Images', 'linked.wim'));
    });
    after(async () => {
      await new Promise((resolve) => socketServer.close(resolve));
    });

    beforeEach(() => {
      reads = [];
      inspector = new SourceInspector({
        mapper: new MediaPathMapper([{ uncPrefix: '\\\\cm01\\OSD$', localRoot: share }]),
        buildFileName: 'BuildNumber.txt',
        logger: silent,
        readWim: (path) => {
          reads.push(path);
          return readWimMetadata(path);
        },
      });
    });

    it('does not open a build file that is a named pipe, and says what it is', async () => {
      const result = await inspect(upgrade('PipeBuildFile'));
      assert.equal(result.buildFile?.present, true);
      assert.match(result.buildFile?.problem ?? '', /^is a named pipe \(FIFO\), not a regular file, so the bot did not open it$/);
      assert.equal(result.installImage?.info?.images.length, 1, 'the rest of the folder was inspected');
    });

    it('does not open a build file that is a socket', async () => {
      const result = await inspect(upgrade('SocketBuildFile'));
      assert.match(result.buildFile?.problem ?? '', /^is a socket, not a regular file/);
    });

    it('does not read an install image that is a named pipe, and reports it instead of "no install image"', async () => {
      const result = await inspect(upgrade('PipeImage'));
      assert.equal(result.installImage?.relativePath, 'sources/install.wim');
      assert.equal(result.installImage?.info, undefined);
      assert.match(result.installImage?.error ?? '', /^install\.wim is a named pipe \(FIFO\), not a regular file, so the bot did not open it/);
      assert.deepEqual(reads, []);
    });

    it('does not read an OS image file that is a named pipe', async () => {
      const result = await inspect(image('Images\\pipe.wim'));
      assert.match(result.installImage?.error ?? '', /^pipe\.wim is a named pipe \(FIFO\), not a regular file/);
      assert.deepEqual(reads, []);
    });

    it('steps over a named pipe while measuring the folder', async () => {
      const result = await inspect(upgrade('PipeInFolder'));
      assert.equal(typeof result.folderSizeBytes, 'number');
      assert.ok((result.folderSizeBytes ?? 0) > 0);
    });

    const hardLinks: Array<{ why: string; pkg: { kind: 'upgrade' | 'image'; sourcePath: string; sourceVersion: number }; text: (r: Extract<MediaInspection, { state: 'inspected' }>) => string | undefined; name: string }> = [
      { why: 'the build file could be another name of any file on the disk', pkg: upgrade('HardLinked'), text: (r) => r.buildFile?.problem, name: '' },
      { why: 'the install image could be another name of an image outside the share', pkg: upgrade('HardLinked'), text: (r) => r.installImage?.error, name: 'install.wim ' },
      { why: 'an OS image file could be another name of an image outside the share', pkg: image('Images\\linked.wim'), text: (r) => r.installImage?.error, name: 'linked.wim ' },
    ];
    for (const { why, pkg, text, name } of hardLinks) {
      it(`refuses a hard-linked file (${why}) and says why`, async () => {
        const result = await inspect(pkg);
        const sentence = text(result) ?? '';
        assert.ok(sentence.startsWith(`${name}has 2 names (hard links)`), sentence);
        assert.match(sentence, /the bot cannot tell where the other is/);
        assert.deepEqual(reads, [], 'the linked image was not read');
        assert.equal(result.buildFile?.text, undefined, 'nothing of the outside file shows');
        assert.equal(result.buildFile?.build, undefined);
      });
    }

    it('gives up on an inspection after its time limit and says so, without waiting for the share', async () => {
      const stuck = new SourceInspector({
        mapper: new MediaPathMapper([{ uncPrefix: '\\\\cm01\\OSD$', localRoot: share }]),
        buildFileName: 'BuildNumber.txt',
        logger: silent,
        readWim: () => new Promise<WimInfo>(() => undefined),
        timeLimitMs: 200,
      });
      const result = await within(stuck.inspect(upgrade('PipeBuildFile')), 5_000, 'an inspection whose reader never answers');
      assert.equal(result.state, 'not-inspected');
      assert.match(result.state === 'not-inspected' ? result.reason : '', /did not answer within 0\.2 seconds/);
      // Until that inspection comes back, the share is not asked again (each blocked call holds a worker thread).
      assert.equal(stuck.sharesNotAnswering(), 1);
      const next = await within(stuck.inspect(upgrade('PipeInFolder')), 1_000, 'an inspection of a share that is not answering');
      assert.match(next.state === 'not-inspected' ? next.reason : '', /^The share \\\\cm01\\OSD\$ has not answered since .*, so the bot did not look at/);
    });
  });

  describe('a sync over a share with named pipes', () => {
    let share: string;
    let simulator: AdminServiceSimulator;
    let inventory: MediaInventory;

    before(async () => {
      share = await copyDemoShare(join(base, 'demo'));
      const swap = async (relative: string) => {
        await unlink(join(share, relative));
        mkfifo(join(share, relative));
      };
      await swap('Upgrade/Win11-24H2-x64/BuildNumber.txt'); // PS100012
      await swap('Upgrade/Win11-23H2-x64/sources/install.wim'); // PS10000C
      await swap('Images/Win11-24H2-x64/2026-04/install.wim'); // PS100013
      mkfifo(join(share, 'Upgrade', 'Win11-25H2-x64', 'boot', 'pipe')); // PS100018's size walk
    });
    afterEach(async () => {
      await inventory?.stop();
      await simulator?.stop();
    });

    async function rig(inspectorOptions: Partial<ConstructorParameters<typeof SourceInspector>[0]> = {}) {
      simulator = new AdminServiceSimulator({ site: createDemoSite() });
      const baseUrl = await simulator.start();
      inventory = new MediaInventory({
        adminService: new AdminServiceClient({ baseUrl, auth: { kind: 'none' }, logger: silent, retries: 0, timeoutMs: 5_000 }),
        logger: silent,
        demo: true,
        inspector: new SourceInspector({
          mapper: new MediaPathMapper([{ uncPrefix: DEMO_SHARE, localRoot: share }]),
          buildFileName: 'BuildNumber.txt',
          logger: silent,
          ...inspectorOptions,
        }),
      });
      return inventory;
    }

    it('completes with a clear finding for each pipe and every other package inspected', async () => {
      const inventory = await rig();
      await within(inventory.sync(), 8_000, 'the first sync');
      const packages = inventory.snapshot().packages;
      assert.equal(packages.length, 18);

      const buildFile = byId(packages, 'PS100012').findings.find((f) => f.kind === 'unreadable-build-file');
      assert.match(buildFile?.message ?? '', /^BuildNumber\.txt is a named pipe \(FIFO\), not a regular file, so the bot did not open it/);
      const upgradeImage = byId(packages, 'PS10000C').findings.find((f) => f.kind === 'unreadable-install-image');
      assert.match(upgradeImage?.message ?? '', /^install\.wim is a named pipe \(FIFO\), not a regular file/);
      const osImage = byId(packages, 'PS100013').findings.find((f) => f.kind === 'unreadable-install-image');
      assert.match(osImage?.message ?? '', /^install\.wim is a named pipe \(FIFO\), not a regular file/);
      assert.equal(typeof inspected(byId(packages, 'PS100018')).folderSizeBytes, 'number');
      const others = packages.filter((pkg) => !['PS100012', 'PS10000C', 'PS100013', 'PS10001C'].includes(pkg.id));
      for (const pkg of others) assert.ok(inspected(pkg).installImage?.info, `${pkg.id} has its install image read`);
    });

    it('finishes a sync whose WIM reader never answers: that package says the inspection timed out', async () => {
      const hanging = join(share, 'Upgrade', 'Win11-24H2-ARM64', 'sources', 'install.esd'); // PS100017
      const inventory = await rig({
        // Long enough for every real inspection on a busy machine, so that only the hanging one passes it.
        timeLimitMs: 1_000,
        readWim: (path) => (path === hanging ? new Promise<WimInfo>(() => undefined) : readWimMetadata(path)),
      });
      await within(inventory.sync(), 8_000, 'a sync with a reader that never answers');
      const packages = inventory.snapshot().packages;
      assert.equal(packages.length, 18);
      const stuck = byId(packages, 'PS100017').inspection;
      assert.equal(stuck.state, 'not-inspected');
      assert.match(stuck.state === 'not-inspected' ? stuck.reason : '', /^The bot stopped looking at \\\\cm01\.contoso\.com\\OSD\$\\Upgrade\\Win11-24H2-ARM64 because the share did not answer within 1 second;/);
      // The next sync is not held up by the inspection that is still stuck.
      await within(inventory.sync(), 8_000, 'the sync after a stuck inspection');
    });
  });

  describe('a ConfigMgr that accepts connections and never answers', () => {
    let silentServer: HttpServer;
    let sockets: Socket[];
    let url: string;

    before(async () => {
      sockets = [];
      silentServer = createHttpServer(() => {
        // Never answers: the request stays open until the client gives up.
      });
      silentServer.on('connection', (socket) => sockets.push(socket));
      await new Promise<void>((resolve) => silentServer.listen(0, '127.0.0.1', resolve));
      const address = silentServer.address() as { port: number };
      url = `http://127.0.0.1:${address.port}/AdminService`;
    });
    after(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silentServer.close(resolve));
    });

    it('gives up on the sync after its time limit, records it, and stops at once', async () => {
      const inventory = new MediaInventory({
        adminService: new AdminServiceClient({ baseUrl: url, auth: { kind: 'none' }, logger: silent, retries: 0, timeoutMs: 60_000 }),
        logger: silent,
        demo: false,
        syncTimeLimitMs: 300,
      });
      await within(
        assert.rejects(inventory.sync(), /did not finish within 0\.3 seconds/),
        5_000,
        'a sync against a silent ConfigMgr',
      );
      const state = inventory.syncState();
      assert.ok(state.stuckSince instanceof Date, JSON.stringify(state));
      assert.match(state.lastError ?? '', /did not finish within 0\.3 seconds/);
      await within(inventory.stop(), 3_000, 'inventory.stop()');
    });

    it('stops within its grace period while a sync is still waiting for ConfigMgr', async () => {
      const inventory = new MediaInventory({
        adminService: new AdminServiceClient({ baseUrl: url, auth: { kind: 'none' }, logger: silent, retries: 0, timeoutMs: 60_000 }),
        logger: silent,
        demo: false,
        stopGraceMs: 200,
      });
      const sync = inventory.sync();
      sync.catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.ok(inventory.syncState().runningSince instanceof Date, 'the sync is running');
      await within(inventory.stop(), 3_000, 'inventory.stop() during a stuck sync');
      await within(assert.rejects(sync), 1_000, 'the given-up sync');
      assert.equal(inventory.snapshot().packages.length, 0);
    });

    it('is reported by /healthz as degraded with the time the sync got stuck, and does not hold up stop()', async () => {
      const app = await startApp(
        loadConfig({ PORT: '0', CM_ADMINSERVICE_URL: url, CM_AUTH: 'none', MEDIA_PATH_MAP: '', SYNC_INTERVAL_MINUTES: '60' }),
        { logger: silent, firstSyncWaitMs: 100, adminService: { timeoutMs: 60_000, retries: 0 }, syncTimeLimitMs: 500 },
      );
      let stopped = false;
      try {
        const deadline = Date.now() + 8_000;
        let health: Record<string, unknown> = {};
        while (Date.now() < deadline) {
          const response = await fetch(`${app.url}/healthz`);
          assert.equal(response.status, 200);
          health = (await response.json()) as Record<string, unknown>;
          if (health.status === 'degraded') break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.equal(health.status, 'degraded', JSON.stringify(health));
        assert.equal(typeof health.syncStuckSince, 'string');
        assert.ok(!Number.isNaN(Date.parse(health.syncStuckSince as string)));
        await within(app.stop(), 5_000, 'app.stop() with a stuck sync');
        stopped = true;
      } finally {
        if (!stopped) await app.stop().catch(() => undefined);
      }
    });
  });

  describe('the bot process on a share with a named pipe', () => {
    it('answers, then exits on SIGTERM within a few seconds', async function () {
      this.timeout(40_000);
      const share = await copyDemoShare(join(base, 'process'));
      await unlink(join(share, 'Upgrade', 'Win11-24H2-x64', 'BuildNumber.txt'));
      mkfifo(join(share, 'Upgrade', 'Win11-24H2-x64', 'BuildNumber.txt'));
      await unlink(join(share, 'Images', 'Win11-24H2-x64', '2026-04', 'install.wim'));
      mkfifo(join(share, 'Images', 'Win11-24H2-x64', '2026-04', 'install.wim'));

      const root = join(__dirname, '..', '..', '..');
      const child = spawn(process.execPath, ['--disable-warning=DEP0111', '-r', 'ts-node/register/transpile-only', join(root, 'src', 'index.ts')], {
        cwd: root,
        env: { PATH: process.env.PATH, PORT: '0', LOG_LEVEL: 'info', MEDIA_PATH_MAP: `${DEMO_SHARE}=${share}` },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      try {
        let output = '';
        const url = await within(
          new Promise<string>((resolve, reject) => {
            child.stdout.on('data', (chunk: Buffer) => {
              output += chunk.toString();
              const match = /is listening on (http:\/\/[^/"]+)\/api\/messages/.exec(output);
              if (match) resolve(match[1]);
            });
            child.once('exit', (code) => reject(new Error(`the bot exited with ${code}: ${output}`)));
          }),
          // ts-node compiles the sources at start: on two busy cores that alone can take several seconds.
          20_000,
          'the bot start',
        );
        const health = (await (await fetch(`${url}/healthz`)).json()) as Record<string, unknown>;
        assert.equal(health.packages, 18, JSON.stringify(health));
        assert.equal(health.status, 'ok');

        child.kill('SIGTERM');
        const code = await within(exited, 4_000, 'the bot after SIGTERM');
        assert.equal(code, 0);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    });
  });
});
