import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaPathMapper, confineToRoot, isInside } from '../../../src/services/media/media-paths';

describe('MediaPathMapper', () => {
  const mapper = new MediaPathMapper([
    { uncPrefix: '\\\\cm01\\OSD$', localRoot: '/mnt/osd' },
    { uncPrefix: '\\\\cm01\\OSD$\\Upgrades', localRoot: '/mnt/upgrades' },
    { uncPrefix: '\\\\fs02.contoso.com\\Media', localRoot: '/srv/media/' },
  ]);

  const mapped: Array<{ behaviour: string; unc: string; local: string }> = [
    { behaviour: 'maps a folder under the share', unc: '\\\\cm01\\OSD$\\W11\\24H2', local: '/mnt/osd/W11/24H2' },
    { behaviour: 'matches server and share whatever their case', unc: '\\\\CM01\\osd$\\W11', local: '/mnt/osd/W11' },
    { behaviour: 'keeps the case of the folders below the prefix', unc: '\\\\cm01\\OSD$\\Win11\\Sources', local: '/mnt/osd/Win11/Sources' },
    { behaviour: 'prefers the longest prefix', unc: '\\\\cm01\\OSD$\\Upgrades\\W11-24H2', local: '/mnt/upgrades/W11-24H2' },
    { behaviour: 'matches the longest prefix whatever its case', unc: '\\\\cm01\\osd$\\UPGRADES\\x', local: '/mnt/upgrades/x' },
    { behaviour: 'maps the share root itself', unc: '\\\\cm01\\OSD$', local: '/mnt/osd' },
    { behaviour: 'ignores a trailing backslash', unc: '\\\\cm01\\OSD$\\W11\\', local: '/mnt/osd/W11' },
    { behaviour: 'collapses doubled backslashes', unc: '\\\\cm01\\OSD$\\\\W11\\\\24H2', local: '/mnt/osd/W11/24H2' },
    { behaviour: 'accepts forward slashes', unc: '//cm01/OSD$/W11', local: '/mnt/osd/W11' },
    { behaviour: 'drops "." segments', unc: '\\\\cm01\\OSD$\\.\\W11', local: '/mnt/osd/W11' },
    { behaviour: 'trims surrounding whitespace', unc: '  \\\\cm01\\OSD$\\W11  ', local: '/mnt/osd/W11' },
    { behaviour: 'removes a trailing slash from the local root', unc: '\\\\fs02.contoso.com\\Media\\a.wim', local: '/srv/media/a.wim' },
    { behaviour: 'keeps names that merely contain dots', unc: '\\\\cm01\\OSD$\\W11...x\\..a', local: '/mnt/osd/W11...x/..a' },
  ];
  for (const { behaviour, unc, local } of mapped) {
    it(behaviour, () => {
      const result = mapper.resolve(unc);
      assert.equal(result.ok, true, JSON.stringify(result));
      assert.equal(result.ok && result.localPath, local);
    });
  }

  const unmapped: Array<{ behaviour: string; unc: string }> = [
    { behaviour: 'does not map another server', unc: '\\\\cm02\\OSD$\\W11' },
    { behaviour: 'does not map a share that only starts with the mapped name', unc: '\\\\cm01\\OSD$2\\W11' },
    { behaviour: 'does not map a server that only starts with the mapped name', unc: '\\\\cm01x\\OSD$\\W11' },
    { behaviour: 'does not map a server alone', unc: '\\\\cm01' },
  ];
  for (const { behaviour, unc } of unmapped) {
    it(behaviour, () => {
      const result = mapper.resolve(unc);
      assert.equal(result.ok, false);
      assert.equal(!result.ok && result.kind, 'unmapped');
      assert.match(!result.ok ? result.reason : '', /is not in MEDIA_PATH_MAP/);
    });
  }

  it('names the share in the unmapped reason', () => {
    const result = mapper.resolve('\\\\cm02\\Source\\W11\\24H2');
    assert.deepEqual(result, {
      ok: false,
      kind: 'unmapped',
      reason: 'The share \\\\cm02\\Source is not in MEDIA_PATH_MAP, so the bot cannot look at the files; map it to a local mount to see them.',
    });
  });

  it('maps nothing when MEDIA_PATH_MAP is empty', () => {
    const result = new MediaPathMapper([]).resolve('\\\\cm01\\OSD$\\W11');
    assert.equal(!result.ok && result.kind, 'unmapped');
  });

  const refusals: Array<{ behaviour: string; unc: string; reason: RegExp }> = [
    { behaviour: 'refuses ".." segments', unc: '\\\\cm01\\OSD$\\W11\\..\\..\\etc', reason: /contains "\.\."/ },
    { behaviour: 'refuses ".." even when it would stay inside', unc: '\\\\cm01\\OSD$\\W11\\..\\W10', reason: /contains "\.\."/ },
    { behaviour: 'refuses ".." written with forward slashes', unc: '\\\\cm01\\OSD$/../x', reason: /contains "\.\."/ },
    { behaviour: 'refuses a drive-letter path', unc: 'C:\\Sources\\W11', reason: /local drive path/ },
    { behaviour: 'refuses a drive-letter path with forward slashes', unc: 'd:/media', reason: /local drive path/ },
    { behaviour: 'refuses a drive-relative path', unc: 'C:W11', reason: /local drive path/ },
    { behaviour: 'refuses an absolute POSIX path', unc: '/etc/passwd', reason: /not a UNC path/ },
    { behaviour: 'refuses a rooted Windows path', unc: '\\Sources\\W11', reason: /not a UNC path/ },
    { behaviour: 'refuses a relative path', unc: 'Sources\\W11', reason: /not a UNC path/ },
    { behaviour: 'refuses a device path', unc: '\\\\?\\C:\\Sources', reason: /device path/ },
    { behaviour: 'refuses a device UNC path', unc: '\\\\?\\UNC\\cm01\\OSD$\\W11', reason: /device path/ },
    { behaviour: 'refuses a NUL character', unc: '\\\\cm01\\OSD$\\W11\0.txt', reason: /NUL character/ },
    { behaviour: 'refuses an empty path', unc: '   ', reason: /no source path/ },
    // Windows strips trailing dots and spaces from each name: `W11\.. \x` is `..\x`, `W11.` is `W11`.
    { behaviour: 'refuses ".. " (Windows reads it as "..")', unc: '\\\\cm01\\OSD$\\W11\\.. \\x', reason: /ends in "\." or a space/ },
    { behaviour: 'refuses "..." (Windows reads it as "." or "..")', unc: '\\\\cm01\\OSD$\\W11\\...\\x', reason: /ends in "\." or a space/ },
    { behaviour: 'refuses a folder name with a trailing dot', unc: '\\\\cm01\\OSD$\\W11.\\x', reason: /"W11\."/ },
    { behaviour: 'refuses a folder name with a trailing space', unc: '\\\\cm01\\OSD$\\W11 \\x', reason: /"W11 "/ },
    { behaviour: 'refuses a trailing dot that would skip the more specific mapping', unc: '\\\\cm01\\OSD$\\Upgrades.\\W11', reason: /ends in "\." or a space/ },
    { behaviour: 'refuses a trailing space that would skip the more specific mapping', unc: '\\\\cm01\\OSD$\\Upgrades \\W11', reason: /ends in "\." or a space/ },
    { behaviour: 'refuses a share name with a trailing dot', unc: '\\\\cm01\\OSD$.\\Upgrades\\W11', reason: /ends in "\." or a space/ },
    { behaviour: 'refuses a file name with a trailing dot', unc: '\\\\cm01\\OSD$\\Images\\install.wim.', reason: /ends in "\." or a space/ },
  ];
  for (const { behaviour, unc, reason } of refusals) {
    it(behaviour, () => {
      const result = mapper.resolve(unc);
      assert.equal(result.ok, false);
      assert.equal(!result.ok && result.kind, 'refused');
      assert.match(!result.ok ? result.reason : '', reason);
    });
  }

  it('says each refusal in one sentence that ends with what to do', () => {
    for (const { unc } of refusals) {
      const result = mapper.resolve(unc);
      const reason = !result.ok ? result.reason : '';
      assert.match(reason, /; [^;]+\.$/, reason);
      assert.ok(!reason.includes('\0'));
    }
  });
});

