import assert from 'node:assert/strict';
import { chmod, copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWimMetadata } from '../../../src/services/media/wim-reader';
import { WimXmlError, parseWimXml } from '../../../src/services/media/wim-xml';
import { WimReadError, type WimImage, type WimInfo, type WimProblem } from '../../../src/services/media/wim-image';
import { wiminfo, type WiminfoImage } from '../../support/wiminfo';

const FIXTURES = join(__dirname, '../../fixtures/wim');
const fixture = (name: string): string => join(FIXTURES, name);

/** The reader's image in wiminfo's terms, so both can be compared field by field. */
function asWiminfo(image: WimImage): WiminfoImage {
  const seconds = (date?: Date) => (date ? Math.floor(date.getTime() / 1000) : undefined);
  return {
    index: image.index,
    name: image.name,
    description: image.description,
    displayName: image.displayName,
    displayDescription: image.displayDescription,
    directoryCount: image.directoryCount,
    fileCount: image.fileCount,
    totalBytes: image.totalBytes,
    createdAtSeconds: seconds(image.createdAt),
    modifiedAtSeconds: seconds(image.modifiedAt),
    architecture: image.architecture,
    productName: image.productName,
    editionId: image.editionId,
    installationType: image.installationType,
    productType: image.productType,
    languages: image.languages,
    defaultLanguage: image.defaultLanguage,
    major: image.version?.major,
    minor: image.version?.minor,
    build: image.version?.build,
    spBuild: image.version?.revision,
    spLevel: image.spLevel,
    flags: image.flags,
    branch: image.branch,
    pkeyConfigVersion: image.pkeyConfigVersion,
  };
}

/** wiminfo prints 0 for a VERSION field that is missing; the reader leaves the whole version out. */
function withoutMissingVersion(image: WiminfoImage, info: WimImage): WiminfoImage {
  if (info.version || image.build !== 0) return image;
  return { ...image, major: undefined, minor: undefined, build: undefined, spBuild: undefined, spLevel: info.spLevel };
}

