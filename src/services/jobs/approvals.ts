/**
 * Who may decide on a refresh request, and what a decision does, from stored state only: the job as
 * stored, the approvals recorded so far and the configured policy. The card's data never enters
 * here; a tampered button can name a job, nothing more. Pure, so every rule is table-tested.
 */
import type { Approval, Job, Person, Verdict } from './job';

export interface ApprovalPolicy {
  /** APPROVERS: Azure AD object ids, compared case-insensitively. */
  approvers: readonly string[];
  /** REQUIRED_APPROVALS distinct approvers; one rejection ends the request whatever this is. */
  requiredApprovals: number;
  /** APPROVAL_TTL_HOURS, in milliseconds. */
  ttlMs: number;
  /**
   * The demo site with no APPROVERS: anyone may decide, the requester included, and the cards say so.
   * A real site with no APPROVERS cannot refresh at all.
   */
  anyoneMayApprove: boolean;
}

/** The person deciding, as Teams named them: the Azure AD object id when Teams gave one. */
export interface Decider extends Person {
  aadObjectId?: string;
}

export type DecisionRefusal = 'not-awaiting' | 'expired' | 'not-approver' | 'own-request' | 'already-decided';

export type DecisionOutcome =
  | { kind: 'refused'; refusal: DecisionRefusal; message: string }
  /** An approval recorded; more are needed. */
  | { kind: 'recorded'; approvalsSoFar: number; message: string }
  /** The request is decided: approved (enough approvals) or rejected (one rejection). */
  | { kind: 'decided'; state: 'approved' | 'rejected'; message: string };

const STATE_WORDS: Record<Job['state'], string> = {
  awaiting_approval: 'waiting for approval',
  approved: 'already approved',
  running: 'already running',
  succeeded: 'already finished',
  failed: 'already finished (it failed)',
  rejected: 'already rejected',
  expired: 'expired',
  cancelled: 'cancelled',
};

export function isApprover(policy: ApprovalPolicy, person: Decider): boolean {
  if (policy.anyoneMayApprove) return true;
  const id = person.aadObjectId?.toLowerCase();
  return id !== undefined && policy.approvers.some((approver) => approver.toLowerCase() === id);
}

/** What one click does to a request, judged against what is stored. */
export function judgeDecision(
  job: Job,
  approvals: readonly Approval[],
  decider: Decider,
  verdict: Verdict,
  policy: ApprovalPolicy,
  now: Date,
): DecisionOutcome {
  if (job.state !== 'awaiting_approval') {
    return refused('not-awaiting', `Job ${job.id} is ${STATE_WORDS[job.state]}, so there is nothing left to decide; type "job ${job.id}" to see what happened.`);
  }
  if (now.getTime() >= job.expiresAt.getTime()) {
    return refused('expired', `Job ${job.id} expired before it was decided; ask for the refresh again with "refresh ${job.packageId}".`);
  }
  if (!isApprover(policy, decider)) {
    return refused('not-approver', `Only the approvers named in APPROVERS can decide on job ${job.id}; ask one of them to approve or reject it.`);
  }
  if (!policy.anyoneMayApprove && sameIdentity(decider, job.requester)) {
    return refused('own-request', `You asked for job ${job.id}, so another approver must decide on it.`);
  }
  if (approvals.some((approval) => sameIdentity(decider, approval.approver))) {
    return refused('already-decided', `You have already decided on job ${job.id}; type "job ${job.id}" to see where it stands.`);
  }
  if (verdict === 'reject') {
    return { kind: 'decided', state: 'rejected', message: `You rejected job ${job.id}; it will not run.` };
  }
  const approvalsSoFar = approvals.filter((approval) => approval.verdict === 'approve').length + 1;
  if (approvalsSoFar >= policy.requiredApprovals) {
    return { kind: 'decided', state: 'approved', message: `You approved job ${job.id}; it starts now.` };
  }
  return {
    kind: 'recorded',
    approvalsSoFar,
    message: `You approved job ${job.id}: ${approvalsSoFar} of ${policy.requiredApprovals} approvals so far.`,
  };
}

/** Whether a person may cancel: the requester, or anyone who may approve. */
export function mayCancel(job: Job, person: Decider, policy: ApprovalPolicy): boolean {
  return sameIdentity(person, job.requester) || isApprover(policy, person);
}

function sameIdentity(person: Decider, other: Person): boolean {
  const mine = (person.aadObjectId ?? person.id).toLowerCase();
  return mine === other.id.toLowerCase() || person.id.toLowerCase() === other.id.toLowerCase();
}

function refused(refusal: DecisionRefusal, message: string): DecisionOutcome {
  return { kind: 'refused', refusal, message };
}
