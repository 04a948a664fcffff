import assert from 'node:assert/strict';
import type { FreshnessVerdict, ProductLine, ReleaseData } from '../../../src/services/releases/freshness';
import { calendarMonthsBetween, judgeFreshness } from '../../../src/services/releases/freshness-verdict';
import { parseReleaseData } from '../../../src/services/releases/release-data-schema';
import { loadSnapshot } from '../../../src/services/releases/release-catalog';

const day = (text: string) => new Date(`${text}T00:00:00Z`);
const b = (build: number, revision: number) => ({ major: 10, minor: 0, build, revision });

/** A small, fixed data set so that each count below can be checked by eye. */
const data: ReleaseData = parseReleaseData(
  {
    asOf: '2026-04-19',
    lines: [
      {
        release: 'Windows 11 24H2',
        product: 'client',
        build: 26100,
        updates: [
          { revision: 7623, kb: 'KB5074109', date: '2026-01-13' },
          { revision: 7628, kb: 'KB5078127', date: '2026-01-24', outOfBand: true },
          { revision: 7840, kb: 'KB5077181', date: '2026-02-10' },
          { revision: 8037, kb: 'KB5079473', date: '2026-03-10' },
          { revision: 8246, kb: 'KB5083769', date: '2026-04-14' },
        ],
      },
      {
        release: 'Windows 11 25H2',
        product: 'client',
        build: 26200,
        updates: [
          { revision: 8037, kb: 'KB5079473', date: '2026-03-10' },
          { revision: 8246, kb: 'KB5083769', date: '2026-04-14' },
        ],
      },
      {
        release: 'Windows Server 2025',
        product: 'server',
        build: 26100,
        updates: [
          { revision: 32230, kb: 'KB5073379', date: '2026-01-13' },
          { revision: 32522, kb: 'KB5078740', date: '2026-03-10' },
        ],
      },
      {
        release: 'Windows 11 23H2',
        product: 'client',
        build: 22631,
        endOfServicing: '2026-11-10',
        updates: [{ revision: 6936, kb: 'KB5082052', date: '2026-04-14' }],
      },
      {
        release: 'Windows 10 22H2',
        product: 'client',
        build: 19045,
        endOfServicing: '2025-10-14',
        supportNote: 'Extended Security Updates only',
        updates: [{ revision: 7184, kb: 'KB5082200', date: '2026-04-14' }],
      },
    ],
  },
  'snapshot',
);
const soonAfter = day('2026-04-20');
const latest24H2 = { revision: 8246, kb: 'KB5083769', date: day('2026-04-14') };

