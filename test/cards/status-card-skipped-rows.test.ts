import assert from 'node:assert/strict';
import { statusCard } from '../../src/cards/media/status-card';
import type { SkippedPackageRow } from '../../src/services/media/inventory';
import type { SiteStatus } from '../../src/services/site-status';
import { assertValidCard, cardTexts } from '../support/assert-valid-card';

function status(examples: SkippedPackageRow[], count = examples.length): SiteStatus {
  return {
    demo: false,
    adminServiceUrl: 'https://cm01.contoso.com/AdminService',
    configMgrReachable: true,
    lastSyncAttemptAt: new Date('2026-06-14T10:42:00Z'),
    lastSuccessfulSyncAt: new Date('2026-06-14T10:42:00Z'),
    lastSyncDurationMs: 2345,
    packageCounts: { upgrade: 12, image: 7 },
    syncIntervalMinutes: 15,
    skippedRows: { count, examples },
  };
}

const nameless: SkippedPackageRow = { kind: 'image', position: 7, reason: 'PackageID missing' };
const numbered: SkippedPackageRow = { kind: 'upgrade', packageId: 'PS100099', reason: 'Name is a number, not text' };

describe('the status card line for skipped rows', () => {
  const cases: Array<{ why: string; status: SiteStatus; line: string | undefined }> = [
    { why: 'no line when nothing was skipped', status: status([]), line: undefined },
    { why: 'no line from a status without the figure', status: { ...status([]), skippedRows: undefined }, line: undefined },
    { why: 'one row, in the singular, named by its position', status: status([nameless]), line: '1 row from ConfigMgr was skipped: OS image row 7 (PackageID missing). The other packages are shown as usual.' },
    {
      why: 'two rows, by id when it has a valid one',
      status: status([numbered, nameless]),
      line: '2 rows from ConfigMgr were skipped: PS100099 (Name is a number, not text), OS image row 7 (PackageID missing). The other packages are shown as usual.',
    },
    {
      why: 'many rows: five named, the rest counted',
      status: status(Array.from({ length: 10 }, () => numbered), 250),
      line: `250 rows from ConfigMgr were skipped: ${Array.from({ length: 5 }, () => 'PS100099 (Name is a number, not text)').join(', ')}, and 245 more. The other packages are shown as usual.`,
    },
  ];
  for (const { why, status: given, line } of cases) {
    it(`${why}`, () => {
      const card = statusCard(given, { demo: false, syncedAt: new Date('2026-06-14T10:42:00Z') });
      assertValidCard(card);
      const texts = cardTexts(card);
      assert.equal(texts.find((text) => /from ConfigMgr (was|were) skipped/.test(text)), line);
      assert.equal(texts.includes('Skipped rows'), line !== undefined);
    });
  }
});
