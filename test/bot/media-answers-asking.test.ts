/**
 * Asking naturally, end to end: the questions admins typed (issue 7), answered by the bot over real
 * HTTP from a 500-package synthetic site served by the AdminService simulator, and the card buttons
 * that page the answers and lead back to them.
 */
import assert from 'node:assert/strict';
import pino from 'pino';
import { startApp, type RunningApp } from '../../src/app';
import { staleMedia } from '../../src/services/media/stale-media';
import { CardVerbs } from '../../src/cards/card-verbs';
import { loadConfig } from '../../src/config';
import { AdminServiceSimulator } from '../../src/services/demo/admin-service-simulator';
import { createSyntheticSite } from '../../src/services/demo/synthetic-site';
import { assertValidCard, cardTexts, findActions, type CardAction } from '../support/assert-valid-card';
import { cardActionActivity, onlyCard, postToBot, say } from '../support/bot-client';

const silent = pino({ level: 'silent' });

describe('asking naturally, on a 500-package site (real HTTP)', function () {
  this.timeout(30_000);
  let simulator: AdminServiceSimulator;
  let app: RunningApp;

  before(async () => {
    simulator = new AdminServiceSimulator({ site: createSyntheticSite(500), logger: silent });
    await simulator.start();
    const config = loadConfig({ PORT: '0', CM_ADMINSERVICE_URL: simulator.baseUrl, CM_AUTH: 'none', SYNC_INTERVAL_MINUTES: '600' });
    app = await startApp(config, { logger: silent, rateLimit: false, firstSyncWaitMs: 25_000 });
    assert.equal(app.inventory.snapshot().packages.length, 500, 'the first sync finished');
  });
  after(async () => {
    await app?.stop();
    await simulator?.stop();
  });

  async function ask(text: string): Promise<{ texts: string[]; card: Record<string, unknown>; note?: string }> {
    const replies = await say(app.url, text);
    const card = onlyCard(replies);
    return { texts: cardTexts(card), card, note: replies[0].text };
  }

  async function press(action: CardAction | undefined): Promise<Record<string, unknown>> {
    assert.ok(action?.verb, 'the card has the button');
    const { body } = await postToBot(app.url, cardActionActivity(action.verb, action.data));
    const response = (body as { activities: Array<{ type: string; value: { status: number; body: any } }> }).activities.find(
      (activity) => activity.type === 'invokeResponse',
    );
    assert.equal(response?.value.status, 200, JSON.stringify(response?.value.body));
    assertValidCard(response.value.body.value);
    return response.value.body.value;
  }

  function button(card: unknown, pick: (action: CardAction) => boolean): CardAction | undefined {
    return findActions(card).find((action) => action.type === 'Action.Execute' && pick(action));
  }

  const packages = () => app.inventory.snapshot().packages;

  const questions: Array<{ say: string; answers: RegExp; why: string }> = [
    { say: 'is PS100013 up to date?', answers: /^OS (upgrade package|image) · PS100013$/, why: 'one package: its detail card' },
    { say: 'how far behind is PS100019', answers: /^OS (upgrade package|image) · PS100019$/, why: 'one package: its detail card' },
    { say: 'is win10 current?', answers: /^Page 1 of 5 · 88 of 88 packages matching "win10" need attention/, why: 'a release: the stale view of its media' },
    { say: 'anything out of support?', answers: /^Page 1 of 9 · 168 of 500 packages are out of support/, why: 'out of support only' },
    { say: 'which media needs updating', answers: /^Page 1 of \d+ · \d+ of 500 packages need attention/, why: 'the whole stale view' },
    { say: 'show me everything that is out of date', answers: /^Page 1 of \d+ · \d+ of 500 packages need attention/, why: 'the whole stale view' },
    { say: 'what do we have for 25H2', answers: /^Media matching "25H2"$/, why: 'the list of a release' },
    { say: "what's the latest 24H2 media?", answers: /^Media matching "24H2"$/, why: 'the list of a release' },
    { say: 'show all', answers: /^Media on the site$/, why: 'the whole list' },
    { say: 'list everything', answers: /^Media on the site$/, why: 'the whole list' },
    { say: 'Server 2022', answers: /^Media matching "Server 2022"$/, why: 'a release alone' },
    { say: 'list images', answers: /^OS images on the site$/, why: 'by kind' },
    { say: 'list upgrade packages', answers: /^OS upgrade packages on the site$/, why: 'by kind' },
    { say: 'stale 24H2', answers: /^Page 1 of \d+ · \d+ of 83 packages matching "24H2" need attention/, why: 'stale narrows by text' },
    { say: 'which images are out of date', answers: /of 242 OS images need attention/, why: 'stale by kind' },
    { say: 'PS10012', answers: /^No package matches "PS10012"; did you mean one of these\?$/, why: 'a mistyped id: the nearest ids' },
    { say: 'lsit', answers: /^Did you mean "list"\?$/, why: 'a mistyped command' },
  ];
  for (const { say: text, answers, why } of questions) {
    it(`answers ${JSON.stringify(text)}: ${why}`, async () => {
      const { texts, note } = await ask(text);
      assert.ok(texts.some((shown) => answers.test(shown)), texts.slice(0, 6).join(' | '));
      assert.equal(note, undefined, 'no "I don\'t know" sentence');
    });
  }

  it('lists only images for "list images", on every page', async () => {
    let card: unknown = (await ask('list images')).card;
    const seen = new Set<string>();
    for (let page = 0; page < 20 && card; page++) {
      for (const open of findActions(card).filter((a) => a.verb === CardVerbs.show)) seen.add(open.data?.packageId as string);
      const next = button(card, (a) => a.title === 'Next');
      card = next ? await press(next) : undefined;
    }
    const images = packages().filter((pkg) => pkg.kind === 'image').map((pkg) => pkg.id);
    assert.deepEqual([...seen].sort(), images.sort());
  });

  it('pages "stale" through every package that needs attention (it showed 20 with no way on)', async () => {
    const needAttention = staleMedia(packages()).length;
    assert.ok(needAttention > 40, `enough for three pages (${needAttention})`);
    let card: unknown = (await ask('stale')).card;
    const seen: string[] = [];
    while (card) {
      seen.push(...findActions(card).filter((a) => a.verb === CardVerbs.show).map((a) => a.data?.packageId as string));
      const next = button(card, (a) => a.title === 'Next');
      card = next ? await press(next) : undefined;
    }
    assert.equal(seen.length, needAttention);
    assert.equal(new Set(seen).size, needAttention, 'each once');
  });

  it('keeps the filter on every page of "stale server 2022"', async () => {
    let card: unknown = (await ask('stale server 2022')).card;
    const byId = new Map(packages().map((pkg) => [pkg.id, pkg]));
    let pages = 0;
    while (card) {
      pages++;
      for (const open of findActions(card).filter((a) => a.verb === CardVerbs.show)) {
        assert.equal(byId.get(open.data?.packageId as string)?.release, 'Windows Server 2022');
      }
      const next = button(card, (a) => a.title === 'Next');
      card = next ? await press(next) : undefined;
    }
    assert.ok(pages > 1, `${pages} pages`);
  });

  const returns: Array<{ start: string; title: RegExp; why: string }> = [
    { start: 'list 24H2', title: /^Page 2 of \d+ · \d+ packages$/, why: 'a filtered list page' },
    { start: 'stale win11', title: /^Page 2 of \d+ · \d+ of \d+ packages matching "win11" need attention/, why: 'a filtered stale page' },
  ];
  for (const { start, title, why } of returns) {
    it(`returns "Back to list" to the page and filter it came from: ${why}`, async () => {
      const first = (await ask(start)).card;
      const second = await press(button(first, (a) => a.title === 'Next'));
      const detail = await press(button(second, (a) => a.verb === CardVerbs.show));
      const editions = await press(button(detail, (a) => a.verb === CardVerbs.editions));
      const back = await press(button(editions, (a) => a.title === 'Back to list'));
      assert.deepEqual(back, second, 'the same page of the same view');
      assert.ok(cardTexts(back).some((text) => title.test(text)), cardTexts(back).slice(0, 4).join(' | '));
    });
  }

  it('runs the corrected command from the did-you-mean button', async () => {
    const { card } = await ask('lsit 24H2');
    const list = await press(button(card, (a) => a.title === 'list 24H2'));
    assert.equal(cardTexts(list)[0], 'Media matching "24H2"');
  });

  it('offers the nearest ids for a mistyped id, each a button that opens it', async () => {
    const { card } = await ask('ps1000l2');
    const offered = findActions(card).filter((a) => a.verb === CardVerbs.show).map((a) => a.data?.packageId);
    assert.ok(offered.includes('PS100012'), offered.join(', '));
    assert.ok(offered.length <= 5);
  });

  it('opens a package whose full name is typed alone, instead of the help card', async () => {
    const counts = new Map<string, number>();
    for (const pkg of packages()) counts.set(pkg.name, (counts.get(pkg.name) ?? 0) + 1);
    const unique = packages().find((pkg) => counts.get(pkg.name) === 1);
    assert.ok(unique, 'the site has a package with a name of its own');
    const { texts, note } = await ask(unique.name.toLowerCase());
    assert.ok(texts.includes(`OS ${unique.kind === 'image' ? 'image' : 'upgrade package'} · ${unique.id}`), texts.slice(0, 4).join(' | '));
    assert.equal(note, undefined);
  });

  const tampered: Array<{ verb: string; data: unknown; why: string }> = [
    { verb: CardVerbs.listPage, data: { filter: '', kind: 'server', page: 0 }, why: 'a kind that is none of ours' },
    { verb: CardVerbs.stalePage, data: { filter: '', support: 'maybe', page: 0 }, why: 'a support value that is none of ours' },
    { verb: CardVerbs.stalePage, data: { filter: 'x'.repeat(201), page: 0 }, why: 'a filter longer than any card carries' },
    { verb: CardVerbs.stalePage, data: { filter: '', page: -1 }, why: 'a negative page' },
    { verb: CardVerbs.show, data: { packageId: 'PS100012', view: 'elsewhere' }, why: 'a place that is no view of ours' },
    { verb: CardVerbs.show, data: { packageId: 'PS100012', view: 'list', page: 'last' }, why: 'a place whose page is no number' },
  ];
  for (const { verb, data, why } of tampered) {
    it(`answers 400 with a clear message for ${why}`, async () => {
      const { body } = await postToBot(app.url, cardActionActivity(verb, data));
      const response = (body as { activities: Array<{ type: string; value: { status: number; body: any } }> }).activities.find(
        (activity) => activity.type === 'invokeResponse',
      );
      assert.equal(response?.value.status, 400);
      assert.match(response.value.body.value.message, /; type "(help|list|stale)"/);
    });
  }
});