describe('readWimMetadata', () => {
  describe('agrees with wiminfo on every good fixture', () => {
    const goodFixtures: { file: string; format: WimInfo['format']; images: number }[] = [
      { file: 'win11-25h2-enterprise.wim', format: 'wim', images: 1 },
      { file: 'win11-24h2-eleven-editions.wim', format: 'wim', images: 11 },
      { file: 'win10-22h2-enterprise.wim', format: 'wim', images: 1 },
      { file: 'win11-23h2-enterprise.wim', format: 'wim', images: 1 },
      { file: 'ws2025-standard.wim', format: 'wim', images: 2 },
      { file: 'win11-24h2-pro-enterprise.esd', format: 'esd', images: 2 },
      { file: 'install.swm', format: 'swm', images: 1 },
      { file: 'pipable.wim', format: 'wim', images: 1 },
      { file: 'no-windows-element.wim', format: 'wim', images: 1 },
      { file: 'no-version-element.wim', format: 'wim', images: 1 },
      { file: 'escaped-names.wim', format: 'wim', images: 1 },
    ];
    for (const { file, format, images } of goodFixtures) {
      it(`reads ${file} as wiminfo does`, async () => {
        const info = await readWimMetadata(fixture(file));
        const expected = wiminfo(fixture(file));
        assert.equal(info.format, format);
        assert.equal(info.images.length, images);
        assert.deepEqual(
          {
            guid: info.guid,
            version: info.version,
            imageCount: info.imageCount,
            compression: info.compression,
            partNumber: info.partNumber,
            totalParts: info.totalParts,
            bootIndex: info.bootIndex,
          },
          {
            guid: expected.guid,
            version: expected.version,
            imageCount: expected.imageCount,
            compression: expected.compression,
            partNumber: expected.partNumber,
            totalParts: expected.totalParts,
            bootIndex: expected.bootIndex,
          },
        );
        assert.deepEqual(
          info.images.map((image) => asWiminfo(image)),
          expected.images.map((image, position) => withoutMissingVersion(image, info.images[position])),
        );
      });
    }
  });

  it('reads the Enterprise-only 25H2 media with its build, revision and PKEYCONFIGVERSION', async () => {
    const info = await readWimMetadata(fixture('win11-25h2-enterprise.wim'));
    const [image] = info.images;
    assert.deepEqual(image.version, { major: 10, minor: 0, build: 26200, revision: 6584 });
    assert.equal(image.pkeyConfigVersion, '10.0.26200.6584;2025-09-15T00:00:00Z');
    assert.deepEqual(image.pkeyConfigBuild, { major: 10, minor: 0, build: 26200, revision: 6584 });
    assert.equal(image.editionId, 'Enterprise');
    assert.equal(image.flags, 'Enterprise');
    assert.equal(image.architecture, 'x64');
    assert.equal(image.installationType, 'Client');
    assert.deepEqual(image.languages, ['en-US']);
    assert.equal(image.defaultLanguage, 'en-US');
    assert.equal(image.branch, 'ge_release');
    assert.ok(image.createdAt instanceof Date && image.createdAt.getUTCFullYear() === 2025);
    assert.equal(info.solid, false);
    assert.equal(info.version, 0x10d00);
  });

  it('keeps the baseline builds of enablement-package releases as the WIM states them', async () => {
    const win10 = (await readWimMetadata(fixture('win10-22h2-enterprise.wim'))).images[0];
    assert.equal(win10.version?.build, 19041);
    assert.equal(win10.pkeyConfigBuild?.build, 19041);
    assert.equal(win10.displayName, 'Windows 10 Enterprise');
    const win11 = (await readWimMetadata(fixture('win11-23h2-enterprise.wim'))).images[0];
    assert.equal(win11.version?.build, 22621);
    assert.equal(win11.pkeyConfigBuild?.build, 22621);
  });

  it('lists the 11 editions of the 24H2 ISO by index with their edition ids', async () => {
    const info = await readWimMetadata(fixture('win11-24h2-eleven-editions.wim'));
    assert.deepEqual(
      info.images.map((image) => [image.index, image.editionId]),
      [
        [1, 'Core'],
        [2, 'CoreN'],
        [3, 'Education'],
        [4, 'EducationN'],
        [5, 'Professional'],
        [6, 'ProfessionalN'],
        [7, 'ProfessionalEducation'],
        [8, 'ProfessionalEducationN'],
        [9, 'ProfessionalWorkstation'],
        [10, 'Enterprise'],
        [11, 'EnterpriseN'],
      ],
    );
  });

  it('tells Server Core from Desktop Experience by FLAGS and installation type, with several languages', async () => {
    const info = await readWimMetadata(fixture('ws2025-standard.wim'));
    assert.deepEqual(
      info.images.map((image) => [image.flags, image.editionId, image.installationType, image.version?.revision]),
      [
        ['ServerStandardCore', 'ServerStandard', 'Server Core', 32230],
        ['ServerStandard', 'ServerStandard', 'Server', 32230],
      ],
    );
    assert.deepEqual(info.images[0].languages, ['en-US', 'de-DE']);
  });

  it('reads a solid ESD (LZMS, version 0xE00)', async () => {
    const info = await readWimMetadata(fixture('win11-24h2-pro-enterprise.esd'));
    assert.equal(info.version, 0xe00);
    assert.equal(info.solid, true);
    assert.equal(info.compression, 'lzms');
    assert.deepEqual(info.images.map((image) => image.editionId), ['Professional', 'Enterprise']);
  });

  it('reads a split set from its first part and says how many parts there are', async () => {
    const info = await readWimMetadata(fixture('install.swm'));
    assert.equal(info.format, 'swm');
    assert.equal(info.partNumber, 1);
    assert.ok(info.totalParts >= 2, `expected several parts, got ${info.totalParts}`);
    assert.equal(info.images[0].version?.build, 26200);
  });

  it('leaves fields missing, without error, when an image lacks WINDOWS or VERSION', async () => {
    const noWindows = (await readWimMetadata(fixture('no-windows-element.wim'))).images[0];
    assert.equal(noWindows.name, 'Windows 11 Enterprise');
    assert.equal(noWindows.version, undefined);
    assert.equal(noWindows.editionId, undefined);
    assert.equal(noWindows.architecture, undefined);
    assert.deepEqual(noWindows.languages, []);
    const noVersion = (await readWimMetadata(fixture('no-version-element.wim'))).images[0];
    assert.equal(noVersion.version, undefined);
    assert.equal(noVersion.editionId, 'Enterprise');
  });

  it('reads only the header and the XML: bytesRead is 208 plus the XML size, far below the file size', async () => {
    const info = await readWimMetadata(fixture('win11-24h2-eleven-editions.wim'));
    const xmlBytes = wiminfoXmlSize(fixture('win11-24h2-eleven-editions.wim'));
    assert.equal(info.bytesRead, 208 + xmlBytes);
    assert.ok(info.bytesRead < info.fileSizeBytes);
  });

  describe('refuses broken files with a typed error naming the file', () => {
    const broken: { file: string; problem: WimProblem; says: RegExp }[] = [
      { file: 'broken-empty.wim', problem: 'empty', says: /is empty/ },
      { file: 'broken-truncated-header.wim', problem: 'truncated', says: /shorter than a WIM header/ },
      { file: 'broken-truncated-xml.wim', problem: 'truncated', says: /ends before its XML metadata/ },
      { file: 'broken-not-a-wim.wim', problem: 'not-wim', says: /not a WIM/ },
      { file: 'broken-write-in-progress.wim', problem: 'write-in-progress', says: /still being written/ },
      { file: 'broken-compressed-xml.wim', problem: 'compressed-xml', says: /compressed XML/ },
      { file: 'broken-image-count.wim', problem: 'inconsistent', says: /holds 2 images but its XML describes 1/ },
      { file: 'broken-header-size.wim', problem: 'corrupt', says: /header size of 200 bytes/ },
      { file: 'broken-xml-syntax.wim', problem: 'corrupt', says: /not well-formed/ },
      { file: 'broken-image-without-index.wim', problem: 'corrupt', says: /no valid INDEX/ },
      { file: 'broken-not-wim-root.wim', problem: 'corrupt', says: /no WIM root/ },
      { file: 'broken-doctype-entity.wim', problem: 'corrupt', says: /document type declaration \(DOCTYPE\), which Windows image tools never write/ },
      { file: 'broken-billion-laughs.wim', problem: 'corrupt', says: /document type declaration \(DOCTYPE\)/ },
    ];
    for (const { file, problem, says } of broken) {
      it(`${file}: ${problem}`, async () => {
        await assert.rejects(readWimMetadata(fixture(file)), (error: unknown) => {
          assert.ok(error instanceof WimReadError, `expected a WimReadError, got ${String(error)}`);
          assert.equal(error.problem, problem);
          assert.equal(error.path, fixture(file));
          assert.match(error.message, new RegExp(`^${file.replace(/\./g, '\\.')} `));
          assert.match(error.message, says);
          assert.equal(error.message.split(/\.\s/).length, 1, `one sentence: ${error.message}`);
          return true;
        });
      });
    }
  });

  it('reads names with &, <, > and quotes as written (the five XML entities decode, once)', async () => {
    const [image] = (await readWimMetadata(fixture('escaped-names.wim'))).images;
    assert.equal(image.displayName, `R&D <Lab> "Gold" 'x64' © Enterprise`);
    assert.equal(image.description, "Tom & Jerry's <test> image");
  });

  describe('never expands a DOCTYPE entity (issue 6, point 14)', () => {
    it('refuses a WIM whose XML declares an entity, instead of reading the entity into a name', async () => {
      await assert.rejects(readWimMetadata(fixture('broken-doctype-entity.wim')), (error: unknown) => {
        assert.ok(error instanceof WimReadError);
        assert.doesNotMatch(error.message, /Education/);
        return true;
      });
    });

    it('refuses "billion laughs" at once, in bounded time and memory', async () => {
      const heapBefore = process.memoryUsage().heapUsed;
      const started = performance.now();
      await assert.rejects(readWimMetadata(fixture('broken-billion-laughs.wim')), WimReadError);
      const elapsedMs = performance.now() - started;
      const grownBytes = process.memoryUsage().heapUsed - heapBefore;
      assert.ok(elapsedMs < 2_000, `took ${Math.round(elapsedMs)} ms`);
      assert.ok(grownBytes < 32 * 1024 * 1024, `heap grew ${grownBytes} bytes`);
    });

    const texts: Array<{ why: string; xml: string; name: string }> = [
      { why: 'the five XML entities decode', xml: '&amp; &lt; &gt; &quot; &apos;', name: `& < > " '` },
      { why: 'decoding happens once: &amp;lt; is the text "&lt;"', xml: '&amp;lt;', name: '&lt;' },
      { why: 'numeric character references decode', xml: '&#169; &#xA9; &#x1F680;', name: '© © 🚀' },
      { why: 'an undeclared entity stays as written, never expanded', xml: 'a &nbsp; b', name: 'a &nbsp; b' },
      { why: 'a reference to a character XML forbids stays as written', xml: '&#0; &#xD800;', name: '&#0; &#xD800;' },
    ];
    for (const { why, xml, name } of texts) {
      it(`names: ${why}`, () => {
        const parsed = parseWimXml(`<WIM><IMAGE INDEX="1"><NAME>${xml}</NAME></IMAGE></WIM>`);
        assert.equal(parsed.images[0].name, name);
      });
    }

    it('refuses a DOCTYPE, even one that declares nothing, with a sentence and no parser detail', () => {
      assert.throws(
        () => parseWimXml('<?xml version="1.0"?><!DOCTYPE WIM><WIM><IMAGE INDEX="1"/></WIM>'),
        (error: unknown) => error instanceof WimXmlError && /document type declaration/.test(error.message),
      );
    });

    it('says XML that is not well-formed in a sentence, and keeps the parser\'s words for the log', () => {
      assert.throws(
        () => parseWimXml('<WIM><IMAGE INDEX="1"><NAME>x</NAMX></IMAGE></WIM>'),
        (error: unknown) => {
          assert.ok(error instanceof WimXmlError);
          assert.equal(error.message, 'its XML data is not well-formed');
          assert.match(error.detail ?? '', /NAMX/);
          return true;
        },
      );
    });
  });

  describe('says I/O failures plainly', () => {
    let folder: string;
    before(async () => {
      folder = await mkdtemp(join(tmpdir(), 'wim-reader-'));
    });
    after(async () => {
      await rm(folder, { recursive: true, force: true });
    });

    it('a missing file is unreadable and "does not exist"', async () => {
      await assert.rejects(readWimMetadata(join(folder, 'install.wim')), (error: unknown) => {
        assert.ok(error instanceof WimReadError);
        assert.equal(error.problem, 'unreadable');
        assert.match(error.message, /^install\.wim does not exist/);
        return true;
      });
    });

    it('a folder where the file should be is unreadable', async () => {
      await assert.rejects(readWimMetadata(folder), (error: unknown) => {
        assert.ok(error instanceof WimReadError);
        assert.equal(error.problem, 'unreadable');
        return true;
      });
    });

    it('a file without read permission is unreadable and says so', async function () {
      const locked = join(folder, 'locked.wim');
      await copyFile(fixture('win11-25h2-enterprise.wim'), locked);
      await chmod(locked, 0o000);
      const runsAsRoot = process.getuid?.() === 0;
      const result = readWimMetadata(locked);
      if (runsAsRoot) {
        // root reads any file: the reader must still succeed rather than invent a permission problem.
        assert.equal((await result).images.length, 1);
      } else {
        await assert.rejects(result, (error: unknown) => {
          assert.ok(error instanceof WimReadError);
          assert.equal(error.problem, 'unreadable');
          assert.match(error.message, /no permission/);
          return true;
        });
      }
    });
  });
});

function wiminfoXmlSize(path: string): number {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
  const header = execFileSync('wiminfo', ['--header', path], { encoding: 'utf8' });
  return Number(/XML Data Size\s*=\s*(\d+)/.exec(header)![1]);
}
