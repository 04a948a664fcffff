import assert from 'node:assert/strict';
import { looksLikePackageId, normalizeForMatch, PackageIndex, splitKind } from '../../../src/services/media/package-lookup';
import { makeBuild, makePackage } from '../../support/media-fixtures';

const packages = [
  makePackage({ id: 'PS100012', name: 'Windows 11 24H2 Enterprise x64', release: 'Windows 11 24H2' }),
  makePackage({ id: 'PS100013', name: 'Windows 11 24H2 Enterprise x64 - 2026-04', release: 'Windows 11 24H2' }),
  makePackage({ id: 'PS100018', name: 'Windows 11 25H2 Enterprise x64', release: 'Windows 11 25H2' }),
  makePackage({ id: 'PS10001A', name: 'Windows 11 24H2 Pro – O\'Brien\'s "lab" media', release: 'Windows 11 24H2' }),
  makePackage({ id: 'PS100021', name: 'Windows Server 2025 Datacenter', release: 'Windows Server 2025', kind: 'image' }),
  makePackage({ id: 'PS100030', name: 'Ünïcödé Lab Image', release: undefined, kind: 'image' }),
];

const index = new PackageIndex(packages);

function ids(list: readonly { id: string }[]): string[] {
  return list.map((pkg) => pkg.id);
}

describe('PackageIndex.find', () => {
  const one: Array<[string, string]> = [
    ['PS100012', 'PS100012'],
    ['ps100012', 'PS100012'],
    ['  "PS100018" ', 'PS100018'],
    ['Windows 11 24H2 Enterprise x64', 'PS100012'],
    ['windows 11 24h2 enterprise X64', 'PS100012'],
    ['25H2', 'PS100018'],
    ['our 25H2 media', 'PS100018'],
    ['2026-04', 'PS100013'],
    [`O'Brien's "lab" media`, 'PS10001A'],
    ['O’Brien’s “lab”', 'PS10001A'],
    ['server 2025', 'PS100021'],
    ['unicode lab', 'PS100030'],
    ['Ünïcödé', 'PS100030'],
  ];
  for (const [query, id] of one) {
    it(`finds ${id} from ${JSON.stringify(query)}`, () => {
      const found = index.find(query);
      assert.equal(found.match, 'one');
      assert.equal(found.match === 'one' && found.pkg.id, id);
    });
  }

  it('offers a choice when a fragment matches several packages', () => {
    const found = index.find('24H2 enterprise');
    assert.equal(found.match, 'many');
    assert.deepEqual(found.match === 'many' && ids(found.candidates), ['PS100012', 'PS100013']);
  });

  it('suggests the nearest names when nothing matches', () => {
    const found = index.find('Windows 11 24H2 Enterprse');
    assert.equal(found.match, 'none');
    assert.ok(found.match === 'none' && found.nearest.length > 0);
    assert.ok(found.match === 'none' && found.nearest.every((pkg) => pkg.name.includes('Windows 11')));
  });

  it('suggests nothing for text that resembles no package', () => {
    const found = index.find('zzqqxx');
    assert.deepEqual(found, { match: 'none', nearest: [] });
  });

  it('finds nothing, and suggests nothing, for a query of filler words only', () => {
    assert.deepEqual(index.find('this'), { match: 'none', nearest: [] });
    assert.deepEqual(index.find('our media'), { match: 'none', nearest: [] });
  });

  it('treats OData and regular-expression syntax as plain text', () => {
    for (const query of ["Name eq 'x' or 1 eq 1", '.*', '(', '$filter=1', '%27']) {
      assert.equal(index.find(query).match, 'none', query);
    }
  });
});

describe('PackageIndex.filter', () => {
  it('keeps every package for an empty filter or only filler words', () => {
    assert.equal(index.filter('').length, packages.length);
    assert.equal(index.filter('all our media').length, packages.length);
  });

  it('keeps the packages holding every word, in any order and case', () => {
    assert.deepEqual(ids(index.filter('x64 24h2')), ['PS100012', 'PS100013']);
    assert.deepEqual(ids(index.filter('image')), ids(packages), '"image" is a filler word');
    assert.deepEqual(ids(index.filter('wim')), ['PS100021', 'PS100030']);
  });
});

describe('normalizeForMatch', () => {
  it('folds case, accents, typographic quotes and dashes', () => {
    assert.equal(normalizeForMatch('  Ünïcödé “Lab” – O’Brien  '), 'unicode "lab" - o\'brien');
  });
});

