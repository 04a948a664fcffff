/**
 * The editions card as an admin reads it in a narrow Teams chat: one stacked row per edition, matched by
 * identity between ConfigMgr and the WIM on the share, and what the indexes cost said once.
 */
import assert from 'node:assert/strict';
import { editionsCard, MAX_EDITION_ROWS } from '../../src/cards/media/editions-card';
import type { AdaptiveCard, CardContext } from '../../src/cards/kit/adaptive-card';
import type { MediaInspection } from '../../src/services/media/media-inspection';
import type { MediaPackage } from '../../src/services/media/media-package';
import type { WimImage } from '../../src/services/media/wim-image';
import { assertValidCard, cardTexts, TEAMS_MAX_CARD_BYTES } from '../support/assert-valid-card';
import { makeBuild, makeEdition, makeFinding, makeInspection, makePackage, makeWimImage, makeWimInfo } from '../support/media-fixtures';

const GB = 1024 ** 3;
const syncedAt = new Date('2026-11-25T10:00:00Z');
const live: CardContext = { demo: false, syncedAt };

function withWim(images: WimImage[], overrides: Partial<MediaPackage> = {}): MediaPackage {
  return makePackage({ inspection: makeInspection({ installImage: { relativePath: 'sources/install.wim', info: makeWimInfo({ images }), sizeBytes: 5 * GB, modifiedAt: syncedAt } }), ...overrides });
}

/** The texts of one edition's row, from its index to the next row. */
function rowOf(card: AdaptiveCard, index: number): string[] {
  const rows = JSON.parse(JSON.stringify(card)).body.filter((item: { type: string; separator?: boolean }) => item.type === 'Container' && item.separator === true);
  const row = rows.find((item: unknown) => cardTexts({ body: [item] })[0] === String(index));
  assert.ok(row, `a row for index ${index}`);
  return cardTexts({ body: [row] });
}

/** Every body element that holds text in the pale Warning color. */
function warningColoredTexts(card: AdaptiveCard): string[] {
  const found: string[] = [];
  const visit = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (record.color === 'Warning' && typeof record.text === 'string') found.push(record.text);
      Object.values(record).forEach(visit);
    }
  };
  visit(card.body);
  return found;
}

