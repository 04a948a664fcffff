/**
 * Everything a job card shows from outside (package names, reasons, comments, people's names, the
 * runner's and host's sentences, distribution point names, edition names, filters) is shown as text:
 * no markdown or link comes alive, template syntax stays literal, emoji stay whole, and 10,000
 * characters are cut so that every card stays under Teams' 28 KB.
 */
import assert from 'node:assert/strict';
import { approvalCard } from '../../../src/cards/jobs/approval-card';
import { jobCard } from '../../../src/cards/jobs/job-card';
import { approvalReminderMessage, jobStatusMessage } from '../../../src/cards/jobs/job-message';
import { jobTimelineCard } from '../../../src/cards/jobs/job-timeline-card';
import type { JobView } from '../../../src/cards/jobs/job-view';
import { jobsListCard } from '../../../src/cards/jobs/jobs-list-card';
import type { AdaptiveCard, CardContext } from '../../../src/cards/kit/adaptive-card';
import type { JobState } from '../../../src/services/jobs/job';
import { assertValidCard, cardTexts, TEAMS_MAX_CARD_BYTES } from '../../support/assert-valid-card';
import { displayed } from '../../support/displayed-text';
import { approval, makeEvents, makeJob, makeView, minutes, step } from '../../support/job-view-fixtures';

const live: CardContext = { demo: false, syncedAt: new Date('2026-12-03T13:45:00Z') };

const HOSTILE: ReadonlyArray<{ text: string; why: string; cut?: boolean }> = [
  { text: '**x** [y](http://evil)', why: 'bold and an inline link' },
  { text: '[Reset your password](https://evil.example/login)', why: 'a phishing link' },
  { text: 'see www.evil.example or evil.com/login', why: 'bare addresses Teams autolinks' },
  { text: '<a href="https://evil.example">x</a>', why: 'HTML' },
  { text: '${x} ${$root.verbs} {{x}}', why: 'template syntax' },
  { text: '{{DATE(2026-01-01T00:00:00Z, SHORT)}}', why: 'a Teams date function' },
  { text: '# Heading\n- item\n1. item', why: 'line-start markdown over several lines' },
  { text: 'Ümlaut 日本語 👩‍👩‍👧‍👦 🇳🇱 🚀', why: 'emoji, a family and a flag' },
  { text: `${'👩‍👩‍👧‍👦[x](http://e.vil)'.repeat(1000)}`, why: '10,000 characters and more of emoji and links', cut: true },
];

/**
 * Markdown characters not escaped by a backslash. Parentheses are left out: the cards' own words put
 * them around ids ("(PS100012)"), and without a live bracket they make no link.
 */
function liveMarkdown(text: string): string[] {
  const found: string[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') {
      i++;
      continue;
    }
    if ('*_[]<>`~|&!#{}'.includes(text[i])) found.push(text[i]);
  }
  return found;
}

/**
 * The cards' own words that the checks below would mistake for live markup: the reading times Teams
 * localises (an escaped one from outside never matches, its brackets are escaped) and the file name
 * autorun.inf, which is no address.
 */
function withoutOwnWords(text: string): string {
  return text.replace(/(^|[^\\])\{\{(DATE|TIME)\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z(, SHORT)?\)\}\}/g, '$1').replaceAll('autorun.inf', '');
}

