/**
 * Jobs, approvals, steps and events for store tests: complete values with every field set to
 * something that a wrong mapping would visibly change (quotes, unicode, nulls next to non-nulls).
 */
import type { Approval, Job, JobEvent, JobStep } from '../../src/services/jobs/job';

const T0 = new Date('2026-11-02T08:30:00.123Z');

export function at(minutes: number, from: Date = T0): Date {
  return new Date(from.getTime() + minutes * 60_000);
}

export function sampleJob(overrides: Partial<Job> = {}): Job {
  return {
    id: 'K7P2Q',
    packageId: 'PS100012',
    packageName: `Windows 11 24H2 "Enterprise" – x64 O'Brien's ✓ 日本語`,
    packageKind: 'upgrade',
    requester: { id: '6f1c2a4e-0000-4000-8000-000000000001', name: 'Zoë "Z" Ångström' },
    reason: `November's LCU; it's "urgent" 🚀 -- drop table jobs; \\ %`,
    state: 'awaiting_approval',
    stages: ['verify_source', 'remove_autorun', 'reload_image_properties', 'refresh_distribution_points', 'watch_distribution'],
    options: { keepEditionIndexes: [3, 6], removeAutorun: true, writeBuildFile: false },
    fromSourceVersion: 7,
    fromBuild: '26100.6584',
    latestBuild: '26100.7171',
    newBuild: null,
    newSourceVersion: null,
    stage: null,
    cancelRequested: false,
    outcome: null,
    createdAt: T0,
    updatedAt: T0,
    expiresAt: at(24 * 60),
    finishedAt: null,
    version: 1,
    ...overrides,
  };
}

export function sampleApproval(overrides: Partial<Approval> = {}): Approval {
  return {
    jobId: 'K7P2Q',
    approver: { id: 'aad-approver-1', name: 'Björn "the approver" O\'Neil' },
    verdict: 'approve',
    comment: 'Go — «fine» by me',
    at: at(5),
    ...overrides,
  };
}

export function sampleStep(overrides: Partial<JobStep> = {}): JobStep {
  return {
    jobId: 'K7P2Q',
    stage: 'refresh_distribution_points',
    state: 'done',
    intent: { sourceVersionBefore: 7, note: 'ünïcode "quoted"' },
    result: { installed: 3, total: 4, dps: ['DP01', 'DP02'] },
    message: "3 of 4 DPs; DP04 isn't done",
    startedAt: at(10),
    finishedAt: at(12),
    ...overrides,
  };
}

export function sampleEvent(overrides: Partial<Omit<JobEvent, 'id'>> = {}): Omit<JobEvent, 'id'> {
  return {
    jobId: 'K7P2Q',
    at: at(1),
    actor: { id: 'aad-requester', name: 'Zoë' },
    kind: 'requested',
    message: `Zoë asked to refresh "Windows 11" — 'now'`,
    detail: { reason: 'LCU', nested: { list: [1, 'two', null] } },
    ...overrides,
  };
}
