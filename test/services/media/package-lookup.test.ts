import assert from 'node:assert/strict';
import { normalizeForMatch, PackageIndex } from '../../../src/services/media/package-lookup';
import { makePackage } from '../../support/media-fixtures';

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
