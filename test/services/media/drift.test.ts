import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { compareBuilds, findDrift, imageInUse } from '../../../src/services/media/drift';
import type { MediaInspection } from '../../../src/services/media/media-inspection';
import type { BuildNumber, Edition } from '../../../src/services/media/media-package';
import { MediaPathMapper } from '../../../src/services/media/media-paths';
import { SourceInspector } from '../../../src/services/media/source-folder';
import { makeBuild, makeEdition, makeInspection, makePackage, makeWimImage, makeWimInfo } from '../../support/media-fixtures';

const run = promisify(execFile);
const GB = 1024 ** 3;

/** ConfigMgr's record of a single-index Enterprise WIM at 26100.4349, agreeing with makeInspection's single image. */
const enterpriseOnly: Edition[] = [makeEdition({ index: 1, name: 'Windows 11 Enterprise', editionId: 'Enterprise' })];

function inspectionWith(images = [makeWimImage()], overrides: Partial<Extract<MediaInspection, { state: 'inspected' }>> = {}) {
  return makeInspection({
    buildFile: { name: 'BuildNumber.txt', present: true, text: '26100.4349', build: makeBuild(26100, 4349) },
    installImage: { relativePath: 'sources/install.wim', info: makeWimInfo({ images }), sizeBytes: 5 * GB, modifiedAt: new Date('2025-06-11T08:00:00Z') },
    ...overrides,
  });
}

