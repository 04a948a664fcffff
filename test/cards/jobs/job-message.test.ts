/** The sentences posted beside the cards: the message when a job ends, and the reminder to approvers. */
import assert from 'node:assert/strict';
import { approvalReminderMessage, jobStatusMessage } from '../../../src/cards/jobs/job-message';
import type { JobState } from '../../../src/services/jobs/job';
import { displayed } from '../../support/displayed-text';
import { makeView, minutes, viewIn } from '../../support/job-view-fixtures';

describe('job messages', () => {
  const subject = 'Job K7P2Q for Windows 11 24H2 Enterprise x64 (PS100012)';
  const table: Array<{ state: JobState; says: string; why: string }> = [
    { state: 'succeeded', says: `${subject} succeeded: 26100.4652 is on all 4 distribution points, in 12 min.`, why: 'the build, where, how long' },
    {
      state: 'failed',
      says: `${subject} failed at Update distribution points: ConfigMgr refused the update: the package is locked by another action. Type "job K7P2Q" for its timeline.`,
      why: 'the stage, the recorded sentence and what to type next',
    },
    { state: 'rejected', says: `${subject} was rejected by Bob Jones: “Wait for the July update”. Nothing was changed.`, why: 'who, and their comment' },
    { state: 'expired', says: `${subject} expired with 1 of 2 approvals; nothing was changed. Ask again with "refresh PS100012" if it is still needed.`, why: 'how far it got, and how to ask again' },
    {
      state: 'cancelled',
      says: `${subject} was cancelled by Alice Smith after Remove autorun.inf; already done: Verify the install image, Remove autorun.inf. Type "job K7P2Q" for its timeline.`,
      why: 'what was already done',
    },
    { state: 'awaiting_approval', says: `${subject} is waiting for approval (1 of 2 approvals so far).`, why: 'an active job gets a status sentence too' },
    { state: 'approved', says: `${subject} was approved and starts shortly.`, why: 'between approval and the runner' },
    { state: 'running', says: `${subject} is running: Watch distribution.`, why: 'the stage' },
  ];
  for (const { state, says, why } of table) {
    it(`${state}: ${why}`, () => assert.equal(displayed(jobStatusMessage(viewIn(state))), says));
  }

  it('says "on 3 of 4" when a succeeded job did not reach every distribution point', () => {
    const view = viewIn('succeeded');
    view.distribution = { installed: 3, total: 4, failedServers: [], waitingServers: [] };
    assert.match(jobStatusMessage(view), /26100\.4652 is on 3 of 4 distribution points, in 12 min\.$/);
  });

  it('says when nothing had run before a cancel', () => {
    const view = makeView({}, { state: 'cancelled' });
    assert.equal(displayed(jobStatusMessage(view)), `${subject} was cancelled before any stage ran; nothing was changed.`);
  });

  describe('reminder to approvers', () => {
    const table: Array<{ now: Date; says: string; why: string }> = [
      { now: minutes(23 * 60), says: 'Job K7P2Q expires in 2 h;', why: 'hours when an hour or more is left' },
      { now: minutes(25 * 60 - 40), says: 'Job K7P2Q expires in 40 min;', why: 'minutes under an hour' },
      { now: minutes(25 * 60 + 1), says: 'Job K7P2Q is about to expire;', why: 'past the deadline but not yet expired by the sweeper' },
    ];
    for (const { now, says, why } of table) {
      it(`"${says}": ${why}`, () => assert.ok(approvalReminderMessage(viewIn('awaiting_approval'), now).startsWith(says)));
    }

    it('says who asks for what and why, how many approvals are in, and what to do', () => {
      assert.equal(
        displayed(approvalReminderMessage(viewIn('awaiting_approval'), minutes(23 * 60))),
        'Job K7P2Q expires in 2 h; Alice Smith asks to refresh Windows 11 24H2 Enterprise x64 (PS100012): “June cumulative update before the pilot ring upgrades”. 1 of 2 approvals so far. Open the approval card to decide, or type "job K7P2Q".',
      );
    });
  });
});
