import assert from 'node:assert/strict';
import { CardVerbs } from '../../src/cards/card-verbs';
import { JobVerbs } from '../../src/cards/jobs/job-verbs';
import type { AdaptiveCard, CardContext } from '../../src/cards/kit/adaptive-card';
import { choiceCard } from '../../src/cards/media/choice-card';
import { editionsCard } from '../../src/cards/media/editions-card';
import { errorCard } from '../../src/cards/media/error-cards';
import { helpCard } from '../../src/cards/media/help-card';
import { MAX_LIST_FILTER_LENGTH, withBackTo } from '../../src/cards/media/list-place';
import { MAX_LIST_PAGE_SIZE, LIST_FILTER_STAND_IN, mediaListCard, withListFilter } from '../../src/cards/media/list-card';
import { didYouMeanCard } from '../../src/cards/media/did-you-mean-card';
import { MAX_STALE_ROWS, staleCard } from '../../src/cards/media/stale-card';
import { mediaDetailCard } from '../../src/cards/media/detail-card';
import { statusCard } from '../../src/cards/media/status-card';
import { botCommands } from '../../src/cards/bot-commands';
import type { MediaPackage } from '../../src/services/media/media-package';
import type { SiteStatus } from '../../src/services/site-status';
import { displayed } from '../support/displayed-text';
import { assertValidCard, cardTexts, findActions, TEAMS_MAX_CARD_BYTES } from '../support/assert-valid-card';
import { makeEdition, makeFinding, makeFreshness, makePackage, makePackages, TRICKY_NAME, verdictExamples } from '../support/media-fixtures';
import { HOSTILE_TEXTS } from './user-text-escaping.test';

const syncedAt = new Date('2025-06-14T10:42:07.123Z');
const contexts: Record<string, CardContext> = {
  live: { demo: false, syncedAt },
  demo: { demo: true, syncedAt },
  stale: { demo: false, syncedAt, staleReason: 'connect ECONNREFUSED 10.0.0.5:443' },
  'stale before any sync': { demo: false, syncedAt: null, staleReason: '' },
  'never synced': { demo: false, syncedAt: null },
};
const live = contexts.live;

function status(overrides: Partial<SiteStatus> = {}): SiteStatus {
  return {
    demo: false,
    adminServiceUrl: 'https://cm01.contoso.com/AdminService',
    configMgrReachable: true,
    lastSyncAttemptAt: new Date('2025-06-14T10:42:00Z'),
    lastSuccessfulSyncAt: new Date('2025-06-14T10:42:00Z'),
    lastSyncDurationMs: 2345,
    packageCounts: { upgrade: 12, image: 7 },
    syncIntervalMinutes: 15,
    ...overrides,
  };
}

const longName = `Windows 11 24H2 Enterprise x64 ${'very long servicing note '.repeat(12)}`.trim();
const many = makePackages(500);

function allText(card: AdaptiveCard): string {
  return cardTexts(card).join('\n');
}

function buttons(card: AdaptiveCard) {
  return findActions(card).filter((action) => action.type === 'Action.Execute');
}