describe('findDrift', () => {
  describe('on a real media folder', function () {
    this.timeout(30_000);
    let base: string;

    before(async () => {
      base = await mkdtemp(join(tmpdir(), 'drift-'));
      const media = join(base, 'share', 'W11-24H2');
      const wim = join(media, 'sources', 'install.wim');
      const content = join(base, 'content');
      await mkdir(join(media, 'sources'), { recursive: true });
      await mkdir(content);
      await writeFile(join(content, 'readme.txt'), 'media');
      const images = [
        { name: 'Windows 11 Enterprise', edition: 'Enterprise', bytes: 18_681_044_992 },
        { name: 'Windows 11 Education', edition: 'Education', bytes: 18_500_000_000 },
        { name: 'Windows 11 Pro', edition: 'Professional', bytes: 18_400_000_000 },
      ];
      for (const [i, image] of images.entries()) {
        await run(i === 0 ? 'wimcapture' : 'wimappend', [content, wim, image.name, `--flags=${image.edition}`]);
        const properties = [
          'WINDOWS/VERSION/MAJOR=10',
          'WINDOWS/VERSION/MINOR=0',
          'WINDOWS/VERSION/BUILD=26100',
          'WINDOWS/VERSION/SPBUILD=6584',
          `WINDOWS/EDITIONID=${image.edition}`,
          `TOTALBYTES=${image.bytes}`,
        ];
        await run('wiminfo', [wim, String(i + 1), ...properties.flatMap((p) => ['--image-property', p])]);
      }
      await writeFile(join(media, 'BuildNumber.txt'), '26100.4349\r\n');
      await writeFile(join(media, 'autorun.inf'), '[AutoRun]\r\n');
    });
    after(async () => {
      await rm(base, { recursive: true, force: true });
    });

    it('finds every disagreement between ConfigMgr, install.wim and the build file, worst first', async () => {
      const inspector = new SourceInspector({
        mapper: new MediaPathMapper([{ uncPrefix: '\\\\cm01\\OSD$', localRoot: join(base, 'share') }]),
        buildFileName: 'BuildNumber.txt',
        logger: pino({ level: 'silent' }),
      });
      const pkg = makePackage({
        sourcePath: '\\\\cm01\\OSD$\\W11-24H2',
        build: makeBuild(26100, 4349),
        editions: [
          makeEdition({ index: 1, name: 'Windows 11 Enterprise', editionId: 'Enterprise' }),
          makeEdition({ index: 2, name: 'Windows 11 Education', editionId: 'Education' }),
        ],
      });
      const inspection = await inspector.inspect(pkg);
      assert.deepEqual(findDrift(pkg, inspection), [
        {
          kind: 'version-mismatch',
          severity: 'error',
          message: 'ConfigMgr says 26100.4349, install.wim says 26100.6584: the media on the share was serviced but ConfigMgr was not told; reload image properties.',
        },
        {
          kind: 'editions-mismatch',
          severity: 'warning',
          message: 'ConfigMgr lists 2 editions, install.wim holds 3 (index 3 ("Windows 11 Pro") is only in install.wim): reload image properties.',
        },
        {
          kind: 'build-file-mismatch',
          severity: 'warning',
          message: 'BuildNumber.txt says 26100.4349, install.wim says 26100.6584: the file was not updated after servicing; write 26100.6584 in it.',
        },
        {
          kind: 'autorun-inf',
          severity: 'warning',
          message: 'autorun.inf is still in the media folder: delete it, because upgrades do not need it and antivirus software often blocks the package content because of it.',
        },
        {
          kind: 'extra-editions',
          severity: 'info',
          message: '2 editions beyond Enterprise take 34.4 GB expanded: export only the editions you deploy to make the media smaller.',
          bytes: 36_900_000_000,
        },
      ]);
    });
  });

  it('finds nothing when ConfigMgr, the single-edition WIM and the build file agree', () => {
    assert.deepEqual(findDrift(makePackage({ editions: enterpriseOnly }), inspectionWith()), []);
  });

  it('finds nothing for a package that was not inspected', () => {
    assert.deepEqual(findDrift(makePackage(), { state: 'not-inspected', reason: 'The share is not in MEDIA_PATH_MAP.' }), []);
  });

  it('reports a refused source path as an error with its reason', () => {
    const reason = 'The source path "\\\\cm01\\OSD$\\..\\x" contains "..", which could lead outside the mapped share, so the bot will not follow it; correct the package source in ConfigMgr.';
    assert.deepEqual(findDrift(makePackage(), { state: 'refused', reason }), [{ kind: 'refused-path', severity: 'error', message: reason }]);
  });

  describe('version', () => {
    const cases: Array<{ behaviour: string; configMgr: BuildNumber; wim: BuildNumber; message?: string }> = [
      {
        behaviour: 'says to reload image properties when the share was serviced after the last reload',
        configMgr: makeBuild(26100, 4349),
        wim: makeBuild(26100, 6584),
        message: 'ConfigMgr says 26100.4349, install.wim says 26100.6584: the media on the share was serviced but ConfigMgr was not told; reload image properties.',
      },
      {
        behaviour: 'says the share holds older media when ConfigMgr recorded a newer build',
        configMgr: makeBuild(26100, 6584),
        wim: makeBuild(26100, 4349),
        message: 'ConfigMgr says 26100.6584, install.wim says 26100.4349: the share holds older media than ConfigMgr recorded; copy the serviced media back, then reload image properties.',
      },
      {
        behaviour: 'compares the build as well as the revision',
        configMgr: makeBuild(22631, 4349),
        wim: makeBuild(26100, 4349),
        message: 'ConfigMgr says 22631.4349, install.wim says 26100.4349: the media on the share was serviced but ConfigMgr was not told; reload image properties.',
      },
      { behaviour: 'treats 23H2 recorded as 22631 and its WIM build 22621 at one revision as the same media', configMgr: makeBuild(22631, 6936), wim: makeBuild(22621, 6936) },
      { behaviour: 'treats 25H2 recorded as 26200 and a WIM saying 26100 at one revision as the same media', configMgr: makeBuild(26200, 6584), wim: makeBuild(26100, 6584) },
      { behaviour: 'treats Windows 10 22H2 (19045) and its WIM build 19041 at one revision as the same media', configMgr: makeBuild(19045, 7184), wim: makeBuild(19041, 7184) },
      {
        behaviour: 'still compares revisions across an enablement package',
        configMgr: makeBuild(22631, 6936),
        wim: makeBuild(22621, 4317),
        message: 'ConfigMgr says 22631.6936, install.wim says 22621.4317: the share holds older media than ConfigMgr recorded; copy the serviced media back, then reload image properties.',
      },
    ];
    for (const { behaviour, configMgr, wim, message } of cases) {
      it(behaviour, () => {
        const findings = findDrift(
          makePackage({ build: configMgr, editions: enterpriseOnly }),
          inspectionWith([makeWimImage({ version: wim })], { buildFile: { name: 'BuildNumber.txt', present: true, text: 'x', build: wim } }),
        );
        assert.deepEqual(findings, message === undefined ? [] : [{ kind: 'version-mismatch', severity: 'error', message }]);
      });
    }

    it('compares with the image ConfigMgr names first, not with index 1', () => {
      const images = [makeWimImage({ index: 1, name: 'Windows 11 Pro', editionId: 'Professional', version: makeBuild(26100, 1000) }), makeWimImage({ index: 2 })];
      const editions = [makeEdition({ index: 2, name: 'Windows 11 Enterprise' })];
      const findings = findDrift(makePackage({ editions }), inspectionWith(images));
      assert.equal(findings.find((f) => f.kind === 'version-mismatch'), undefined);
    });

    it('compares with index 1 when ConfigMgr\'s editions were not fetched', () => {
      const images = [makeWimImage({ index: 1, version: makeBuild(26100, 1000) }), makeWimImage({ index: 2 })];
      const findings = findDrift(makePackage({ editions: [], editionsState: { state: 'not-fetched' } }), inspectionWith(images));
      assert.match(findings.find((f) => f.kind === 'version-mismatch')?.message ?? '', /^ConfigMgr says 26100\.4349, install\.wim says 26100\.1000:/);
      assert.equal(findings.find((f) => f.kind === 'editions-mismatch'), undefined, 'no editions to compare');
    });

    it('says nothing about the version when ConfigMgr recorded no build', () => {
      const findings = findDrift(makePackage({ build: undefined, editions: enterpriseOnly }), inspectionWith());
      assert.deepEqual(findings, []);
    });
  });

  describe('build file', () => {
    it('says the media is older than the build file claims', () => {
      const findings = findDrift(
        makePackage({ editions: enterpriseOnly }),
        inspectionWith(undefined, { buildFile: { name: 'BuildNumber.txt', present: true, text: '26100.6584', build: makeBuild(26100, 6584) } }),
      );
      assert.deepEqual(findings, [
        {
          kind: 'build-file-mismatch',
          severity: 'warning',
          message: 'BuildNumber.txt says 26100.6584, install.wim says 26100.4349: the media is older than the file claims; service the media to 26100.6584 or correct the file.',
        },
      ]);
    });

    it('warns about a missing build file in an upgrade package, suggesting the WIM\'s build', () => {
      const findings = findDrift(makePackage({ editions: enterpriseOnly }), inspectionWith(undefined, { buildFile: { name: 'BuildNumber.txt', present: false } }));
      assert.deepEqual(findings, [
        {
          kind: 'missing-build-file',
          severity: 'warning',
          message: 'The media folder has no BuildNumber.txt: add one that says 26100.4349, so that everyone can tell which build the media is.',
        },
      ]);
    });

    it('expects no build file with an OS image', () => {
      const findings = findDrift(
        makePackage({ kind: 'image', editions: enterpriseOnly }),
        inspectionWith(undefined, { buildFile: undefined, autorunInfPresent: undefined, setupExePresent: undefined }),
      );
      assert.deepEqual(findings, []);
    });

    it('warns about a build file that does not name a build, quoting what it says', () => {
      const findings = findDrift(
        makePackage({ editions: enterpriseOnly }),
        inspectionWith(undefined, { buildFile: { name: 'BuildNumber.txt', present: true, text: 'hello', problem: 'says "hello", which is not a build number' } }),
      );
      assert.deepEqual(findings, [
        {
          kind: 'unreadable-build-file',
          severity: 'warning',
          message: 'BuildNumber.txt says "hello", which is not a build number: write the build, such as 26100.4349, on its first line.',
        },
      ]);
    });
  });

  describe('editions', () => {
    it('names an index whose edition differs', () => {
      const images = [makeWimImage({ index: 1, name: 'Windows 11 Pro', displayName: 'Windows 11 Pro', editionId: 'Professional' })];
      const findings = findDrift(makePackage({ editions: enterpriseOnly }), inspectionWith(images));
      assert.deepEqual(findings, [
        {
          kind: 'editions-mismatch',
          severity: 'warning',
          message: 'ConfigMgr\'s editions differ from install.wim\'s (index 1 is "Windows 11 Enterprise" in ConfigMgr but "Windows 11 Pro" in install.wim): reload image properties.',
        },
      ]);
    });

    it('accepts ConfigMgr naming an image by its display name, whatever the case and spacing', () => {
      const images = [makeWimImage({ name: 'Windows 11 Enterprise (Evaluation)', displayName: 'Windows 11  Enterprise' })];
      assert.deepEqual(findDrift(makePackage({ editions: [makeEdition({ name: 'windows 11 enterprise' })] }), inspectionWith(images)), []);
    });

    it('names an index ConfigMgr recorded that the WIM no longer has, and shows at most three differences', () => {
      const editions = [1, 2, 3, 4, 5].map((index) => makeEdition({ index, name: index === 1 ? 'Windows 11 Enterprise' : `Edition ${index}` }));
      const findings = findDrift(makePackage({ editions }), inspectionWith());
      assert.deepEqual(findings, [
        {
          kind: 'editions-mismatch',
          severity: 'warning',
          message:
            'ConfigMgr lists 5 editions, install.wim holds 1 (index 2 ("Edition 2") is only in ConfigMgr; index 3 ("Edition 3") is only in ConfigMgr; index 4 ("Edition 4") is only in ConfigMgr; and 1 more): reload image properties.',
        },
      ]);
    });

    it('says what the editions beyond the one in use take, naming its edition', () => {
      const images = Array.from({ length: 11 }, (_, i) =>
        makeWimImage({ index: i + 1, name: i === 9 ? 'Windows 11 Enterprise' : `Edition ${i + 1}`, editionId: i === 9 ? 'Enterprise' : `E${i + 1}`, totalBytes: Math.round(17.39 * GB) }),
      );
      // ConfigMgr names only the edition the task sequence deploys (index 10).
      const findings = findDrift(makePackage({ editions: [makeEdition({ index: 10, name: 'Windows 11 Enterprise' })] }), inspectionWith(images));
      assert.deepEqual(findings.map((f) => f.kind), ['editions-mismatch', 'extra-editions']);
      assert.match(findings[0].message, /^ConfigMgr lists 1 edition, install\.wim holds 11 \(index 1 \("Edition 1"\) is only in install\.wim; .*; and 7 more\): reload image properties\.$/);
      assert.deepEqual(findings[1], {
        kind: 'extra-editions',
        severity: 'info',
        message: '10 editions beyond Enterprise take 173.9 GB expanded: export only the editions you deploy to make the media smaller.',
        bytes: Math.round(17.39 * GB) * 10,
      });
    });

    const extraCases: Array<{ behaviour: string; sizes: Array<number | undefined>; message: string }> = [
      { behaviour: 'says one extra edition takes its space', sizes: [GB * 2], message: '1 edition beyond Enterprise takes 2.0 GB expanded: export only the editions you deploy to make the media smaller.' },
      { behaviour: 'says how many extras have no recorded size', sizes: [GB * 2, undefined], message: '2 editions beyond Enterprise take 2.0 GB expanded (1 without a recorded size): export only the editions you deploy to make the media smaller.' },
      { behaviour: 'says when no extra has a recorded size', sizes: [undefined], message: '1 edition beyond Enterprise has no recorded size: export only the editions you deploy to make the media smaller.' },
    ];
    for (const { behaviour, sizes, message } of extraCases) {
      it(behaviour, () => {
        const images = [makeWimImage(), ...sizes.map((totalBytes, i) => makeWimImage({ index: i + 2, name: `Edition ${i + 2}`, totalBytes }))];
        const editions = images.map((image) => makeEdition({ index: image.index, name: image.name as string }));
        const extra = findDrift(makePackage({ editions }), inspectionWith(images)).find((f) => f.kind === 'extra-editions');
        assert.equal(extra?.message, message);
      });
    }
  });

  describe('the install image and leftovers', () => {
    it('reports a missing install image as an error', () => {
      const findings = findDrift(makePackage({ sourcePath: '\\\\cm01\\OSD$\\W11' }), inspectionWith(undefined, { installImage: undefined }));
      assert.deepEqual(findings, [
        {
          kind: 'missing-install-image',
          severity: 'error',
          message: '\\\\cm01\\OSD$\\W11 has no sources\\install.wim, install.esd or install.swm: copy the complete media back to the share.',
        },
      ]);
    });

    it('reports an unreadable install image with the reader\'s sentence and what to do', () => {
      const installImage = { relativePath: 'sources/install.wim', error: 'install.wim is truncated: copy it again.', sizeBytes: 10, modifiedAt: new Date() };
      const findings = findDrift(makePackage({ editions: enterpriseOnly }), inspectionWith(undefined, { installImage }));
      assert.deepEqual(findings, [
        {
          kind: 'unreadable-install-image',
          severity: 'error',
          message: 'install.wim is truncated: copy it again. Copy a good image to the share, then reload image properties.',
        },
      ]);
    });

    it('orders findings worst first', () => {
      const findings = findDrift(
        makePackage({ editions: enterpriseOnly, build: makeBuild(26100, 6584) }),
        inspectionWith([makeWimImage(), makeWimImage({ index: 2, name: 'Windows 11 Pro' })], { autorunInfPresent: true, buildFile: { name: 'BuildNumber.txt', present: false } }),
      );
      assert.deepEqual(
        findings.map((f) => [f.severity, f.kind]),
        [
          ['error', 'version-mismatch'],
          ['warning', 'editions-mismatch'],
          ['warning', 'missing-build-file'],
          ['warning', 'autorun-inf'],
          ['info', 'extra-editions'],
        ],
      );
    });
  });

  it('compares builds by build, then revision, with enablement-package builds as one', () => {
    assert.ok(compareBuilds(makeBuild(26100, 1), makeBuild(26100, 2)) < 0);
    assert.ok(compareBuilds(makeBuild(26100, 9), makeBuild(22631, 10)) > 0);
    assert.equal(compareBuilds(makeBuild(26200, 5), makeBuild(26100, 5)), 0);
    assert.ok(compareBuilds(makeBuild(20348, 5), makeBuild(26100, 5)) < 0);
  });

  describe('imageInUse', () => {
    const images = [makeWimImage({ index: 3, name: 'C' }), makeWimImage({ index: 1, name: 'A' }), makeWimImage({ index: 2, name: 'B' })];
    const cases: Array<{ behaviour: string; editions: Edition[]; state?: 'known' | 'not-fetched'; name: string }> = [
      { behaviour: 'is the lowest index ConfigMgr lists', editions: [makeEdition({ index: 3 }), makeEdition({ index: 2 })], name: 'B' },
      { behaviour: 'skips listed indexes the WIM does not have', editions: [makeEdition({ index: 9 }), makeEdition({ index: 3 })], name: 'C' },
      { behaviour: 'is the WIM\'s first image when ConfigMgr lists none the WIM has', editions: [makeEdition({ index: 9 })], name: 'A' },
      { behaviour: 'is the WIM\'s first image when the editions were not fetched', editions: [], state: 'not-fetched', name: 'A' },
    ];
    for (const { behaviour, editions, state = 'known', name } of cases) {
      it(behaviour, () => {
        assert.equal(imageInUse({ editions, editionsState: { state } }, inspectionWith(images))?.name, name);
      });
    }

    it('is undefined when no WIM was read', () => {
      const pkg = makePackage();
      assert.equal(imageInUse(pkg, { state: 'not-inspected', reason: 'unmapped' }), undefined);
      assert.equal(imageInUse(pkg, inspectionWith(undefined, { installImage: undefined })), undefined);
    });
  });
});
