/**
 * Whatever a user typed (or ConfigMgr named) is shown as text: no link, emphasis or other markdown of
 * theirs comes alive in the bot's own sentences and titles, no address stays clickable, and the
 * reader still sees what was written.
 */
import assert from 'node:assert/strict';
import { choiceCard } from '../../src/cards/media/choice-card';
import { editionsCard } from '../../src/cards/media/editions-card';
import { mediaDetailCard } from '../../src/cards/media/detail-card';
import { mediaListCard, withListFilter, LIST_FILTER_STAND_IN } from '../../src/cards/media/list-card';
import { noPackageMatchesCard } from '../../src/cards/media/error-cards';
import { staleCard } from '../../src/cards/media/stale-card';
import type { AdaptiveCard, CardContext } from '../../src/cards/kit/adaptive-card';
import { assertValidCard } from '../support/assert-valid-card';
import { displayed } from '../support/displayed-text';
import { makeFinding, makePackage } from '../support/media-fixtures';

const live: CardContext = { demo: false, syncedAt: new Date('2026-11-25T10:00:00Z') };

export const HOSTILE_TEXTS: ReadonlyArray<{ text: string; why: string }> = [
  { text: '**x** [y](http://evil)', why: 'bold and an inline link (the issue)' },
  { text: '[Reset your password](https://evil.example/login)', why: 'a phishing link (the issue)' },
  { text: 'https://evil.example/login', why: 'a bare https address Teams autolinks' },
  { text: 'see www.evil.example now', why: 'a bare www. address' },
  { text: 'evil.com/login', why: 'a domain without a scheme' },
  { text: 'mail admin@evil.com', why: 'an e-mail address' },
  { text: '<a href="https://evil.example">x</a>', why: 'HTML' },
  { text: '<https://evil.example>', why: 'a markdown autolink' },
  { text: '![img](https://evil.example/p.png)', why: 'an image' },
  { text: '[x][1] [1]: https://evil.example', why: 'a reference link' },
  { text: '`code` ~~gone~~ _em_ __strong__', why: 'code, strike-through, emphasis' },
  { text: '# Heading', why: 'a heading at line start' },
  { text: '> quote', why: 'a quote at line start' },
  { text: '- item', why: 'a bullet at line start' },
  { text: '1. item', why: 'a numbered item at line start' },
  { text: '| a | b |', why: 'a table row' },
  { text: '&lt;b&gt; &amp;', why: 'HTML entities' },
  { text: '\\[x\\](http://evil)', why: 'escapes of its own, to undo ours' },
  { text: '{{DATE(2026-01-01T00:00:00Z, SHORT)}}', why: 'a Teams date function' },
  { text: "zz$' $& $` $1", why: 'patterns a string replacement would expand into parts of the card' },
];

/** Markdown characters not escaped by a backslash: any of them would let markdown through. */
function liveMarkdown(text: string): string[] {
  const found: string[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') {
      i++;
      continue;
    }
    if ('*_[]()<>`~|&!#{}'.includes(text[i])) found.push(text[i]);
  }
  return found;
}

const AUTOLINKS = [/[a-z][a-z0-9+.-]*:\/\//i, /\bwww\./i, /[\p{L}\p{N}]\.\p{L}/u];

/** Every text Teams renders as markdown: TextBlocks and fact values. */
function markdownTexts(card: unknown): string[] {
  const texts: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (record.type === 'TextBlock' && typeof record.text === 'string') texts.push(record.text);
    if (record.type === 'FactSet' && Array.isArray(record.facts)) for (const fact of record.facts as Array<{ value: string }>) texts.push(fact.value);
    for (const [key, value] of Object.entries(record)) if (key !== 'data') visit(value);
  };
  visit(card);
  return texts;
}

/** Asserts the card shows `text` readably, as text only, in at least one place. */
function assertShownAsText(card: AdaptiveCard, text: string, where: string): void {
  assertValidCard(card, { literalTexts: [text] });
  const showing = markdownTexts(card).filter((shown) => displayed(shown).includes(text));
  assert.ok(showing.length > 0, `${where}: the text is shown readably; the card says:\n${markdownTexts(card).join('\n')}`);
  for (const shown of showing) {
    assert.deepEqual(liveMarkdown(shown), [], `${where}: no live markdown in ${JSON.stringify(shown)}`);
    for (const pattern of AUTOLINKS) assert.doesNotMatch(shown, pattern, `${where}: nothing autolinkable in ${JSON.stringify(shown)}`);
  }
}

describe('user text on every card that echoes it', () => {
  const cards: Array<{ where: string; make: (text: string) => AdaptiveCard }> = [
    { where: 'list title (filter with matches)', make: (text) => mediaListCard({ packages: [makePackage()], filter: text, page: 0 }, live) },
    { where: 'list with no match', make: (text) => mediaListCard({ packages: [], filter: text, page: 0 }, live) },
    {
      where: 'list with no match, from the one kept card',
      make: (text) => withListFilter(JSON.stringify(mediaListCard({ packages: [], filter: LIST_FILTER_STAND_IN, page: 0 }, live)), text),
    },
    { where: 'choice title', make: (text) => choiceCard({ query: text, command: 'show', candidates: [makePackage(), makePackage({ id: 'PS100013' })] }, live) },
    { where: 'choice of none', make: (text) => choiceCard({ query: text, command: 'editions', candidates: [] }, live) },
    { where: 'no-match message', make: (text) => noPackageMatchesCard({ query: text, suggestions: [] }, live) },
    { where: 'suggestion names', make: (text) => noPackageMatchesCard({ query: 'x', suggestions: [makePackage({ name: text })] }, live) },
    { where: 'list row names', make: (text) => mediaListCard({ packages: [makePackage({ name: text })], filter: '', page: 0 }, live) },
    { where: 'choice candidate names', make: (text) => choiceCard({ query: 'W', command: 'show', candidates: [makePackage({ name: text }), makePackage({ id: 'PS100013' })] }, live) },
    { where: 'detail title', make: (text) => mediaDetailCard(makePackage({ name: text }), live) },
    { where: 'detail description', make: (text) => mediaDetailCard(makePackage({ description: text }), live) },
    { where: 'editions title', make: (text) => editionsCard(makePackage({ name: text }), live) },
    { where: 'stale row names', make: (text) => staleCard({ packages: [makePackage({ name: text, findings: [makeFinding('autorun-inf')] })], totalPackages: 1 }, live) },
  ];
  for (const { text, why } of HOSTILE_TEXTS) {
    it(`shows ${why} as plain text: ${JSON.stringify(text)}`, () => {
      for (const { where, make } of cards) assertShownAsText(make(text), text, where);
    });
  }

  it('carries the filter in the page buttons as typed, unescaped', () => {
    const packages = Array.from({ length: 25 }, (_, i) => makePackage({ id: `PS1000${String(i).padStart(2, '0')}`, name: `W11 ${i}` }));
    const card = mediaListCard({ packages, filter: '**x** [y](http://evil)', page: 0 }, live);
    assert.ok(JSON.stringify(card).includes('"filter":"**x** [y](http://evil)"'));
  });
});