describe('media cards', () => {
  describe('every card is valid for Teams', () => {
    const cases: Array<[string, () => AdaptiveCard]> = [];
    for (const [contextName, context] of Object.entries(contexts)) {
      cases.push(
        [`help, ${contextName}`, () => helpCard(context)],
        [`empty list, ${contextName}`, () => mediaListCard({ packages: [], filter: '', page: 0 }, context)],
        [`detail, ${contextName}`, () => mediaDetailCard(makePackage(), context)],
        [`editions, ${contextName}`, () => editionsCard(makePackage(), context)],
        [`choice, ${contextName}`, () => choiceCard({ query: '24H2', command: 'show', candidates: makePackages(3) }, context)],
        [`status, ${contextName}`, () => statusCard(status(), context)],
        [`error, ${contextName}`, () => errorCard({ message: 'No package has the id PS1; type "list".' }, context)],
      );
    }
    for (const count of [0, 1, 20, 21]) {
      const packages = makePackages(count);
      const pages = Math.max(1, Math.ceil(count / 20));
      for (let page = 0; page < pages; page++) {
        cases.push([`list of ${count}, page ${page + 1}`, () => mediaListCard({ packages, filter: '', page }, live)]);
      }
    }
    for (let page = 0; page < 25; page++) {
      cases.push([`list of 500, page ${page + 1} of 25`, () => mediaListCard({ packages: many, filter: 'Windows', page }, live)]);
    }
    const longNamed = makePackages(MAX_LIST_PAGE_SIZE * 2).map((pkg) => ({ ...pkg, name: longName.repeat(5) }));
    const worstContext: CardContext = { demo: true, syncedAt, staleReason: 'ECONNRESET '.repeat(100) };
    cases.push(
      ['list of long names and a long filter at the largest page size', () => mediaListCard({ packages: longNamed, filter: 'x'.repeat(5000), page: 1, pageSize: MAX_LIST_PAGE_SIZE }, worstContext)],
      ['list with a tricky name', () => mediaListCard({ packages: [makePackage({ name: TRICKY_NAME })], filter: TRICKY_NAME, page: 0 }, live)],
      ['detail with unknown build and no dates', () => mediaDetailCard(makePackage({ build: undefined, buildSource: undefined, release: undefined, sourceDate: undefined, lastRefreshTime: undefined, packageSizeKb: undefined }), live)],
      ['detail of unreadable editions', () => mediaDetailCard(makePackage({ editions: [], editionsState: { state: 'unreadable', reason: 'ImageProperty is not valid XML' } }), live)],
      ['detail with action in progress', () => mediaDetailCard(makePackage({ actionInProgress: 2 }), live)],
      ['detail of a long name', () => mediaDetailCard(makePackage({ name: longName, description: longName }), live)],
      ['detail with a tricky name', () => mediaDetailCard(makePackage({ name: TRICKY_NAME, description: TRICKY_NAME }), live)],
      ['editions not fetched', () => editionsCard(makePackage({ editions: [], editionsState: { state: 'not-fetched' } }), live)],
      ['editions unreadable', () => editionsCard(makePackage({ editions: [], editionsState: { state: 'unreadable', reason: 'timeout' } }), live)],
      ['editions known but none', () => editionsCard(makePackage({ editions: [] }), live)],
      ['one edition', () => editionsCard(makePackage({ editions: [makeEdition()] }), live)],
      ['eleven editions without sizes', () => editionsCard(makePackage({ editions: Array.from({ length: 11 }, (_, i) => makeEdition({ index: i + 1, sizeBytes: undefined, languages: [] })) }), live)],
      ['editions with a tricky name', () => editionsCard(makePackage({ name: TRICKY_NAME, editions: [makeEdition({ name: TRICKY_NAME })] }), live)],
      ['choice of none', () => choiceCard({ query: 'nothing', command: 'show', candidates: [] }, live)],
      ['choice of one', () => choiceCard({ query: '24H2', command: 'editions', candidates: makePackages(1) }, live)],
      ['choice of 40 long names', () => choiceCard({ query: longName, command: 'editions', candidates: makePackages(40).map((p) => ({ ...p, name: longName })) }, live)],
      ['choice with a tricky name', () => choiceCard({ query: TRICKY_NAME, command: 'show', candidates: [makePackage({ name: TRICKY_NAME })] }, live)],
      ['status unreachable', () => statusCard(status({ configMgrReachable: false, lastSyncError: 'connect ETIMEDOUT' }), contexts.stale)],
      ['status before the first sync', () => statusCard(status({ configMgrReachable: null, lastSyncAttemptAt: null, lastSuccessfulSyncAt: null, lastSyncDurationMs: null }), contexts['never synced'])],
      ['status of the demo site', () => statusCard(status({ demo: true, adminServiceUrl: '' }), contexts.demo)],
      ['error without context', () => errorCard({ message: 'Something went wrong; try again.' })],
      ['error with 8 suggestions', () => errorCard({ message: 'No package is named "W11".', suggestions: makePackages(8) }, live)],
      ['error with a tricky suggestion', () => errorCard({ message: TRICKY_NAME, suggestions: [makePackage({ name: TRICKY_NAME })] }, { ...live, staleReason: TRICKY_NAME })],
    );
    for (const [name, make] of cases) {
      it(name, () => assertValidCard(make(), { literalTexts: [TRICKY_NAME] }));
    }
  });

  describe('a name full of template syntax comes out verbatim', () => {
    const pkg = makePackage({ name: TRICKY_NAME });
    const cases: Array<[string, AdaptiveCard]> = [
      ['list', mediaListCard({ packages: [pkg], filter: '', page: 0 }, live)],
      ['detail', mediaDetailCard(pkg, live)],
      ['editions', editionsCard(pkg, live)],
      ['choice', choiceCard({ query: 'Lab', command: 'show', candidates: [pkg, makePackage({ id: 'PS2' })] }, live)],
      ['error', errorCard({ message: 'Did you mean this?', suggestions: [pkg] }, live)],
    ];
    for (const [name, card] of cases) {
      it(`in the ${name} card`, () => assert.ok(cardTexts(card).some((text) => displayed(text).includes(TRICKY_NAME)), allText(card)));
    }
    it('in a filter, shown in the title and carried by the page buttons', () => {
      const card = mediaListCard({ packages: makePackages(30), filter: TRICKY_NAME, page: 0 }, live);
      assert.equal(displayed(cardTexts(card)[0]), `Media matching "${TRICKY_NAME}"`);
      assert.deepEqual(buttons(card).find((b) => b.title === 'Next')?.data, { filter: TRICKY_NAME, kind: '', page: 1 });
    });
    it('in the stale reason and the error message', () => {
      const card = errorCard({ message: TRICKY_NAME }, { ...live, staleReason: TRICKY_NAME });
      assert.ok(cardTexts(card).map(displayed).includes(TRICKY_NAME));
      assert.ok(cardTexts(card).map(displayed).includes(`Last error: ${TRICKY_NAME}`));
    });
  });

  describe('context', () => {
    const everyCard: Array<[string, (context: CardContext) => AdaptiveCard]> = [
      ['help', (c) => helpCard(c)],
      ['list', (c) => mediaListCard({ packages: makePackages(3), filter: '', page: 0 }, c)],
      ['detail', (c) => mediaDetailCard(makePackage(), c)],
      ['editions', (c) => editionsCard(makePackage(), c)],
      ['choice', (c) => choiceCard({ query: 'W', command: 'show', candidates: makePackages(2) }, c)],
      ['status', (c) => statusCard(status(), c)],
      ['error', (c) => errorCard({ message: 'Oops; try again.' }, c)],
    ];
    for (const [name, make] of everyCard) {
      it(`labels the ${name} card "Demo site" on the demo site and not otherwise`, () => {
        assert.match(cardTexts(make(contexts.demo))[0], /^Demo site/);
        assert.ok(!allText(make(live)).includes('Demo site'));
      });
      it(`warns on the ${name} card when ConfigMgr is not answering`, () => {
        const texts = cardTexts(make(contexts.stale));
        assert.equal(texts[0], 'ConfigMgr is not answering; this is the inventory as of {{DATE(2025-06-14T10:42:07Z, SHORT)}} {{TIME(2025-06-14T10:42:07Z)}}.');
        assert.equal(texts[1], 'Last error: connect ECONNREFUSED 10.0.0.5:443');
      });
    }
    it('says when no sync has succeeded while ConfigMgr is not answering', () => {
      assert.match(cardTexts(helpCard(contexts['stale before any sync']))[0], /no sync has succeeded yet/);
      assert.ok(!allText(helpCard(contexts['stale before any sync'])).includes('Last error'), 'an empty reason is not shown');
    });
    const freshness: Array<[string, CardContext, string | undefined]> = [
      ['live', live, 'As of {{DATE(2025-06-14T10:42:07Z, SHORT)}} {{TIME(2025-06-14T10:42:07Z)}}, from ConfigMgr.'],
      ['demo', contexts.demo, 'As of {{DATE(2025-06-14T10:42:07Z, SHORT)}} {{TIME(2025-06-14T10:42:07Z)}}, from the demo site.'],
      ['never synced', contexts['never synced'], 'Not synced from ConfigMgr yet.'],
      ['invalid sync date', { demo: false, syncedAt: new Date('nonsense') }, 'Not synced from ConfigMgr yet.'],
      ['stale (the banner says it)', contexts.stale, undefined],
    ];
    for (const [name, context, expected] of freshness) {
      it(`ends data cards with where and when the data came from: ${name}`, () => {
        for (const card of [mediaListCard({ packages: makePackages(2), filter: '', page: 0 }, context), mediaDetailCard(makePackage(), context), editionsCard(makePackage(), context)]) {
          const last = cardTexts(card).at(-1);
          if (expected === undefined) assert.ok(!allText(card).includes('As of'), allText(card));
          else assert.equal(last, expected);
        }
      });
    }
    it('leaves the help, status and error cards without an "as of" line', () => {
      for (const card of [helpCard(live), statusCard(status(), live), errorCard({ message: 'x' }, live)]) {
        assert.ok(!allText(card).includes('As of'));
      }
    });
  });

  describe('help card', () => {
    const card = helpCard(live);
    it('lists every command with its usage, description and an example', () => {
      const text = allText(card);
      for (const command of botCommands) {
        assert.ok(cardTexts(card).includes(command.usage), command.usage);
        assert.ok(text.includes(command.description));
        assert.ok(text.includes(`Example: ${command.example}`));
      }
      assert.ok(text.includes('also: media') && text.includes('also: build') && text.includes('also: behind'), 'aliases are named');
    });
    it('offers buttons that run commands as if typed', () => {
      assert.deepEqual(
        buttons(card).map((b) => [b.title, b.verb, b.data]),
        [
          ['List media', CardVerbs.command, { text: 'list' }],
          ['Behind or drifting', CardVerbs.command, { text: 'stale' }],
          ['Site status', CardVerbs.command, { text: 'status' }],
        ],
      );
    });
  });

  describe('media list card', () => {
    it('pages 500 packages 20 at a time, each package exactly once, upgrade packages before images', () => {
      const seen: string[] = [];
      for (let page = 0; page < 25; page++) {
        const card = mediaListCard({ packages: many, filter: '', page }, live);
        assert.equal(cardTexts(card)[1], `Page ${page + 1} of 25 · 500 packages`);
        const ids = buttons(card).filter((b) => b.verb === CardVerbs.show).map((b) => b.data?.packageId as string);
        assert.equal(ids.length, 20);
        seen.push(...ids);
        const nav = buttons(card).filter((b) => b.verb === CardVerbs.listPage).map((b) => [b.title, b.data]);
        const expected = [
          ...(page > 0 ? [['Previous', { filter: '', kind: '', page: page - 1 }]] : []),
          ...(page < 24 ? [['Next', { filter: '', kind: '', page: page + 1 }]] : []),
        ];
        assert.deepEqual(nav, expected);
      }
      assert.deepEqual([...seen].sort(), many.map((p) => p.id).sort());
      const kinds = seen.map((id) => many.find((p) => p.id === id)?.kind);
      assert.equal(kinds.indexOf('image'), kinds.lastIndexOf('upgrade') + 1, 'all upgrade packages come first');
    });
    it('groups a page by kind with totals over all pages', () => {
      const texts = cardTexts(mediaListCard({ packages: makePackages(6), filter: '', page: 0 }, live));
      assert.ok(texts.includes('OS upgrade packages (4)') && texts.includes('OS images (2)'), texts.join('|'));
      assert.ok(texts.indexOf('OS upgrade packages (4)') < texts.indexOf('OS images (2)'));
    });
    it('shows name, id, build.revision, release and editions count per row; "?" when editions are not read', () => {
      const packages = [
        makePackage(),
        makePackage({ id: 'PS100013', name: 'Windows 10 22H2', editions: [], editionsState: { state: 'not-fetched' } }),
        makePackage({ id: 'PS100014', name: 'Unknown media', build: undefined, release: undefined }),
      ];
      const texts = cardTexts(mediaListCard({ packages, filter: '', page: 0 }, live));
      // Id and release sit under the name, so that the build never wraps at Teams' card width.
      const row = (name: string) => texts.slice(texts.indexOf(name), texts.indexOf(name) + 4);
      assert.deepEqual(row('Windows 11 24H2 Enterprise x64'), ['Windows 11 24H2 Enterprise x64', 'PS100012 · Windows 11 24H2', '26100.4349', '3']);
      assert.deepEqual(row('Windows 10 22H2'), ['Windows 10 22H2', 'PS100013 · Windows 11 24H2', '26100.4349', '?']);
      assert.deepEqual(row('Unknown media'), ['Unknown media', 'PS100014 · release unknown', 'unknown', '3']);
    });
    it('opens a package from its name, saying which list page it was opened from', () => {
      const card = mediaListCard({ packages: [makePackage()], filter: '24H2', page: 0 }, live);
      assert.deepEqual(
        buttons(card).map((b) => [b.verb, b.data]),
        [[CardVerbs.show, { packageId: 'PS100012', view: 'list', filter: '24H2', kind: '', page: 0 }]],
      );
    });
    it("carries only the package from the whole list's first page, where Back to list leads anyway", () => {
      const card = mediaListCard({ packages: [makePackage()], filter: '', page: 0 }, live);
      assert.deepEqual(buttons(card).map((b) => [b.verb, b.data]), [[CardVerbs.show, { packageId: 'PS100012' }]]);
    });
    it('says that no package matches the filter, and shows the filter', () => {
      const texts = cardTexts(mediaListCard({ packages: [], filter: '  25H2 ', page: 0 }, live));
      assert.equal(texts[0], 'Media matching "25H2"');
      assert.ok(texts.includes('No package matches "25H2"; type "list" to see all media.'));
      assert.ok(!texts.some((t) => t.startsWith('Page ')));
    });
    it('says so when the site has no media at all', () => {
      const card = mediaListCard({ packages: [], filter: '', page: 0 }, live);
      assert.ok(cardTexts(card).includes('The site has no OS upgrade packages or OS images.'));
      assert.deepEqual(buttons(card), []);
    });
    const pages: Array<[string, number, number]> = [
      ['a page past the end shows the last page', 99, 3],
      ['a negative page shows the first page', -4, 1],
      ['a fractional page rounds down', 1.7, 2],
      ['NaN shows the first page', Number.NaN, 1],
      ['Infinity shows the first page', Number.POSITIVE_INFINITY, 1],
    ];
    for (const [name, page, shown] of pages) {
      it(name, () => {
        assert.equal(cardTexts(mediaListCard({ packages: makePackages(50), filter: '', page }, live))[1], `Page ${shown} of 3 · 50 packages`);
      });
    }
    for (const pageSize of [0, -1, 1.5, MAX_LIST_PAGE_SIZE + 1, Number.NaN]) {
      it(`refuses page size ${pageSize}`, () => {
        assert.throws(() => mediaListCard({ packages: [], filter: '', page: 0, pageSize }, live), RangeError);
      });
    }
    it('honours a smaller page size', () => {
      const card = mediaListCard({ packages: makePackages(5), filter: 'W', page: 1, pageSize: 2 }, live);
      assert.equal(cardTexts(card)[1], 'Page 2 of 3 · 5 packages');
    });
    it('cuts very long names in the table but keeps the card under 28 KB', () => {
      const packages = makePackages(MAX_LIST_PAGE_SIZE).map((p) => ({ ...p, name: longName.repeat(10) }));
      const card = mediaListCard({ packages, filter: '', page: 0, pageSize: MAX_LIST_PAGE_SIZE }, live);
      assert.ok(Buffer.byteLength(JSON.stringify(card)) < TEAMS_MAX_CARD_BYTES);
      assert.ok(cardTexts(card).some((t) => t.length === 120 && t.endsWith('…')));
    });
    it(`cuts a filter longer than ${MAX_LIST_FILTER_LENGTH} characters, in the title and in the page buttons`, () => {
      const card = mediaListCard({ packages: makePackages(50), filter: `  ${'ü'.repeat(300)}`, page: 0 }, live);
      assert.deepEqual(buttons(card).find((b) => b.title === 'Next')?.data, { filter: 'ü'.repeat(MAX_LIST_FILTER_LENGTH), kind: '', page: 1 });
      assert.equal(cardTexts(card)[0], `Media matching "${'ü'.repeat(119)}…"`);
    });
    it('does not change the caller\'s array', () => {
      const packages = makePackages(5).reverse();
      const before = packages.map((p) => p.id);
      mediaListCard({ packages, filter: '', page: 0 }, live);
      assert.deepEqual(packages.map((p) => p.id), before);
    });
  });

  describe('media detail card', () => {
    const facts = (card: AdaptiveCard): Record<string, string> => {
      const texts = cardTexts(card);
      const start = texts.indexOf('Kind');
      const pairs: Record<string, string> = {};
      // ConfigMgr's facts end where the share's begin.
      for (let i = start; i + 1 < texts.length && texts[i] !== 'On the share' && !texts[i].startsWith('As of'); i += 2) pairs[texts[i]] = texts[i + 1];
      return pairs;
    };
    it('shows what an admin checks about the media', () => {
      const card = mediaDetailCard(makePackage(), live);
      assert.equal(cardTexts(card)[0], 'Windows 11 24H2 Enterprise x64');
      assert.equal(cardTexts(card)[1], 'OS upgrade package · PS100012');
      assert.deepEqual(facts(card), {
        Kind: 'OS upgrade package',
        Build: '26100.4349 (10.0.26100.4349, from ImageOSVersion)',
        Release: 'Windows 11 24H2',
        Version: '10.0.26100.4349',
        Language: 'en-US',
        Editions: '3: Windows 11 Education, Windows 11 Enterprise, Windows 11 Pro',
        // Markdown source: every backslash doubled, so Teams shows \\cm01.contoso.com\Sources$\… as stored.
        'Source path': '\\\\\\\\cm01.contoso.com\\\\Sources$\\\\OSD\\\\Upgrade\\\\W11-24H2-x64',
        'Source version': '7',
        'Source date': '{{DATE(2025-06-12T08:15:30Z, SHORT)}} {{TIME(2025-06-12T08:15:30Z)}}',
        'Last refresh': '{{DATE(2025-06-12T09:01:02Z, SHORT)}} {{TIME(2025-06-12T09:01:02Z)}}',
        Size: '5.7 GB',
        Site: 'PS1',
        Manufacturer: 'Microsoft',
        Description: 'Serviced with the June cumulative update',
      });
    });
    const variants: Array<[string, Partial<MediaPackage>, string, string]> = [
      ['a build read from Version', { buildSource: 'Version', kind: 'image' }, 'Build', '26100.4349 (10.0.26100.4349, from Version)'],
      ['an unknown build', { build: undefined, buildSource: undefined, release: undefined }, 'Build', 'Not known: ImageOSVersion is empty and Version does not read as a build number'],
      ['an unknown release', { release: undefined }, 'Release', 'Not known (the build is not known)'],
      ['editions not read yet', { editions: [], editionsState: { state: 'not-fetched' } }, 'Editions', 'Not read yet'],
      ['unreadable editions', { editions: [], editionsState: { state: 'unreadable', reason: 'ImageProperty is not valid XML' } }, 'Editions', 'Unreadable: ImageProperty is not valid XML'],
      ['no editions', { editions: [] }, 'Editions', '0 (ConfigMgr lists none)'],
      ['no size', { packageSizeKb: undefined }, 'Size', 'not known'],
      ['a small size', { packageSizeKb: 512_000 }, 'Size', '500 MB'],
      ['no source date', { sourceDate: undefined }, 'Source date', 'Not known'],
      ['an invalid refresh date', { lastRefreshTime: new Date('x') }, 'Last refresh', 'Not known'],
      ['an empty version', { version: '' }, 'Version', '(empty)'],
    ];
    for (const [name, overrides, title, value] of variants) {
      it(`shows ${name}`, () => assert.equal(facts(mediaDetailCard(makePackage(overrides), live))[title], value));
    }
    for (const [code, word] of [[1, 'update'], [2, 'add'], [3, 'delete'], [9, 'code 9']] as const) {
      it(`says ConfigMgr has an action in progress (${code})`, () => {
        assert.ok(cardTexts(mediaDetailCard(makePackage({ actionInProgress: code }), live)).includes(`⚠ ConfigMgr has an action in progress on this package: ${word}.`));
      });
    }
    it('says nothing about actions when none is in progress', () => {
      assert.ok(!allText(mediaDetailCard(makePackage(), live)).includes('action in progress'));
    });
    it('offers Editions, Refresh (asks for a refresh job) and Back to list', () => {
      assert.deepEqual(
        buttons(mediaDetailCard(makePackage(), live)).map((b) => [b.title, b.verb, b.data]),
        [
          ['Editions', CardVerbs.editions, { packageId: 'PS100012' }],
          ['Refresh', JobVerbs.refresh, { packageId: 'PS100012' }],
          ['Back to list', CardVerbs.listPage, { filter: '', page: 0 }],
        ],
      );
    });
  });

  describe('editions card', () => {
    it('says a single index leaves nothing to trim', () => {
      assert.ok(cardTexts(editionsCard(makePackage({ editions: [makeEdition()] }), live)).includes('The media carries a single index, so nothing beyond it adds to the image.'));
    });
    const states: Array<[string, Partial<MediaPackage>, string]> = [
      ['not read yet', { editions: [], editionsState: { state: 'not-fetched' } }, "ConfigMgr has not read this package's editions yet (it loads image properties on demand); ask again after the next sync."],
      ['unreadable', { editions: [], editionsState: { state: 'unreadable', reason: 'ImageProperty is not valid XML' } }, "ConfigMgr could not read this package's editions: ImageProperty is not valid XML"],
      ['known but empty', { editions: [] }, 'ConfigMgr lists no editions for this package.'],
    ];
    for (const [name, overrides, sentence] of states) {
      it(`says clearly when editions are ${name}, without a table`, () => {
        const card = editionsCard(makePackage(overrides), live);
        assert.ok(cardTexts(card).includes(sentence), allText(card));
        assert.ok(!cardTexts(card).includes('Index'));
      });
    }
    it('ignores stale editions when the state says they are not known', () => {
      const card = editionsCard(makePackage({ editionsState: { state: 'not-fetched' } }), live);
      assert.ok(!cardTexts(card).includes('Windows 11 Pro'));
    });
    it('offers the package details and the list', () => {
      assert.deepEqual(
        buttons(editionsCard(makePackage(), live)).map((b) => [b.verb, b.data]),
        [[CardVerbs.show, { packageId: 'PS100012' }], [CardVerbs.listPage, { filter: '', page: 0 }]],
      );
    });
  });

  describe('choice card', () => {
    it('offers one button per candidate with the command\'s verb', () => {
      for (const [command, verb, title] of [['show', CardVerbs.show, 'Open'], ['editions', CardVerbs.editions, 'Editions of']] as const) {
        const candidates = makePackages(3);
        const card = choiceCard({ query: ' 24H2 ', command, candidates }, live);
        assert.equal(cardTexts(card)[0], '3 packages match "24H2"');
        assert.deepEqual(buttons(card).map((b) => [b.title, b.verb, b.data]), candidates.map((p) => [`${title} ${p.id}`, verb, { packageId: p.id }]));
      }
    });
    it('shows at most 10 and says how many more, suggesting the id', () => {
      const candidates = makePackages(13);
      const card = choiceCard({ query: 'Windows', command: 'show', candidates }, live);
      assert.equal(buttons(card).length, 10);
      assert.ok(cardTexts(card).includes('3 more match; type a longer part of the name or the package id, e.g. "show PS100001".'));
    });
    it('says "1 more matches" for one more', () => {
      assert.ok(allText(choiceCard({ query: 'W', command: 'editions', candidates: makePackages(11) }, live)).includes('1 more matches;'));
    });
    it('words a single match and no match', () => {
      assert.equal(cardTexts(choiceCard({ query: 'x', command: 'show', candidates: makePackages(1) }, live))[0], '1 package matches "x"');
      const none = choiceCard({ query: 'x', command: 'show', candidates: [] }, live);
      assert.equal(cardTexts(none)[0], 'No package matches "x"');
      assert.deepEqual(buttons(none), []);
    });
  });

  describe('status card', () => {
    const facts = (card: AdaptiveCard) => {
      const texts = cardTexts(card);
      const out: Record<string, string> = {};
      for (let i = texts.indexOf('Site'); i + 1 < texts.length; i += 2) out[texts[i]] = texts[i + 1];
      return out;
    };
    it('reports a healthy site', () => {
      const card = statusCard(status(), live);
      assert.equal(cardTexts(card)[1], 'ConfigMgr is answering.');
      assert.deepEqual(facts(card), {
        Site: 'ConfigMgr site',
        AdminService: 'https://cm01.contoso.com/AdminService',
        'Last sync attempt': '{{DATE(2025-06-14T10:42:00Z, SHORT)}} {{TIME(2025-06-14T10:42:00Z)}}',
        'Last successful sync': '{{DATE(2025-06-14T10:42:00Z, SHORT)}} {{TIME(2025-06-14T10:42:00Z)}}',
        'Sync took': '2.3 s',
        'Next sync': 'Every 15 minutes; next around {{DATE(2025-06-14T10:57:00Z, SHORT)}} {{TIME(2025-06-14T10:57:00Z)}}',
        Packages: '12 OS upgrade packages, 7 OS images',
      });
    });
    it('reports ConfigMgr not answering with the last error', () => {
      const card = statusCard(status({ configMgrReachable: false, lastSyncError: 'connect ETIMEDOUT' }), live);
      assert.equal(cardTexts(card)[1], 'ConfigMgr is not answering; the bot answers from the last inventory it read.');
      assert.equal(facts(card)['Last error'], 'connect ETIMEDOUT');
    });
    it('reports a site not reached yet', () => {
      const card = statusCard(status({ configMgrReachable: null, lastSyncAttemptAt: null, lastSuccessfulSyncAt: null, lastSyncDurationMs: null, syncIntervalMinutes: 1, packageCounts: { upgrade: 1, image: 0 } }), contexts['never synced']);
      assert.equal(cardTexts(card)[1], 'The bot has not reached ConfigMgr yet; the first sync is under way.');
      const f = facts(card);
      assert.deepEqual([f['Last sync attempt'], f['Last successful sync'], f['Sync took'], f['Next sync'], f.Packages], ['None yet', 'None yet', 'not known', 'Every 1 minute', '1 OS upgrade package, 0 OS images']);
    });
    it('labels the demo site even if the context forgot to', () => {
      const card = statusCard(status({ demo: true }), live);
      assert.match(cardTexts(card)[0], /^Demo site/);
      assert.equal(facts(card).Site, 'Demo site (sample data, no real ConfigMgr)');
    });
    for (const [ms, text] of [[850, '850 ms'], [59_900, '59.9 s'], [125_000, '2 min 5 s']] as const) {
      it(`shows a sync of ${ms} ms as ${text}`, () => assert.equal(facts(statusCard(status({ lastSyncDurationMs: ms }), live))['Sync took'], text));
    }
  });

  describe('error card', () => {
    it('shows the one-sentence message alone when there is nothing to suggest', () => {
      const card = errorCard({ message: 'No package has the id PS9; type "list" to see the site\'s media.' });
      assert.deepEqual(cardTexts(card), ['No package has the id PS9; type "list" to see the site\'s media.']);
      assert.deepEqual(buttons(card), []);
    });
    it('offers "Did you mean" buttons that open the nearest packages, at most 5', () => {
      const suggestions = makePackages(7);
      const card = errorCard({ message: 'No package is named "W11".', suggestions }, live);
      assert.ok(cardTexts(card).includes('Did you mean:'));
      assert.deepEqual(buttons(card).map((b) => [b.verb, b.data]), suggestions.slice(0, 5).map((p) => [CardVerbs.show, { packageId: p.id }]));
    });
  });

  it('gives independent cards from repeated calls (templates are not changed by rendering)', () => {
    const first = mediaDetailCard(makePackage({ name: 'First' }), live);
    const second = mediaDetailCard(makePackage({ name: 'Second' }), contexts.demo);
    assert.equal(cardTexts(first)[0], 'First');
    assert.equal(cardTexts(second)[1], 'Second');
    assert.equal(cardTexts(mediaDetailCard(makePackage({ name: 'First' }), live))[0], 'First');
  });

  describe('asking naturally: kinds, stale pages, did you mean, back to the list', () => {
    const behind = (p: MediaPackage) => ({ ...p, freshness: makeFreshness(verdictExamples.behind), findings: [makeFinding('autorun-inf')] });
    const ended = (p: MediaPackage) => ({ ...p, freshness: makeFreshness(verdictExamples['out-of-support']) });

    const listTitles: Array<{ kind?: 'upgrade' | 'image'; filter: string; title: string; why: string }> = [
      { filter: '', title: 'Media on the site', why: 'everything' },
      { kind: 'image', filter: '', title: 'OS images on the site', why: '"list images"' },
      { kind: 'upgrade', filter: '24H2', title: 'OS upgrade packages matching "24H2"', why: 'a kind and a filter' },
    ];
    for (const { kind, filter, title, why } of listTitles) {
      it(`titles the list "${title}": ${why}`, () => {
        const card = mediaListCard({ packages: makePackages(3), filter, kind, page: 0 }, live);
        assert.equal(cardTexts(card)[0], title);
      });
    }

    it('carries the kind in the page buttons and the place in each Open button', () => {
      const card = mediaListCard({ packages: makePackages(45), filter: 'Upgrade', kind: 'upgrade', page: 1 }, live);
      assert.deepEqual(buttons(card).find((b) => b.title === 'Next')?.data, { filter: 'Upgrade', kind: 'upgrade', page: 2 });
      const open = buttons(card).find((b) => b.verb === CardVerbs.show);
      assert.deepEqual({ ...open?.data, packageId: 'x' }, { packageId: 'x', view: 'list', filter: 'Upgrade', kind: 'upgrade', page: 1 });
    });

    it('leaves a long filter out of the Open buttons, so that 30 rows stay under 28 KB', () => {
      const card = mediaListCard({ packages: makePackages(MAX_LIST_PAGE_SIZE), filter: '"'.repeat(MAX_LIST_FILTER_LENGTH), page: 0, pageSize: MAX_LIST_PAGE_SIZE }, live);
      assertValidCard(card);
      assert.ok(buttons(card).filter((b) => b.verb === CardVerbs.show).every((b) => Object.keys(b.data ?? {}).join() === 'packageId'));
    });

    it('says the site has none of a kind', () => {
      assert.ok(cardTexts(mediaListCard({ packages: [], filter: '', kind: 'image', page: 0 }, live)).includes('The site has no OS images; type "list" to see all media.'));
    });

    it(`pages the stale view ${MAX_STALE_ROWS} at a time, every package once, with the filter on every button`, () => {
      const packages = makePackages(45).map(behind);
      const seen: string[] = [];
      for (let page = 0; page < 3; page++) {
        const card = staleCard({ packages, totalPackages: 60, matching: 50, filter: '24H2', page }, live);
        assertValidCard(card);
        assert.equal(cardTexts(card)[1].split('.')[0], `Page ${page + 1} of 3 · 45 of 50 packages matching "24H2" need attention, worst first`);
        const opens = buttons(card).filter((b) => b.verb === CardVerbs.show);
        seen.push(...opens.map((b) => b.data?.packageId as string));
        for (const open of opens) assert.deepEqual({ ...open.data, packageId: '' }, { packageId: '', view: 'stale', filter: '24H2', kind: '', support: '', page });
        const nav = buttons(card).filter((b) => b.verb === CardVerbs.stalePage).map((b) => [b.title, b.data?.page]);
        assert.deepEqual(nav, [...(page > 0 ? [['Previous', page - 1]] : []), ...(page < 2 ? [['Next', page + 1]] : [])]);
        assert.deepEqual(buttons(card).filter((b) => b.verb === CardVerbs.listPage).map((b) => [b.title, b.data]), [['List all matching media', { filter: '24H2', kind: '', page: 0 }]]);
      }
      assert.deepEqual(seen, packages.map((p) => p.id));
    });

    const staleSentences: Array<{ view: Parameters<typeof staleCard>[0]; texts: [string, string]; why: string }> = [
      {
        view: { packages: makePackages(2).map(ended), totalPackages: 9, matching: 4, kind: 'image', outOfSupport: true },
        texts: ['OS images out of support', "2 of 4 OS images are out of support (their releases' servicing has ended). Freshness against the latest updates known as of 2026-04-19."],
        why: '"which images are out of support"',
      },
      {
        view: { packages: [], totalPackages: 9, matching: 4, filter: 'server 2022', outOfSupport: true },
        texts: ['Nothing is out of support', 'None of the 4 packages matching "server 2022" is out of support, as of {{DATE(2025-06-14T10:42:07Z, SHORT)}} {{TIME(2025-06-14T10:42:07Z)}}.'],
        why: '"is Server 2022 supported", when it is',
      },
      {
        view: { packages: [], totalPackages: 9, matching: 3, filter: 'win11' },
        texts: ['Nothing is behind or drifting', 'All 3 packages matching "win11" are current and agree with their files, as of {{DATE(2025-06-14T10:42:07Z, SHORT)}} {{TIME(2025-06-14T10:42:07Z)}}.'],
        why: '"is win11 current", when it is',
      },
      {
        view: { packages: [], totalPackages: 9, matching: 0, filter: 'zzqq' },
        texts: ['Nothing is behind or drifting', 'No package matches "zzqq"; type "stale" to see all media that needs attention.'],
        why: 'a filter that matches no package',
      },
      {
        view: { packages: [], totalPackages: 9, matching: 0, kind: 'image' },
        texts: ['Nothing is behind or drifting', 'The site has no OS images.'],
        why: 'a kind the site does not have',
      },
    ];
    for (const { view, texts, why } of staleSentences) {
      it(`says "${texts[1]}": ${why}`, () => {
        const card = staleCard(view, live);
        assertValidCard(card);
        assert.deepEqual(cardTexts(card).slice(0, 2), texts);
      });
    }

    it('shares one stale card among filters that match nothing, with no button carrying the stand-in', () => {
      const kept = JSON.stringify(staleCard({ packages: [], totalPackages: 9, matching: 0, filter: LIST_FILTER_STAND_IN }, live));
      const card = withListFilter(kept, 'zzqq');
      assert.deepEqual(cardTexts(card).slice(0, 2), ['Nothing is behind or drifting', 'No package matches "zzqq"; type "stale" to see all media that needs attention.']);
      assert.deepEqual(buttons(card).map((b) => [b.title, b.data]), [['List all media', { filter: '', kind: '', page: 0 }]]);
    });

    it('offers the corrected command as a button that runs it, and help', () => {
      const card = didYouMeanCard({ typed: 'lsit 24H2', suggestion: 'list 24H2' }, live);
      assertValidCard(card);
      assert.deepEqual(cardTexts(card).slice(0, 2), ['I don\'t know "lsit 24H2" as a command.', 'Did you mean "list 24H2"?']);
      assert.deepEqual(buttons(card).map((b) => [b.title, b.verb, b.data]), [
        ['list 24H2', CardVerbs.command, { text: 'list 24H2' }],
        ['Show help', CardVerbs.command, { text: 'help' }],
      ]);
    });

    for (const { text, why } of HOSTILE_TEXTS) {
      it(`shows ${why} as text on the did-you-mean and stale cards`, () => {
        const cards = [
          didYouMeanCard({ typed: `lsit ${text}`, suggestion: `list ${text}` }, live),
          staleCard({ packages: makePackages(2).map(behind), totalPackages: 5, matching: 3, filter: text }, live),
          withListFilter(JSON.stringify(staleCard({ packages: [], totalPackages: 5, matching: 0, filter: LIST_FILTER_STAND_IN }, live)), text),
        ];
        for (const card of cards) {
          assertValidCard(card, { literalTexts: [text, `list ${text}`] });
          assert.ok(cardTexts(card).some((shown) => displayed(shown).includes(text)), cardTexts(card).join('|'));
          for (const shown of cardTexts(card).filter((t) => displayed(t).includes(text) && t !== displayed(t))) {
            assert.doesNotMatch(shown, /(?<!\\)\[[^\]]*(?<!\\)\]\(/, 'no live link');
          }
        }
      });
    }

    const places: Array<{ from: Parameters<typeof withBackTo>[1]; back: [string, Record<string, unknown>]; why: string }> = [
      { from: { view: 'list', filter: '24H2', kind: 'image', page: 3 }, back: [CardVerbs.listPage, { filter: '24H2', kind: 'image', page: 3 }], why: 'a filtered list page' },
      { from: { view: 'list', filter: '', page: 0 }, back: [CardVerbs.listPage, { filter: '', kind: '', page: 0 }], why: 'the whole list' },
      {
        from: { view: 'stale', filter: 'win10', outOfSupport: true, page: 2 },
        back: [CardVerbs.stalePage, { filter: 'win10', kind: '', support: 'ended', page: 2 }],
        why: 'a page of the stale view, out of support only',
      },
    ];
    for (const { from, back, why } of places) {
      it(`leads back to ${why}, from the detail and the editions card`, () => {
        for (const card of [mediaDetailCard(makePackage(), live), editionsCard(makePackage(), live)]) {
          const moved = withBackTo(card, from);
          assertValidCard(moved);
          const backButton = buttons(moved).find((b) => b.title === 'Back to list');
          assert.deepEqual([backButton?.verb, backButton?.data], back);
          const other = buttons(moved).find((b) => b.verb === CardVerbs.show || b.verb === CardVerbs.editions);
          assert.equal(other?.data?.view, from.view, 'the way to the other card of the package carries the place on');
          assert.deepEqual(buttons(card).find((b) => b.title === 'Back to list')?.data, { filter: '', page: 0 }, 'the kept card is not changed');
        }
      });
    }
  });
});
