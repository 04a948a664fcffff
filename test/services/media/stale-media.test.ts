import assert from 'node:assert/strict';
import type { Finding } from '../../../src/services/media/media-inspection';
import type { MediaPackage } from '../../../src/services/media/media-package';
import { isOutOfSupport, needsAttention, staleMedia } from '../../../src/services/media/stale-media';
import type { Freshness, FreshnessVerdict } from '../../../src/services/releases/freshness';
import { makePackage } from '../../support/media-fixtures';

const asOf = new Date('2026-04-19T00:00:00Z');
const latest = { revision: 8246, kb: 'KB5083769', date: new Date('2026-04-14T00:00:00Z') };

function freshness(verdict: FreshnessVerdict): Freshness {
  return { verdict, asOf };
}
function finding(severity: Finding['severity']): Finding {
  return { kind: severity === 'error' ? 'unreadable-install-image' : 'autorun-inf', severity, message: `${severity} finding.` };
}
function pkg(id: string, overrides: Partial<MediaPackage>): MediaPackage {
  return makePackage({ id, name: `Package ${id}`, ...overrides });
}

describe('staleMedia', () => {
  const current = pkg('PS100001', { freshness: freshness({ state: 'current', release: 'Windows 11 24H2', releaseBuild: 26100, latest }) });
  const unknown = pkg('PS100002', { freshness: freshness({ state: 'unknown', reason: 'The build is not known.' }) });
  const oneBehind = pkg('PS100003', {
    freshness: freshness({ state: 'behind', release: 'Windows 11 24H2', releaseBuild: 26100, latest, revisionsBehind: 1, monthsBehind: 1 }),
  });
  const fiveBehind = pkg('PS100004', {
    freshness: freshness({ state: 'behind', release: 'Windows 11 24H2', releaseBuild: 26100, latest, revisionsBehind: 5, monthsBehind: 5 }),
  });
  const outOfSupport = pkg('PS100005', {
    freshness: freshness({ state: 'out-of-support', release: 'Windows 11 23H2', releaseBuild: 22631, endedOn: new Date('2026-11-10T00:00:00Z'), updatesAfterEnd: 0 }),
  });
  const brokenFile = pkg('PS100006', { findings: [finding('error')] });
  const leftover = pkg('PS100007', { findings: [finding('warning')] });
  const onlyInfo = pkg('PS100008', { findings: [finding('info')] });

  it('keeps current, unknown and info-only packages out', () => {
    for (const clean of [current, unknown, onlyInfo]) assert.equal(needsAttention(clean), false, clean.id);
  });

  it('orders out of support, then errors on the share, then most behind, then warnings', () => {
    const ranked = staleMedia([current, leftover, oneBehind, brokenFile, unknown, fiveBehind, onlyInfo, outOfSupport]);
    assert.deepEqual(
      ranked.map((p) => p.id),
      ['PS100005', 'PS100006', 'PS100004', 'PS100003', 'PS100007'],
    );
  });

  it('keeps inventory order between equals, and answers nothing for a clean site', () => {
    const twin = pkg('PS100009', { findings: [finding('warning')] });
    assert.deepEqual(staleMedia([twin, leftover]).map((p) => p.id), ['PS100009', 'PS100007']);
    assert.deepEqual(staleMedia([current, unknown]), []);
  });
});

describe('isOutOfSupport', () => {
  it('is true only for media whose release is past its end of servicing', () => {
    const table: Array<[FreshnessVerdict | undefined, boolean, string]> = [
      [{ state: 'out-of-support', release: 'Windows 10 22H2', releaseBuild: 19045, endedOn: new Date('2025-10-14T00:00:00Z'), updatesAfterEnd: 0 }, true, 'servicing ended'],
      [{ state: 'out-of-support', release: 'Windows 10 22H2', releaseBuild: 19045, endedOn: new Date('2025-10-14T00:00:00Z'), latest, revisionsBehind: 3, monthsBehind: 4, updatesAfterEnd: 3 }, true, 'servicing ended, updates only under ESU'],
      [{ state: 'behind', release: 'Windows 11 24H2', releaseBuild: 26100, latest, revisionsBehind: 5, monthsBehind: 5 }, false, 'behind, but in support'],
      [{ state: 'current', release: 'Windows 11 24H2', releaseBuild: 26100, latest }, false, 'current'],
      [{ state: 'unknown', reason: 'no release data' }, false, 'not known is not out of support'],
      [undefined, false, 'no verdict yet'],
    ];
    for (const [verdict, expected, why] of table) {
      assert.equal(isOutOfSupport(pkg('PS100001', verdict ? { freshness: freshness(verdict) } : {})), expected, why);
    }
  });
});