describe('editions card', () => {
  const enterprise = makeEdition({ index: 1, name: 'Windows 11 Enterprise', editionId: 'Enterprise', sizeBytes: Math.round(17.4 * GB) });
  const proAndEnterprise = [
    makeWimImage({ index: 1, name: 'Windows 11 Pro', displayName: 'Windows 11 Pro', editionId: 'Professional', totalBytes: Math.round(17.3 * GB) }),
    makeWimImage({ index: 2, totalBytes: Math.round(17.4 * GB) }),
  ];

  it('shows an edition whose index moved as one row that says so, not as missing on one side and extra on the other', () => {
    const card = editionsCard(withWim(proAndEnterprise, { editions: [enterprise], editionsInUse: ['Enterprise'] }), live);
    assert.deepEqual(rowOf(card, 2), ['2', 'Windows 11 Enterprise', 'Enterprise · x64 · en-US', 'In use', 'Index 1 in ConfigMgr, 2 in install.wim', '17.4 GB']);
    assert.deepEqual(rowOf(card, 1), ['1', 'Windows 11 Pro', 'Professional · x64 · en-US', 'Not in use', 'Not in ConfigMgr', '17.3 GB']);
    assert.equal(cardTexts(card).filter((text) => text.includes('Windows 11 Enterprise')).length, 1, 'Enterprise is one row');
    assert.ok(!cardTexts(card).some((text) => text.startsWith('Not in install.wim')), 'Enterprise is not called missing from the share');
  });

  it('stacks each edition\'s facts under its name, without a table whose headers wrap at Teams width', () => {
    const editions = [
      makeEdition({ index: 1, name: 'Windows 11 Education', editionId: 'Education', languages: ['en-US', 'de-DE', 'fr-FR', 'ja-JP', 'nl-NL'] }),
      makeEdition({ index: 2, name: 'Windows 11 Pro', editionId: undefined, architecture: undefined, languages: [], sizeBytes: undefined }),
    ];
    const card = editionsCard(makePackage({ editions }), live);
    assert.ok(!JSON.stringify(card).includes('"Table"'), 'no table');
    assert.deepEqual(rowOf(card, 1), ['1', 'Windows 11 Education', 'Education · x64 · en-US, de-DE, fr-FR +2', '17.2 GB']);
    assert.deepEqual(rowOf(card, 2), ['2', 'Windows 11 Pro', '—', '—']);
  });

  it('without EDITIONS_IN_USE says what the indexes cost once and claims none is used or extra', () => {
    const card = editionsCard(makePackage({ findings: [makeFinding('edition-sizes')] }), live);
    const texts = cardTexts(card);
    assert.ok(texts.includes('3 indexes, 51.9 GB expanded in all. Which of them this site deploys is not configured (EDITIONS_IN_USE), so none is called extra.'), texts.join('|'));
    assert.ok(!texts.some((text) => /beyond|^In use$|^Not in use$|extra indexes take/.test(text)), texts.join('|'));
    assert.ok(!texts.some((text) => text.includes('17.2–18.9 GB')), 'the sizes finding belongs on the detail card');
  });

  it('with EDITIONS_IN_USE marks each edition in use or not and says once what the rest take', () => {
    const findings = [makeFinding('extra-editions'), makeFinding('editions-mismatch'), makeFinding('autorun-inf')];
    const card = editionsCard(makePackage({ editionsInUse: ['Enterprise'], findings }), live);
    const texts = cardTexts(card);
    assert.deepEqual(texts.filter((text) => /in use/i.test(text)), [
      '2 of 3 indexes are not in use here (EDITIONS_IN_USE: Enterprise) and take 34.5 GB expanded; removing them shrinks the file by less, because the WIM stores shared files once.',
      'Not in use',
      'In use',
      'Not in use',
    ]);
    assert.ok(texts.includes('ConfigMgr lists 3 editions, install.wim holds 11: reload image properties.'), 'the editions mismatch is shown');
    assert.ok(!texts.some((text) => text.includes('Indexes 2–11 are not deployed') || text.includes('autorun.inf')), 'the cost is said once; other findings belong on the detail card');
  });

  it('tells apart by name two images that share an EditionID', () => {
    const images = [
      makeWimImage({ index: 1, name: 'Windows Server 2025 Standard', displayName: undefined, editionId: 'ServerStandard', installationType: 'Server Core' }),
      makeWimImage({ index: 2, name: 'Windows Server 2025 Standard (Desktop Experience)', displayName: undefined, editionId: 'ServerStandard' }),
    ];
    const card = editionsCard(withWim(images, { editions: [], editionsState: { state: 'not-fetched' }, editionsInUse: ['Windows Server 2025 Standard (Desktop Experience)'] }), live);
    assert.equal(rowOf(card, 1)[3], 'Not in use');
    assert.equal(rowOf(card, 2)[3], 'In use');
  });

  it('names a build only on an index whose build differs from the compared one', () => {
    const images = [makeWimImage({ index: 1, name: 'Windows 11 Education', displayName: undefined, editionId: 'Education' }), makeWimImage({ index: 2, version: makeBuild(26100, 4061) })];
    const card = editionsCard(withWim(images, { editions: [] }), live);
    assert.ok(!rowOf(card, 1).some((text) => text.startsWith('Build')));
    assert.ok(rowOf(card, 2).includes('Build 26100.4061'));
  });

  it('keeps long warnings out of the pale Warning color, marking them with a colored sign instead', () => {
    const card = editionsCard(makePackage({ findings: [makeFinding('editions-mismatch'), makeFinding('edition-moved')] }), live);
    assert.deepEqual(warningColoredTexts(card), ['⚠', '⚠']);
  });

  const shares: Array<[string, MediaInspection, string]> = [
    ['not inspected', { state: 'not-inspected', reason: 'MEDIA_PATH_MAP does not map \\\\cm01.contoso.com\\Sources$.' }, 'Not inspected: MEDIA\\_PATH\\_MAP does not map \\\\\\\\cm01.contoso.com\\\\Sources$.'],
    ['without an install image', makeInspection({ installImage: undefined }), 'No install.wim, install.esd or install.swm was found.'],
    ['with a WIM that lists no images', makeInspection({ installImage: { relativePath: 'sources/install.wim', info: makeWimInfo({ images: [] }), sizeBytes: GB, modifiedAt: syncedAt } }), 'The WIM lists no images.'],
  ];
  for (const [name, inspection, note] of shares) {
    it(`says once why the share adds nothing when it is ${name}, and shows ConfigMgr's editions`, () => {
      const texts = cardTexts(editionsCard(makePackage({ inspection }), live));
      assert.equal(texts.filter((text) => text === note).length, 1, texts.join('|'));
      assert.ok(texts.includes('Windows 11 Pro'));
    });
  }

  it(`shows at most ${MAX_EDITION_ROWS} editions of a hostile WIM, says how many more, and stays a valid card under 28 KB`, () => {
    const images = Array.from({ length: 200 }, (_, i) =>
      makeWimImage({ index: i + 1, name: `${'Édition <b>*'.repeat(40)}${i}`, displayName: undefined, editionId: `${'E_'.repeat(40)}${i}`, languages: Array.from({ length: 40 }, () => 'en-US') }),
    );
    // Every edition moved in ConfigMgr, the longest stale reason and finding: the most a card can carry.
    const editions = images.map((image) => makeEdition({ index: image.index + 1, name: image.name as string, editionId: image.editionId }));
    const stale = { demo: true, syncedAt, staleReason: 'x'.repeat(5000) };
    const card = editionsCard(withWim(images, { editions, editionsInUse: ['E1'], findings: [makeFinding('edition-moved', { message: 'm'.repeat(5000) })] }), stale);
    assertValidCard(card);
    assert.ok(Buffer.byteLength(JSON.stringify(card)) < TEAMS_MAX_CARD_BYTES, `${Buffer.byteLength(JSON.stringify(card))} bytes`);
    assert.ok(cardTexts(card).includes('… and 180 more indexes, not shown.'), cardTexts(card).slice(-5).join('|'));
  });
});