describe('judgeFreshness', () => {
  const cases: { why: string; release?: string; product?: ProductLine; build?: [number, number]; now?: Date; verdict: FreshnessVerdict }[] = [
    { why: 'calls media at the latest revision current', release: 'Windows 11 24H2', product: 'client', build: [26100, 8246], verdict: { state: 'current', release: 'Windows 11 24H2', latest: latest24H2 } },
    { why: 'calls media newer than the data current', release: 'Windows 11 24H2', product: 'client', build: [26100, 8300], verdict: { state: 'current', release: 'Windows 11 24H2', latest: latest24H2 } },
    { why: 'counts one revision and one month behind', release: 'Windows 11 24H2', product: 'client', build: [26100, 8037], verdict: { state: 'behind', release: 'Windows 11 24H2', latest: latest24H2, revisionsBehind: 1, monthsBehind: 1 } },
    { why: 'counts out-of-band updates among the revisions missed', release: 'Windows 11 24H2', product: 'client', build: [26100, 7623], verdict: { state: 'behind', release: 'Windows 11 24H2', latest: latest24H2, revisionsBehind: 4, monthsBehind: 3 } },
    { why: 'counts months from the media\'s own out-of-band update', release: 'Windows 11 24H2', product: 'client', build: [26100, 7628], verdict: { state: 'behind', release: 'Windows 11 24H2', latest: latest24H2, revisionsBehind: 3, monthsBehind: 3 } },
    { why: 'counts months from the newest known update a revision between updates contains', release: 'Windows 11 24H2', product: 'client', build: [26100, 7700], verdict: { state: 'behind', release: 'Windows 11 24H2', latest: latest24H2, revisionsBehind: 3, monthsBehind: 3 } },
    { why: 'counts a month more than the first missed update for media older than all data', release: 'Windows 11 24H2', product: 'client', build: [26100, 6584], verdict: { state: 'behind', release: 'Windows 11 24H2', latest: latest24H2, revisionsBehind: 5, monthsBehind: 4 } },
    { why: 'judges 25H2 media that reads 26100 on the 25H2 line by its shared revision', release: 'Windows 11 25H2', product: 'client', build: [26100, 8037], verdict: { state: 'behind', release: 'Windows 11 25H2', latest: latest24H2, revisionsBehind: 1, monthsBehind: 1 } },
    { why: 'keeps Server 2025 on its own revision line although it shares 26100', release: 'Windows Server 2025', product: 'server', build: [26100, 32522], verdict: { state: 'current', release: 'Windows Server 2025', latest: { revision: 32522, kb: 'KB5078740', date: day('2026-03-10') } } },
    { why: 'judges Server 2025 behind on its own line', release: 'Windows Server 2025', product: 'server', build: [26100, 32230], verdict: { state: 'behind', release: 'Windows Server 2025', latest: { revision: 32522, kb: 'KB5078740', date: day('2026-03-10') }, revisionsBehind: 1, monthsBehind: 2 } },
    { why: 'does not judge a client release against a server line', release: 'Windows Server 2025', product: 'client', build: [26100, 8246], verdict: { state: 'unknown', reason: 'the release data has no Windows Server 2025 line' } },
    { why: 'calls 23H2 out of support after 2026-11-10', release: 'Windows 11 23H2', product: 'client', build: [22621, 6936], now: day('2026-11-25'), verdict: { state: 'out-of-support', release: 'Windows 11 23H2', endedOn: day('2026-11-10'), latest: { revision: 6936, kb: 'KB5082052', date: day('2026-04-14') } } },
    { why: 'judges 23H2 by revision while it is serviced', release: 'Windows 11 23H2', product: 'client', build: [22621, 6936], now: day('2026-11-09'), verdict: { state: 'current', release: 'Windows 11 23H2', latest: { revision: 6936, kb: 'KB5082052', date: day('2026-04-14') } } },
    { why: 'calls Windows 10 22H2 out of support even at the latest ESU revision', release: 'Windows 10 22H2', build: [19041, 7184], verdict: { state: 'out-of-support', release: 'Windows 10 22H2', endedOn: day('2025-10-14'), latest: { revision: 7184, kb: 'KB5082200', date: day('2026-04-14') } } },
    { why: 'finds the line without a product and ignores case', release: 'windows 11 24h2', build: [26100, 8246], verdict: { state: 'current', release: 'Windows 11 24H2', latest: latest24H2 } },
    { why: 'says unknown without a release', build: [26100, 8246], verdict: { state: 'unknown', reason: 'the release of this media is not known' } },
    { why: 'says unknown for a release not in the data', release: 'Windows 11 26H1', product: 'client', build: [28000, 1719], verdict: { state: 'unknown', reason: 'the release data has no Windows 11 26H1 line' } },
    { why: 'says unknown without a build', release: 'Windows 11 24H2', product: 'client', verdict: { state: 'unknown', reason: 'the build and revision of this media are not known' } },
  ];
  for (const { why, release, product, build, now, verdict } of cases) {
    it(why, () => {
      const freshness = judgeFreshness({ release, product, build: build && b(...build) }, data, now ?? soonAfter);
      assert.deepEqual(freshness.verdict, verdict);
      assert.deepEqual(freshness.asOf, day('2026-04-19'));
    });
  }

  const ageCases: { days: number; warning?: string }[] = [
    { days: 0 },
    { days: 44 },
    { days: 45 },
    { days: 46, warning: 'Release data is 46 days old (as of 2026-04-19); set RELEASES_FEED_URL to a maintained feed or update the bot.' },
    { days: 220, warning: 'Release data is 220 days old (as of 2026-04-19); set RELEASES_FEED_URL to a maintained feed or update the bot.' },
  ];
  for (const { days, warning } of ageCases) {
    it(`${warning ? 'warns' : 'does not warn'} when the release data is ${days} days old`, () => {
      const now = new Date(day('2026-04-19').getTime() + days * 86_400_000 + 3_600_000);
      const freshness = judgeFreshness({ release: 'Windows 11 24H2', product: 'client', build: b(26100, 8246) }, data, now);
      assert.equal(freshness.dataWarning, warning);
    });
  }

  it('warns on unknown verdicts too, since the warning is about the data', () => {
    const freshness = judgeFreshness({}, data, day('2026-11-25'));
    assert.equal(freshness.verdict.state, 'unknown');
    assert.match(freshness.dataWarning ?? '', /^Release data is 220 days old/);
  });

  it('judges against the bundled snapshot: 24H2 and Server 2025 on separate lines', () => {
    const snapshot = loadSnapshot();
    const latest24H2 = snapshot.lines.find((line) => line.release === 'Windows 11 24H2')!.updates.at(-1)!.revision;
    const client = judgeFreshness({ release: 'Windows 11 24H2', product: 'client', build: b(26100, latest24H2) }, snapshot, soonAfter);
    const server = judgeFreshness({ release: 'Windows Server 2025', product: 'server', build: b(26100, latest24H2) }, snapshot, soonAfter);
    assert.equal(client.verdict.state, 'current');
    assert.equal(server.verdict.state, 'behind');
  });
});

describe('calendarMonthsBetween', () => {
  const cases: [string, string, number][] = [
    ['2026-04-14', '2026-04-19', 0],
    ['2026-03-31', '2026-04-01', 1],
    ['2025-09-09', '2026-04-14', 7],
    ['2026-04-14', '2026-03-10', 0],
  ];
  for (const [from, to, months] of cases) {
    it(`counts ${months} calendar months from ${from} to ${to}`, () => {
      assert.equal(calendarMonthsBetween(day(from), day(to)), months);
    });
  }
});
