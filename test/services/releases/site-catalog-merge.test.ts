import assert from 'node:assert/strict';
import { catalogLineNamed, type CatalogLine } from '../../../src/services/releases/catalog-lines';
import type { ReleaseData } from '../../../src/services/releases/freshness';
import { mergeSiteCatalog } from '../../../src/services/releases/site-catalog-merge';
import type { CatalogUpdate } from '../../../src/services/releases/site-update-catalog';

const day = (text: string) => new Date(`${text}T00:00:00Z`);
const line = (titled: string): CatalogLine => catalogLineNamed(titled)!;
const readAt = new Date('2026-12-03T10:00:00Z');

function base(source: ReleaseData['source'] = 'snapshot'): ReleaseData {
  return {
    asOf: day('2026-04-19'),
    source,
    lines: [
      {
        release: 'Windows 11 24H2',
        product: 'client',
        build: 26100,
        updates: [
          { revision: 8037, kb: 'KB5079473', date: day('2026-03-10'), from: source },
          { revision: 8117, kb: 'KB5086672', date: day('2026-03-31'), outOfBand: true, from: source, citation: 'https://support.microsoft.com/help/5086672' },
          { revision: 8246, kb: 'KB5083769', date: day('2026-04-14'), from: source },
        ],
      },
      { release: 'Windows 11 25H2', product: 'client', build: 26200, updates: [{ revision: 8246, kb: 'KB5083769', date: day('2026-04-14'), from: source }] },
      { release: 'Windows Server 2025', product: 'server', build: 26100, updates: [{ revision: 32690, kb: 'KB5082063', date: day('2026-04-14'), from: source }] },
    ],
  };
}

function update(titled: string, kb: string, date: string, revision?: number, extra: Partial<CatalogUpdate> = {}): CatalogUpdate {
  return { line: line(titled), kb, date: day(date), ...(revision === undefined ? {} : { revision }), superseded: false, outOfBand: false, titleSaysOutOfBand: false, ...extra };
}

const latestOf = (data: ReleaseData, release: string) => data.lines.find((entry) => entry.release === release)!.updates.at(-1)!;

