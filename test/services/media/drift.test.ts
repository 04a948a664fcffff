import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { compareBuilds, findDrift, imageInUse } from '../../../src/services/media/drift';
import type { Finding, MediaInspection } from '../../../src/services/media/media-inspection';
import type { BuildNumber, Edition } from '../../../src/services/media/media-package';
import { MediaPathMapper } from '../../../src/services/media/media-paths';
import { SourceInspector } from '../../../src/services/media/source-folder';
import type { WimImage } from '../../../src/services/media/wim-image';
import { readWimMetadata } from '../../../src/services/media/wim-reader';
import { makeBuild, makeEdition, makeInspection, makePackage, makeWimImage, makeWimInfo } from '../../support/media-fixtures';

const run = promisify(execFile);
const fixture = (name: string) => join(__dirname, '..', '..', 'fixtures', 'wim', name);
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
          kind: 'edition-sizes',
          severity: 'info',
          message: 'install.wim holds 3 indexes of 17.1–17.4 GB expanded each; which of them this site deploys is not configured (EDITIONS_IN_USE), so none is called extra.',
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

    it('matches by identity an edition whose index moved, and says what a task sequence set to the old index deploys', async () => {
      // ConfigMgr recorded an Enterprise-only WIM; the share now holds the Pro + Enterprise ESD (Enterprise at index 2).
      const info = await readWimMetadata(fixture('win11-24h2-pro-enterprise.esd'));
      const pkg = makePackage({ editions: enterpriseOnly, editionsInUse: ['Enterprise'] });
      const findings = findDrift(pkg, inspectionWith(info.images));
      assert.deepEqual(findings, [
        {
          kind: 'edition-moved',
          severity: 'error',
          message:
            '"Windows 11 Enterprise" is index 1 in ConfigMgr and index 2 in install.wim: reload image properties and set the edition index to 2 in the Upgrade Operating System steps that use this package; until then a step set to index 1 deploys "Windows 11 Pro".',
        },
        {
          kind: 'editions-mismatch',
          severity: 'warning',
          message: 'ConfigMgr lists 1 edition, install.wim holds 2 (index 1 ("Windows 11 Pro") is only in install.wim): reload image properties.',
        },
        {
          kind: 'extra-editions',
          severity: 'info',
          message: 'Index 1 (1 edition) is not in use (EDITIONS_IN_USE: Enterprise) and takes under 1 MB expanded: export only the editions you deploy to make the media smaller.',
          bytes: 71,
        },
      ]);
      assert.equal(findings.filter((f) => /only in ConfigMgr/.test(f.message)).length, 0, 'Enterprise is not called missing on one side');
    });

    const movedCases: Array<{ why: string; kind: 'upgrade' | 'image'; editions: Edition[]; images: WimImage[]; editionsInUse?: string[]; severity: string; message: string }> = [
      {
        why: 'two editions swapped: both named, and the steps told to use the new indexes',
        kind: 'upgrade',
        editions: [makeEdition({ index: 1, name: 'Windows 11 Enterprise', editionId: 'Enterprise' }), makeEdition({ index: 2, name: 'Windows 11 Education', editionId: 'Education' })],
        images: [makeWimImage({ index: 1, name: 'Windows 11 Education', displayName: 'Windows 11 Education', editionId: 'Education' }), makeWimImage({ index: 2 })],
        severity: 'warning',
        message:
          '"Windows 11 Enterprise" is index 1 in ConfigMgr and index 2 in install.wim; "Windows 11 Education" is index 2 in ConfigMgr and index 1 in install.wim: reload image properties and set the new edition indexes in the Upgrade Operating System steps that use this package, or they deploy other editions.',
      },
      {
        why: 'Server core and Desktop Experience share an EditionID and are told apart by name',
        kind: 'image',
        editions: [
          makeEdition({ index: 1, name: 'Windows Server 2025 Standard (Desktop Experience)', editionId: 'ServerStandard' }),
          makeEdition({ index: 2, name: 'Windows Server 2025 Standard', editionId: 'ServerStandard' }),
        ],
        images: [
          makeWimImage({ index: 1, name: 'Windows Server 2025 Standard', displayName: undefined, editionId: 'ServerStandard' }),
          makeWimImage({ index: 2, name: 'Windows Server 2025 Standard (Desktop Experience)', displayName: undefined, editionId: 'ServerStandard' }),
        ],
        editionsInUse: ['Windows Server 2025 Standard (Desktop Experience)'],
        severity: 'error',
        message:
          '"Windows Server 2025 Standard (Desktop Experience)" is index 1 in ConfigMgr and index 2 in install.wim; "Windows Server 2025 Standard" is index 2 in ConfigMgr and index 1 in install.wim: reload image properties and set the new image indexes in the Apply Operating System steps that apply this image, or they deploy other editions.',
      },
      {
        why: 'an OS image names the Apply Operating System step, and a step set to an index the WIM lost fails',
        kind: 'image',
        editions: [makeEdition({ index: 3, name: 'Windows 11 Enterprise', editionId: 'Enterprise' })],
        images: [makeWimImage({ index: 1 })],
        severity: 'warning',
        message:
          '"Windows 11 Enterprise" is index 3 in ConfigMgr and index 1 in install.wim: reload image properties and set the image index to 1 in the Apply Operating System steps that apply this image; until then a step set to index 3 fails, because install.wim has no index 3.',
      },
    ];
    for (const { why, kind, editions, images, editionsInUse, severity, message } of movedCases) {
      it(`reports a moved index as moved: ${why}`, () => {
        const findings = findDrift(makePackage({ kind, editions, editionsInUse }), inspectionWith(images));
        assert.deepEqual(findings.find((f) => f.kind === 'edition-moved'), { kind: 'edition-moved', severity, message });
        assert.equal(findings.find((f) => f.kind === 'editions-mismatch'), undefined, 'the same editions on both sides are no mismatch');
      });
    }

    it('names an edition renamed under the same EditionID, and an index that now holds another edition', () => {
      const editions = [
        makeEdition({ index: 1, name: 'Windows 11 Enterprise Evaluation', editionId: 'Enterprise' }),
        makeEdition({ index: 2, name: 'Windows 11 Pro', editionId: 'Professional' }),
      ];
      const images = [makeWimImage({ index: 1 }), makeWimImage({ index: 2, name: 'Windows 11 Education', displayName: 'Windows 11 Education', editionId: 'Education' })];
      const findings = findDrift(makePackage({ editions }), inspectionWith(images));
      assert.equal(
        findings.find((f) => f.kind === 'editions-mismatch')?.message,
        'ConfigMgr\'s editions differ from install.wim\'s ("Windows 11 Enterprise Evaluation" in ConfigMgr is named "Windows 11 Enterprise" in install.wim; index 2 is "Windows 11 Pro" in ConfigMgr but "Windows 11 Education" in install.wim): reload image properties.',
      );
    });
  });

  describe('editions in use (EDITIONS_IN_USE)', () => {
    const GB17 = Math.round(17.39 * GB);
    const eleven = () =>
      Array.from({ length: 11 }, (_, i) =>
        makeWimImage({ index: i + 1, name: i === 9 ? 'Windows 11 Enterprise' : `Edition ${i + 1}`, displayName: undefined, editionId: i === 9 ? 'Enterprise' : `E${i + 1}`, totalBytes: GB17 + i * 1024 ** 2 * 100 }),
      );

    it('without a policy says what the indexes cost and claims none of them is extra', () => {
      const findings = findDrift(makePackage({ editions: [makeEdition({ index: 10, name: 'Windows 11 Enterprise', editionId: 'Enterprise' })] }), inspectionWith(eleven()));
      assert.deepEqual(findings.find((f) => f.kind === 'edition-sizes'), {
        kind: 'edition-sizes',
        severity: 'info',
        message: 'install.wim holds 11 indexes of 17.4–18.4 GB expanded each; which of them this site deploys is not configured (EDITIONS_IN_USE), so none is called extra.',
      });
      assert.equal(findings.find((f) => f.kind === 'extra-editions'), undefined);
      assert.ok(findings.every((f) => !/beyond|not in use/.test(f.message)), 'no claim about which index is used');
    });

    const policyCases: Array<{ why: string; images: WimImage[]; editionsInUse: string[]; expected: Array<Pick<Finding, 'kind' | 'severity' | 'message'>> }> = [
      {
        why: 'the indexes outside the policy are "not in use", with what they take',
        images: eleven(),
        editionsInUse: ['Enterprise'],
        expected: [
          {
            kind: 'extra-editions',
            severity: 'info',
            message: 'Indexes 1–9, 11 (10 editions) are not in use (EDITIONS_IN_USE: Enterprise) and take 178.4 GB expanded: export only the editions you deploy to make the media smaller.',
          },
        ],
      },
      {
        why: 'an index with the same EditionID as the one in use is in use too, not "beyond" it',
        images: [
          makeWimImage({ index: 1, name: 'Windows Server 2025 Standard', editionId: 'ServerStandard', totalBytes: 8 * GB }),
          makeWimImage({ index: 2, name: 'Windows Server 2025 Standard (Desktop Experience)', editionId: 'ServerStandard', totalBytes: 14 * GB }),
          makeWimImage({ index: 3, name: 'Windows Server 2025 Datacenter', editionId: 'ServerDatacenter', totalBytes: 8 * GB }),
        ],
        editionsInUse: ['ServerStandard'],
        expected: [
          {
            kind: 'extra-editions',
            severity: 'info',
            message: 'Index 3 (1 edition) is not in use (EDITIONS_IN_USE: ServerStandard) and takes 8.0 GB expanded: export only the editions you deploy to make the media smaller.',
          },
        ],
      },
      {
        why: 'media that holds none of the editions in use is a warning',
        images: [makeWimImage({ index: 1, name: 'Windows 11 Pro', displayName: undefined, editionId: 'Professional' })],
        editionsInUse: ['Enterprise', 'Windows 11 Education'],
        expected: [
          {
            kind: 'missing-editions-in-use',
            severity: 'warning',
            message: 'install.wim holds none of the editions this site deploys (EDITIONS_IN_USE: Enterprise, Windows 11 Education): replace the media with one that carries them, or correct EDITIONS_IN_USE.',
          },
        ],
      },
      {
        why: 'media that carries one of several editions in use is no finding: sites keep one edition per package',
        images: [makeWimImage({ index: 1, totalBytes: 17 * GB })],
        editionsInUse: ['Enterprise', 'Education'],
        expected: [],
      },
    ];
    for (const { why, images, editionsInUse, expected } of policyCases) {
      it(why, () => {
        const findings = findDrift(makePackage({ editions: [], editionsState: { state: 'not-fetched' }, editionsInUse }), inspectionWith(images));
        assert.deepEqual(
          findings.filter((f) => f.kind === 'extra-editions' || f.kind === 'missing-editions-in-use' || f.kind === 'edition-sizes').map(({ kind, severity, message }) => ({ kind, severity, message })),
          expected,
        );
      });
    }

    const extraCases: Array<{ behaviour: string; sizes: Array<number | undefined>; message: string }> = [
      { behaviour: 'says one edition not in use takes its space', sizes: [GB * 2], message: 'Index 2 (1 edition) is not in use (EDITIONS_IN_USE: Enterprise) and takes 2.0 GB expanded: export only the editions you deploy to make the media smaller.' },
      { behaviour: 'says how many editions not in use have no recorded size', sizes: [GB * 2, undefined], message: 'Indexes 2, 3 (2 editions) are not in use (EDITIONS_IN_USE: Enterprise) and take 2.0 GB expanded (1 without a recorded size): export only the editions you deploy to make the media smaller.' },
      { behaviour: 'says when no edition not in use has a recorded size', sizes: [undefined], message: 'Index 2 (1 edition) is not in use (EDITIONS_IN_USE: Enterprise) and has no recorded size: export only the editions you deploy to make the media smaller.' },
    ];
    for (const { behaviour, sizes, message } of extraCases) {
      it(behaviour, () => {
        const images = [makeWimImage(), ...sizes.map((totalBytes, i) => makeWimImage({ index: i + 2, name: `Edition ${i + 2}`, displayName: undefined, editionId: `E${i + 2}`, totalBytes }))];
        const editions = images.map((image) => makeEdition({ index: image.index, name: image.name as string, editionId: image.editionId }));
        const extra = findDrift(makePackage({ editions, editionsInUse: ['Enterprise'] }), inspectionWith(images)).find((f) => f.kind === 'extra-editions');
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
          ['info', 'edition-sizes'],
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

    const core = makeWimImage({ index: 1, name: 'Windows Server 2025 Standard', displayName: undefined, editionId: 'ServerStandard' });
    const desktop = makeWimImage({ index: 2, name: 'Windows Server 2025 Standard (Desktop Experience)', displayName: undefined, editionId: 'ServerStandard' });
    const pro = makeWimImage({ index: 1, name: 'Windows 11 Pro', displayName: undefined, editionId: 'Professional' });
    const enterprise = makeWimImage({ index: 2 });
    const identityCases: Array<{ why: string; images: WimImage[]; editions: Edition[]; editionsInUse?: string[]; index: number }> = [
      { why: 'follows ConfigMgr\'s edition to its new index, not the index number', images: [pro, enterprise], editions: enterpriseOnly, index: 2 },
      { why: 'is the first edition in use, whatever ConfigMgr lists first', images: [pro, enterprise], editions: [makeEdition({ index: 1, name: 'Windows 11 Pro', editionId: 'Professional' })], editionsInUse: ['Enterprise'], index: 2 },
      { why: 'tells images with one EditionID apart by the name in the policy', images: [core, desktop], editions: [], editionsInUse: ['Windows Server 2025 Standard (Desktop Experience)'], index: 2 },
      { why: 'falls back to ConfigMgr\'s edition when the WIM holds none in use', images: [pro, enterprise], editions: enterpriseOnly, editionsInUse: ['Education'], index: 2 },
    ];
    for (const { why, images: wim, editions, editionsInUse, index } of identityCases) {
      it(why, () => {
        assert.equal(imageInUse({ editions, editionsState: { state: 'known' }, editionsInUse }, inspectionWith(wim))?.index, index);
      });
    }

    it('is undefined when no WIM was read', () => {
      const pkg = makePackage();
      assert.equal(imageInUse(pkg, { state: 'not-inspected', reason: 'unmapped' }), undefined);
      assert.equal(imageInUse(pkg, inspectionWith(undefined, { installImage: undefined })), undefined);
    });
  });
});
