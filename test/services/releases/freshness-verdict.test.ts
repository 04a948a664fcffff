import assert from 'node:assert/strict';
import type { Freshness, FreshnessVerdict, ProductLine, ReleaseData } from '../../../src/services/releases/freshness';
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
        updates: [
          { revision: 6649, kb: 'KB5075941', date: '2026-02-10' },
          { revision: 6936, kb: 'KB5082052', date: '2026-04-14' },
        ],
      },
      {
        release: 'Windows 10 22H2',
        product: 'client',
        build: 19045,
        endOfServicing: '2025-10-14',
        supportNote: 'Extended Security Updates only',
        updates: [
          { revision: 6456, kb: 'KB5066791', date: '2025-10-14' },
          { revision: 6809, kb: 'KB5073724', date: '2026-01-13' },
          { revision: 6937, kb: 'KB5075912', date: '2026-02-10' },
          { revision: 7184, kb: 'KB5082200', date: '2026-04-14' },
        ],
      },
    ],
  },
  'snapshot',
);
const soonAfter = day('2026-04-20');
const latest24H2 = { revision: 8246, kb: 'KB5083769', date: day('2026-04-14') };

describe('judgeFreshness', () => {
  const latest23H2 = { revision: 6936, kb: 'KB5082052', date: day('2026-04-14') };
  const latestEsu = { revision: 7184, kb: 'KB5082200', date: day('2026-04-14') };
  const server2025 = { revision: 32522, kb: 'KB5078740', date: day('2026-03-10') };
  const current24H2 = { state: 'current', release: 'Windows 11 24H2', releaseBuild: 26100, latest: latest24H2 } as const;
  const cases: { why: string; release?: string; product?: ProductLine; build?: [number, number]; now?: Date; verdict: FreshnessVerdict }[] = [
    { why: 'calls media at the latest revision current', release: 'Windows 11 24H2', product: 'client', build: [26100, 8246], verdict: current24H2 },
    { why: 'calls media newer than the data current', release: 'Windows 11 24H2', product: 'client', build: [26100, 8300], verdict: current24H2 },
    { why: 'counts one revision and one month behind', release: 'Windows 11 24H2', product: 'client', build: [26100, 8037], verdict: { state: 'behind', release: 'Windows 11 24H2', releaseBuild: 26100, latest: latest24H2, revisionsBehind: 1, monthsBehind: 1 } },
    { why: 'counts out-of-band updates among the revisions missed', release: 'Windows 11 24H2', product: 'client', build: [26100, 7623], verdict: { state: 'behind', release: 'Windows 11 24H2', releaseBuild: 26100, latest: latest24H2, revisionsBehind: 4, monthsBehind: 3 } },
    { why: 'counts months from the media\'s own out-of-band update', release: 'Windows 11 24H2', product: 'client', build: [26100, 7628], verdict: { state: 'behind', release: 'Windows 11 24H2', releaseBuild: 26100, latest: latest24H2, revisionsBehind: 3, monthsBehind: 3 } },
    { why: 'counts months from the newest known update a revision between updates contains', release: 'Windows 11 24H2', product: 'client', build: [26100, 7700], verdict: { state: 'behind', release: 'Windows 11 24H2', releaseBuild: 26100, latest: latest24H2, revisionsBehind: 3, monthsBehind: 3 } },
    { why: 'counts a month more than the first missed update for media older than all data', release: 'Windows 11 24H2', product: 'client', build: [26100, 6584], verdict: { state: 'behind', release: 'Windows 11 24H2', releaseBuild: 26100, latest: latest24H2, revisionsBehind: 5, monthsBehind: 4 } },
    { why: 'judges 25H2 media that reads 26100 on the 25H2 line by its shared revision, and names the latest with 25H2\'s build', release: 'Windows 11 25H2', product: 'client', build: [26100, 8037], verdict: { state: 'behind', release: 'Windows 11 25H2', releaseBuild: 26200, latest: latest24H2, revisionsBehind: 1, monthsBehind: 1 } },
    { why: 'keeps Server 2025 on its own revision line although it shares 26100', release: 'Windows Server 2025', product: 'server', build: [26100, 32522], verdict: { state: 'current', release: 'Windows Server 2025', releaseBuild: 26100, latest: server2025 } },
    { why: 'judges Server 2025 behind on its own line', release: 'Windows Server 2025', product: 'server', build: [26100, 32230], verdict: { state: 'behind', release: 'Windows Server 2025', releaseBuild: 26100, latest: server2025, revisionsBehind: 1, monthsBehind: 2 } },
    { why: 'does not judge a client release against a server line', release: 'Windows Server 2025', product: 'client', build: [26100, 8246], verdict: { state: 'unknown', reason: 'the release data has no Windows Server 2025 line' } },
    { why: 'calls 23H2 at its last update out of support after 2026-11-10, with no updates after the end', release: 'Windows 11 23H2', product: 'client', build: [22621, 6936], now: day('2026-11-25'), verdict: { state: 'out-of-support', release: 'Windows 11 23H2', releaseBuild: 22631, endedOn: day('2026-11-10'), latest: latest23H2, revisionsBehind: 0, monthsBehind: 0, updatesAfterEnd: 0 } },
    { why: 'still counts how far out-of-support 23H2 media is behind its last update', release: 'Windows 11 23H2', product: 'client', build: [22621, 6649], now: day('2026-11-25'), verdict: { state: 'out-of-support', release: 'Windows 11 23H2', releaseBuild: 22631, endedOn: day('2026-11-10'), latest: latest23H2, revisionsBehind: 1, monthsBehind: 2, updatesAfterEnd: 0 } },
    { why: 'judges 23H2 by revision while it is serviced', release: 'Windows 11 23H2', product: 'client', build: [22621, 6936], now: day('2026-11-09'), verdict: { state: 'current', release: 'Windows 11 23H2', releaseBuild: 22631, latest: latest23H2 } },
    { why: 'compares Windows 10 22H2 with its ESU updates: behind, and the updates after the end counted', release: 'Windows 10 22H2', build: [19041, 6456], verdict: { state: 'out-of-support', release: 'Windows 10 22H2', releaseBuild: 19045, endedOn: day('2025-10-14'), latest: latestEsu, revisionsBehind: 3, monthsBehind: 6, updatesAfterEnd: 3 } },
    { why: 'calls Windows 10 22H2 at the latest ESU revision out of support, at the latest update', release: 'Windows 10 22H2', build: [19041, 7184], verdict: { state: 'out-of-support', release: 'Windows 10 22H2', releaseBuild: 19045, endedOn: day('2025-10-14'), latest: latestEsu, revisionsBehind: 0, monthsBehind: 0, updatesAfterEnd: 3 } },
    { why: 'names the latest ESU update of Windows 10 22H2 even when the media\'s revision is not known', release: 'Windows 10 22H2', verdict: { state: 'out-of-support', release: 'Windows 10 22H2', releaseBuild: 19045, endedOn: day('2025-10-14'), latest: latestEsu, updatesAfterEnd: 3 } },
    { why: 'keeps Windows 10 22H2 serviced until its last day ends in Pacific time (05:00 UTC the next day)', release: 'Windows 10 22H2', build: [19041, 6456], now: new Date('2025-10-15T05:00:00Z'), verdict: { state: 'behind', release: 'Windows 10 22H2', releaseBuild: 19045, latest: latestEsu, revisionsBehind: 3, monthsBehind: 6 } },
    { why: 'finds the line without a product and ignores case', release: 'windows 11 24h2', build: [26100, 8246], verdict: current24H2 },
    { why: 'says unknown without a release', build: [26100, 8246], verdict: { state: 'unknown', reason: 'the release of this media is not known' } },
    { why: 'says unknown for a release not in the data', release: 'Windows 11 26H1', product: 'client', build: [28000, 1719], verdict: { state: 'unknown', reason: 'the release data has no Windows 11 26H1 line' } },
    { why: 'says unknown without a build', release: 'Windows 11 24H2', product: 'client', verdict: { state: 'unknown', reason: 'the build and revision of this media are not known' } },
  ];
  for (const { why, release, product, build, now, verdict } of cases) {
    it(why, () => {
      const freshness = judgeFreshness({ release, product, shareBuild: build && b(...build) }, data, now ?? soonAfter);
      assert.deepEqual(freshness.verdict, verdict);
      assert.deepEqual(freshness.asOf, day('2026-04-19'));
    });
  }

  describe('judges every build that is known and says which one each verdict judged', () => {
    const behind24H2 = (revisionsBehind: number, monthsBehind: number): FreshnessVerdict => ({
      state: 'behind',
      release: 'Windows 11 24H2',
      releaseBuild: 26100,
      latest: latest24H2,
      revisionsBehind,
      monthsBehind,
    });
    const buildCases: {
      why: string;
      release?: string;
      share?: [number, number];
      configMgr?: [number, number];
      expected: Pick<Freshness, 'verdict' | 'judged' | 'configMgr'>;
    }[] = [
      { why: 'judges the install image on the share when only it is known', share: [26100, 8246], expected: { verdict: current24H2, judged: { source: 'share', build: b(26100, 8246) } } },
      { why: "judges ConfigMgr's build when the share was not read", configMgr: [26100, 8037], expected: { verdict: behind24H2(1, 1), judged: { source: 'configmgr', build: b(26100, 8037) } } },
      { why: 'says one verdict when both sides hold the same build', share: [26100, 8246], configMgr: [26100, 8246], expected: { verdict: current24H2, judged: { source: 'share', build: b(26100, 8246) } } },
      { why: 'takes 19041 in the WIM and 19045 in ConfigMgr at one revision for the same media', release: 'Windows 10 22H2', share: [19041, 7184], configMgr: [19045, 7184], expected: { verdict: { state: 'out-of-support', release: 'Windows 10 22H2', releaseBuild: 19045, endedOn: day('2025-10-14'), latest: { revision: 7184, kb: 'KB5082200', date: day('2026-04-14') }, revisionsBehind: 0, monthsBehind: 0, updatesAfterEnd: 3 }, judged: { source: 'share', build: b(19041, 7184) } } },
      { why: 'judges ConfigMgr too when the files were serviced and image properties not reloaded', share: [26100, 8246], configMgr: [26100, 7623], expected: { verdict: current24H2, judged: { source: 'share', build: b(26100, 8246) }, configMgr: { build: b(26100, 7623), verdict: behind24H2(4, 3), files: 'newer' } } },
      { why: 'judges ConfigMgr too when older media went back to the share', share: [26100, 7623], configMgr: [26100, 8246], expected: { verdict: behind24H2(4, 3), judged: { source: 'share', build: b(26100, 7623) }, configMgr: { build: b(26100, 8246), verdict: current24H2, files: 'older' } } },
      { why: 'judges nothing when neither side knows a build', expected: { verdict: { state: 'unknown', reason: 'the build and revision of this media are not known' } } },
    ];
    for (const { why, release, share, configMgr, expected } of buildCases) {
      it(why, () => {
        const freshness = judgeFreshness(
          { release: release ?? 'Windows 11 24H2', product: 'client', shareBuild: share && b(...share), configMgrBuild: configMgr && b(...configMgr) },
          data,
          soonAfter,
        );
        const { asOf: _asOf, dataWarning: _warning, ...judgement } = freshness;
        assert.deepEqual(judgement, expected);
      });
    }
  });

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
      const freshness = judgeFreshness({ release: 'Windows 11 24H2', product: 'client', shareBuild: b(26100, 8246) }, data, now);
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
    const client = judgeFreshness({ release: 'Windows 11 24H2', product: 'client', shareBuild: b(26100, latest24H2) }, snapshot, soonAfter);
    const server = judgeFreshness({ release: 'Windows Server 2025', product: 'server', shareBuild: b(26100, latest24H2) }, snapshot, soonAfter);
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

describe('judgeFreshness on a line the site catalog confirmed', () => {
  const confirmed: ReleaseData = {
    ...data,
    lines: data.lines.map((line) => (line.release === 'Windows 11 24H2' ? { ...line, asOf: day('2026-09-15') } : line)),
  };
  const input = { release: 'Windows 11 24H2', product: 'client' as ProductLine, shareBuild: b(26100, 8246) };

  it('is as of the catalog reading and carries no old-data warning while the catalog is recent', () => {
    const freshness = judgeFreshness(input, confirmed, day('2026-09-20'));
    assert.equal(freshness.asOf.toISOString(), '2026-09-15T00:00:00.000Z');
    assert.equal(freshness.dataWarning, undefined);
  });

  it('keeps the data date (and its warning) for a line the catalog did not confirm', () => {
    const freshness = judgeFreshness({ ...input, release: 'Windows 11 25H2', shareBuild: b(26200, 8246) }, confirmed, day('2026-09-20'));
    assert.equal(freshness.asOf.toISOString(), '2026-04-19T00:00:00.000Z');
    assert.match(freshness.dataWarning ?? '', /days old/);
  });
});