describe('mergeSiteCatalog', () => {
  const cases: Array<{ why: string; base: ReleaseData; updates: CatalogUpdate[]; release: string; latest: { revision: number; kb: string; from: string } }> = [
    {
      why: 'a newer catalog update with the build in its title wins over the snapshot',
      base: base(),
      updates: [update('Windows 11 24H2', 'KB5089549', '2026-05-12', 8457)],
      release: 'Windows 11 24H2',
      latest: { revision: 8457, kb: 'KB5089549', from: 'site catalog' },
    },
    {
      why: 'a newer catalog update wins over the feed too',
      base: base('feed'),
      updates: [update('Windows 11 24H2', 'KB5089549', '2026-05-12', 8457)],
      release: 'Windows 11 24H2',
      latest: { revision: 8457, kb: 'KB5089549', from: 'site catalog' },
    },
    {
      why: 'an older catalog update leaves the newer feed update the latest',
      base: base('feed'),
      updates: [update('Windows 11 24H2', 'KB5079473', '2026-03-10', 8037)],
      release: 'Windows 11 24H2',
      latest: { revision: 8246, kb: 'KB5083769', from: 'feed' },
    },
    {
      why: 'a catalog KB without a build takes its revision from the snapshot by KB, and the site catalog confirms it',
      base: base(),
      updates: [update('Windows 11 24H2', 'KB5083769', '2026-04-14')],
      release: 'Windows 11 24H2',
      latest: { revision: 8246, kb: 'KB5083769', from: 'site catalog' },
    },
    {
      why: "25H2's KB without a build is numbered from 24H2's entry of the same KB (one servicing branch)",
      base: { ...base(), lines: base().lines.map((entry) => (entry.release === 'Windows 11 25H2' ? { ...entry, updates: [] } : entry)) },
      updates: [update('Windows 11 25H2', 'KB5086672', '2026-03-31')],
      release: 'Windows 11 25H2',
      latest: { revision: 8117, kb: 'KB5086672', from: 'site catalog' },
    },
    {
      why: 'a catalog KB without a build nor a known KB is not used: the snapshot stays the latest',
      base: base(),
      updates: [update('Windows 11 24H2', 'KB5099999', '2026-05-12')],
      release: 'Windows 11 24H2',
      latest: { revision: 8246, kb: 'KB5083769', from: 'snapshot' },
    },
    {
      why: "a client KB is never numbered from Server 2025's line",
      base: base(),
      updates: [update('Windows 11 24H2', 'KB5082063', '2026-04-14')],
      release: 'Windows 11 24H2',
      latest: { revision: 8246, kb: 'KB5083769', from: 'snapshot' },
    },
  ];
  for (const { why, base: data, updates, release, latest } of cases) {
    it(why, () => {
      const merged = mergeSiteCatalog(data, updates, readAt).data;
      const found = latestOf(merged, release);
      assert.deepEqual({ revision: found.revision, kb: found.kb, from: found.from }, latest);
    });
  }

  it('keeps the snapshot\'s citation, out-of-band flag and release date for a KB both list', () => {
    const merged = mergeSiteCatalog(base(), [update('Windows 11 24H2', 'KB5086672', '2026-04-02', 8117)], readAt).data;
    const entry = merged.lines[0].updates.find((known) => known.kb === 'KB5086672')!;
    assert.equal(entry.from, 'site catalog');
    assert.equal(entry.outOfBand, true);
    assert.equal(entry.citation, 'https://support.microsoft.com/help/5086672');
    assert.equal(entry.date.toISOString().slice(0, 10), '2026-03-31');
  });

  it('keeps every line sorted oldest revision first, each revision once', () => {
    const merged = mergeSiteCatalog(base(), [update('Windows 11 24H2', 'KB5089549', '2026-05-12', 8457), update('Windows 11 24H2', 'KB5079473', '2026-03-10', 8037)], readAt).data;
    const revisions = merged.lines[0].updates.map((entry) => entry.revision);
    assert.deepEqual(revisions, [8037, 8117, 8246, 8457]);
  });

  it('feeds LTSC 2024 from 24H2 only when the release data has that line', () => {
    const withLtsc: ReleaseData = { ...base(), lines: [...base().lines, { release: 'Windows 11 Enterprise LTSC 2024', product: 'client', build: 26100, updates: [] }] };
    const outcome = mergeSiteCatalog(withLtsc, [update('Windows 11 24H2', 'KB5089549', '2026-05-12', 8457)], readAt);
    assert.deepEqual(outcome.linesFed, ['Windows 11 24H2', 'Windows 11 Enterprise LTSC 2024']);
    const without = mergeSiteCatalog(base(), [update('Windows 11 24H2', 'KB5089549', '2026-05-12', 8457)], readAt);
    assert.equal(without.data.lines.some((entry) => entry.release.includes('LTSC')), false);
  });

  it('makes the line of a catalog update the release data does not carry yet', () => {
    const outcome = mergeSiteCatalog(base(), [update('Windows Server 23H2', 'KB5087541', '2026-05-12', 2330)], readAt);
    const made = outcome.data.lines.find((entry) => entry.release === 'Windows Server 23H2')!;
    assert.deepEqual({ product: made.product, build: made.build, revision: made.updates[0].revision }, { product: 'server', build: 25398, revision: 2330 });
  });

  it('names the newest update used, the lines fed, and the newer updates it could not number', () => {
    const outcome = mergeSiteCatalog(
      base(),
      [update('Windows 11 24H2', 'KB5089549', '2026-05-12', 8457), update('Windows 11 25H2', 'KB5094126', '2026-06-09'), update('Windows 11 24H2', 'KB5079473', '2026-03-10')],
      readAt,
    );
    assert.deepEqual(outcome.newest, { release: 'Windows 11 24H2', kb: 'KB5089549', date: day('2026-05-12') });
    assert.deepEqual(outcome.linesFed, ['Windows 11 24H2']);
    assert.deepEqual(outcome.unnumbered, [{ release: 'Windows 11 25H2', kb: 'KB5094126', date: day('2026-06-09') }]);
  });

  it('marks the lines the site catalog fed with the time it was read, and leaves the others alone', () => {
    const merged = mergeSiteCatalog(base(), [update('Windows 11 24H2', 'KB5089549', '2026-05-12', 8457)], readAt).data;
    assert.equal(merged.lines[0].asOf, readAt);
    assert.equal(merged.lines[2].asOf, undefined);
    assert.equal(merged.asOf.toISOString().slice(0, 10), '2026-04-19');
  });

  it('does not call a line fresh when the catalog only holds older updates than the other sources', () => {
    const merged = mergeSiteCatalog(base(), [update('Windows 11 24H2', 'KB5079473', '2026-03-10', 8037)], readAt).data;
    assert.equal(merged.lines[0].updates.at(-1)?.from, 'snapshot', 'the newest is still the snapshot\'s');
    assert.equal(merged.lines[0].asOf, undefined);
  });

  it('leaves the release data it was given unchanged', () => {
    const data = base();
    mergeSiteCatalog(data, [update('Windows 11 24H2', 'KB5089549', '2026-05-12', 8457)], readAt);
    assert.equal(data.lines[0].updates.length, 3);
  });
});
