/**
 * The weekly digest's content, for the DigestScheduler that app.ts builds: what is behind now (from the
 * inventory snapshot) and the jobs of the week (from the store). Here, beside the renderer that draws it,
 * because it reads both media and jobs, which the notify core must not know.
 */
import type { Kysely } from 'kysely';
import type { Job } from '../../services/jobs/job';
import { listJobs } from '../../services/jobs/job-repository';
import { formatBuild, type InventorySnapshot, type MediaPackage } from '../../services/media/media-package';
import type { DigestPayload } from '../../services/notify/digest-scheduler';
import type { Schema } from '../../services/store/schema';

/** The most jobs one digest lists (the store's listing bound); the card trims further and counts the rest. */
const MAX_JOBS = 1000;

/** Pure: the packages behind their release's latest revision, and the given jobs with how they stand. */
export function digestPayload(packages: readonly MediaPackage[], jobs: readonly Job[], week: { from: Date; to: Date }): DigestPayload {
  const packagesBehind: DigestPayload['packagesBehind'] = [];
  for (const pkg of packages) {
    const verdict = pkg.freshness?.verdict;
    if (!verdict || verdict.state === 'unknown' || verdict.state === 'current' || verdict.latest === undefined) continue;
    const behind = verdict.revisionsBehind ?? 0;
    if (behind <= 0) continue;
    const judged = pkg.freshness?.judged?.build ?? pkg.build;
    packagesBehind.push({ id: pkg.id, name: pkg.name, build: judged ? formatBuild(judged) : null, latest: `${verdict.releaseBuild}.${verdict.latest.revision}`, revisionsBehind: behind });
  }
  return {
    from: week.from.toISOString(),
    to: week.to.toISOString(),
    packagesBehind,
    jobs: jobs
      .filter((job) => job.createdAt.getTime() >= week.from.getTime() && job.createdAt.getTime() < week.to.getTime())
      .map((job) => ({ id: job.id, packageId: job.packageId, packageName: job.packageName, outcome: job.state.replace('_', ' ') })),
    packageCount: packages.length,
  };
}

/** The builder to give DigestScheduler: the inventory as it stands and the week's jobs from the store. */
export function digestPayloadBuilder(options: { db: Kysely<Schema>; snapshot: () => InventorySnapshot }): (week: { from: Date; to: Date }) => Promise<DigestPayload> {
  return async (week) => {
    const jobs = await listJobs(options.db, { createdAfter: new Date(week.from.getTime() - 1), limit: MAX_JOBS });
    return digestPayload(options.snapshot().packages, jobs, week);
  };
}
