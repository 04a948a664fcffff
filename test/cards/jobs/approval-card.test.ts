/**
 * The approval card in its three variants: an approver can comment and decide, everyone else reads whom
 * the job waits for, and once decided everyone reads the same record with no buttons. The buttons carry
 * the job id only, and the per-user refresh is asked for only while the job waits.
 */
import assert from 'node:assert/strict';
import { approvalCard, MAX_REFRESH_USER_IDS, policyLine } from '../../../src/cards/jobs/approval-card';
import { JobVerbs } from '../../../src/cards/jobs/job-verbs';
import type { CardContext } from '../../../src/cards/kit/adaptive-card';
import type { JobState } from '../../../src/services/jobs/job';
import { assertValidCard, cardTexts, findActions } from '../../support/assert-valid-card';
import { displayed } from '../../support/displayed-text';
import { approval, BOB, CAROL, makeView, viewIn } from '../../support/job-view-fixtures';

const live: CardContext = { demo: false, syncedAt: new Date('2026-12-03T13:45:00Z') };
const demo: CardContext = { demo: true, syncedAt: null };

/** What the reader sees: escapes consumed, link breakers invisible. */
function texts(card: unknown): string {
  return displayed(cardTexts(card).join('\n'));
}

function inputs(card: unknown): Array<Record<string, unknown>> {
  const found: Array<Record<string, unknown>> = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (typeof record.type === 'string' && record.type.startsWith('Input.')) found.push(record);
    for (const value of Object.values(record)) visit(value);
  };
  visit(card);
  return found;
}

const DECIDED: JobState[] = ['approved', 'running', 'succeeded', 'failed', 'rejected', 'expired', 'cancelled'];

