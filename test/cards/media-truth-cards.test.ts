/** Issue 3 on the cards: freshness, drift findings and what the share holds, beside ConfigMgr's facts. */
import assert from 'node:assert/strict';
import { CardVerbs } from '../../src/cards/card-verbs';
import type { AdaptiveCard, CardContext } from '../../src/cards/kit/adaptive-card';
import { editionsCard } from '../../src/cards/media/editions-card';
import { MAX_FINDINGS_SHOWN, mediaDetailCard } from '../../src/cards/media/detail-card';
import { MAX_LIST_PAGE_SIZE, mediaListCard } from '../../src/cards/media/list-card';
import { MAX_STALE_ROWS, staleCard } from '../../src/cards/media/stale-card';
import type { Finding, FindingKind, MediaInspection } from '../../src/services/media/media-inspection';
import type { MediaPackage } from '../../src/services/media/media-package';
import type { Freshness, FreshnessVerdict } from '../../src/services/releases/freshness';
import { assertValidCard, cardTexts, findActions, TEAMS_MAX_CARD_BYTES } from '../support/assert-valid-card';
import { displayed } from '../support/displayed-text';
import {
  DATA_WARNING,
  findingExamples,
  LATEST_24H2,
  makeBuild,
  makeFinding,
  makeFreshness,
  makeInspection,
  makePackage,
  makePackages,
  makeWimImage,
  makeWimInfo,
  TRICKY_NAME,
  verdictExamples,
} from '../support/media-fixtures';

const syncedAt = new Date('2026-11-25T10:00:00Z');
const live: CardContext = { demo: false, syncedAt };
const contexts: Record<string, CardContext> = {
  live,
  demo: { demo: true, syncedAt },
  stale: { demo: false, syncedAt, staleReason: 'connect ECONNREFUSED 10.0.0.5:443' },
  'never synced': { demo: false, syncedAt: null },
};
const GB = 1024 ** 3;
const allKinds = Object.keys(findingExamples) as FindingKind[];
const allVerdicts = Object.entries(verdictExamples) as Array<[FreshnessVerdict['state'], FreshnessVerdict]>;

/** Every inspection state an admin can meet, by name. */
const inspections: Record<string, MediaInspection> = {
  'not inspected': { state: 'not-inspected', reason: 'MEDIA_PATH_MAP does not map \\\\cm01.contoso.com\\Sources$.' },
  refused: { state: 'refused', reason: 'The source path ..\\..\\Windows leads outside \\\\cm01\\Sources$.' },
  inspected: makeInspection(),
  'inspected, no install image': makeInspection({ installImage: undefined }),
  'inspected, unreadable install image': makeInspection({
    installImage: { relativePath: 'sources/install.wim', error: 'sources/install.wim is truncated: 4 MB of its 5 GB are there.', sizeBytes: 4 * 1024 ** 2, modifiedAt: new Date('2026-11-24T23:59:00Z') },
  }),
  'inspected ESD': makeInspection({
    installImage: { relativePath: 'sources/install.esd', info: makeWimInfo({ format: 'esd', compression: 'lzms', solid: true, version: 0xe00 }), sizeBytes: 4 * GB, modifiedAt: new Date('2026-10-01T00:00:00Z') },
  }),
  'inspected split set': makeInspection({
    installImage: { relativePath: 'sources/install.swm', info: makeWimInfo({ format: 'swm', totalParts: 3 }), sizeBytes: 2 * GB, modifiedAt: new Date('2026-10-01T00:00:00Z') },
  }),
  'inspected, build file missing': makeInspection({ buildFile: { name: 'build.txt', present: false }, autorunInfPresent: true, setupExePresent: false }),
  'inspected, build file garbage': makeInspection({ buildFile: { name: 'build.txt', present: true, text: 'June_refresh *final*', problem: 'it does not read as a build number' } }),
  'inspected OS image': makeInspection({ localPath: '/mnt/osd/Images/W11/install.wim', buildFile: undefined, autorunInfPresent: undefined, setupExePresent: undefined, folderSizeBytes: undefined }),
};

function allText(card: AdaptiveCard): string {
  return cardTexts(card).join('\n');
}
function buttons(card: AdaptiveCard) {
  return findActions(card).filter((action) => action.type === 'Action.Execute');
}
/** Title → value pairs of a facts table that starts with `firstTitle`, until `stop`. */
function factsFrom(card: AdaptiveCard, firstTitle: string, stop: (text: string) => boolean): Record<string, string> {
  const texts = cardTexts(card);
  const facts: Record<string, string> = {};
  const start = texts.indexOf(firstTitle);
  assert.ok(start >= 0, `${firstTitle} in ${texts.join('|')}`);
  for (let i = start; i + 1 < texts.length && !stop(texts[i]); i += 2) facts[texts[i]] = texts[i + 1];
  return facts;
}
function shareFactsOf(card: AdaptiveCard): Record<string, string> {
  return factsFrom(card, 'Install image', (text) => text.startsWith('Findings') || text.startsWith('No findings') || text.startsWith('As of'));
}
/** Every TextBlock of a card, in order, as its properties. */
function textBlocks(card: AdaptiveCard): Array<Record<string, unknown>> {
  const blocks: Array<Record<string, unknown>> = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (record.type === 'TextBlock') blocks.push(record);
    for (const value of Object.values(record)) visit(value);
  };
  visit(card);
  return blocks;
}
/** Windows 10 22H2 past its end of servicing, with ESU updates after it. */
const WIN10_ESU: Extract<FreshnessVerdict, { state: 'out-of-support' }> = {
  state: 'out-of-support',
  release: 'Windows 10 22H2',
  releaseBuild: 19045,
  endedOn: new Date('2025-10-14T00:00:00Z'),
  latest: { revision: 7184, kb: 'KB5082200', date: new Date('2026-04-14T00:00:00Z') },
  updatesAfterEnd: 3,
};
function esuBehind(revisionsBehind: number, monthsBehind: number): FreshnessVerdict {
  return { ...WIN10_ESU, revisionsBehind, monthsBehind };
}
/** The share's install.wim serviced to the latest, ConfigMgr still at 26100.4349 (3 behind in these examples). */
function serviced(overrides: Partial<Freshness> = {}): Freshness {
  return makeFreshness(verdictExamples.current, {
    judged: { source: 'share', build: makeBuild(26100, 8246) },
    configMgr: { build: makeBuild(26100, 4349), verdict: verdictExamples.behind, files: 'newer' },
    ...overrides,
  });
}
/** Older media copied back: the share at 26100.7623, ConfigMgr at the latest. */
function copiedBack(): Freshness {
  return makeFreshness(verdictExamples.behind, {
    judged: { source: 'share', build: makeBuild(26100, 7623) },
    configMgr: { build: makeBuild(26100, 8246), verdict: verdictExamples.current, files: 'older' },
  });
}
/** A package behind, drifting and with its share inspected: what most real packages look like. */
function drifting(overrides: Partial<MediaPackage> = {}): MediaPackage {
  return makePackage({
    inspection: makeInspection(),
    findings: [makeFinding('autorun-inf'), makeFinding('version-mismatch'), makeFinding('extra-editions')],
    freshness: makeFreshness(verdictExamples.behind),
    releaseDecidedBy: 'display name',
    ...overrides,
  });
}

