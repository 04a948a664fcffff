/**
 * `jobs`: active jobs first, then recent ones, each with what it refreshes, where it stands, who asked
 * and how long ago, and a select action that opens its card.
 */
import assert from 'node:assert/strict';
import { JobVerbs } from '../../../src/cards/jobs/job-verbs';
import { jobsListCard, MAX_JOBS_PER_GROUP } from '../../../src/cards/jobs/jobs-list-card';
import type { CardContext } from '../../../src/cards/kit/adaptive-card';
import type { Job, JobState } from '../../../src/services/jobs/job';
import { assertValidCard, cardTexts, findActions, TEAMS_MAX_CARD_BYTES } from '../../support/assert-valid-card';
import { displayed } from '../../support/displayed-text';
import { makeJob, minutes } from '../../support/job-view-fixtures';

const live: CardContext = { demo: false, syncedAt: new Date('2026-12-03T13:45:00Z') };
const now = minutes(90);

function texts(card: unknown): string[] {
  return cardTexts(card).map(displayed);
}

const IDS = ['K7P2Q', 'A2B3C', 'D4E5F', 'G6H7J', 'M8N9P', 'Q2R3S', 'T4V5W', 'X6Y7Z'];

function jobs(states: JobState[]): Job[] {
  return states.map((state, i) => makeJob({ id: IDS[i % IDS.length], state, createdAt: minutes(i * 10), stage: state === 'running' || state === 'failed' ? 'refresh_distribution_points' : null }));
}

describe('jobs list card', () => {
  it('groups active jobs before recent ones, newest first, each a button opening its card', () => {
    const card = jobsListCard({ jobs: jobs(['succeeded', 'running', 'awaiting_approval', 'failed']), now }, live);
    assertValidCard(card);
    const shown = texts(card);
    assert.equal(shown[0], 'Refresh jobs');
    assert.deepEqual(
      shown.filter((text) => /^(Active|Recent) \(/.test(text) || text.startsWith('Job ')),
      [
        'Active (2)',
        'Job D4E5F · Windows 11 24H2 Enterprise x64',
        'Job A2B3C · Windows 11 24H2 Enterprise x64',
        'Recent (2)',
        'Job G6H7J · Windows 11 24H2 Enterprise x64',
        'Job K7P2Q · Windows 11 24H2 Enterprise x64',
      ],
    );
    assert.deepEqual(
      findActions(card).map((action) => [action.title, action.verb, action.data]),
      ['D4E5F', 'A2B3C', 'G6H7J', 'K7P2Q'].map((id) => [`Open job ${id}`, JobVerbs.view, { jobId: id }]),
    );
  });

  const states: Array<{ state: JobState; says: string }> = [
    { state: 'awaiting_approval', says: 'Waiting for approval' },
    { state: 'approved', says: 'Approved, starting' },
    { state: 'running', says: 'Running: Update distribution points' },
    { state: 'succeeded', says: 'Succeeded' },
    { state: 'failed', says: 'Failed at Update distribution points' },
    { state: 'rejected', says: 'Rejected' },
    { state: 'expired', says: 'Expired without approval' },
    { state: 'cancelled', says: 'Cancelled' },
  ];
  for (const { state, says } of states) {
    it(`says "${says}" for a ${state} job, with package id, requester and age`, () => {
      const shown = texts(jobsListCard({ jobs: jobs([state]), now }, live));
      assert.ok(shown.includes(says), shown.join('\n'));
      assert.ok(shown.includes('PS100012 · by Alice Smith · 1 h 30 min ago'), shown.join('\n'));
    });
  }

  it('shows the filter it was given', () => {
    const shown = texts(jobsListCard({ jobs: jobs(['running']), filter: 'PS100012', now }, live));
    assert.equal(shown[0], 'Refresh jobs matching "PS100012"');
  });

  const empties: Array<{ filter?: string; says: string; why: string }> = [
    { says: 'No refresh jobs yet; type "refresh" with a package id and a reason to ask for one.', why: 'nothing was ever asked for' },
    { filter: 'PS999', says: 'No job matches "PS999"; type "jobs" to see them all.', why: 'a filter that matches nothing' },
  ];
  for (const { filter, says, why } of empties) {
    it(`says "${says}": ${why}`, () => {
      const card = jobsListCard({ jobs: [], filter, now }, live);
      assertValidCard(card);
      assert.ok(texts(card).includes(says));
      assert.deepEqual(findActions(card), []);
    });
  }

  it(`lists ${MAX_JOBS_PER_GROUP} jobs per group and counts the rest`, () => {
    const many = jobs(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 'running' : 'succeeded')));
    const card = jobsListCard({ jobs: many, now }, live);
    assertValidCard(card);
    const shown = texts(card);
    assert.equal(findActions(card).length, 2 * MAX_JOBS_PER_GROUP);
    assert.equal(shown.filter((text) => text === '… and 5 more; type "job" and an id to open one.').length, 2);
  });

  it('lists fewer jobs rather than outgrow a Teams message when names are hostile and long', () => {
    const hostile = '[x](https://evil.example) *'.repeat(400);
    const many = Array.from({ length: 60 }, (_, i) =>
      makeJob({ id: IDS[i % IDS.length], state: i % 2 ? 'running' : 'failed', packageName: hostile, requester: { id: 'x', name: hostile }, createdAt: minutes(i) }),
    );
    const card = jobsListCard({ jobs: many, filter: hostile, now }, live);
    assertValidCard(card, { literalTexts: [] });
    assert.ok(Buffer.byteLength(JSON.stringify(card)) < TEAMS_MAX_CARD_BYTES);
    assert.ok(findActions(card).length >= 4, 'still lists some jobs');
  });
});