describe('approval card', () => {
  describe('every variant is valid for Teams and names the job', () => {
    const cases: Array<[string, () => unknown]> = [];
    for (const context of [live, demo]) {
      const where = context.demo ? 'demo' : 'live';
      cases.push(
        [`approver, waiting, ${where}`, () => approvalCard(viewIn('awaiting_approval'), context, 'approver', ['29:bob'])],
        [`read-only, waiting, ${where}`, () => approvalCard(viewIn('awaiting_approval'), context, 'read-only', ['29:bob'])],
      );
      for (const state of DECIDED) cases.push([`decided (${state}), ${where}`, () => approvalCard(viewIn(state), context, 'approver', ['29:bob'])]);
    }
    for (const [name, make] of cases) {
      it(`${name}`, () => {
        const card = make();
        assertValidCard(card);
        assert.match(texts(card), /Job K7P2Q/);
      });
    }
  });

  describe('what an approver needs to decide', () => {
    const card = approvalCard(viewIn('awaiting_approval'), live, 'approver');
    const said = texts(card);
    const table: Array<[string, RegExp]> = [
      ['the package name and id', /Windows 11 24H2 Enterprise x64 \(PS100012\)/],
      ['its current build', /26100\.4061/],
      ['the latest revision of its release', /26100\.4652 \(KB5060842, 2025-06-10\)/],
      ['the requester', /Alice Smith/],
      ['the reason', /June cumulative update before the pilot ring upgrades/],
      ['the policy and the approvals so far', /Needs 2 approvals from the 3 approvers; 1 of 2 so far/],
      ['the expiry, in the reader\'s time zone', /Expires \{\{DATE\(2026-12-04T15:00:00Z, SHORT\)\}\} \{\{TIME\(2026-12-04T15:00:00Z\)\}\}/],
      ['the hygiene stages it will run', /\n2\nRemove autorun\.inf from the media folder\n3\nWrite the build number file in the media folder\n/],
    ];
    for (const [what, pattern] of table) it(`shows ${what}`, () => assert.match(said, pattern));

    it('lists every planned stage in order, numbered', () => {
      const view = viewIn('awaiting_approval');
      const numbers = cardTexts(card).filter((text) => /^\d+$/.test(text));
      assert.deepEqual(numbers, view.job.stages.map((_, i) => String(i + 1)));
      const verify = said.indexOf('Verify the install image on the share');
      const watch = said.indexOf('Watch distribution until every distribution point has the new version');
      assert.ok(verify >= 0 && watch > verify, 'verify comes before watching distribution');
    });

    it('names the editions kept when the servicing host removes the others', () => {
      const view = makeView(
        { editionNames: [{ index: 3, name: 'Enterprise' }, { index: 6, name: 'Pro' }] },
        { stages: ['service_media', 'keep_editions', 'verify_source', 'reload_image_properties', 'refresh_distribution_points', 'watch_distribution'], options: { keepEditionIndexes: [3] } },
      );
      const shown = texts(approvalCard(view, live, 'approver'));
      assert.match(shown, /Service the media on the servicing host/);
      assert.match(shown, /Keep only editions: index 3 \(Enterprise\)/);
    });
  });

  describe('the three variants', () => {
    it('gives an approver a comment box (id comment, up to 500) and Approve and Reject carrying only the job id', () => {
      const card = approvalCard(viewIn('awaiting_approval'), live, 'approver');
      const [comment, ...others] = inputs(card);
      assert.equal(others.length, 0);
      assert.equal(comment.type, 'Input.Text');
      assert.equal(comment.id, 'comment');
      assert.equal(comment.maxLength, 500);
      const buttons = findActions(card).filter((action) => action !== (card as { refresh?: { action: unknown } }).refresh?.action);
      assert.deepEqual(
        buttons.map((action) => [action.type, action.title, action.verb, action.data]),
        [
          ['Action.Execute', 'Approve', JobVerbs.approve, { jobId: 'K7P2Q' }],
          ['Action.Execute', 'Reject', JobVerbs.reject, { jobId: 'K7P2Q' }],
        ],
      );
    });

    it('tells everyone else whom the job waits for, with no box and no buttons', () => {
      const card = approvalCard(viewIn('awaiting_approval'), live, 'read-only');
      assert.match(texts(card), /Waiting for approval by Bob Jones, Carol King or Dan Brown\./);
      assert.deepEqual(inputs(card), []);
      assert.deepEqual(findActions(card).filter((action) => action.verb !== JobVerbs.approvalView), []);
      assert.equal((card as { actions?: unknown[] }).actions?.length ?? 0, 0);
    });

    it('counts the approvers it does not name', () => {
      const view = makeView({ policy: { requiredApprovals: 1, ttlHours: 24, anyoneMayApprove: false, approverCount: 8, approverNames: ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'] } });
      assert.match(texts(approvalCard(view, live, 'read-only')), /Waiting for approval by A, B, C, D, E or 3 others\./);
    });

    for (const state of DECIDED) {
      it(`shows everyone the same record once ${state}: no box, no buttons, no refresh`, () => {
        const forApprover = approvalCard(viewIn(state), live, 'approver', ['29:bob', '29:carol']);
        const forReader = approvalCard(viewIn(state), live, 'read-only', ['29:bob', '29:carol']);
        assert.deepEqual(forApprover, forReader);
        assert.deepEqual(inputs(forApprover), []);
        assert.deepEqual(findActions(forApprover), []);
        assert.equal('refresh' in forApprover, false);
        assert.doesNotMatch(texts(forApprover), /Expires/);
      });
    }

    const outcomes: Array<[JobState, RegExp, string]> = [
      ['approved', /Outcome: approved/, 'approved and not started yet'],
      ['running', /Outcome: approved/, 'the approval card speaks of the decision, the job card of the run'],
      ['succeeded', /Outcome: approved/, 'same'],
      ['failed', /Outcome: approved/, 'a failed run was still approved'],
      ['rejected', /Outcome: rejected/, 'one rejection ends it'],
      ['expired', /Outcome: expired with 1 of 2 approvals/, 'says how far it got'],
      ['cancelled', /Outcome: cancelled by Alice Smith/, 'says who cancelled'],
    ];
    for (const [state, pattern, why] of outcomes) {
      it(`says the outcome when ${state}: ${why}`, () => assert.match(texts(approvalCard(viewIn(state), live, 'read-only')), pattern));
    }

    it('shows who decided, when, and each comment', () => {
      const shown = texts(approvalCard(viewIn('rejected'), live, 'read-only'));
      assert.match(shown, /✗ Rejected by Bob Jones, \{\{DATE\(2026-12-03T14:05:00Z, SHORT\)\}\}/);
      assert.match(shown, /“Wait for the July update”/);
      const approved = texts(approvalCard(viewIn('approved'), live, 'read-only'));
      assert.match(approved, /✓ Approved by Bob Jones[^\n]*\n“Looks right”\n✓ Approved by Carol King/);
    });
  });

  describe('the policy line', () => {
    const table: Array<{ policy: Parameters<typeof policyLine>[0]; approvals: ReturnType<typeof approval>[]; says: string; why: string }> = [
      { policy: { requiredApprovals: 2, ttlHours: 24, anyoneMayApprove: false, approverCount: 3 }, approvals: [approval(BOB, 'approve')], says: 'Needs 2 approvals from the 3 approvers; 1 of 2 so far', why: 'two of three' },
      { policy: { requiredApprovals: 1, ttlHours: 24, anyoneMayApprove: false, approverCount: 1 }, approvals: [], says: 'Needs 1 approval from the approver; none so far', why: 'one approver' },
      { policy: { requiredApprovals: 1, ttlHours: 24, anyoneMayApprove: true, approverCount: 0 }, approvals: [], says: 'Demo: anyone may approve, including the requester; needs 1 approval, none so far', why: 'no APPROVERS: the demo lets anyone, self-approval included' },
      { policy: { requiredApprovals: 2, ttlHours: 24, anyoneMayApprove: false, approverCount: 3 }, approvals: [approval(BOB, 'approve'), approval(CAROL, 'reject')], says: 'Needs 2 approvals from the 3 approvers; 1 of 2 so far', why: 'a rejection is not an approval' },
    ];
    for (const { policy, approvals, says, why } of table) {
      it(`"${says}": ${why}`, () => assert.equal(policyLine(policy, makeView({ policy, approvals })), says));
    }
    it('tells the demo reader that anyone may decide', () => {
      const view = makeView({ policy: { requiredApprovals: 1, ttlHours: 24, anyoneMayApprove: true, approverCount: 0 } });
      const shown = texts(approvalCard(view, demo, 'read-only'));
      assert.match(shown, /Demo: anyone may approve, including the requester/);
      assert.match(shown, /Waiting for approval by anyone in the conversation \(demo\)\./);
      assert.match(shown, /Demo site/);
    });
  });

  describe('the per-user refresh', () => {
    it('asks Teams to refresh the listed users through job.view while the job waits', () => {
      const card = approvalCard(viewIn('awaiting_approval'), live, 'read-only', ['29:bob', '29:carol']) as Record<string, unknown>;
      assert.deepEqual(card.refresh, { action: { type: 'Action.Execute', verb: JobVerbs.approvalView, data: { jobId: 'K7P2Q' } }, userIds: ['29:bob', '29:carol'] });
    });

    it('keeps the first 60 distinct ids, Teams\' limit', () => {
      const ids = Array.from({ length: 80 }, (_, i) => `29:user-${i % 70}`);
      const card = approvalCard(viewIn('awaiting_approval'), live, 'approver', ids) as unknown as { refresh: { userIds: string[] } };
      assert.equal(card.refresh.userIds.length, MAX_REFRESH_USER_IDS);
      assert.deepEqual(card.refresh.userIds, Array.from({ length: 60 }, (_, i) => `29:user-${i}`));
      assertValidCard(card);
    });

    it('asks for a refresh of everyone (no userIds) when no approver is known yet', () => {
      const action = { type: 'Action.Execute', verb: JobVerbs.approvalView, data: { jobId: 'K7P2Q' } };
      assert.deepEqual((approvalCard(viewIn('awaiting_approval'), live, 'approver', []) as { refresh?: unknown }).refresh, { action });
      assert.deepEqual((approvalCard(viewIn('awaiting_approval'), live, 'approver', ['', '  ']) as { refresh?: unknown }).refresh, { action });
    });

    it('shows the sentence the reader earned on top, escaped', () => {
      const card = approvalCard(viewIn('approved'), live, 'approver', [], 'You approved job K7P2Q; it starts **now**.');
      const first = (card.body as Array<{ text?: string }>).find((element) => element.text?.startsWith('You approved'));
      assert.equal(first?.text, 'You approved job K7P2Q; it starts \\*\\*now\\*\\*.');
      assertValidCard(card);
    });
  });

  it('shows a requester whose display name is empty by their id', () => {
    const view = makeView({}, { requester: { id: 'aad-0001', name: '  ' } });
    assert.match(texts(approvalCard(view, live, 'read-only')), /Requested by\naad-0001/);
  });
});
