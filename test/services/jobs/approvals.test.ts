import assert from 'node:assert/strict';
import { isApprover, judgeDecision, mayCancel, type ApprovalPolicy, type Decider } from '../../../src/services/jobs/approvals';
import type { Approval, Job } from '../../../src/services/jobs/job';
import { makeJob } from '../../support/job-view-fixtures';

const ALICE = '11111111-1111-4111-8111-111111111111';
const BOB = '22222222-2222-4222-8222-222222222222';
const CAROL = '33333333-3333-4333-8333-333333333333';
const MALLORY = '99999999-9999-4999-8999-999999999999';
const NOW = new Date('2026-12-03T12:00:00Z');

function job(overrides: Partial<Job> = {}): Job {
  // The card tests' job, asked for by Alice an hour ago and expiring in an hour.
  return makeJob({ requester: { id: ALICE, name: 'Alice' }, createdAt: new Date(NOW.getTime() - 3_600_000), expiresAt: new Date(NOW.getTime() + 3_600_000), ...overrides });
}

const person = (aad: string | undefined, name: string, id = `29:${name}`): Decider => ({ id: aad ?? id, name, aadObjectId: aad });
const approval = (aad: string, verdict: 'approve' | 'reject'): Approval => ({ jobId: 'K7P2Q', approver: { id: aad, name: aad }, verdict, comment: '', at: NOW });
const policy = (overrides: Partial<ApprovalPolicy> = {}): ApprovalPolicy => ({ approvers: [ALICE, BOB, CAROL], requiredApprovals: 1, ttlMs: 86_400_000, anyoneMayApprove: false, ...overrides });

describe('approval policy (judged from stored state)', () => {
  const cases: Array<{ why: string; job?: Partial<Job>; approvals?: Approval[]; decider: Decider; verdict: 'approve' | 'reject'; policy?: Partial<ApprovalPolicy>; expect: string }> = [
    { why: 'an approver approves a request that needs one approval', decider: person(BOB, 'Bob'), verdict: 'approve', expect: 'decided:approved' },
    { why: 'one rejection ends the request', decider: person(BOB, 'Bob'), verdict: 'reject', expect: 'decided:rejected' },
    { why: 'one rejection ends it even after approvals, with three required', approvals: [approval(CAROL, 'approve')], decider: person(BOB, 'Bob'), verdict: 'reject', policy: { requiredApprovals: 3 }, expect: 'decided:rejected' },
    { why: 'someone not in APPROVERS may not decide', decider: person(MALLORY, 'Mallory'), verdict: 'approve', expect: 'refused:not-approver' },
    { why: 'a user without an Azure AD object id is nobody in APPROVERS', decider: person(undefined, 'Guest'), verdict: 'approve', expect: 'refused:not-approver' },
    { why: 'a requester may not approve their own request', decider: person(ALICE, 'Alice'), verdict: 'approve', expect: 'refused:own-request' },
    { why: 'nor reject it as an approver', decider: person(ALICE, 'Alice'), verdict: 'reject', expect: 'refused:own-request' },
    { why: 'approver ids compare case-insensitively', decider: person(BOB.toUpperCase(), 'Bob'), verdict: 'approve', expect: 'decided:approved' },
    { why: 'two approvals needed: the first is recorded', decider: person(BOB, 'Bob'), verdict: 'approve', policy: { requiredApprovals: 2 }, expect: 'recorded:1' },
    { why: 'two approvals needed: the second distinct approver decides', approvals: [approval(CAROL, 'approve')], decider: person(BOB, 'Bob'), verdict: 'approve', policy: { requiredApprovals: 2 }, expect: 'decided:approved' },
    { why: 'the same approver twice counts once', approvals: [approval(BOB, 'approve')], decider: person(BOB, 'Bob'), verdict: 'approve', policy: { requiredApprovals: 2 }, expect: 'refused:already-decided' },
    { why: 'a decided job is refused politely', job: { state: 'approved' }, decider: person(BOB, 'Bob'), verdict: 'approve', expect: 'refused:not-awaiting' },
    { why: 'a finished job is refused politely', job: { state: 'succeeded' }, decider: person(BOB, 'Bob'), verdict: 'reject', expect: 'refused:not-awaiting' },
    { why: 'a request past its expiry cannot be approved', job: { expiresAt: new Date(NOW.getTime() - 1) }, decider: person(BOB, 'Bob'), verdict: 'approve', expect: 'refused:expired' },
    { why: 'expiry is exact: at the instant it expires it is expired', job: { expiresAt: NOW }, decider: person(BOB, 'Bob'), verdict: 'approve', expect: 'refused:expired' },
    { why: 'demo with no APPROVERS: anyone may approve', decider: person(MALLORY, 'Mallory'), verdict: 'approve', policy: { approvers: [], anyoneMayApprove: true }, expect: 'decided:approved' },
    { why: 'demo with no APPROVERS: self-approval included', decider: person(ALICE, 'Alice'), verdict: 'approve', policy: { approvers: [], anyoneMayApprove: true }, expect: 'decided:approved' },
    { why: 'demo: a user without an Azure AD id may approve too', decider: person(undefined, 'Guest'), verdict: 'approve', policy: { approvers: [], anyoneMayApprove: true }, expect: 'decided:approved' },
  ];
  for (const row of cases) {
    it(row.why, () => {
      const outcome = judgeDecision(job(row.job), row.approvals ?? [], row.decider, row.verdict, policy(row.policy), NOW);
      const shown = outcome.kind === 'refused' ? `refused:${outcome.refusal}` : outcome.kind === 'recorded' ? `recorded:${outcome.approvalsSoFar}` : `decided:${outcome.state}`;
      assert.equal(shown, row.expect);
      assert.match(outcome.message, /K7P2Q/);
      assert.ok(outcome.message.endsWith('.'), 'one sentence');
    });
  }

  it('says the requester must find another approver, without naming ids', () => {
    const outcome = judgeDecision(job(), [], person(ALICE, 'Alice'), 'approve', policy(), NOW);
    assert.equal(outcome.message, 'You asked for job K7P2Q, so another approver must decide on it.');
  });

  it('lets the requester or an approver cancel, nobody else', () => {
    assert.equal(mayCancel(job(), person(ALICE, 'Alice'), policy({ approvers: [BOB] })), true);
    assert.equal(mayCancel(job(), person(BOB, 'Bob'), policy({ approvers: [BOB] })), true);
    assert.equal(mayCancel(job(), person(MALLORY, 'Mallory'), policy({ approvers: [BOB] })), false);
    assert.equal(isApprover(policy({ approvers: [] }), person(BOB, 'Bob')), false);
  });
});
