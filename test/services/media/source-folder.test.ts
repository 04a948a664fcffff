import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, lstat, mkdir, mkdtemp, readdir, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import type { MediaInspection } from '../../../src/services/media/media-inspection';
import { MediaPathMapper } from '../../../src/services/media/media-paths';
import { SourceInspector } from '../../../src/services/media/source-folder';
import type { WimInfo } from '../../../src/services/media/wim-image';
import { readWimMetadata } from '../../../src/services/media/wim-reader';

const run = promisify(execFile);

interface ImageSpec {
  name: string;
  editionId: string;
  build: number;
  revision: number;
}

/** A real WIM written by wimlib, with the Windows properties the reader looks for. */
async function makeWim(path: string, images: ImageSpec[]): Promise<void> {
  const content = `${path}.content`;
  await mkdir(content, { recursive: true });
  await writeFile(join(content, 'readme.txt'), 'media');
  for (const [i, image] of images.entries()) {
    await run(i === 0 ? 'wimcapture' : 'wimappend', [content, path, image.name, `--flags=${image.editionId}`]);
    const properties = {
      'WINDOWS/VERSION/MAJOR': '10',
      'WINDOWS/VERSION/MINOR': '0',
      'WINDOWS/VERSION/BUILD': String(image.build),
      'WINDOWS/VERSION/SPBUILD': String(image.revision),
      'WINDOWS/EDITIONID': image.editionId,
      'WINDOWS/ARCH': '9',
    };
    await run('wiminfo', [path, String(i + 1), ...Object.entries(properties).flatMap(([k, v]) => ['--image-property', `${k}=${v}`])]);
  }
  await rm(content, { recursive: true, force: true });
}

async function folderBytes(folder: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) total += await folderBytes(path);
    else if (entry.isFile()) total += (await lstat(path)).size;
  }
  return total;
}

const ENTERPRISE: ImageSpec = { name: 'Windows 11 Enterprise', editionId: 'Enterprise', build: 26100, revision: 4349 };
const EDUCATION: ImageSpec = { name: 'Windows 11 Education', editionId: 'Education', build: 26100, revision: 4349 };
const NOW = new Date('2026-11-25T09:30:00Z');