describe('PackageIndex: the words admins use for releases', () => {
  const site = new PackageIndex([
    makePackage({ id: 'PS100101', name: 'Windows 10 Enterprise 22H2 x64', release: 'Windows 10 22H2', build: makeBuild(19045, 6575) }),
    makePackage({ id: 'PS100102', name: 'Windows 11 Enterprise 24H2 x64', release: 'Windows 11 24H2', build: makeBuild(26100, 8246) }),
    makePackage({ id: 'PS100103', name: 'Windows 11 Enterprise 23H2 x64', release: 'Windows 11 23H2', build: makeBuild(22631, 6936), kind: 'image' }),
    makePackage({ id: 'PS100104', name: 'Windows Server 2022 Datacenter', release: 'Windows Server 2022', build: makeBuild(20348, 5020), kind: 'image' }),
    makePackage({ id: 'PS100110', name: 'Windows Server 2025 Standard', release: 'Windows Server 2025', build: makeBuild(26100, 32522) }),
  ]);
  const cases: Array<{ filter: string; kind?: 'upgrade' | 'image'; ids: string[]; why: string }> = [
    { filter: 'windows 10', ids: ['PS100101'], why: '"10" is a whole word: not the 10 in 26100, PS100102 or 2025' },
    { filter: 'win10', ids: ['PS100101'], why: 'the short name reads as Windows 10' },
    { filter: 'w10', ids: ['PS100101'], why: 'shorter still' },
    { filter: 'win 10', ids: ['PS100101'], why: 'with a space' },
    { filter: 'win11', ids: ['PS100102', 'PS100103'], why: 'Windows 11, both releases' },
    { filter: 'windows 11', ids: ['PS100102', 'PS100103'], why: 'the release family' },
    { filter: 'w11 24h2', ids: ['PS100102'], why: 'short name and version' },
    { filter: 'ws2022', ids: ['PS100104'], why: 'a server written as one word' },
    { filter: 'server 2022', ids: ['PS100104'], why: 'a server release' },
    { filter: '26100', ids: ['PS100102', 'PS100110'], why: 'a build number still matches the build' },
    { filter: '8246', ids: ['PS100102'], why: 'a revision matches the revision' },
    { filter: '2610', ids: ['PS100102', 'PS100110'], why: 'the start of a build number' },
    { filter: 'windows', kind: 'image', ids: ['PS100103', 'PS100104'], why: 'narrowed by kind' },
    { filter: '', kind: 'upgrade', ids: ['PS100101', 'PS100102', 'PS100110'], why: 'a kind alone' },
  ];
  for (const { filter, kind, ids: expected, why } of cases) {
    it(`filters ${JSON.stringify(filter)}${kind ? ` (${kind})` : ''} to ${expected.join(', ')}: ${why}`, () => {
      assert.deepEqual(ids(site.filter(filter, kind)), expected);
    });
  }
});

describe('splitKind', () => {
  const cases: Array<{ text: string; kind?: 'upgrade' | 'image'; rest: string; why: string }> = [
    { text: 'images', kind: 'image', rest: '', why: 'a kind alone' },
    { text: 'os images 24H2', kind: 'image', rest: '24H2', why: '"os" goes with the kind' },
    { text: '24H2 upgrade packages', kind: 'upgrade', rest: '24H2', why: 'after the filter' },
    { text: 'WIMs', kind: 'image', rest: '', why: 'what admins call images' },
    { text: 'packages', rest: 'packages', why: 'both kinds are packages' },
    { text: 'images and upgrades', rest: 'images and upgrades', why: 'both kinds named: no kind' },
    { text: 'Windows 11 24H2', rest: 'Windows 11 24H2', why: 'no kind word' },
  ];
  for (const { text, kind, rest, why } of cases) {
    it(`reads ${JSON.stringify(text)}: ${why}`, () => assert.deepEqual(splitKind(text), kind ? { kind, rest } : { rest }));
  }
});

describe('mistyped package ids', () => {
  const site = new PackageIndex(
    ['PS100012', 'PS100120', 'PS100102', 'PS100021', 'PS100013', 'PS1000A2', 'PS100099'].map((id) => makePackage({ id, name: `Media ${id}` })),
  );
  const cases: Array<{ typed: string; nearest: string[]; why: string }> = [
    { typed: 'PS10012', nearest: ['PS100012', 'PS100102', 'PS100120'], why: 'the issue: a digit missing; one edit from three ids' },
    { typed: 'ps1000l2', nearest: ['PS100012', 'PS1000A2'], why: 'the issue: a letter l for a one, in any case' },
    { typed: 'PS100210', nearest: ['PS100120'], why: 'two digits swapped count as one slip' },
    { typed: 'PS1000012', nearest: ['PS100012'], why: 'a digit too many' },
    { typed: 'PS10O0l3', nearest: ['PS100013'], why: 'two slips, when no id is one away' },
    { typed: 'XX9FFFFF', nearest: [], why: 'a well-formed id far from every real one' },
  ];
  for (const { typed, nearest, why } of cases) {
    it(`offers ${nearest.join(', ') || 'nothing'} for ${typed}: ${why}`, () => {
      const found = site.find(typed);
      assert.equal(found.match, 'none');
      assert.deepEqual(found.match === 'none' && ids(found.nearest), nearest);
    });
  }

  it('tells ids from other words', () => {
    const table: Array<[string, boolean, string]> = [
      ['PS10012', true, 'a short id'],
      ['ps1000l2', true, 'a letter among the digits'],
      ['PS100012', true, 'a real id'],
      ['KB5083769', false, 'a KB number'],
      ['24H2', false, 'a release'],
      ['win10', false, 'a release word'],
      ['enterprise', false, 'a word'],
      ['PS1', false, 'a site code'],
    ];
    for (const [text, expected, why] of table) assert.equal(looksLikePackageId(text), expected, why);
  });

  it('answers a site of 500 packages in well under a millisecond a lookup', () => {
    const big = new PackageIndex(Array.from({ length: 500 }, (_, i) => makePackage({ id: `PS1${i.toString(16).toUpperCase().padStart(5, '0')}`, name: `M ${i}` })));
    const started = process.hrtime.bigint();
    for (let i = 0; i < 100; i++) big.find('PS1001F');
    const perLookupMs = Number(process.hrtime.bigint() - started) / 1e6 / 100;
    assert.ok(perLookupMs < 5, `${perLookupMs.toFixed(3)} ms a lookup`);
  });
});

describe('PackageIndex.named', () => {
  it('finds a package by its whole name or id only, not by a part of it', () => {
    assert.deepEqual(ids(index.named('windows 11 24h2 enterprise x64')), ['PS100012']);
    assert.deepEqual(ids(index.named('ps100018')), ['PS100018']);
    assert.deepEqual(index.named('24H2 Enterprise'), []);
  });
});
