/**
 * `job <id>`: the audit trail, oldest first, under where the job stands; a long trail keeps its newest
 * events and counts the earlier ones, and never outgrows a Teams message.
 */
import assert from 'node:assert/strict';
import { jobTimelineCard, MAX_EVENTS_SHOWN } from '../../../src/cards/jobs/job-timeline-card';
import { JobVerbs } from '../../../src/cards/jobs/job-verbs';
import type { CardContext } from '../../../src/cards/kit/adaptive-card';
import type { JobEvent } from '../../../src/services/jobs/job';
import { assertValidCard, cardTexts, findActions, TEAMS_MAX_CARD_BYTES } from '../../support/assert-valid-card';
import { displayed } from '../../support/displayed-text';
import { makeEvents, minutes, viewIn } from '../../support/job-view-fixtures';

const live: CardContext = { demo: false, syncedAt: new Date('2026-12-03T13:45:00Z') };

function texts(card: unknown): string[] {
  return cardTexts(card).map(displayed);
}

describe('job timeline card', () => {
  it('shows the job, its headline, current stage, distribution and who decided above the events', () => {
    const card = jobTimelineCard(viewIn('running'), makeEvents(3), live);
    assertValidCard(card);
    const shown = texts(card);
    assert.deepEqual(shown.slice(0, 6), [
      'Job K7P2Q · timeline',
      'Windows 11 24H2 Enterprise x64 (PS100012)',
      'Running: Watching distribution (3 of 4 DPs)',
      'Current stage: Watch distribution (stage 6 of 6)',
      'Distribution: 3 of 4 distribution points have the new version',
      'Waiting for dp04.contoso.com',
    ]);
    assert.ok(shown.some((text) => text.startsWith('✓ Approved by Bob Jones')));
    assert.deepEqual(findActions(card).map((action) => [action.title, action.verb, action.data]), [['Job card', JobVerbs.view, { jobId: 'K7P2Q' }]]);
  });

  it('lists each event with its time, actor and sentence, oldest first', () => {
    const events: JobEvent[] = [
      { id: 2, jobId: 'K7P2Q', at: minutes(5), actor: { id: 'b', name: 'Bob Jones' }, kind: 'approved', message: 'Bob Jones approved.', detail: null },
      { id: 1, jobId: 'K7P2Q', at: minutes(0), actor: { id: 'a', name: 'Alice Smith' }, kind: 'requested', message: 'Alice Smith asked for a refresh.', detail: null },
      { id: 3, jobId: 'K7P2Q', at: minutes(9), actor: null, kind: 'stage_failed', message: 'Update distribution points failed.', detail: null },
      { id: 4, jobId: 'K7P2Q', at: minutes(9), actor: null, kind: 'callback', message: 'The servicing host reported progress.', detail: null },
    ];
    const shown = texts(jobTimelineCard(viewIn('failed'), events, live));
    const at = shown.indexOf('Events (4), oldest first');
    assert.deepEqual(shown.slice(at + 1), [
      '{{DATE(2026-12-03T14:00:00Z, SHORT)}} {{TIME(2026-12-03T14:00:00Z)}} · Alice Smith',
      'Alice Smith asked for a refresh.',
      '{{DATE(2026-12-03T14:05:00Z, SHORT)}} {{TIME(2026-12-03T14:05:00Z)}} · Bob Jones',
      'Bob Jones approved.',
      '{{DATE(2026-12-03T14:09:00Z, SHORT)}} {{TIME(2026-12-03T14:09:00Z)}} · the bot',
      '⚠ Update distribution points failed.',
      '{{DATE(2026-12-03T14:09:00Z, SHORT)}} {{TIME(2026-12-03T14:09:00Z)}} · the servicing host',
      'The servicing host reported progress.',
    ]);
  });

  it('speaks of the last stage once the job has ended', () => {
    assert.ok(texts(jobTimelineCard(viewIn('failed'), [], live)).includes('Last stage: Update distribution points (stage 5 of 6)'));
  });

  it('says when no event is recorded yet', () => {
    const card = jobTimelineCard(viewIn('awaiting_approval'), [], live);
    assertValidCard(card);
    assert.ok(texts(card).includes('No events recorded yet'));
  });

  it(`keeps the ${MAX_EVENTS_SHOWN} newest of 200 events and counts the earlier ones`, () => {
    const card = jobTimelineCard(viewIn('running'), makeEvents(200), live);
    assertValidCard(card);
    const shown = texts(card);
    assert.ok(shown.includes('… and 170 earlier events'));
    assert.ok(shown.includes('Stage 199 recorded its result.'));
    assert.ok(shown.includes('Stage 170 recorded its result.'));
    assert.ok(!shown.includes('Stage 169 recorded its result.'));
  });

  it('stays under 28 KB with 200 events of hostile, long text and 50 distribution points', () => {
    const hostile = '[a.b](https://evil.example) \\*_`{{x}} ${x} 👩‍👩‍👧‍👦 '.repeat(300);
    const view = viewIn('running');
    const servers = Array.from({ length: 50 }, (_, i) => `dp${i}.${'very-long-site-name.'.repeat(5)}contoso.example.com`);
    view.distribution = { installed: 10, total: 50, failedServers: servers, waitingServers: servers };
    const events = makeEvents(200, () => hostile).map((event) => ({ ...event, actor: { id: 'x', name: hostile } }));
    const card = jobTimelineCard(view, events, live);
    assertValidCard(card, { literalTexts: [] });
    const bytes = Buffer.byteLength(JSON.stringify(card));
    assert.ok(bytes < TEAMS_MAX_CARD_BYTES, `${bytes} bytes`);
    const earlier = texts(card).find((text) => /^… and \d+ earlier events$/.test(text));
    assert.ok(earlier, 'counts what it left out');
  });
});
