import assert from 'node:assert/strict';
import type { CardContext } from '../../src/cards/kit/adaptive-card';
import { statusCard } from '../../src/cards/media/status-card';
import type { SiteCatalogStatus } from '../../src/services/releases/release-catalog';
import type { SiteStatus } from '../../src/services/site-status';
import { assertValidCard, cardTexts } from '../support/assert-valid-card';
import { displayed } from '../support/displayed-text';

const noWindowsUpdates = (rowsRead: number): Reading => {
  const { newest: _newest, ...rest } = used({ lines: [], rowsRead });
  return { ...rest, state: 'no windows updates' };
};
const day = (text: string) => new Date(`${text}T00:00:00Z`);
const context: CardContext = { demo: false, syncedAt: new Date('2026-12-03T10:42:00Z') };
const readAt = new Date('2026-12-03T10:42:00Z');

function status(siteCatalog: SiteCatalogStatus | undefined, source: 'snapshot' | 'feed' = 'snapshot'): SiteStatus {
  return {
    demo: false,
    adminServiceUrl: 'https://cm01.contoso.com/AdminService',
    configMgrReachable: true,
    lastSyncAttemptAt: readAt,
    lastSuccessfulSyncAt: readAt,
    lastSyncDurationMs: 1200,
    packageCounts: { upgrade: 3, image: 2 },
    syncIntervalMinutes: 15,
    releaseData: { source, asOf: day('2026-04-19'), ...(siteCatalog ? { siteCatalog } : {}) },
  };
}

type Reading = Extract<SiteCatalogStatus, { readAt: Date }>;
const used = (overrides: Partial<Reading> = {}): Reading => ({
  state: 'used',
  readAt,
  lines: ['Windows 11 24H2', 'Windows 11 25H2'],
  newest: { release: 'Windows 11 24H2', kb: 'KB5129195', date: day('2026-09-14') },
  rowsRead: 13,
  rejectedRows: 0,
  unnumbered: [],
  truncated: false,
  titleFilterRefused: false,
  ...overrides,
});

function siteCatalogFact(card: unknown): string | undefined {
  const texts = cardTexts(card).map(displayed);
  const at = texts.indexOf('Site update catalog');
  return at === -1 ? undefined : texts[at + 1];
}

describe('the status card shows the site update catalog', () => {
  const cases: Array<{ why: string; catalog: SiteCatalogStatus | undefined; source?: 'snapshot' | 'feed'; says: RegExp | undefined }> = [
    { why: 'the lines it fed and the newest update it gave', catalog: used(), says: /^2 Windows lines \(Windows 11 24H2, Windows 11 25H2\), newest KB5129195 of 2026-09-14 \(Windows 11 24H2\); read .*; other lines from the bundled snapshot as of 2026-04-19\.$/ },
    { why: 'a site that syncs no Windows cumulative updates, and what is used instead', catalog: noWindowsUpdates(2), says: /^The site syncs no Windows cumulative updates \(2 updates read .*\); using the bundled snapshot as of 2026-04-19\.$/ },
    { why: 'the feed when it is the data in use', catalog: noWindowsUpdates(0), source: 'feed', says: /using the release feed as of 2026-04-19/ },
    { why: 'a read that failed', catalog: { state: 'failed', lastError: 'ConfigMgr did not answer the update query', failedAt: readAt }, says: /^Could not be read \(ConfigMgr did not answer the update query\); using the bundled snapshot as of 2026-04-19\.$/ },
    { why: 'a catalog not read yet', catalog: { state: 'not read' }, says: /^Not read yet/ },
    { why: 'an update it could not number', catalog: used({ unnumbered: [{ release: 'Windows 10 22H2', kb: 'KB5122878', date: day('2026-09-08') }] }), says: /Not used for want of a build number in its title or the release data: KB5122878 of 2026-09-08 \(Windows 10 22H2\)\./ },
    { why: 'rows left out, a partial read, a refused filter and a failure after a good read', catalog: used({ rejectedRows: 3, truncated: true, titleFilterRefused: true, lastError: 'ConfigMgr did not answer the update query' }), says: /3 rows could not be trusted.*more updates than the bot reads.*refused the title filter.*The last read failed \(ConfigMgr did not answer the update query\); this is the reading before it\./ },
    { why: 'nothing when the bot reads no site catalog', catalog: undefined, says: undefined },
  ];
  for (const { why, catalog, source, says } of cases) {
    it(`says ${why}`, () => {
      const card = statusCard(status(catalog, source), context);
      assertValidCard(card);
      const fact = siteCatalogFact(card);
      if (says === undefined) assert.equal(fact, undefined);
      else assert.match(fact ?? '(no Site update catalog fact)', says);
    });
  }
});

describe('the reading time of the site update catalog', () => {
  it('reaches Teams as a DATE()/TIME() token, so that the reader sees it in their own time zone', () => {
    const card = statusCard(status(used()), context);
    const raw = cardTexts(card).find((text) => text.includes('Windows lines')) ?? '';
    assert.match(raw, /read \{\{DATE\(2026-12-03T10:42:00Z, SHORT\)\}\} \{\{TIME\(2026-12-03T10:42:00Z\)\}\}/);
  });

  it("still escapes the site's own words in an error", () => {
    const card = statusCard(status({ state: 'failed', lastError: 'bad *bold* [x](http://evil.example)', failedAt: readAt }), context);
    const raw = cardTexts(card).find((text) => text.startsWith('Could not be read')) ?? '';
    assert.ok(!raw.includes('*bold*'), raw);
  });
});
