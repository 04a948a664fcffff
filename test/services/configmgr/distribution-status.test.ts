import assert from 'node:assert/strict';
import {
  hostFromNalPath,
  readDistributionRow,
  summarizeDistribution,
  type DistributionPoint,
  type DistributionSummary,
} from '../../../src/services/configmgr/distribution-status';

const NAL = (host: string): string => `["Display=\\\\${host}\\"]MSWNET:["SMS_SITE=PS1"]\\\\${host}\\`;

function dp(server: string, state: number, sourceVersion: number): DistributionPoint {
  return { server, siteCode: 'PS1', state, stateName: '', sourceVersion };
}

describe('distribution status', () => {
  describe('hostFromNalPath', () => {
    const cases: Array<[string, string, string | undefined]> = [
      ['the Display part of a full NAL path', NAL('DP01.contoso.com'), 'DP01.contoso.com'],
      ['the last \\\\host\\ when there is no Display part', 'MSWNET:["SMS_SITE=PS1"]\\\\DP02.contoso.com\\', 'DP02.contoso.com'],
      ['a NetBIOS name', NAL('DP03'), 'DP03'],
      ['no host at all', 'MSWNET:["SMS_SITE=PS1"]', undefined],
      ['a host with characters no DNS name has', '["Display=\\\\<script>\\"]', undefined],
    ];
    for (const [why, nal, host] of cases) {
      it(`reads ${why}`, () => assert.equal(hostFromNalPath(nal), host));
    }
  });

  describe('readDistributionRow', () => {
    it('reads a full row, with dates and the state name', () => {
      const reading = readDistributionRow({
        PackageID: 'PS100012',
        ServerNALPath: NAL('DP01.contoso.com'),
        SiteCode: 'ps1',
        State: 7,
        SourceVersion: '8',
        LastCopied: '2026-04-20T10:00:00Z',
        SummaryDate: '2026-04-20T10:05:00Z',
      });
      assert.deepEqual(reading, {
        ok: true,
        point: {
          server: 'DP01.contoso.com',
          siteCode: 'PS1',
          state: 7,
          stateName: 'content updating',
          sourceVersion: 8,
          lastCopied: new Date('2026-04-20T10:00:00Z'),
          summaryDate: new Date('2026-04-20T10:05:00Z'),
        },
      });
    });

    const bad: Array<[string, unknown, RegExp]> = [
      ['a row that is not an object', 'DP01', /not an object/],
      ['no ServerNALPath', { State: 0, SourceVersion: 1 }, /ServerNALPath missing/],
      ['a NAL path without a server', { ServerNALPath: 'MSWNET:', State: 0, SourceVersion: 1 }, /names no server/],
      ['a State that is text', { ServerNALPath: NAL('DP01'), State: 'installed', SourceVersion: 1 }, /State/],
      ['a negative SourceVersion', { ServerNALPath: NAL('DP01'), State: 0, SourceVersion: -1 }, /SourceVersion/],
      ['no SourceVersion', { ServerNALPath: NAL('DP01'), State: 0 }, /SourceVersion/],
    ];
    for (const [why, row, reason] of bad) {
      it(`skips ${why}`, () => {
        const reading = readDistributionRow(row);
        assert.equal(reading.ok, false);
        if (!reading.ok) assert.match(reading.reason, reason);
      });
    }

    it('leaves out a date or site code it cannot read, and names an unknown state', () => {
      const reading = readDistributionRow({ ServerNALPath: NAL('DP01'), State: 12, SourceVersion: 3, SiteCode: 'toolong', LastCopied: 'yesterday' });
      assert.ok(reading.ok);
      if (reading.ok) assert.deepEqual(reading.point, { server: 'DP01', siteCode: '', state: 12, stateName: 'unknown state 12', sourceVersion: 3 });
    });
  });

  describe('summarizeDistribution', () => {
    type Expected = Partial<DistributionSummary>;
    const cases: Array<{ why: string; points: DistributionPoint[]; target: number; unreadable?: number; expected: Expected }> = [
      {
        why: 'every DP installed at the target version is done',
        points: [dp('A', 0, 8), dp('B', 0, 8)],
        target: 8,
        expected: { total: 2, installed: 2, done: true, settled: true, failedServers: [] },
      },
      {
        why: 'a DP already at a newer version counts as installed',
        points: [dp('A', 0, 9)],
        target: 8,
        expected: { installed: 1, done: true },
      },
      {
        why: 'State 0 at the old version is waiting: DistMgr has not reached it yet',
        points: [dp('A', 0, 8), dp('B', 0, 7)],
        target: 8,
        expected: { installed: 1, waiting: 1, done: false, settled: false },
      },
      {
        why: 'pending, retrying, updating and monitoring are in progress',
        points: [dp('A', 1, 7), dp('B', 2, 7), dp('C', 7, 7), dp('D', 8, 8)],
        target: 8,
        expected: { inProgress: 4, done: false, settled: false },
      },
      {
        why: 'a state no document names is in progress, so the timeout decides, not a guess',
        points: [dp('A', 0, 8), dp('B', 42, 8)],
        target: 8,
        expected: { installed: 1, inProgress: 1, done: false },
      },
      {
        why: 'State 3 is failed and named; the rest installed makes it settled but not done',
        points: [dp('Z', 3, 7), dp('A', 0, 8), dp('B', 3, 7)],
        target: 8,
        expected: { installed: 1, failed: 2, failedServers: ['B', 'Z'], done: false, settled: true },
      },
      {
        why: 'DPs losing the package (4–6) neither block nor count',
        points: [dp('A', 0, 8), dp('B', 4, 7), dp('C', 6, 7)],
        target: 8,
        expected: { installed: 1, removing: 2, failed: 0, done: true },
      },
      {
        why: 'a package on no DP is never done: there is nothing to confirm',
        points: [],
        target: 8,
        expected: { total: 0, done: false, settled: true },
      },
      {
        why: 'only removals is not done either',
        points: [dp('A', 5, 7)],
        target: 8,
        expected: { removing: 1, done: false },
      },
      {
        why: 'a row the client could not read keeps it from done, though every readable DP is installed',
        points: [dp('A', 0, 8)],
        target: 8,
        unreadable: 1,
        expected: { installed: 1, unreadable: 1, done: false, settled: true },
      },
    ];
    for (const { why, points, target, unreadable, expected } of cases) {
      it(why, () => {
        const summary = summarizeDistribution(points, target, { unreadable });
        const picked = Object.fromEntries(Object.keys(expected).map((key) => [key, summary[key as keyof DistributionSummary]]));
        assert.deepEqual(picked, expected);
        assert.equal(summary.installed + summary.inProgress + summary.failed + summary.waiting + summary.removing, summary.total);
      });
    }
  });
});
