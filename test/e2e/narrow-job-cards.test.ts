/**
 * The job cards at the width Teams gives a card in a narrow chat (446 px), drawn by the Adaptive Cards
 * renderer in Chromium: no word of ours or of a realistic package, person or server name is broken
 * across lines, and nothing is wider than the card. The bot does not answer with these cards until the
 * job commands are wired, so this draws them directly rather than through the Playground; markdown
 * escapes are consumed first, as Teams does.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { approvalCard } from '../../src/cards/jobs/approval-card';
import { jobCard } from '../../src/cards/jobs/job-card';
import { jobTimelineCard } from '../../src/cards/jobs/job-timeline-card';
import { jobsListCard } from '../../src/cards/jobs/jobs-list-card';
import type { AdaptiveCard, CardContext } from '../../src/cards/kit/adaptive-card';
import { launchBrowser, type TestBrowser } from '../support/browser';
import { wordsBrokenAcrossLines } from '../support/broken-words';
import { displayed } from '../support/displayed-text';
import { makeEvents, makeJob, makeView, minutes, viewIn } from '../support/job-view-fixtures';

const CARD_WIDTH_PX = 446;
const demo: CardContext = { demo: true, syncedAt: minutes(-5) };

function withWideNames() {
  const view = viewIn('running');
  view.distribution = {
    installed: 1,
    total: 6,
    failedServers: ['CM-DP-AMSTERDAM-01.emea.contoso.com', 'CM-DP-ROTTERDAM-02.emea.contoso.com'],
    waitingServers: ['CM-DP-UTRECHT-03.emea.contoso.com', 'CM-DP-EINDHOVEN-04.emea.contoso.com', 'CM-DP-GRONINGEN-05.emea.contoso.com'],
  };
  return view;
}

const cards: Array<[string, () => AdaptiveCard]> = [
  ['approval card for an approver', () => approvalCard(viewIn('awaiting_approval'), demo, 'approver', ['29:a'])],
  ['approval card, read-only', () => approvalCard(viewIn('awaiting_approval'), demo, 'read-only')],
  ['approval card once rejected', () => approvalCard(viewIn('rejected'), demo, 'approver')],
  [
    'approval card with the servicing host and kept editions',
    () =>
      approvalCard(
        makeView(
          { editionNames: [{ index: 3, name: 'Windows 11 Enterprise' }, { index: 6, name: 'Windows 11 Pro for Workstations' }] },
          { stages: ['service_media', 'keep_editions', 'verify_source', 'reload_image_properties', 'refresh_distribution_points', 'watch_distribution'], options: { keepEditionIndexes: [3, 6] } },
        ),
        demo,
        'approver',
      ),
  ],
  ['job card, running, with failing distribution points', () => jobCard(withWideNames(), demo)],
  ['job card, failed', () => jobCard(viewIn('failed'), demo)],
  ['job card, succeeded', () => jobCard(viewIn('succeeded'), demo)],
  ['job card, cancelled', () => jobCard(viewIn('cancelled'), demo)],
  ['timeline of 40 events', () => jobTimelineCard(withWideNames(), makeEvents(40), demo)],
  [
    'jobs list',
    () =>
      jobsListCard(
        {
          jobs: [
            makeJob({ state: 'running', stage: 'watch_distribution' }),
            makeJob({ id: 'A2B3C', state: 'failed', stage: 'refresh_distribution_points', packageName: 'Windows 10 22H2 Enterprise LTSC x64 en-US (servicing ring 2)', createdAt: minutes(-300) }),
          ],
          now: minutes(60),
        },
        demo,
      ),
  ],
];

async function draw(page: Page, card: AdaptiveCard): Promise<void> {
  await page.evaluate((json) => {
    const AC = (window as unknown as { AdaptiveCards: any }).AdaptiveCards;
    const parsed = new AC.AdaptiveCard();
    parsed.parse(json);
    const host = document.getElementById('card') as HTMLElement;
    host.replaceChildren(parsed.render());
  }, asTeamsShowsIt(card));
}

/** Every TextBlock's text with its markdown escapes consumed, as Teams draws it (this renderer draws markdown as typed). */
function asTeamsShowsIt(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(asTeamsShowsIt);
  if (!node || typeof node !== 'object') return node;
  const record = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, asTeamsShowsIt(value)]));
  if (record.type === 'TextBlock' && typeof record.text === 'string') record.text = displayed(record.text);
  return record;
}

describe('job cards at the width of a narrow Teams chat', function () {
  this.timeout(60_000);
  let browser: TestBrowser | undefined;
  let page: Page;

  before(async function () {
    this.timeout(60_000);
    browser = await launchBrowser({ viewport: { width: 800, height: 900 } });
    page = await browser.context.newPage();
    const css = readFileSync(require.resolve('adaptivecards/dist/adaptivecards.css'), 'utf8');
    await page.setContent(`<html><head><style>${css} body { font-family: "Segoe UI", sans-serif; } #card { width: ${CARD_WIDTH_PX}px; }</style></head><body><div id="card"></div></body></html>`);
    await page.addScriptTag({ content: readFileSync(require.resolve('adaptivecards/dist/adaptivecards.js'), 'utf8') });
  });

  after(async () => {
    await browser?.close();
  });

  for (const [name, make] of cards) {
    it(`breaks no word of the ${name} and fits its width`, async () => {
      await draw(page, make());
      const card = page.locator('#card');
      assert.deepEqual(await wordsBrokenAcrossLines(card), []);
      const widest = await card.evaluate((root) => Math.max(root.scrollWidth, ...Array.from(root.querySelectorAll('*')).map((el) => el.getBoundingClientRect().right - root.getBoundingClientRect().left)));
      assert.ok(widest <= CARD_WIDTH_PX + 1, `drawn ${widest} px wide`);
    });
  }
});
