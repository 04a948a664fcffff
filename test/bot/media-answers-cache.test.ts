import assert from 'node:assert/strict';
import type { ActionInvocation } from '../../src/bot/actions/action-invocation';
import { createActionRegistry } from '../../src/bot/actions/action-registry';
import { mediaActionRoutes } from '../../src/bot/actions/media-actions';
import { parseCommand } from '../../src/bot/commands/command-parser';
import { MediaAnswers } from '../../src/bot/media-answers';
import { DEFAULT_CARD_CACHE_BYTES } from '../../src/cards/card-cache';
import { CardVerbs } from '../../src/cards/card-verbs';
import type { MediaPackage } from '../../src/services/media/media-package';
import { assertValidCard, cardTexts } from '../support/assert-valid-card';
import { makeFinding, makePackages } from '../support/media-fixtures';

function answersFor(packages: readonly MediaPackage[], cardCacheBytes?: number): MediaAnswers {
  const snapshot = { packages, generation: 1, syncedAt: new Date('2026-11-25T10:00:00Z'), demo: false };
  const state = { lastAttemptAt: snapshot.syncedAt, lastSuccessAt: snapshot.syncedAt, lastDurationMs: 100, reachable: true, skippedRows: 0, skippedRowExamples: [] };
  return new MediaAnswers({
    inventory: { snapshot: () => snapshot, syncState: () => state },
    adminServiceUrl: 'https://cm01.contoso.com/AdminService',
    syncIntervalMinutes: 15,
    cardCacheBytes,
  });
}

const invocation: ActionInvocation = { actor: { id: '29:1', name: 'Ada', userId: '29:1' }, conversationId: 'a:1', trigger: 'manual' };

/** The card buttons as the bot answers them. */
function actionsFor(answers: MediaAnswers) {
  const registry = createActionRegistry(mediaActionRoutes(answers));
  return { handle: (value: unknown) => registry.handle(value, invocation) };
}

function pageInvoke(filter: string, page: number) {
  return { action: { type: 'Action.Execute', verb: CardVerbs.listPage, data: { filter, page } } };
}

/** Random letters, so that no two filters are alike and none names a package. */
function randomWord(): string {
  return Array.from({ length: 10 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('');
}

describe('the card cache: keyed on what the answer depends on, bounded in bytes', () => {
  it('keeps one entry for every list page clamped to the same last page', async () => {
    const answers = answersFor(makePackages(14));
    const actions = actionsFor(answers);
    const first = await actions.handle(pageInvoke('', 0));
    const usage = answers.cardCacheUsage();
    for (let page = 1; page < 4096; page++) {
      const response = await actions.handle(pageInvoke('', page));
      assert.equal(response.value, first.value, `page ${page} shows page 1 of 1: the same kept card`);
    }
    assert.deepEqual(answers.cardCacheUsage(), usage, '4,095 more pages added nothing');
  });

  it('clamps a page past the end of a longer list to its last page, and keys it there', () => {
    const answers = answersFor(makePackages(50));
    const last = answers.listPage('', 2);
    assert.ok(cardTexts(last).some((text) => text.includes('Page 3 of 3')));
    assert.equal(answers.listPage('', 3000), last);
    assert.equal(answers.listPage('  ', 99), last, 'blank filters are the empty filter');
  });

  it('answers 4,096 random-word list filters that match nothing from one kept card', () => {
    const answers = answersFor(makePackages(500));
    answers.answer(parseCommand('list'));
    answers.answer(parseCommand(`list ${randomWord()}`));
    const usage = answers.cardCacheUsage();
    for (let i = 0; i < 4096; i++) {
      const word = randomWord();
      const card = answers.answer(parseCommand(`list ${word}`));
      if (i % 512 === 0) {
        assertValidCard(card);
        assert.ok(cardTexts(card).some((text) => text.includes(`No package matches "${word}"`)));
      }
    }
    assert.deepEqual(answers.cardCacheUsage(), usage);
  });

  it('answers 4,096 random-word stale filters that match nothing from one kept card', () => {
    const answers = answersFor(makePackages(500));
    answers.answer(parseCommand(`stale ${randomWord()}`));
    const usage = answers.cardCacheUsage();
    for (let i = 0; i < 4096; i++) {
      const word = randomWord();
      const card = answers.answer(parseCommand(`stale ${word}`));
      if (i % 512 === 0) {
        assertValidCard(card);
        assert.ok(cardTexts(card).some((text) => text.includes(`No package matches "${word}"`)));
      }
    }
    assert.deepEqual(answers.cardCacheUsage(), usage);
  });

  it('keeps one entry for every stale page clamped to the same last page, and for every list place a detail is opened from', async () => {
    const answers = answersFor(makePackages(14).map((p) => ({ ...p, findings: [makeFinding('autorun-inf')] })));
    const actions = actionsFor(answers);
    const stale = (page: number) => ({ action: { type: 'Action.Execute', verb: CardVerbs.stalePage, data: { filter: '', page } } });
    const show = (page: number) => ({
      action: { type: 'Action.Execute', verb: CardVerbs.show, data: { packageId: 'PS100001', view: 'list', filter: randomWord(), page } },
    });
    const first = await actions.handle(stale(0));
    await actions.handle(show(0));
    const usage = answers.cardCacheUsage();
    for (let page = 1; page < 1024; page++) {
      assert.equal((await actions.handle(stale(page))).value, first.value, `page ${page} shows page 1 of 1`);
      await actions.handle(show(page));
    }
    assert.deepEqual(answers.cardCacheUsage(), usage, 'the places packages are opened from take no room: the kept card is reused');
  });

  it('stays under its byte budget through distinct pages and filters that all match', async () => {
    // Each of these is a rendering (~5 ms): 600 of them fill a 512 KB budget several times over.
    const budget = 512 * 1024;
    const answers = answersFor(makePackages(500), budget);
    const actions = actionsFor(answers);
    let peak = 0;
    for (let i = 0; i < 600; i++) {
      // Filters that match (every package name holds "Upgrade" or "Install", and its number) and pages within them.
      const filter = i % 2 === 0 ? `${(i % 500) + 1}` : `Upgrade ${i}`;
      await actions.handle(pageInvoke(filter, i % 7));
      peak = Math.max(peak, answers.cardCacheUsage().bytes);
    }
    assert.ok(peak <= budget, `peak ${peak} bytes, budget ${budget}`);
    assert.ok(answers.cardCacheUsage().entries > 10, 'it does keep cards within the budget');
  });

  it('has a default budget of 32 MB', async () => {
    assert.equal(DEFAULT_CARD_CACHE_BYTES, 32 * 1024 * 1024);
    const answers = answersFor(makePackages(500));
    const actions = actionsFor(answers);
    for (let i = 0; i < 4096; i++) await actions.handle(pageInvoke(i % 3 === 0 ? '' : `Upgrade ${i % 500}`, i));
    assert.ok(answers.cardCacheUsage().bytes <= DEFAULT_CARD_CACHE_BYTES);
  });
});