const AUTOLINKS = [/[a-z][a-z0-9+.-]*:\/\//i, /\bwww\./i, /[\p{L}\p{N}]\.\p{L}/u];

/** The card with every outside field set to `text`. */
function hostileView(text: string, state: JobState): JobView {
  return makeView(
    {
      steps: [step('verify_source', 'done', text), step('remove_autorun', state === 'failed' ? 'failed' : 'running', text)],
      approvals: [approval({ id: 'aad-x', name: text }, state === 'rejected' ? 'reject' : 'approve', text, minutes(3))],
      policy: { requiredApprovals: 2, ttlHours: 24, anyoneMayApprove: false, approverCount: 3, approverNames: [text, text] },
      distribution: { installed: 1, total: 3, failedServers: [text], waitingServers: [text] },
      latestRevision: text,
      currentBuild: text,
      editionNames: [{ index: 3, name: text }],
      cancelledBy: { id: 'aad-y', name: text },
    },
    {
      state,
      packageName: text,
      reason: text,
      requester: { id: 'aad-z', name: text },
      outcome: text,
      newBuild: text,
      stage: 'remove_autorun',
      stages: ['service_media', 'keep_editions', 'verify_source', 'remove_autorun', 'reload_image_properties'],
      options: { keepEditionIndexes: [3], removeAutorun: true },
    },
  );
}

function cardsFor(text: string): Array<[string, AdaptiveCard]> {
  const cards: Array<[string, AdaptiveCard]> = [];
  for (const state of ['awaiting_approval', 'running', 'failed', 'rejected', 'cancelled', 'succeeded'] as JobState[]) {
    const view = hostileView(text, state);
    cards.push(
      [`approval card for an approver (${state})`, approvalCard(view, live, 'approver', ['29:a'])],
      [`approval card, read-only (${state})`, approvalCard(view, live, 'read-only', ['29:a'])],
      [`job card (${state})`, jobCard(view, live)],
      [`timeline (${state})`, jobTimelineCard(view, makeEvents(5, () => text).map((event) => ({ ...event, actor: { id: 'x', name: text } })), live)],
    );
  }
  cards.push([
    'jobs list',
    jobsListCard({ jobs: [makeJob({ packageName: text, requester: { id: 'x', name: text } }), makeJob({ id: 'A2B3C', state: 'failed', packageName: text })], filter: text, now: minutes(60) }, live),
  ]);
  return cards;
}

describe('job cards and hostile text', () => {
  for (const { text, why, cut } of HOSTILE) {
    describe(why, () => {
      for (const [name, card] of cardsFor(text)) {
        it(`${name}: valid, bounded, shown as text only`, () => {
          assertValidCard(card, { literalTexts: [text] });
          assert.ok(Buffer.byteLength(JSON.stringify(card)) < TEAMS_MAX_CARD_BYTES);
          const texts = cardTexts(card);
          assert.match(texts.join('\n'), /Job K7P2Q/);
          for (const shown of texts.map(withoutOwnWords)) {
            assert.deepEqual(liveMarkdown(shown), [], `no live markdown in ${JSON.stringify(shown.slice(0, 200))}`);
            for (const pattern of AUTOLINKS) assert.doesNotMatch(shown, pattern, `nothing autolinkable in ${JSON.stringify(shown.slice(0, 200))}`);
            assert.doesNotMatch(shown, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])/, 'no emoji cut in half');
          }
          if (!cut) {
            // displayed() drops every joiner, the family emoji's own too: compare like with like.
            const firstLine = displayed(text.split('\n')[0]);
            assert.ok(texts.some((shown) => displayed(shown).includes(firstLine)), 'the reader sees what was written');
          } else {
            assert.ok(texts.every((shown) => shown.length < 6000), 'a 10,000-character text is cut');
          }
        });
      }

      it('the messages escape it too', () => {
        for (const state of ['succeeded', 'failed', 'rejected', 'cancelled', 'expired'] as JobState[]) {
          for (const sent of [jobStatusMessage(hostileView(text, state)), approvalReminderMessage(hostileView(text, 'awaiting_approval'), minutes(60))]) {
            const message = withoutOwnWords(sent);
            assert.deepEqual(liveMarkdown(message), [], message.slice(0, 200));
            for (const pattern of AUTOLINKS) assert.doesNotMatch(message, pattern);
            assert.ok(message.length < 4000, 'bounded');
          }
        }
      });
    });
  }

  it('cuts a comment to 500 characters on the card', () => {
    const comment = 'c'.repeat(10_000);
    const view = makeView({ approvals: [approval({ id: 'b', name: 'Bob' }, 'approve', comment)] }, { state: 'approved' });
    const shown = cardTexts(approvalCard(view, live, 'read-only')).find((text) => text.startsWith('“c'));
    assert.equal(shown, `“${'c'.repeat(499)}…”`);
  });

  it('cuts comments shorter rather than outgrow 28 KB when ten approvers each wrote 10,000 hostile characters', () => {
    const comment = '[a.b](https://e.vil) \\*'.repeat(700);
    const approvals = Array.from({ length: 12 }, (_, i) => approval({ id: `a${i}`, name: comment }, 'approve', comment, minutes(i)));
    for (const state of ['awaiting_approval', 'approved'] as JobState[]) {
      const view = makeView({ approvals }, { state, reason: comment, packageName: comment });
      for (const card of [approvalCard(view, live, 'approver', ['29:a']), jobCard(view, live), jobTimelineCard(view, makeEvents(200, () => comment), live)]) {
        assertValidCard(card);
        assert.ok(Buffer.byteLength(JSON.stringify(card)) < TEAMS_MAX_CARD_BYTES);
        assert.ok(cardTexts(card).some((text) => text.startsWith('“')), 'comments are still shown, cut');
      }
    }
  });
});