describe('cards: what the share holds, drift and freshness', () => {
  describe('every card is valid for Teams', () => {
    const cases: Array<[string, () => AdaptiveCard]> = [];
    for (const [name, inspection] of Object.entries(inspections)) {
      const pkg = drifting({ inspection });
      cases.push([`detail, ${name}`, () => mediaDetailCard(pkg, live)], [`editions, ${name}`, () => editionsCard(pkg, live)]);
    }
    for (const kind of allKinds) {
      cases.push([`detail with a ${kind} finding`, () => mediaDetailCard(makePackage({ findings: [makeFinding(kind)] }), live)]);
    }
    for (const [state, verdict] of allVerdicts) {
      const pkg = drifting({ freshness: makeFreshness(verdict, { dataWarning: DATA_WARNING }) });
      cases.push(
        [`list, ${state} with a data warning`, () => mediaListCard({ packages: [pkg], filter: '', page: 0 }, live)],
        [`detail, ${state} with a data warning`, () => mediaDetailCard(pkg, live)],
        [`stale, ${state}`, () => staleCard({ packages: [pkg], totalPackages: 3 }, live)],
      );
    }
    for (const [name, context] of Object.entries(contexts)) {
      cases.push(
        [`stale of many, ${name}`, () => staleCard({ packages: makePackages(30).map((p) => drifting(p)), totalPackages: 30 }, context)],
        [`stale of none, ${name}`, () => staleCard({ packages: [], totalPackages: 30 }, context)],
        [`detail, ${name}`, () => mediaDetailCard(drifting(), context)],
        [`editions, ${name}`, () => editionsCard(drifting(), context)],
      );
    }
    const everything: Finding[] = allKinds.flatMap((kind) => [makeFinding(kind, { message: `${findingExamples[kind].message} ${'Long detail. '.repeat(60)}` }), makeFinding(kind)]);
    const worstContext: CardContext = { demo: true, syncedAt, staleReason: 'ECONNRESET '.repeat(100) };
    const wim11 = makeWimInfo({ images: Array.from({ length: 11 }, (_, i) => makeWimImage({ index: i + 1, name: `${TRICKY_NAME} ${i + 1}`, languages: ['en-US', 'de-DE', 'fr-FR'] })) });
    cases.push(
      ['detail with every finding twice, long, in the worst context', () => mediaDetailCard(drifting({ findings: everything, name: TRICKY_NAME }), worstContext)],
      ['editions of 11 WIM images beside 11 ConfigMgr editions', () => editionsCard(drifting({ inspection: makeInspection({ installImage: { relativePath: 'sources/install.wim', info: wim11, sizeBytes: 5 * GB, modifiedAt: syncedAt } }), findings: everything }), worstContext)],
      ['list at the largest page size, every row drifting and behind, long names', () => mediaListCard({ packages: makePackages(MAX_LIST_PAGE_SIZE).map((p) => drifting({ ...p, name: 'N'.repeat(500), freshness: makeFreshness(verdictExamples['out-of-support'], { dataWarning: DATA_WARNING }) })), filter: 'x'.repeat(500), page: 0, pageSize: MAX_LIST_PAGE_SIZE }, worstContext)],
      ['stale of 500 with long names and long findings', () => staleCard({ packages: makePackages(500).map((p) => drifting({ ...p, name: 'N'.repeat(500), findings: everything, freshness: makeFreshness({ state: 'unknown', reason: 'x'.repeat(2000) }, { dataWarning: DATA_WARNING }) })), totalPackages: 500 }, worstContext)],
      ['detail and editions with every new free text at its longest', () => {
        // ConfigMgr bounds names, descriptions and paths; what the share and the release data say is not bounded.
        const long = 'Ü\\_'.repeat(3000);
        const pkg = drifting({ freshness: makeFreshness({ state: 'unknown', reason: long }, { dataWarning: long }), findings: everything });
        const unreadable = makeInspection({ localPath: long.slice(0, 400), buildFile: { name: 'build.txt', present: true, text: long, problem: long }, installImage: { relativePath: 'sources/install.wim', error: long, sizeBytes: 1, modifiedAt: syncedAt } });
        for (const card of [mediaDetailCard({ ...pkg, inspection: unreadable }, worstContext), editionsCard({ ...pkg, inspection: unreadable }, worstContext), mediaDetailCard({ ...pkg, inspection: { state: 'refused', reason: long } }, worstContext)]) {
          assertValidCard(card);
        }
        return mediaDetailCard(pkg, worstContext);
      }],
      ['stale with a tricky name', () => staleCard({ packages: [drifting({ name: TRICKY_NAME, findings: [makeFinding('version-mismatch', { message: TRICKY_NAME })] })], totalPackages: 1 }, live)],
    );
    for (const [name, make] of cases) {
      it(name, () => assertValidCard(make(), { literalTexts: [TRICKY_NAME] }));
    }
  });

  describe('list card', () => {
    const rowOf = (card: AdaptiveCard, name: string) => {
      const texts = cardTexts(card);
      const at = texts.indexOf(name);
      return texts.slice(at, at + 5);
    };
    /** The TextBlock (text, color, weight) under the build in the package's row. */
    const badgeOf = (card: AdaptiveCard) => {
      const block = textBlocks(card).find((b) => b.size === 'Small' && b.spacing === 'None' && b.color !== undefined && !String(b.text).startsWith('PS'));
      assert.ok(block, JSON.stringify(card));
      return { text: block.text, color: block.color, weight: block.weight };
    };
    const listOf = (freshness: Freshness, overrides: Partial<MediaPackage> = {}) =>
      mediaListCard({ packages: [makePackage({ freshness, ...overrides })], filter: '', page: 0 }, live);
    const badges: Array<[string, Freshness, { text: string; color: string; weight: string }]> = [
      ['current on fresh data: good news', makeFreshness(verdictExamples.current), { text: 'Current', color: 'Good', weight: 'Default' }],
      ['behind: bold in the default color, readable at both themes', makeFreshness(verdictExamples.behind), { text: '3 behind', color: 'Default', weight: 'Bolder' }],
      ['out of support', makeFreshness(verdictExamples['out-of-support']), { text: 'Out of support', color: 'Attention', weight: 'Bolder' }],
      ['out of support and behind its ESU updates', makeFreshness(esuBehind(3, 6)), { text: 'Out of support · 3 behind', color: 'Attention', weight: 'Bolder' }],
      ['unknown', makeFreshness(verdictExamples.unknown), { text: '?', color: 'Default', weight: 'Default' }],
      ['current on old data: as of its date, and not green', makeFreshness(verdictExamples.current, { dataWarning: DATA_WARNING }), { text: 'Current as of 2026-04-19', color: 'Default', weight: 'Default' }],
      ['behind on old data: "3 behind" can only grow, so no date', makeFreshness(verdictExamples.behind, { dataWarning: DATA_WARNING }), { text: '3 behind', color: 'Default', weight: 'Bolder' }],
      ['files serviced, ConfigMgr not reloaded', serviced(), { text: 'Files current · ConfigMgr not reloaded', color: 'Default', weight: 'Bolder' }],
      ['files serviced, ConfigMgr not reloaded, on old data', serviced({ dataWarning: DATA_WARNING }), { text: 'Files current as of 2026-04-19 · ConfigMgr not reloaded', color: 'Default', weight: 'Bolder' }],
      ['older media copied back to the share', copiedBack(), { text: 'Files 3 behind · ConfigMgr says current', color: 'Default', weight: 'Bolder' }],
      ['files and ConfigMgr differ on an out-of-support release', makeFreshness({ ...verdictExamples['out-of-support'], revisionsBehind: 0, monthsBehind: 0 }, { judged: { source: 'share', build: makeBuild(22621, 6936) }, configMgr: { build: makeBuild(22621, 6649), verdict: { ...verdictExamples['out-of-support'], revisionsBehind: 1, monthsBehind: 2 }, files: 'newer' } }), { text: 'Files out of support · ConfigMgr not reloaded', color: 'Attention', weight: 'Bolder' }],
      ['unknown release with differing builds: one "?"', makeFreshness(verdictExamples.unknown, { judged: { source: 'share', build: makeBuild(26100, 8246) }, configMgr: { build: makeBuild(26100, 4349), verdict: verdictExamples.unknown, files: 'newer' } }), { text: '?', color: 'Default', weight: 'Default' }],
    ];
    for (const [name, freshness, badge] of badges) {
      it(`shows the badge under the build: ${name}`, () => {
        const card = listOf(freshness);
        assert.deepEqual(badgeOf(card), badge);
        assert.deepEqual(rowOf(card, 'Windows 11 24H2 Enterprise x64'), ['Windows 11 24H2 Enterprise x64', 'PS100012 · Windows 11 24H2', '26100.4349', badge.text, '3']);
      });
    }
    it("shows the share's build, marked, when ConfigMgr records none: the badge judged it", () => {
      const card = listOf(makeFreshness(verdictExamples.current, { judged: { source: 'share', build: makeBuild(26100, 8246) } }), { build: undefined });
      assert.deepEqual(rowOf(card, 'Windows 11 24H2 Enterprise x64').slice(2, 4), ['26100.8246 (share)', 'Current']);
    });
    it('shows no badge before release data is applied', () => {
      const card = mediaListCard({ packages: [makePackage()], filter: '', page: 0 }, live);
      assert.deepEqual(rowOf(card, 'Windows 11 24H2 Enterprise x64').slice(0, 4), ['Windows 11 24H2 Enterprise x64', 'PS100012 · Windows 11 24H2', '26100.4349', '3']);
      assert.ok(!allText(card).includes('Freshness against'));
    });
    it('flags drift with the count of warnings and errors under the name, and explains the flag once', () => {
      const findings = [makeFinding('autorun-inf'), makeFinding('version-mismatch'), makeFinding('extra-editions'), makeFinding('missing-build-file')];
      const card = mediaListCard({ packages: [makePackage({ findings }), makePackage({ id: 'PS2', name: 'Clean', findings: [makeFinding('extra-editions')] })], filter: '', page: 0 }, live);
      const texts = cardTexts(card);
      assert.ok(texts.includes('PS100012 · Windows 11 24H2 · ⚠ 2'), texts.join('|'));
      assert.ok(texts.includes('PS2 · Windows 11 24H2'), 'notes alone raise no flag');
      assert.equal(texts.filter((t) => t.startsWith('⚠ N: findings about the files on the share')).length, 1);
    });
    it('says nothing about flags when no package on the page has one', () => {
      assert.ok(!allText(mediaListCard({ packages: makePackages(3), filter: '', page: 0 }, live)).includes('⚠'));
    });
    it('states the oldest release data date, the newest when lines differ, and the warning of the oldest', () => {
      const fresh = makeFreshness(verdictExamples.current, { asOf: new Date('2026-12-03T10:00:00Z') });
      const old = makeFreshness(verdictExamples.behind, { dataWarning: DATA_WARNING });
      const packages = makePackages(2).map((p, i) => ({ ...p, freshness: i === 0 ? fresh : old }));
      const texts = cardTexts(mediaListCard({ packages, filter: '', page: 0 }, live));
      assert.ok(
        texts.includes("Freshness against the latest updates known as of 2026-04-19 (2026-12-03 for the lines the site's update catalog confirmed)."),
        texts.join('\n'),
      );
      assert.ok(texts.includes(`⚠ ${DATA_WARNING}`));
    });
    it('states the release data date once, and its age warning', () => {
      const packages = makePackages(4).map((p) => ({ ...p, freshness: makeFreshness(verdictExamples.behind, { dataWarning: DATA_WARNING }) }));
      const texts = cardTexts(mediaListCard({ packages, filter: '', page: 0 }, live));
      assert.equal(texts.filter((t) => t === 'Freshness against the latest updates known as of 2026-04-19.').length, 1);
      assert.ok(texts.includes(`⚠ ${DATA_WARNING}`));
    });
  });

  describe('detail card', () => {
    const win10 = { build: makeBuild(19041, 6456), release: 'Windows 10 22H2' };
    const verdicts: Array<[string, FreshnessVerdict, Partial<MediaPackage>, string]> = [
      ['current', verdictExamples.current, {}, 'Current as of 2026-04-19: the latest is 26100.8246, KB5083769 of 2026-04-14.'],
      ['behind', verdictExamples.behind, {}, '3 revisions (4 months) behind as of 2026-04-19: latest 26100.8246, KB5083769 of 2026-04-14.'],
      ['one revision behind, out of band', { ...verdictExamples.behind, revisionsBehind: 1, monthsBehind: 0, latest: { revision: 32698, kb: 'KB5091157', date: new Date('2026-04-19T00:00:00Z'), outOfBand: true } }, {}, '1 revision (under a month) behind as of 2026-04-19: latest 26100.32698, KB5091157 of 2026-04-19 (out of band).'],
      ['behind, no build anywhere: the latest still reads with the release\'s build', verdictExamples.behind, { build: undefined, inspection: inspections['not inspected'] }, '3 revisions (4 months) behind as of 2026-04-19: latest 26100.8246, KB5083769 of 2026-04-14.'],
      ['the source of the latest update, when the data names it', { ...verdictExamples.current, latest: { ...LATEST_24H2, from: 'site catalog' } }, {}, "Current as of 2026-04-19: the latest is 26100.8246, KB5083769 of 2026-04-14, from the site's update catalog."],
      ['out of support, the revision not known: the last update with the release\'s build (22631, not the WIM\'s 22621)', verdictExamples['out-of-support'], { build: makeBuild(22621, 6345) }, 'Out of support since 2026-11-10 (as of 2026-04-19); the last update was 22631.6936, KB5082052 of 2026-04-14.'],
      ['out of support at its last update', { ...verdictExamples['out-of-support'], revisionsBehind: 0, monthsBehind: 0 }, { build: makeBuild(22621, 6936) }, 'Out of support since 2026-11-10 (as of 2026-04-19), at the last update, 22631.6936, KB5082052 of 2026-04-14.'],
      ['out of support and behind its last update', { ...verdictExamples['out-of-support'], revisionsBehind: 1, monthsBehind: 2 }, { build: makeBuild(22621, 6649) }, 'Out of support since 2026-11-10 (as of 2026-04-19), and 1 revision (2 months) behind the last update, 22631.6936, KB5082052 of 2026-04-14.'],
      ['Windows 10 22H2 behind its ESU updates: how far, with 19045 (not the WIM\'s 19041), and that they need ESU', esuBehind(3, 6), win10, 'Out of support since 2025-10-14 (as of 2026-04-19), and 3 revisions (6 months) behind the latest update, 19045.7184, KB5082200 of 2026-04-14; updates after 2025-10-14 need Extended Security Updates (ESU).'],
      ['Windows 10 22H2 at the latest ESU update', esuBehind(0, 0), { ...win10, build: makeBuild(19041, 7184) }, 'Out of support since 2025-10-14 (as of 2026-04-19), at the latest update, 19045.7184, KB5082200 of 2026-04-14; updates after 2025-10-14 need Extended Security Updates (ESU).'],
      ['Windows 10 22H2, the revision not known', WIN10_ESU, { ...win10, build: undefined }, 'Out of support since 2025-10-14 (as of 2026-04-19); the latest update is 19045.7184, KB5082200 of 2026-04-14; updates after 2025-10-14 need Extended Security Updates (ESU).'],
      ['out of support without a last update', { state: 'out-of-support', release: 'Windows 10 1809', releaseBuild: 17763, endedOn: new Date('2024-01-09T00:00:00Z'), updatesAfterEnd: 0 }, {}, 'Out of support since 2024-01-09 (as of 2026-04-19).'],
      ['unknown', verdictExamples.unknown, {}, 'Unknown as of 2026-04-19: the release data has no line for Windows 11 26H1.'],
    ];
    for (const [name, verdict, overrides, sentence] of verdicts) {
      it(`states the verdict under the title: ${name}`, () => {
        const texts = cardTexts(mediaDetailCard(drifting({ freshness: makeFreshness(verdict), ...overrides }), live));
        assert.equal(texts[2], sentence);
      });
    }
    const judgedOn: Array<[string, Freshness, Partial<MediaPackage>, string]> = [
      ['the share, ConfigMgr agreeing', makeFreshness(verdictExamples.current, { judged: { source: 'share', build: makeBuild(26100, 8246) } }), {}, 'Judged on 26100.8246 from install.wim on the share; ConfigMgr records the same build.'],
      ['the share, ConfigMgr recording no build', makeFreshness(verdictExamples.current, { judged: { source: 'share', build: makeBuild(26100, 8246) } }), { build: undefined }, 'Judged on 26100.8246 from install.wim on the share.'],
      ['an ESD on the share', makeFreshness(verdictExamples.current, { judged: { source: 'share', build: makeBuild(26100, 8246) } }), { inspection: makeInspection({ installImage: { relativePath: 'sources/install.esd', info: makeWimInfo({ format: 'esd' }), sizeBytes: GB, modifiedAt: syncedAt } }) }, 'Judged on 26100.8246 from install.esd on the share; ConfigMgr records the same build.'],
      ["ConfigMgr's ImageOSVersion, the share not read", makeFreshness(verdictExamples.behind, { judged: { source: 'configmgr', build: makeBuild(26100, 4349) } }), { inspection: inspections['not inspected'] }, "Judged on 26100.4349 from ConfigMgr's ImageOSVersion."],
      ["ConfigMgr's Version, when ImageOSVersion was empty", makeFreshness(verdictExamples.behind, { judged: { source: 'configmgr', build: makeBuild(26100, 4349) } }), { buildSource: 'Version', inspection: inspections['not inspected'] }, "Judged on 26100.4349 from ConfigMgr's Version."],
    ];
    for (const [name, freshness, overrides, line] of judgedOn) {
      it(`says which build the verdict judged: ${name}`, () => {
        assert.equal(cardTexts(mediaDetailCard(drifting({ freshness, ...overrides }), live))[3], line);
      });
    }
    const both: Array<[string, Freshness, Array<{ text: string; color: string; weight: string }>]> = [
      ['files serviced, ConfigMgr not reloaded', serviced(), [
        { text: 'The files on the share (install.wim, 26100.8246) are current as of 2026-04-19: the latest is 26100.8246, KB5083769 of 2026-04-14.', color: 'Good', weight: 'Bolder' },
        { text: "ConfigMgr's record (ImageOSVersion, 26100.4349) is 3 revisions (4 months) behind: image properties were not reloaded after the files were serviced.", color: 'Default', weight: 'Bolder' },
      ]],
      ['the same on old data: nothing green', serviced({ dataWarning: DATA_WARNING }), [
        { text: 'The files on the share (install.wim, 26100.8246) are current as of 2026-04-19: the latest is 26100.8246, KB5083769 of 2026-04-14.', color: 'Default', weight: 'Bolder' },
        { text: "ConfigMgr's record (ImageOSVersion, 26100.4349) is 3 revisions (4 months) behind: image properties were not reloaded after the files were serviced.", color: 'Default', weight: 'Bolder' },
      ]],
      ['older media copied back to the share', copiedBack(), [
        { text: 'The files on the share (install.wim, 26100.7623) are 3 revisions (4 months) behind as of 2026-04-19: latest 26100.8246, KB5083769 of 2026-04-14.', color: 'Default', weight: 'Bolder' },
        { text: "ConfigMgr's record (ImageOSVersion, 26100.8246) is current: the share holds older media than ConfigMgr recorded.", color: 'Good', weight: 'Bolder' },
      ]],
    ];
    for (const [name, freshness, lines] of both) {
      it(`says both verdicts, each naming its build, when ConfigMgr and the share differ: ${name}`, () => {
        const card = mediaDetailCard(drifting({ freshness }), live);
        const shown = textBlocks(card).slice(2, 4).map((b) => ({ text: b.text, color: b.color, weight: b.weight }));
        assert.deepEqual(shown, lines);
      });
    }
    it('draws the verdict on old data in the default color, never as good news', () => {
      const verdict = textBlocks(mediaDetailCard(drifting({ freshness: makeFreshness(verdictExamples.current, { dataWarning: DATA_WARNING }) }), live))[2];
      assert.deepEqual([verdict.text, verdict.color], ['Current as of 2026-04-19: the latest is 26100.8246, KB5083769 of 2026-04-14.', 'Default']);
      const fresh = textBlocks(mediaDetailCard(drifting({ freshness: makeFreshness(verdictExamples.current) }), live))[2];
      assert.equal(fresh.color, 'Good');
    });
    it('calendar dates do not shift with the reader\'s time zone (no DATE() for a KB date)', () => {
      const text = allText(mediaDetailCard(drifting(), live));
      assert.ok(!text.includes('DATE(2026-04-14'));
    });
    it('warns when the release data itself is old, and not otherwise', () => {
      const warning = textBlocks(mediaDetailCard(drifting({ freshness: makeFreshness(verdictExamples.current, { dataWarning: DATA_WARNING }) }), live))[3];
      assert.deepEqual([warning.text, warning.color, warning.weight], [`⚠ ${DATA_WARNING}`, undefined, 'Bolder']);
      assert.ok(!allText(mediaDetailCard(drifting(), live)).includes('days old'));
    });
    it('says no verdict at all before release data is applied', () => {
      const texts = cardTexts(mediaDetailCard(makePackage(), live));
      assert.equal(texts[2], 'Kind');
    });
    const evidence: Array<[MediaPackage['releaseDecidedBy'], string]> = [
      ['display name', 'Windows 11 24H2 (from the image display name)'],
      ['PKEYCONFIGVERSION', 'Windows 11 24H2 (from PKEYCONFIGVERSION)'],
      ['package name', 'Windows 11 24H2 (from the package name)'],
      ['build', 'Windows 11 24H2 (from the build number)'],
      [undefined, 'Windows 11 24H2'],
    ];
    for (const [decidedBy, value] of evidence) {
      it(`names the evidence for the release: ${decidedBy ?? 'none recorded'}`, () => {
        const card = mediaDetailCard(makePackage({ releaseDecidedBy: decidedBy }), live);
        assert.equal(factsFrom(card, 'Kind', (t) => t === 'On the share').Release, value);
      });
    }
    it('sets what the share holds beside ConfigMgr\'s facts', () => {
      const card = mediaDetailCard(drifting(), live);
      assert.deepEqual(shareFactsOf(card), {
        'Install image': 'sources/install.wim (WIM, LZX)',
        'Image file': '5.1 GB, modified {{DATE(2025-06-11T08:00:00Z, SHORT)}} {{TIME(2025-06-11T08:00:00Z)}}',
        'WIM build': '26100.4349 (10.0.26100.4349, index 1: Windows 11 Education)',
        'WIM editions': '3 indexes (ConfigMgr lists 3)',
        'Build file': 'build.txt says 26100.4349',
        'autorun.inf': 'Not there',
        'setup.exe': 'Present',
        'Folder size': '5.9 GB',
        'Read from': '\\\\\\\\cm01.contoso.com\\\\Sources$\\\\OSD\\\\Upgrade\\\\W11-24H2-x64',
        Inspected: '{{DATE(2026-11-25T06:30:00Z, SHORT)}} {{TIME(2026-11-25T06:30:00Z)}}',
      });
    });
    const shareVariants: Array<[string, MediaInspection, Partial<MediaPackage>, string, string | undefined]> = [
      ['an ESD', inspections['inspected ESD'], {}, 'Install image', 'sources/install.esd (ESD, solid LZMS)'],
      ['a split set', inspections['inspected split set'], {}, 'Install image', 'sources/install.swm (split WIM, LZX, 3 parts)'],
      ['an unreadable install image', inspections['inspected, unreadable install image'], {}, 'Install image', 'sources/install.wim, unreadable: sources/install.wim is truncated: 4 MB of its 5 GB are there.'],
      ['no install image', inspections['inspected, no install image'], {}, 'Install image', 'None found: no install.wim, install.esd or install.swm under sources'],
      ['a missing build file', inspections['inspected, build file missing'], {}, 'Build file', 'build.txt is missing'],
      ['a build file with garbage', inspections['inspected, build file garbage'], {}, 'Build file', 'build.txt says "June\\_refresh \\*final\\*": it does not read as a build number'],
      ['autorun.inf left', inspections['inspected, build file missing'], {}, 'autorun.inf', 'Still in the folder'],
      ['setup.exe missing', inspections['inspected, build file missing'], {}, 'setup.exe', 'Missing'],
      ['an OS image without folder facts', inspections['inspected OS image'], { kind: 'image' }, 'Build file', undefined],
      ['ConfigMgr editions not read', inspections.inspected, { editions: [], editionsState: { state: 'not-fetched' } }, 'WIM editions', '3 indexes'],
      ['a 23H2 WIM whose servicing key names 22631', makeInspection({ installImage: { relativePath: 'sources/install.wim', info: makeWimInfo({ images: [makeWimImage({ version: makeBuild(22621, 6345), pkeyConfigBuild: makeBuild(22631, 6345) })] }), sizeBytes: GB, modifiedAt: syncedAt } }), { editions: [] }, 'WIM build', '22621.6345 (10.0.22621.6345, index 1: Windows 11 Enterprise); PKEYCONFIGVERSION says 22631.6345'],
      ['indexes of different builds', makeInspection({ installImage: { relativePath: 'sources/install.wim', info: makeWimInfo({ images: [makeWimImage(), makeWimImage({ index: 2, version: makeBuild(26100, 4061) })] }), sizeBytes: GB, modifiedAt: syncedAt } }), { editions: [] }, 'WIM build', '26100.4349 (10.0.26100.4349, index 1: Windows 11 Enterprise); other indexes read 26100.4061'],
      ['the image in use is the first index ConfigMgr lists', makeInspection({ installImage: { relativePath: 'sources/install.wim', info: makeWimInfo({ images: [makeWimImage({ index: 1, name: 'Windows 11 Home', version: makeBuild(26100, 1) }), makeWimImage({ index: 3, version: makeBuild(26100, 1) })] }), sizeBytes: GB, modifiedAt: syncedAt } }), { editions: [makePackage().editions[2]] }, 'WIM build', '26100.1 (10.0.26100.1, index 3: Windows 11 Enterprise)'],
      ['a WIM without VERSION', makeInspection({ installImage: { relativePath: 'sources/install.wim', info: makeWimInfo({ images: [makeWimImage({ version: undefined })] }), sizeBytes: GB, modifiedAt: syncedAt } }), {}, 'WIM build', "Not in the WIM's XML (index 1: Windows 11 Enterprise)"],
    ];
    for (const [name, inspection, overrides, title, value] of shareVariants) {
      it(`shows ${name}`, () => {
        assert.equal(shareFactsOf(mediaDetailCard(makePackage({ inspection, ...overrides }), live))[title], value);
      });
    }
    const gaps: Array<[string, MediaInspection, string]> = [
      ['not inspected', inspections['not inspected'], 'Not inspected: MEDIA\\_PATH\\_MAP does not map \\\\\\\\cm01.contoso.com\\\\Sources$.'],
      ['refused', inspections.refused, 'Not read, for safety: The source path ..\\\\..\\\\Windows leads outside \\\\\\\\cm01\\\\Sources$.'],
    ];
    for (const [name, inspection, sentence] of gaps) {
      it(`says plainly why the share was ${name}, without share facts`, () => {
        const texts = cardTexts(mediaDetailCard(makePackage({ inspection }), live));
        assert.equal(texts[texts.indexOf('On the share') + 1], sentence);
        assert.ok(!texts.includes('Install image') && !texts.includes('Inspected'));
        assert.ok(!texts.some((t) => t.startsWith('No findings')), 'no all-clear for files that were not read');
      });
    }
    it('lists every finding worst first with a severity marker', () => {
      const card = mediaDetailCard(makePackage({ inspection: makeInspection(), findings: [makeFinding('extra-editions'), makeFinding('autorun-inf'), makeFinding('version-mismatch'), makeFinding('missing-build-file', { bytes: undefined })] }), live);
      const texts = cardTexts(card);
      const at = texts.indexOf('Findings (4), worst first');
      assert.deepEqual(texts.slice(at + 1, at + 5), [
        '⛔ ConfigMgr says 26100.6584, install.wim says 26100.4349: reload image properties.',
        '⚠ autorun.inf is still in the folder: delete it, antivirus software often blocks the copy.',
        'ℹ Indexes 2–11 are not deployed: removing them saves space on every distribution point.',
        'ℹ build.txt is missing: write the build after servicing, so that the bot can check it.',
      ]);
    });
    for (const kind of allKinds) {
      it(`shows a ${kind} finding with its message, escaped for markdown`, () => {
        const finding = findingExamples[kind];
        const texts = cardTexts(mediaDetailCard(makePackage({ findings: [finding] }), live));
        const mark = { error: '⛔', warning: '⚠', info: 'ℹ' }[finding.severity];
        assert.ok(texts.map(displayed).includes(`${mark} ${finding.message}`), texts.join('|'));
      });
    }
    it(`shows at most ${MAX_FINDINGS_SHOWN} findings and counts the rest`, () => {
      const findings = Array.from({ length: MAX_FINDINGS_SHOWN + 3 }, (_, i) => makeFinding('autorun-inf', { message: `Finding ${i + 1}.` }));
      const texts = cardTexts(mediaDetailCard(makePackage({ findings }), live));
      assert.equal(texts.filter((t) => t.startsWith('⚠ Finding')).length, MAX_FINDINGS_SHOWN);
      assert.ok(texts.includes('… and 3 more.'));
    });
    it('draws no text in the pale Warning color: warnings are marked ⚠, bold, in the default color', () => {
      const pkg = drifting({
        actionInProgress: 1,
        findings: allKinds.map((kind) => makeFinding(kind)),
        freshness: makeFreshness(verdictExamples.behind, { dataWarning: DATA_WARNING }),
      });
      const card = mediaDetailCard(pkg, live);
      assert.ok(!JSON.stringify(card).includes('"color":"Warning"'), JSON.stringify(card));
      const marked = textBlocks(card).filter((b) => String(b.text).startsWith('⚠'));
      assert.ok(marked.length >= 3, 'the action in progress, the data warning and the warning findings are marked');
      for (const block of marked) assert.deepEqual([block.color ?? 'Default', block.weight], ['Default', 'Bolder'], String(block.text));
      const list = mediaListCard({ packages: allVerdicts.map(([state, verdict]) => drifting({ id: `PS${state.length}`, freshness: makeFreshness(verdict, { dataWarning: DATA_WARNING }) })), filter: '', page: 0 }, live);
      assert.ok(!JSON.stringify(list).includes('"color":"Warning"'));
    });
    it('says the files agree when the share was inspected and nothing was found', () => {
      assert.ok(cardTexts(mediaDetailCard(makePackage({ inspection: makeInspection() }), live)).includes('No findings: ConfigMgr, the install image and the build file agree.'));
    });
  });

  describe('editions card', () => {
    const withWim = (images: ReturnType<typeof makeWimImage>[], overrides: Partial<MediaPackage> = {}) =>
      makePackage({ inspection: makeInspection({ installImage: { relativePath: 'sources/install.wim', info: makeWimInfo({ images }), sizeBytes: 5 * GB, modifiedAt: syncedAt } }), ...overrides });

    it('marks nothing when ConfigMgr has not read its editions', () => {
      const card = editionsCard(withWim([makeWimImage()], { editions: [], editionsState: { state: 'not-fetched' } }), live);
      assert.ok(!allText(card).includes('Not in'));
      assert.ok(cardTexts(card).includes('Windows 11 Enterprise'));
    });
  });

  describe('stale card', () => {
    it('lists each package with name, id, verdict, top finding and a button to open it', () => {
      const packages = [
        drifting({ id: 'PS1', name: 'Windows 11 23H2', freshness: makeFreshness(verdictExamples['out-of-support']), build: makeBuild(22621, 6345), release: 'Windows 11 23H2' }),
        drifting({ id: 'PS2', name: 'Windows 11 24H2' }),
        makePackage({ id: 'PS3', name: 'Drifting only', freshness: makeFreshness(verdictExamples.current), findings: [makeFinding('autorun-inf')] }),
        makePackage({ id: 'PS4', name: 'No release data', findings: [makeFinding('missing-install-image')] }),
      ];
      const card = staleCard({ packages, totalPackages: 12 }, live);
      const texts = cardTexts(card);
      assert.equal(texts[0], 'Media behind or drifting');
      assert.equal(texts[1], '4 of 12 packages need attention, worst first. Freshness against the latest updates known as of 2026-04-19.');
      const at = texts.indexOf('Windows 11 23H2');
      assert.deepEqual(texts.slice(at, at + 16), [
        'Windows 11 23H2', 'PS1 · OS upgrade package · 22621.6345 · Windows 11 23H2', 'Out of support since 2026-11-10',
        '⛔ ConfigMgr says 26100.6584, install.wim says 26100.4349: reload image properties. (and 2 more findings)',
        'Windows 11 24H2', 'PS2 · OS upgrade package · 26100.4349 · Windows 11 24H2', '3 revisions (4 months) behind: latest 26100.8246, KB5083769 of 2026-04-14',
        '⛔ ConfigMgr says 26100.6584, install.wim says 26100.4349: reload image properties. (and 2 more findings)',
        'Drifting only', 'PS3 · OS upgrade package · 26100.4349 · Windows 11 24H2', 'Current',
        '⚠ autorun.inf is still in the folder: delete it, antivirus software often blocks the copy.',
        'No release data', 'PS4 · OS upgrade package · 26100.4349 · Windows 11 24H2', 'Freshness not checked (no release data)',
        '⛔ No install.wim, install.esd or install.swm under sources: copy the media again.',
      ]);
      assert.deepEqual(
        buttons(card).map((b) => [b.title, b.verb, b.data]),
        [
          ...packages.map((p) => ['Open', CardVerbs.show, { packageId: p.id, view: 'stale', filter: '', kind: '', support: '', page: 0 }]),
          ['List all media', CardVerbs.listPage, { filter: '', kind: '', page: 0 }],
        ],
      );
    });
    it('keeps the given order (the caller sorts worst first)', () => {
      const packages = makePackages(5).map((p) => drifting(p)).reverse();
      const ids = buttons(staleCard({ packages, totalPackages: 5 }, live)).filter((b) => b.verb === CardVerbs.show).map((b) => b.data?.packageId);
      assert.deepEqual(ids, packages.map((p) => p.id));
    });
    it('words one package needing attention', () => {
      assert.equal(cardTexts(staleCard({ packages: [drifting()], totalPackages: 1 }, live))[1], '1 of 1 package needs attention, worst first. Freshness against the latest updates known as of 2026-04-19.');
    });
    it('shows an unknown verdict with its reason, and a verdict without findings', () => {
      const texts = cardTexts(staleCard({ packages: [makePackage({ freshness: makeFreshness(verdictExamples.unknown) })], totalPackages: 1 }, live));
      assert.ok(texts.includes('Freshness unknown: the release data has no line for Windows 11 26H1.'));
      assert.ok(!texts.some((t) => /^[⛔⚠ℹ]/.test(t)));
    });
    const briefs: Array<[string, Freshness, string, string, string]> = [
      ['current on fresh data', makeFreshness(verdictExamples.current), 'Current', 'Good', 'Default'],
      ['current on old data', makeFreshness(verdictExamples.current, { dataWarning: DATA_WARNING }), 'Current as of 2026-04-19', 'Default', 'Default'],
      ['Windows 10 22H2 behind its ESU updates', makeFreshness(esuBehind(3, 6)), 'Out of support since 2025-10-14, 3 revisions (6 months) behind', 'Attention', 'Bolder'],
      ['files serviced, ConfigMgr not reloaded', serviced(), 'Files current · ConfigMgr not reloaded (its 26100.4349 is 3 behind)', 'Default', 'Bolder'],
      ['older media copied back', copiedBack(), 'Files 3 revisions (4 months) behind: latest 26100.8246, KB5083769 of 2026-04-14 · ConfigMgr says 26100.8246, current', 'Default', 'Bolder'],
    ];
    for (const [name, freshness, text, color, weight] of briefs) {
      it(`words the verdict in a row, never contradicting the build beside it: ${name}`, () => {
        const block = textBlocks(staleCard({ packages: [makePackage({ freshness })], totalPackages: 1 }, live)).find((b) => b.text === text);
        assert.ok(block, `${text} in ${JSON.stringify(textBlocks(staleCard({ packages: [makePackage({ freshness })], totalPackages: 1 }, live)).map((b) => b.text))}`);
        assert.deepEqual([block.color, block.weight], [color, weight]);
      });
    }
    it('warns when the release data is old', () => {
      const texts = cardTexts(staleCard({ packages: [drifting({ freshness: makeFreshness(verdictExamples.behind, { dataWarning: DATA_WARNING }) })], totalPackages: 1 }, live));
      assert.equal(texts[2], `⚠ ${DATA_WARNING}`);
    });
    const empties: Array<[string, number, CardContext, string]> = [
      ['many packages', 500, live, 'All 500 packages are current and agree with their files, as of {{DATE(2026-11-25T10:00:00Z, SHORT)}} {{TIME(2026-11-25T10:00:00Z)}}.'],
      ['one package', 1, live, 'The one package is current and agrees with its files, as of {{DATE(2026-11-25T10:00:00Z, SHORT)}} {{TIME(2026-11-25T10:00:00Z)}}.'],
      ['no packages', 0, live, 'The site has no OS upgrade packages or OS images.'],
      ['never synced', 3, contexts['never synced'], 'All 3 packages are current and agree with their files.'],
    ];
    for (const [name, total, context, sentence] of empties) {
      it(`says so when nothing needs attention: ${name}`, () => {
        const card = staleCard({ packages: [], totalPackages: total }, context);
        assert.deepEqual(cardTexts(card).slice(0, 2), ['Nothing is behind or drifting', sentence]);
        assert.ok(!cardTexts(card).some((t) => t.startsWith('As of')), 'the sentence says "as of" once');
        assert.deepEqual(buttons(card).map((b) => b.verb), [CardVerbs.listPage]);
      });
    }
    it(`shows ${MAX_STALE_ROWS} of 500 a page, with Next to the rest`, () => {
      const packages = makePackages(500).map((p) => drifting(p));
      const card = staleCard({ packages, totalPackages: 500 }, live);
      const opened = buttons(card).filter((b) => b.verb === CardVerbs.show).map((b) => b.data?.packageId);
      assert.deepEqual(opened, packages.slice(0, MAX_STALE_ROWS).map((p) => p.id));
      assert.deepEqual(buttons(card).find((b) => b.title === 'Next')?.data, { filter: '', kind: '', support: '', page: 1 });
      assert.equal(cardTexts(card)[1].split('.')[0], 'Page 1 of 25 · 500 of 500 packages need attention, worst first');
    });
    it('stays under 28 KB with the longest rows at the cap', () => {
      const long = makePackages(MAX_STALE_ROWS + 1).map((p) => drifting({ ...p, name: 'Ü'.repeat(400), findings: [makeFinding('version-mismatch', { message: '\\_*'.repeat(1000) })], freshness: makeFreshness({ state: 'unknown', reason: 'y'.repeat(3000) }, { dataWarning: 'z'.repeat(3000) }) }));
      const card = staleCard({ packages: long, totalPackages: 1000 }, { demo: true, syncedAt, staleReason: 'E'.repeat(3000) });
      assert.ok(Buffer.byteLength(JSON.stringify(card)) < TEAMS_MAX_CARD_BYTES, `${Buffer.byteLength(JSON.stringify(card))} bytes`);
      const shown = buttons(card).filter((b) => b.verb === CardVerbs.show).length;
      assert.ok(shown >= 1 && shown < MAX_STALE_ROWS, `${shown} rows fit`);
      const cut = long.slice(shown, MAX_STALE_ROWS).map((p) => p.id);
      assert.ok(cardTexts(card).some((t) => t.includes(`too long to show here; open them by id: ${cut.join(', ')}.`)), 'the rows cut for size are named');
    });
    it('labels the demo site and warns when ConfigMgr is not answering', () => {
      assert.match(cardTexts(staleCard({ packages: [drifting()], totalPackages: 1 }, contexts.demo))[0], /^Demo site/);
      assert.match(cardTexts(staleCard({ packages: [], totalPackages: 1 }, contexts.stale))[0], /^ConfigMgr is not answering/);
    });
    it('shows a name full of template syntax verbatim', () => {
      assert.ok(cardTexts(staleCard({ packages: [drifting({ name: TRICKY_NAME })], totalPackages: 1 }, live)).map(displayed).includes(TRICKY_NAME));
    });
  });
});
