import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { constants, readFileSync } from 'node:fs';
import { copyFile, link, mkdir, mkdtemp, open, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import pino from 'pino';
import { findDrift } from '../../../src/services/media/drift';
import type { MediaInspection } from '../../../src/services/media/media-inspection';
import { MediaPathMapper } from '../../../src/services/media/media-paths';
import { SourceInspector } from '../../../src/services/media/source-folder';
import { makePackage } from '../../support/media-fixtures';

/**
 * Issue 6, point 10 (the share's half): what reaches a card (an inspection's reason, the install image's
 * error, the build file's problem, every finding) names files as the share knows them and says what to do.
 * The local mount and the XML parser's own words belong in the log only.
 */

const FIXTURES = join(__dirname, '../../fixtures/wim');
const brokenFixtures = readFileSync(join(FIXTURES, '..', '..', '..', 'scripts', 'make-wim-fixtures.sh'), 'utf8')
  .match(/broken-[a-z-]+\.wim/g)
  ?.filter((name, i, all) => all.indexOf(name) === i) as string[];

/** What fast-xml-parser itself says about each broken fixture's XML: none of it may reach a card. */
function parserMessages(): string[] {
  const messages: string[] = [];
  for (const name of brokenFixtures) {
    const bytes = readFileSync(join(FIXTURES, name));
    if (bytes.length < 208) continue;
    const size = Number(bytes.readBigUInt64LE(0x48) & 0xff_ffff_ffff_ffffn);
    const offset = Number(bytes.readBigUInt64LE(0x50));
    if (offset + size > bytes.length) continue;
    const result = XMLValidator.validate(bytes.subarray(offset, offset + size).toString('utf16le').replace(/^\uFEFF/, ''));
    if (result !== true) messages.push(result.err.msg);
  }
  return messages;
}

describe('what the share inspection says to users (issue 6, point 10)', function () {
  this.timeout(15_000);
  let base: string;
  let share: string;
  const fifos: string[] = [];
  const texts: Array<{ source: string; text: string }> = [];

  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'inspection-messages-'));
    share = join(base, 'mnt', 'osd-share');
    const outside = join(base, 'outside');
    await mkdir(join(share, 'Images'), { recursive: true });
    await mkdir(outside, { recursive: true });
    await mkdir(join(base, 'mnt', 'empty-mount'));

    const sources: Array<{ kind: 'upgrade' | 'image'; path: string }> = [];
    for (const name of brokenFixtures) {
      await copyFile(join(FIXTURES, name), join(share, 'Images', name));
      sources.push({ kind: 'image', path: `Images\\${name}` });
      const folder = join(share, 'Upgrade', basename(name, '.wim'));
      await mkdir(join(folder, 'sources'), { recursive: true });
      await copyFile(join(FIXTURES, name), join(folder, 'sources', 'install.wim'));
      sources.push({ kind: 'upgrade', path: `Upgrade\\${basename(name, '.wim')}` });
    }

    // Odd shares: a pipe, hard links, links that leave, a loop, a file where a folder belongs and back.
    const odd = join(share, 'Odd');
    await mkdir(join(odd, 'sources'), { recursive: true });
    await copyFile(join(FIXTURES, 'win11-25h2-enterprise.wim'), join(odd, 'sources', 'install.wim'));
    execFileSync('mkfifo', [join(odd, 'BuildNumber.txt')]);
    fifos.push(join(odd, 'BuildNumber.txt'));
    await writeFile(join(outside, 'secret.txt'), '26100.9999');
    await copyFile(join(FIXTURES, 'win11-25h2-enterprise.wim'), join(outside, 'secret.wim'));
    const hard = join(share, 'HardLinked');
    await mkdir(join(hard, 'sources'), { recursive: true });
    await link(join(outside, 'secret.txt'), join(hard, 'BuildNumber.txt'));
    await link(join(outside, 'secret.wim'), join(hard, 'sources', 'install.wim'));
    await link(join(outside, 'secret.wim'), join(share, 'Images', 'hard.wim'));
    await symlink(outside, join(share, 'LinkedFolder'));
    await symlink(join(outside, 'secret.wim'), join(share, 'Images', 'linked.wim'));
    const leaky = join(share, 'Leaky');
    await mkdir(join(leaky, 'sources'), { recursive: true });
    await symlink(join(outside, 'secret.wim'), join(leaky, 'sources', 'install.wim'));
    await symlink(join(outside, 'secret.txt'), join(leaky, 'BuildNumber.txt'));
    await symlink(join(share, 'Loop'), join(share, 'Loop'));
    await mkdir(join(share, 'NoImage', 'sources'), { recursive: true });
    sources.push(
      { kind: 'upgrade', path: 'Odd' },
      { kind: 'upgrade', path: 'HardLinked' },
      { kind: 'image', path: 'Images\\hard.wim' },
      { kind: 'upgrade', path: 'LinkedFolder' },
      { kind: 'image', path: 'Images\\linked.wim' },
      { kind: 'upgrade', path: 'Leaky' },
      { kind: 'upgrade', path: 'Loop' },
      { kind: 'upgrade', path: 'NoImage' },
      { kind: 'upgrade', path: 'Missing' },
      { kind: 'image', path: 'Images' },
      { kind: 'upgrade', path: 'Odd\\sources\\install.wim' },
      { kind: 'upgrade', path: 'W11\\.. \\x' },
      { kind: 'upgrade', path: '..\\..\\etc' },
    );

    const inspector = new SourceInspector({
      mapper: new MediaPathMapper([
        { uncPrefix: '\\\\cm01\\OSD$', localRoot: share },
        { uncPrefix: '\\\\cm01\\Empty', localRoot: join(base, 'mnt', 'empty-mount') },
        { uncPrefix: '\\\\cm01\\Gone', localRoot: join(base, 'mnt', 'no-such-mount') },
      ]),
      buildFileName: 'BuildNumber.txt',
      logger: pino({ level: 'silent' }),
    });
    const all = [
      ...sources.map(({ kind, path }) => ({ kind, sourcePath: `\\\\cm01\\OSD$\\${path}` })),
      { kind: 'upgrade' as const, sourcePath: '\\\\cm01\\Empty\\W11' },
      { kind: 'upgrade' as const, sourcePath: '\\\\cm01\\Gone\\W11' },
      { kind: 'upgrade' as const, sourcePath: '\\\\cm09\\Other\\W11' },
    ];
    for (const { kind, sourcePath } of all) {
      const inspection: MediaInspection = await inspector.inspect({ kind, sourcePath, sourceVersion: 1 });
      const add = (text: string | undefined) => {
        if (text !== undefined) texts.push({ source: sourcePath, text });
      };
      if (inspection.state !== 'inspected') add(inspection.reason);
      else {
        add(inspection.installImage?.error);
        add(inspection.buildFile?.problem);
      }
      for (const finding of findDrift(makePackage({ kind, sourcePath, inspection }), inspection)) add(finding.message);
    }
  });

  after(async () => {
    for (const path of fifos) await (await open(path, constants.O_RDWR | constants.O_NONBLOCK).catch(() => undefined))?.close();
    await rm(base, { recursive: true, force: true });
  });

  it('covers every broken fixture and odd share (the table is not empty)', async () => {
    assert.ok(brokenFixtures.length >= 13, brokenFixtures.join(', '));
    assert.ok(texts.length > brokenFixtures.length * 2, `${texts.length} sentences`);
    assert.deepEqual((await readdir(join(base, 'mnt'))).sort(), ['empty-mount', 'osd-share']);
  });

  it('never shows the local mount or any local path', () => {
    for (const { source, text } of texts) {
      assert.ok(!text.includes(base), `${source}: ${text}`);
      assert.ok(!/(^|[\s("'])\/(tmp|mnt|srv|home|var)\b/.test(text), `${source}: ${text}`);
    }
  });

  it('never shows the XML parser\'s own words', () => {
    const raw = parserMessages();
    assert.ok(raw.length >= 1, 'the fixtures give the parser something to say');
    for (const { source, text } of texts) {
      for (const message of raw) assert.ok(!text.includes(message), `${source}: ${text}`);
      assert.doesNotMatch(text, /Expected closing tag|Invalid(Tag|Xml|Attr|Char)|, line \d+\)|\bcol(umn)? \d+/, `${source}: ${text}`);
    }
  });

  it('ends every sentence with a full stop and says it in at most two sentences', () => {
    for (const { source, text } of texts) {
      const sentence = text.endsWith('.') ? text : `${text}.`;
      assert.ok(sentence.split(/(?<=\.)\s+(?=[A-Z])/).length <= 2, `${source}: ${text}`);
    }
  });
});
