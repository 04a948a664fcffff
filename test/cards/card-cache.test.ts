import assert from 'node:assert/strict';
import { CardCache } from '../../src/cards/card-cache';
import { escapeMarkdown } from '../../src/cards/kit/text';
import { mediaDetailCard } from '../../src/cards/media/detail-card';
import type { CardContext } from '../../src/cards/kit/adaptive-card';
import { assertValidCard, cardTexts } from '../support/assert-valid-card';
import { makePackage } from '../support/media-fixtures';

describe('CardCache', () => {
  const pkg = makePackage();
  const at = (iso: string): CardContext => ({ demo: false, syncedAt: new Date(iso) });

  function countingRender() {
    let renders = 0;
    return {
      render: (context: CardContext) => {
        renders++;
        return mediaDetailCard(pkg, context);
      },
      renders: () => renders,
    };
  }

  it('renders a card once per generation, and serves it with each sync time', () => {
    const cache = new CardCache();
    const counter = countingRender();
    const first = cache.get(1, ['show', pkg.id], at('2026-11-25T10:00:00Z'), counter.render);
    assert.equal(cache.get(1, ['show', pkg.id], at('2026-11-25T10:00:00Z'), counter.render), first, 'the same card again');
    const second = cache.get(1, ['show', pkg.id], at('2026-11-25T10:15:00Z'), counter.render);
    assert.equal(counter.renders(), 1);
    assert.deepEqual(first, mediaDetailCard(pkg, at('2026-11-25T10:00:00Z')));
    assert.deepEqual(second, mediaDetailCard(pkg, at('2026-11-25T10:15:00Z')));
    assertValidCard(second);
    assert.ok(!JSON.stringify(second).includes('1999-12-31'), 'no stand-in time is left');
  });

  it('renders again for a new generation, another context or another key', () => {
    const cache = new CardCache();
    const counter = countingRender();
    cache.get(1, ['show', pkg.id], at('2026-11-25T10:00:00Z'), counter.render);
    cache.get(2, ['show', pkg.id], at('2026-11-25T10:00:00Z'), counter.render);
    cache.get(2, ['show', pkg.id], { ...at('2026-11-25T10:00:00Z'), demo: true }, counter.render);
    cache.get(2, ['show', pkg.id], { ...at('2026-11-25T10:00:00Z'), staleReason: 'ConfigMgr did not answer.' }, counter.render);
    cache.get(2, ['show', pkg.id], { demo: false, syncedAt: null }, counter.render);
    cache.get(2, ['editions', pkg.id], at('2026-11-25T10:00:00Z'), counter.render);
    assert.equal(counter.renders(), 6);
  });

  it('hands out frozen cards, so that no turn can change a later answer', () => {
    const cache = new CardCache();
    const card = cache.get(1, ['k'], at('2026-11-25T10:00:00Z'), countingRender().render);
    assert.throws(() => {
      (card as Record<string, unknown>).body = [];
    }, TypeError);
    assert.throws(() => {
      ((card.body as unknown[])[0] as Record<string, unknown>).text = 'changed';
    }, TypeError);
  });

  it('forgets the least recently used cards beyond its byte budget, and counts what it keeps', () => {
    const probe = new CardCache();
    probe.get(1, ['a'], at('2026-11-25T10:00:00Z'), countingRender().render);
    const perCard = probe.byteCount;
    assert.ok(perCard > JSON.stringify(mediaDetailCard(pkg, at('2026-11-25T10:00:00Z'))).length * 2, 'a card weighs its text and its objects');

    const budget = perCard * 2;
    const cache = new CardCache(budget);
    const counter = countingRender();
    for (const key of ['a', 'b', 'c']) cache.get(1, [key], at('2026-11-25T10:00:00Z'), counter.render);
    assert.equal(counter.renders(), 3);
    assert.ok(cache.byteCount <= budget, `${cache.byteCount} bytes kept, budget ${budget}`);
    cache.get(1, ['c'], at('2026-11-25T10:00:00Z'), counter.render);
    assert.equal(counter.renders(), 3, '"c" is kept');
    cache.get(1, ['a'], at('2026-11-25T10:00:00Z'), counter.render);
    assert.equal(counter.renders(), 4, '"a", the least recently used, was forgotten for "c"');
  });

  it('serves a card larger than its whole budget without keeping it', () => {
    const cache = new CardCache(100);
    const counter = countingRender();
    const card = cache.get(1, ['a'], at('2026-11-25T10:00:00Z'), counter.render);
    assertValidCard(card);
    assert.equal(cache.byteCount, 0);
    assert.equal(cache.size, 0);
  });
});

describe('escapeMarkdown', () => {
  it('keeps UNC paths and markdown characters as ConfigMgr holds them', () => {
    assert.equal(escapeMarkdown('\\\\cm01\\OSD$\\W11'), '\\\\\\\\cm01\\\\OSD$\\\\W11');
    assert.equal(escapeMarkdown('*lab* _x_ `y` [z] <w>'), '\\*lab\\* \\_x\\_ \\`y\\` \\[z\\] \\<w\\>');
    assert.equal(escapeMarkdown('Plain – ünïcode'), 'Plain – ünïcode');
  });
  it('is what the detail card shows for the source path', () => {
    const texts = cardTexts(mediaDetailCard(makePackage({ sourcePath: '\\\\fs01\\Media_2026\\W11' }), at0()));
    assert.ok(texts.includes('\\\\\\\\fs01\\\\Media\\_2026\\\\W11'));
  });
});

function at0(): CardContext {
  return { demo: false, syncedAt: null };
}
