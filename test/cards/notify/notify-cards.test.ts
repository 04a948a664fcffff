/**
 * Issue 9's notification cards: valid for Teams (schema 1.5, under 28 KB, parsed without complaint),
 * saying what the issue asks of each, with names full of quotes, markdown and unicode shown verbatim
 * and harmless, and a digest of thousands of packages trimmed to fit rather than dropped.
 */
import assert from 'node:assert/strict';
import type { CardContext } from '../../../src/cards/kit/adaptive-card';
import { digestCard, digestText, type DigestView } from '../../../src/cards/notify/digest-card';
import { dpFailureCard, dpFailureText } from '../../../src/cards/notify/dp-failure-card';
import { driftCard, driftText } from '../../../src/cards/notify/drift-card';
import { newerRevisionCard, newerRevisionText } from '../../../src/cards/notify/freshness-card';
import { assertValidCard, cardTexts, TEAMS_MAX_CARD_BYTES } from '../../support/assert-valid-card';

const context: CardContext = { demo: false, syncedAt: new Date('2026-05-04T06:00:00Z') };
const NASTY = `Win 11 "24H2" *Ent* [x](https://evil.example) <b>${'日本語 ✓ Ünïcödé '.repeat(30)}`;
const bytes = (card: unknown) => Buffer.byteLength(JSON.stringify(card), 'utf8');
/** Every text a reader sees: TextBlocks (cardTexts) and the facts' titles and values. */
function allText(card: unknown): string {
  const facts: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (record.type === 'FactSet' && Array.isArray(record.facts)) for (const fact of record.facts as Array<{ title: string; value: string }>) facts.push(`${fact.title}: ${fact.value}`);
    Object.values(record).forEach(visit);
  };
  visit(card);
  return [...cardTexts(card), ...facts].join('\n');
}

