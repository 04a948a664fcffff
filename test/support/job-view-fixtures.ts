/** Realistic job views for card tests: a refresh of PS100012 at each point of its life. */
import type { Approval, Job, JobEvent, JobState, JobStep, Person, StageName } from '../../src/services/jobs/job';
import type { JobView } from '../../src/cards/jobs/job-view';

export const ALICE: Person = { id: 'aad-alice', name: 'Alice Smith' };
export const BOB: Person = { id: 'aad-bob', name: 'Bob Jones' };
export const CAROL: Person = { id: 'aad-carol', name: 'Carol King' };

export const T0 = new Date('2026-12-03T14:00:00Z');
export const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

export function makeJob(overrides: Partial<Job> = {}): Job {
  return {
    id: 'K7P2Q',
    packageId: 'PS100012',
    packageName: 'Windows 11 24H2 Enterprise x64',
    packageKind: 'upgrade',
    requester: ALICE,
    reason: 'June cumulative update before the pilot ring upgrades',
    state: 'awaiting_approval',
    stages: ['verify_source', 'remove_autorun', 'write_build_file', 'reload_image_properties', 'refresh_distribution_points', 'watch_distribution'],
    options: { removeAutorun: true, writeBuildFile: true },
    fromSourceVersion: 7,
    fromBuild: '26100.4061',
    latestBuild: '26100.4652',
    newBuild: null,
    newSourceVersion: null,
    stage: null,
    cancelRequested: false,
    outcome: null,
    createdAt: T0,
    updatedAt: T0,
    expiresAt: new Date(T0.getTime() + 25 * 3600_000),
    finishedAt: null,
    version: 1,
    ...overrides,
  };
}

export function approval(approver: Person, verdict: Approval['verdict'], comment = '', at = minutes(5)): Approval {
  return { jobId: 'K7P2Q', approver, verdict, comment, at };
}

export function step(stage: StageName, state: JobStep['state'], message: string | null = null, startMinute = 10, endMinute: number | null = startMinute + 1): JobStep {
  return {
    jobId: 'K7P2Q',
    stage,
    state,
    intent: null,
    result: null,
    message,
    startedAt: state === 'pending' ? null : minutes(startMinute),
    finishedAt: state === 'done' || state === 'failed' || state === 'skipped' ? (endMinute === null ? null : minutes(endMinute)) : null,
  };
}

export function makeView(overrides: Partial<JobView> = {}, job: Partial<Job> = {}): JobView {
  return {
    job: makeJob(job),
    steps: [],
    approvals: [],
    policy: { requiredApprovals: 2, ttlHours: 24, anyoneMayApprove: false, approverCount: 3, approverNames: ['Bob Jones', 'Carol King', 'Dan Brown'] },
    latestRevision: '26100.4652 (KB5060842, 2025-06-10)',
    currentBuild: '26100.4061',
    ...overrides,
  };
}

/** The job in each state, as the service would hand it to the cards. */
export function viewIn(state: JobState): JobView {
  const approved = [approval(BOB, 'approve', 'Looks right'), approval(CAROL, 'approve', '', minutes(6))];
  const allDone = (upTo: number): JobStep[] =>
    makeJob().stages.slice(0, upTo).map((stage, i) => step(stage, 'done', null, 10 + i * 2, 11 + i * 2));
  switch (state) {
    case 'awaiting_approval':
      return makeView({ approvals: [approval(BOB, 'approve')] });
    case 'approved':
      return makeView({ approvals: approved }, { state });
    case 'running':
      return makeView(
        {
          approvals: approved,
          steps: [...allDone(5), step('watch_distribution', 'running', 'Waiting for dp04', 20)],
          distribution: { installed: 3, total: 4, failedServers: [], waitingServers: ['dp04.contoso.com'] },
        },
        { state, stage: 'watch_distribution', newBuild: '26100.4652', newSourceVersion: 8 },
      );
    case 'succeeded':
      return makeView(
        { approvals: approved, steps: allDone(6), distribution: { installed: 4, total: 4, failedServers: [], waitingServers: [] } },
        { state, stage: 'watch_distribution', newBuild: '26100.4652', newSourceVersion: 8, finishedAt: minutes(22), updatedAt: minutes(22) },
      );
    case 'failed':
      return makeView(
        {
          approvals: approved,
          steps: [...allDone(4), step('refresh_distribution_points', 'failed', 'ConfigMgr refused the update: the package is locked by another action.', 20, 21)],
        },
        { state, stage: 'refresh_distribution_points', outcome: 'ConfigMgr refused the update: the package is locked by another action.', finishedAt: minutes(21), updatedAt: minutes(21) },
      );
    case 'rejected':
      return makeView({ approvals: [approval(BOB, 'reject', 'Wait for the July update')] }, { state, finishedAt: minutes(5), updatedAt: minutes(5) });
    case 'expired':
      return makeView({ approvals: [approval(BOB, 'approve')] }, { state, finishedAt: minutes(25 * 60), updatedAt: minutes(25 * 60) });
    case 'cancelled':
      return makeView(
        { approvals: approved, steps: [...allDone(2), step('write_build_file', 'skipped')], cancelledBy: ALICE },
        { state, stage: 'write_build_file', finishedAt: minutes(15), updatedAt: minutes(15) },
      );
  }
}

export function makeEvents(count: number, message = (i: number) => `Stage ${i} recorded its result.`): JobEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    jobId: 'K7P2Q',
    at: minutes(i),
    actor: i % 3 === 0 ? BOB : null,
    kind: i === 0 ? 'requested' : 'stage_done',
    message: message(i),
    detail: null,
  }));
}