describe('confineToRoot', () => {
  let base: string;
  let root: string;

  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'media-paths-'));
    root = join(base, 'share');
    await mkdir(join(root, 'W11'), { recursive: true });
    await writeFile(join(base, 'secret.txt'), 'outside');
    await symlink(join(base, 'secret.txt'), join(root, 'W11', 'leak.txt'));
    await symlink(join(root, 'W11'), join(root, 'alias'));
    await symlink('../secret.txt', join(root, 'relative-leak'));
  });
  after(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('accepts a path inside the root', async () => {
    assert.deepEqual(await confineToRoot(join(root, 'W11'), root), { ok: true, realPath: join(root, 'W11') });
  });

  it('accepts a link that stays inside the root and gives its real path', async () => {
    assert.deepEqual(await confineToRoot(join(root, 'alias'), root), { ok: true, realPath: join(root, 'W11') });
  });

  it('reports a link that leads outside the root, with where it leads', async () => {
    assert.deepEqual(await confineToRoot(join(root, 'W11', 'leak.txt'), root), {
      ok: false,
      kind: 'outside',
      realPath: join(base, 'secret.txt'),
    });
    const relative = await confineToRoot(join(root, 'relative-leak'), root);
    assert.equal(!relative.ok && relative.kind, 'outside');
  });

  it('reports a missing path as missing', async () => {
    assert.deepEqual(await confineToRoot(join(root, 'nothing'), root), { ok: false, kind: 'missing', code: 'ENOENT' });
  });

  it('tells a sibling folder with a longer name from the root', () => {
    assert.equal(isInside('/mnt/share2/x', '/mnt/share'), false);
    assert.equal(isInside('/mnt/share/x', '/mnt/share'), true);
    assert.equal(isInside('/mnt/share', '/mnt/share'), true);
    assert.equal(isInside('/anything', '/'), true);
  });
});