describe('SourceInspector', function () {
  this.timeout(30_000);
  let base: string;
  let share: string;
  let outside: string;
  let reads: string[];
  let inspector: SourceInspector;

  const countingReader = (path: string): Promise<WimInfo> => {
    reads.push(path);
    return readWimMetadata(path);
  };
  const upgrade = (folder: string, sourceVersion = 3) => ({ kind: 'upgrade' as const, sourcePath: `\\\\cm01\\OSD$\\${folder}`, sourceVersion });
  const image = (file: string) => ({ kind: 'image' as const, sourcePath: `\\\\cm01\\OSD$\\${file}`, sourceVersion: 1 });
  const inspected = (result: MediaInspection) => {
    assert.equal(result.state, 'inspected', JSON.stringify(result));
    return result as Extract<MediaInspection, { state: 'inspected' }>;
  };

  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'source-folder-'));
    share = join(base, 'share');
    outside = join(base, 'outside');
    await mkdir(outside, { recursive: true });
    await mkdir(join(base, 'empty-mount'));

    const media = join(share, 'W11-24H2');
    await mkdir(join(media, 'sources'), { recursive: true });
    await makeWim(join(media, 'sources', 'install.wim'), [ENTERPRISE, EDUCATION]);
    await writeFile(join(media, 'BuildNumber.txt'), '26100.4349\r\n');
    await writeFile(join(media, 'setup.exe'), 'MZ');
    await writeFile(join(media, 'autorun.inf'), '[AutoRun]\r\nopen=setup.exe\r\n');
    await mkdir(join(media, 'boot'));
    await writeFile(join(media, 'boot', 'bcd'), Buffer.alloc(1000));

    const oddCase = join(share, 'OddCase');
    await mkdir(join(oddCase, 'Sources'), { recursive: true });
    await makeWim(join(oddCase, 'Sources', 'Install.WIM'), [ENTERPRISE]);
    await writeFile(join(oddCase, 'buildnumber.TXT'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('10.0.26100.4349\r\n', 'utf16le')]));
    await writeFile(join(oddCase, 'SETUP.EXE'), 'MZ');

    const esdOnly = join(share, 'EsdOnly', 'sources');
    await mkdir(esdOnly, { recursive: true });
    await run('wimlib-imagex', ['export', join(media, 'sources', 'install.wim'), 'all', join(esdOnly, 'install.esd'), '--solid']);

    const both = join(share, 'Both', 'sources');
    await mkdir(both, { recursive: true });
    await copyFile(join(esdOnly, 'install.esd'), join(both, 'install.esd'));
    await copyFile(join(media, 'sources', 'install.wim'), join(both, 'install.wim'));

    const swmOnly = join(share, 'SwmOnly', 'sources');
    await mkdir(swmOnly, { recursive: true });
    await run('wimlib-imagex', ['split', join(media, 'sources', 'install.wim'), join(swmOnly, 'install.swm'), '1']);

    await mkdir(join(share, 'NoImage', 'sources'), { recursive: true });
    await writeFile(join(share, 'NoImage', 'setup.exe'), 'MZ');

    await mkdir(join(share, 'Broken', 'sources'), { recursive: true });
    await writeFile(join(share, 'Broken', 'sources', 'install.wim'), 'this is not a wim');

    // Links that lead outside the share: a whole folder, the install image, a file in the folder, the build file.
    await mkdir(join(outside, 'media', 'sources'), { recursive: true });
    await makeWim(join(outside, 'media', 'sources', 'install.wim'), [ENTERPRISE]);
    await writeFile(join(outside, 'big.bin'), Buffer.alloc(256 * 1024));
    await writeFile(join(outside, 'BuildNumber.txt'), '26100.9999');
    await symlink(join(outside, 'media'), join(share, 'LinkedFolder'));
    await mkdir(join(share, 'LinkedImage', 'sources'), { recursive: true });
    await symlink(join(outside, 'media', 'sources', 'install.wim'), join(share, 'LinkedImage', 'sources', 'install.wim'));
    const leaky = join(share, 'Leaky');
    await mkdir(join(leaky, 'sources'), { recursive: true });
    await makeWim(join(leaky, 'sources', 'install.wim'), [ENTERPRISE]);
    await symlink(join(outside, 'big.bin'), join(leaky, 'sources', 'big.bin'));
    await symlink(outside, join(leaky, 'outside-folder'));
    await symlink(join(outside, 'BuildNumber.txt'), join(leaky, 'BuildNumber.txt'));

    await symlink(join(share, 'Loop'), join(share, 'Loop'));

    await mkdir(join(share, 'Images'), { recursive: true });
    await makeWim(join(share, 'Images', 'w11-24h2.wim'), [ENTERPRISE, EDUCATION]);
    await writeFile(join(share, 'Images', 'notes.txt'), 'not a wim');
    await symlink(join(outside, 'media', 'sources', 'install.wim'), join(share, 'Images', 'linked.wim'));
  });

  after(async () => {
    await rm(base, { recursive: true, force: true });
  });

  beforeEach(() => {
    reads = [];
    inspector = new SourceInspector({
      mapper: new MediaPathMapper([
        { uncPrefix: '\\\\cm01\\OSD$', localRoot: share },
        { uncPrefix: '\\\\cm01\\Empty', localRoot: join(base, 'empty-mount') },
        { uncPrefix: '\\\\cm01\\Gone', localRoot: join(base, 'no-such-mount') },
      ]),
      buildFileName: 'BuildNumber.txt',
      logger: pino({ level: 'silent' }),
      now: () => NOW,
      readWim: countingReader,
    });
  });

  describe('an upgrade package folder', () => {
    it('reports the install image, its editions and build, the build file, leftovers and the folder size', async () => {
      const result = inspected(await inspector.inspect(upgrade('W11-24H2')));
      const wim = join(share, 'W11-24H2', 'sources', 'install.wim');
      const wimStats = await stat(wim);
      assert.equal(result.inspectedAt, NOW);
      assert.equal(result.localPath, join(share, 'W11-24H2'));
      assert.equal(result.installImage?.relativePath, 'sources/install.wim');
      assert.equal(result.installImage?.sizeBytes, wimStats.size);
      assert.deepEqual(result.installImage?.modifiedAt, wimStats.mtime);
      assert.equal(result.installImage?.error, undefined);
      assert.deepEqual(
        result.installImage?.info?.images.map((i) => [i.index, i.name, i.editionId, i.version?.build, i.version?.revision]),
        [
          [1, 'Windows 11 Enterprise', 'Enterprise', 26100, 4349],
          [2, 'Windows 11 Education', 'Education', 26100, 4349],
        ],
      );
      assert.deepEqual(result.buildFile, {
        name: 'BuildNumber.txt',
        present: true,
        text: '26100.4349',
        build: { major: 10, minor: 0, build: 26100, revision: 4349 },
      });
      assert.equal(result.autorunInfPresent, true);
      assert.equal(result.setupExePresent, true);
      assert.equal(result.folderSizeBytes, await folderBytes(join(share, 'W11-24H2')));
      assert.deepEqual(reads, [wim]);
    });

    it('finds files whose names were copied from Windows in odd case', async () => {
      const result = inspected(await inspector.inspect(upgrade('OddCase')));
      assert.equal(result.installImage?.relativePath, 'Sources/Install.WIM');
      assert.equal(result.installImage?.info?.images.length, 1);
      assert.equal(result.buildFile?.name, 'buildnumber.TXT');
      assert.deepEqual(result.buildFile?.build, { major: 10, minor: 0, build: 26100, revision: 4349 });
      assert.equal(result.setupExePresent, true);
      assert.equal(result.autorunInfPresent, false);
    });

    const imageChoices: Array<{ folder: string; relativePath: string; format: string }> = [
      { folder: 'EsdOnly', relativePath: 'sources/install.esd', format: 'esd' },
      { folder: 'Both', relativePath: 'sources/install.wim', format: 'wim' },
      { folder: 'SwmOnly', relativePath: 'sources/install.swm', format: 'swm' },
    ];
    for (const { folder, relativePath, format } of imageChoices) {
      it(`reads ${relativePath} from a folder like ${folder}`, async () => {
        const result = inspected(await inspector.inspect(upgrade(folder)));
        assert.equal(result.installImage?.relativePath, relativePath);
        assert.equal(result.installImage?.info?.format, format, JSON.stringify(result.installImage));
        assert.equal(result.installImage?.info?.images.length, 2);
      });
    }

    it('says a build file is absent when there is none', async () => {
      const result = inspected(await inspector.inspect(upgrade('EsdOnly')));
      assert.deepEqual(result.buildFile, { name: 'BuildNumber.txt', present: false });
      assert.equal(result.setupExePresent, false);
    });

    it('has no install image when sources holds none, and reads nothing', async () => {
      const result = inspected(await inspector.inspect(upgrade('NoImage')));
      assert.equal(result.installImage, undefined);
      assert.equal(result.setupExePresent, true);
      assert.deepEqual(reads, []);
    });

    it('carries the reader\'s sentence for an install image that is not a WIM', async () => {
      const result = inspected(await inspector.inspect(upgrade('Broken')));
      assert.equal(result.installImage?.info, undefined);
      assert.match(result.installImage?.error ?? '', /^install\.wim /);
      assert.equal(result.installImage?.sizeBytes, 'this is not a wim'.length);
    });

    it('records an unexpected reader failure as an error on the image instead of throwing', async () => {
      const failing = new SourceInspector({
        mapper: new MediaPathMapper([{ uncPrefix: '\\\\cm01\\OSD$', localRoot: share }]),
        buildFileName: 'BuildNumber.txt',
        logger: pino({ level: 'silent' }),
        readWim: () => Promise.reject(Object.assign(new Error('boom'), { code: 'EIO' })),
      });
      const result = inspected(await failing.inspect(upgrade('W11-24H2')));
      assert.equal(result.installImage?.error, 'install.wim could not be read (EIO).');
    });

    it('is not inspected when the source path is a file', async () => {
      const result = await inspector.inspect({ ...upgrade('W11-24H2\\setup.exe') });
      assert.equal(result.state, 'not-inspected');
      assert.match(result.state === 'not-inspected' ? result.reason : '', /is a file, but an upgrade package's source must be the media folder/);
    });
  });

  describe('what cannot be inspected', () => {
    const cases: Array<{ behaviour: string; sourcePath: string; state: MediaInspection['state']; reason: RegExp }> = [
      { behaviour: 'an unmapped share is not inspected, said plainly', sourcePath: '\\\\cm02\\Source\\W11', state: 'not-inspected', reason: /^The share \\\\cm02\\Source is not in MEDIA_PATH_MAP/ },
      { behaviour: 'a missing folder is not inspected', sourcePath: '\\\\cm01\\OSD$\\W11-23H2', state: 'not-inspected', reason: /^The media folder \\\\cm01\\OSD\$\\W11-23H2 is not on the share; check the package source path/ },
      { behaviour: 'an empty mount point reads as a share that is not mounted', sourcePath: '\\\\cm01\\Empty\\W11', state: 'not-inspected', reason: /^The share \\\\cm01\\Empty is not mounted on the bot's machine, so the bot cannot look at \\\\cm01\\Empty\\W11; mount it where MEDIA_PATH_MAP says/ },
      { behaviour: 'a missing mount point reads as a share that is not mounted', sourcePath: '\\\\cm01\\Gone\\W11', state: 'not-inspected', reason: /^The share \\\\cm01\\Gone is not mounted on the bot's machine, so the bot cannot look at \\\\cm01\\Gone\\W11; mount it where MEDIA_PATH_MAP says/ },
      { behaviour: 'a ".." in the source path is refused', sourcePath: '\\\\cm01\\OSD$\\W11-24H2\\..\\..\\outside\\media', state: 'refused', reason: /contains "\.\."/ },
      { behaviour: 'a drive-letter source path is refused', sourcePath: 'D:\\Sources\\W11', state: 'refused', reason: /local drive path/ },
      { behaviour: 'a media folder that is a link to outside the share is refused', sourcePath: '\\\\cm01\\OSD$\\LinkedFolder', state: 'refused', reason: /symbolic link .* leads outside the mapped share, so the bot did not follow it/ },
      { behaviour: 'a link that loops is not inspected, with the reason', sourcePath: '\\\\cm01\\OSD$\\Loop', state: 'not-inspected', reason: /^The media folder .*Loop cannot be read \(ELOOP\); check the share and its mount\.$/ },
      { behaviour: 'an install image that is a link to outside the share is refused', sourcePath: '\\\\cm01\\OSD$\\LinkedImage', state: 'refused', reason: /^The install image sources\/install\.wim of .* leads outside the mapped share/ },
    ];
    for (const { behaviour, sourcePath, state, reason } of cases) {
      it(behaviour, async () => {
        const result = await inspector.inspect({ kind: 'upgrade', sourcePath, sourceVersion: 1 });
        assert.equal(result.state, state, JSON.stringify(result));
        assert.match(result.state !== 'inspected' ? result.reason : '', reason);
        assert.deepEqual(reads, [], 'nothing outside the mapped root is read');
      });
    }
  });

  describe('symbolic links inside a media folder', () => {
    it('never follows them: the folder size leaves out what they point at, and a linked build file is not read', async () => {
      const result = inspected(await inspector.inspect(upgrade('Leaky')));
      const wim = await stat(join(share, 'Leaky', 'sources', 'install.wim'));
      assert.equal(result.folderSizeBytes, wim.size);
      assert.deepEqual(result.buildFile, {
        name: 'BuildNumber.txt',
        present: true,
        problem: 'is a symbolic link that leads outside the mapped share, so the bot did not follow it',
      });
    });
  });

  describe('re-inspection', () => {
    let work: string;
    beforeEach(async () => {
      work = join(share, `Reinspect-${Date.now()}-${Math.random().toString(36).slice(2)}`);
      await mkdir(join(work, 'sources'), { recursive: true });
      await copyFile(join(share, 'W11-24H2', 'sources', 'install.wim'), join(work, 'sources', 'install.wim'));
      await writeFile(join(work, 'BuildNumber.txt'), '26100.4349');
    });
    const folderName = () => work.slice(share.length + 1);

    it('does not read the WIM again or re-measure the folder when the image has the same size and time', async () => {
      const first = inspected(await inspector.inspect(upgrade(folderName())));
      await writeFile(join(work, 'added-later.bin'), Buffer.alloc(5000));
      await writeFile(join(work, 'BuildNumber.txt'), '26100.6584');
      const second = inspected(await inspector.inspect(upgrade(folderName()), first));
      assert.equal(reads.length, 1, 'the WIM was read once');
      assert.deepEqual(second.installImage, first.installImage);
      assert.equal(second.folderSizeBytes, first.folderSizeBytes, 'the earlier size stands');
      // The small files are read every time: they are cheap and admins edit them.
      assert.equal(second.buildFile?.build?.revision, 6584);
    });

    it('re-measures the folder when the sourceVersion changed, without reading the unchanged WIM', async () => {
      const first = inspected(await inspector.inspect(upgrade(folderName(), 3)));
      await writeFile(join(work, 'added-later.bin'), Buffer.alloc(5000));
      const second = inspected(await inspector.inspect(upgrade(folderName(), 4), first));
      assert.equal(reads.length, 1);
      assert.equal(second.folderSizeBytes, (first.folderSizeBytes ?? 0) + 5000);
    });

    it('reads the WIM again and re-measures when the image changed', async () => {
      const first = inspected(await inspector.inspect(upgrade(folderName())));
      await writeFile(join(work, 'added-later.bin'), Buffer.alloc(5000));
      const later = new Date(Date.now() + 60_000);
      await utimes(join(work, 'sources', 'install.wim'), later, later);
      const second = inspected(await inspector.inspect(upgrade(folderName()), first));
      assert.equal(reads.length, 2);
      assert.deepEqual(second.installImage?.modifiedAt, (await stat(join(work, 'sources', 'install.wim'))).mtime);
      assert.equal(second.folderSizeBytes, (first.folderSizeBytes ?? 0) + 5000);
    });

    it('reads the WIM when the previous inspection was of another kind of state', async () => {
      await inspector.inspect(upgrade(folderName()), { state: 'not-inspected', reason: 'earlier' });
      assert.equal(reads.length, 1);
    });
  });

  describe('an OS image package', () => {
    it('reads the WIM the source path names, and checks nothing a media folder has', async () => {
      const result = inspected(await inspector.inspect(image('Images\\w11-24h2.wim')));
      assert.equal(result.localPath, join(share, 'Images', 'w11-24h2.wim'));
      assert.equal(result.installImage?.relativePath, 'w11-24h2.wim');
      assert.equal(result.installImage?.info?.images.length, 2);
      assert.equal(result.buildFile, undefined);
      assert.equal(result.autorunInfPresent, undefined);
      assert.equal(result.setupExePresent, undefined);
      assert.equal(result.folderSizeBytes, undefined);
    });

    it('does not read the image again when it has not changed', async () => {
      const first = await inspector.inspect(image('Images\\w11-24h2.wim'));
      await inspector.inspect(image('Images\\w11-24h2.wim'), first);
      assert.equal(reads.length, 1);
    });

    it('carries the reader\'s sentence for a file that is not a WIM', async () => {
      const result = inspected(await inspector.inspect(image('Images\\notes.txt')));
      assert.match(result.installImage?.error ?? '', /^notes\.txt /);
    });

    const cases: Array<{ behaviour: string; file: string; state: MediaInspection['state']; reason: RegExp }> = [
      { behaviour: 'a missing image file is not inspected', file: 'Images\\gone.wim', state: 'not-inspected', reason: /^The image file .*gone\.wim is not on the share/ },
      { behaviour: 'a folder where the image should be is not inspected', file: 'Images', state: 'not-inspected', reason: /is a folder, but an OS image package's source must be a \.wim file/ },
      { behaviour: 'an image file that links outside the share is refused', file: 'Images\\linked.wim', state: 'refused', reason: /leads outside the mapped share/ },
    ];
    for (const { behaviour, file, state, reason } of cases) {
      it(behaviour, async () => {
        const result = await inspector.inspect(image(file));
        assert.equal(result.state, state, JSON.stringify(result));
        assert.match(result.state !== 'inspected' ? result.reason : '', reason);
        assert.deepEqual(reads, []);
      });
    }
  });
});