describe('notification cards', () => {
  const newer = { packageId: 'PS100012', packageName: 'Windows 11 24H2 Enterprise x64', release: 'Windows 11 24H2', build: '26100.4349', latest: '26100.4652', latestKb: 'KB5060842', latestDate: new Date('2025-06-10T00:00:00Z'), revisionsBehind: 3, monthsBehind: 2 };

  it('newer revision: the package, its build, the new latest, how far behind and the refresh to type', () => {
    const card = newerRevisionCard(newer, context);
    assertValidCard(card);
    const text = allText(card);
    for (const expected of ['Windows 11 24H2 Enterprise x64 (PS100012)', '26100.4349', '26100.4652 (KB5060842, 2025-06-10)', '3 revisions (2 months)', 'refresh PS100012']) {
      assert.ok(text.includes(expected), `${expected} in\n${text}`);
    }
    assert.equal(newerRevisionText(newer), 'Windows 11 24H2 has a newer revision, 26100.4652; Windows 11 24H2 Enterprise x64 (PS100012) is 3 revisions (2 months) behind.');
  });

  it('drift: what disagrees in the finding’s own sentence, coloured by severity, and where to look', () => {
    const card = driftCard({ packageId: 'PS100012', packageName: 'Win 11', findingKind: 'autorun-inf', severity: 'warning', message: 'autorun.inf is still in the media folder: delete it.', sourcePath: '\\\\cm01\\OSD$\\Upgrade' }, context);
    assertValidCard(card);
    assert.match(allText(card), /autorun\.inf is back in the media folder/);
    assert.match(allText(card), /show PS100012/);
    assert.match(JSON.stringify(card), /"color":"Warning"/);
    assert.equal(driftText({ packageId: 'PS100012', packageName: 'Win 11', findingKind: 'nothing-known', severity: 'info', message: 'x' }), 'New drift on Win 11 (PS100012): the media disagrees with ConfigMgr.');
  });

  it('DP failure: the DP, the source version, the job and the console page to open', () => {
    const view = { packageId: 'PS100012', packageName: 'Win 11', server: 'DP-BER01.contoso.com', siteCode: 'PS1', sourceVersion: 8, jobId: 'K7P2Q', since: new Date('2026-05-04T06:00:00Z') };
    const card = dpFailureCard(view, context);
    assertValidCard(card);
    const text = allText(card);
    for (const expected of ['Distribution failed on DP-BER01', 'source version 8', 'job K7P2Q', 'Content Status']) assert.ok(text.includes(expected), expected);
    assert.match(dpFailureText(view), /^Distribution of Win 11 \(PS100012\) failed on DP-BER01.+ \(source version 8\)\.$/);
  });

  const hostile = [
    { name: 'newer revision', card: () => newerRevisionCard({ ...newer, packageName: NASTY, release: NASTY, build: NASTY, latest: NASTY, latestKb: NASTY }, context) },
    { name: 'drift', card: () => driftCard({ packageId: 'PS100012', packageName: NASTY, release: NASTY, findingKind: 'version-mismatch', severity: 'error', message: NASTY.repeat(20), sourcePath: NASTY }, context) },
    { name: 'DP failure', card: () => dpFailureCard({ packageId: 'PS100012', packageName: NASTY, server: NASTY, siteCode: NASTY, sourceVersion: 8, jobId: NASTY }, context) },
  ];
  for (const { name, card } of hostile) {
    it(`${name}: a name of quotes, markdown, a link and unicode is cut, escaped and never a link`, () => {
      const drawn = card();
      assertValidCard(drawn);
      const json = JSON.stringify(drawn);
      assert.ok(!json.includes('[x](https://evil.example)'), 'no markdown link survives');
      assert.ok(!json.includes('https://evil.example'), 'no address Teams would link');
      assert.ok(!/\*Ent\*/.test(json), 'no emphasis');
      assert.ok(bytes(drawn) < 8 * 1024, `a notice stays small (${bytes(drawn)} bytes)`);
    });
  }

  function digest(packages: number, jobs: number, name = (i: number) => `Windows 11 24H2 Enterprise ${i}`): DigestView {
    return {
      from: new Date('2026-04-27T06:00:00Z'),
      to: new Date('2026-05-04T06:00:00Z'),
      packagesBehind: Array.from({ length: packages }, (_, i) => ({ id: `PS${String(i).padStart(6, '0')}`, name: name(i), build: '26100.4349', latest: '26100.4652', revisionsBehind: 1 + (i % 7) })),
      jobs: Array.from({ length: jobs }, (_, i) => ({ id: `K${String(i).padStart(4, '2')}`.slice(0, 5), packageId: `PS${String(i).padStart(6, '0')}`, packageName: name(i), outcome: i % 3 === 0 ? 'failed' : 'succeeded' })),
      packageCount: packages + 100,
    };
  }

  it('digest: packages behind (name, build, latest, revisions behind), most behind first, and the week’s jobs', () => {
    const card = digestCard(digest(3, 2), context);
    assertValidCard(card);
    const text = allText(card);
    assert.match(text, /2026-04-27 to 2026-05-04: 3 of 103 packages are behind; 2 jobs ran\./);
    assert.match(text, /Windows 11 24H2 Enterprise 2 \(PS000002\): 26100\.4349 → 26100\.4652, 3 revisions behind/);
    assert.ok(text.indexOf('PS000002') < text.indexOf('PS000000'), 'most behind first');
    assert.match(text, /Job K2220 · Windows 11 24H2 Enterprise 0 \(PS000000\) · failed/);
    assert.equal(digestText(digest(3, 2)), 'Weekly digest: 3 packages behind, 2 jobs in the past 7 days.');
  });

  it('digest of a quiet week says so', () => {
    const text = allText(digestCard(digest(0, 0), context));
    assert.match(text, /Nothing is behind/);
    assert.match(text, /No refresh jobs ran this week/);
  });

  const sizes: Array<{ why: string; view: DigestView; more: RegExp }> = [
    { why: '2,000 packages behind', view: digest(2000, 300), more: /…and 1975 more; type "stale" for all of them\./ },
    {
      why: '2,000 packages with long quote- and unicode-laden names',
      view: digest(2000, 2000, (i) => `${NASTY} "${i}" ‘quoted’ \\ back\\slash ${'𝔘𝔫𝔦𝔠𝔬𝔡𝔢 👩‍👩‍👧‍👦 '.repeat(20)}`),
      more: /…and \d{4} more; type "stale" for all of them\./,
    },
  ];
  for (const { why, view, more } of sizes) {
    it(`digest of ${why}: trimmed under 28 KB with "…and N more", never dropped`, () => {
      const card = digestCard(view, context);
      assertValidCard(card);
      assert.ok(bytes(card) < TEAMS_MAX_CARD_BYTES, `${bytes(card)} bytes`);
      const text = allText(card);
      assert.match(text, more);
      assert.match(text, /type "jobs" for the recent ones/);
      assert.match(text, /2000 of 2100 packages are behind/);
    });
  }
});
