/**
 * The requester's job card at every point of the job's life: the headline says where it stands, each
 * planned stage shows its state, failing distribution points are named, and Cancel is offered only
 * while the job can still be stopped.
 */
import assert from 'node:assert/strict';
import { jobCard } from '../../../src/cards/jobs/job-card';
import { JobVerbs } from '../../../src/cards/jobs/job-verbs';
import type { CardContext } from '../../../src/cards/kit/adaptive-card';
import { FINAL_STATES, type JobState } from '../../../src/services/jobs/job';
import { assertValidCard, cardTexts, findActions, TEAMS_MAX_CARD_BYTES } from '../../support/assert-valid-card';
import { displayed } from '../../support/displayed-text';
import { approval, BOB, makeView, minutes, step, viewIn } from '../../support/job-view-fixtures';

const live: CardContext = { demo: false, syncedAt: new Date('2026-12-03T13:45:00Z') };

function texts(card: unknown): string[] {
  return cardTexts(card).map(displayed);
}

const ALL_STATES: JobState[] = ['awaiting_approval', 'approved', 'running', 'succeeded', 'failed', 'rejected', 'expired', 'cancelled'];

describe('job card', () => {
  describe('the headline of each state', () => {
    const table: Array<{ state: JobState; headline: string; why: string }> = [
      { state: 'awaiting_approval', headline: 'Waiting for approval', why: 'nothing runs before the approvals' },
      { state: 'approved', headline: 'Approved: the job starts shortly', why: 'the runner has not claimed it yet' },
      { state: 'running', headline: 'Running: Watching distribution (3 of 4 DPs)', why: 'the stage and how far distribution got' },
      { state: 'succeeded', headline: 'Succeeded: 26100.4652 on 4 of 4 distribution points in 12 min', why: 'the new build, where it is, how long it took' },
      {
        state: 'failed',
        headline: 'Failed at Update distribution points: ConfigMgr refused the update: the package is locked by another action.',
        why: 'the stage and the sentence the runner recorded',
      },
      { state: 'rejected', headline: 'Rejected by Bob Jones: nothing was changed', why: 'who said no' },
      { state: 'expired', headline: 'Expired with 1 of 2 approvals: nothing was changed', why: 'how far the approvals got' },
      {
        state: 'cancelled',
        headline: 'Cancelled by Alice Smith after Remove autorun.inf; already done: Verify the install image, Remove autorun.inf',
        why: 'what was already done when the cancel took effect',
      },
    ];
    for (const { state, headline, why } of table) {
      it(`${state}: "${headline}" (${why})`, () => {
        const card = jobCard(viewIn(state), live);
        assertValidCard(card);
        const shown = texts(card);
        assert.equal(shown[0], 'Job K7P2Q · refresh');
        assert.ok(shown.includes(headline), `the card says:\n${shown.join('\n')}`);
      });
    }

    it('says a cancel was asked for while the job still runs', () => {
      const view = viewIn('running');
      view.job.cancelRequested = true;
      const shown = texts(jobCard(view, live));
      assert.ok(shown.includes('Running: Watching distribution (3 of 4 DPs); cancel requested'));
      assert.ok(shown.includes('⚠ Cancel requested: the job stops after the current stage.'));
    });

    it('says it failed even when no stage is known', () => {
      const view = makeView({}, { state: 'failed', outcome: null, stage: null });
      assert.ok(texts(jobCard(view, live)).includes('Failed: open the timeline for what went wrong.'));
    });

    it('keeps a local path and a stack out of the failure sentence', () => {
      const view = makeView({}, { state: 'failed', stage: 'verify_source', outcome: 'Error: EACCES at readWim (/srv/media/x.wim:1:2)' });
      const headline = texts(jobCard(view, live)).find((text) => text.startsWith('Failed at'));
      assert.equal(headline, 'Failed at Verify the install image: open the timeline for what went wrong.');
    });
  });

  describe('the stages', () => {
    const table: Array<{ state: Parameters<typeof step>[1]; mark: string }> = [
      { state: 'done', mark: '✓' },
      { state: 'running', mark: '▶' },
      { state: 'failed', mark: '✗' },
      { state: 'skipped', mark: '–' },
      { state: 'pending', mark: '·' },
    ];
    for (const { state, mark } of table) {
      it(`marks a ${state} stage ${mark} and shows its message`, () => {
        const view = makeView({ steps: [step('verify_source', state, `Verify said ${state}.`)] }, { state: 'running', stage: 'verify_source' });
        const shown = texts(jobCard(view, live));
        const at = shown.indexOf('Verify the install image');
        assert.equal(shown[at - 1], mark);
        assert.equal(shown[at + 1], `Verify said ${state}.`);
      });
    }

    it('lists every planned stage, those not reached as pending', () => {
      const view = viewIn('awaiting_approval');
      const shown = texts(jobCard(view, live));
      const marks = shown.filter((text) => text === '·');
      assert.equal(marks.length, view.job.stages.length);
      for (const label of ['Verify the install image', 'Remove autorun.inf', 'Write the build file', 'Reload image properties', 'Update distribution points', 'Watch distribution']) {
        assert.ok(shown.includes(label), label);
      }
    });
  });

  describe('distribution', () => {
    it('counts the distribution points and names the failing ones', () => {
      const view = viewIn('running');
      view.distribution = { installed: 2, total: 4, failedServers: ['dp02.contoso.com', 'dp03.contoso.com'], waitingServers: ['dp04.contoso.com'] };
      const shown = texts(jobCard(view, live));
      assert.ok(shown.includes('Distribution: 2 of 4 distribution points have the new version'));
      assert.ok(shown.includes('⚠ Failed on dp02.contoso.com and dp03.contoso.com'));
      assert.ok(shown.includes('Waiting for dp04.contoso.com'));
    });

    it('names eight failing distribution points of 50 and counts the rest, under 28 KB', () => {
      const servers = Array.from({ length: 50 }, (_, i) => `distribution-point-${String(i).padStart(2, '0')}.branch-office.contoso.example.com`);
      const view = viewIn('running');
      view.distribution = { installed: 0, total: 50, failedServers: servers, waitingServers: servers };
      const card = jobCard(view, live);
      assertValidCard(card);
      const failed = texts(card).find((text) => text.startsWith('⚠ Failed on'));
      assert.ok(failed?.endsWith(' and 42 more'), failed);
      assert.ok(Buffer.byteLength(JSON.stringify(card)) < TEAMS_MAX_CARD_BYTES);
    });
  });

  describe('buttons', () => {
    for (const state of ALL_STATES) {
      const active = !FINAL_STATES.includes(state);
      it(`${state}: Timeline${active ? ' and Cancel' : ' only'}, each carrying the job id`, () => {
        const expected = [['Timeline', JobVerbs.timeline, { jobId: 'K7P2Q' }], ...(active ? [['Cancel', JobVerbs.cancel, { jobId: 'K7P2Q' }]] : [])];
        assert.deepEqual(
          findActions(jobCard(viewIn(state), live)).map((action) => [action.title, action.verb, action.data]),
          expected,
        );
      });
    }

    it('offers no Cancel once a cancel was asked for', () => {
      const view = viewIn('running');
      view.job.cancelRequested = true;
      assert.deepEqual(findActions(jobCard(view, live)).map((action) => action.verb), [JobVerbs.timeline]);
    });
  });

  it('shows who decided and their comments', () => {
    const shown = texts(jobCard(viewIn('running'), live));
    assert.ok(shown.some((text) => text.startsWith('✓ Approved by Bob Jones, {{DATE(2026-12-03T14:05:00Z, SHORT)}}')));
    assert.ok(shown.includes('“Looks right”'));
  });

  it('lists ten decisions and counts the others', () => {
    const approvals = Array.from({ length: 14 }, (_, i) => approval({ ...BOB, name: `Approver ${i}` }, 'approve', 'ok', minutes(i)));
    const shown = texts(jobCard(makeView({ approvals }, { state: 'approved' }), live));
    assert.equal(shown.filter((text) => text.startsWith('✓ Approved by')).length, 10);
    assert.ok(shown.includes('… and 4 more decisions; open the timeline for all of them.'));
  });
});
