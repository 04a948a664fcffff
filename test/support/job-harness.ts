/**
 * The real parts a refresh job runs on, assembled for tests: a copy of the demo site's PS100012 media
 * folder in a temporary share mapped with MEDIA_PATH_MAP, the real source inspector, the real
 * AdminService client against a simulator's URL, ConfigMgrStages, RefreshExecutor and a JobRunner.
 * The child-process worker (job-worker.ts) builds its runner with the same function, so a killed
 * worker and the one that takes over differ only in their owner.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { AdminServiceClient } from '../../src/services/configmgr/admin-service-client';
import { insertJob } from '../../src/services/jobs/job-repository';
import type { Job } from '../../src/services/jobs/job';
import type { JobChange } from '../../src/services/jobs/job-service';
import { JobRunner, type StageExecutor } from '../../src/services/jobs/runner';
import { ConfigMgrStages } from '../../src/services/jobs/runners/configmgr-stages';
import { RefreshExecutor } from '../../src/services/jobs/runners/refresh-executor';
import type { ServicingHostStages } from '../../src/services/jobs/runners/servicing-host-stages';
import type { MediaPackage } from '../../src/services/media/media-package';
import { MediaPathMapper } from '../../src/services/media/media-paths';
import { SourceInspector } from '../../src/services/media/source-folder';
import type { Schema } from '../../src/services/store/schema';
import type { RefreshTiming } from '../../src/services/demo/demo-distribution';
import { makeEdition, makePackage } from './media-fixtures';
import { sampleJob } from './sample-jobs';

export const REPO_ROOT = join(__dirname, '..', '..');
export const SHARE_UNC = '\\\\cm01.contoso.com\\OSD$';
export const PS100012_SOURCE = `${SHARE_UNC}\\Upgrade\\Win11-24H2-x64`;

/** A refresh that plays out in about two seconds: version after 0.3 s, the four DPs between 0.8 s and 1.7 s. */
export const FAST_REFRESH: RefreshTiming = { sourceVersionDelayMs: 300, dpUpdatingAfterMs: 200, dpInstalledAfterMs: 500, dpStaggerMs: 400 };

/** A temporary share holding a copy of the demo's PS100012 folder (install.wim at 26100.8246, BuildNumber.txt). */
export function makeShare(): { root: string; mediaFolder: string; cleanup(): void } {
  const root = mkdtempSync(join(tmpdir(), 'umb-share-'));
  const mediaFolder = join(root, 'Upgrade', 'Win11-24H2-x64');
  cpSync(join(REPO_ROOT, 'demo-media', 'OSD$', 'Upgrade', 'Win11-24H2-x64'), mediaFolder, { recursive: true });
  return { root, mediaFolder, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** PS100012 as the inventory knows it before the refresh: ConfigMgr records 26100.4349, Enterprise at index 1. */
export function ps100012(overrides: Partial<MediaPackage> = {}): MediaPackage {
  return makePackage({
    id: 'PS100012',
    name: 'Windows 11 24H2 Enterprise x64',
    sourcePath: PS100012_SOURCE,
    editions: [makeEdition({ index: 1, name: 'Windows 11 Enterprise', editionId: 'Enterprise' })],
    ...overrides,
  });
}

/** An approved job for PS100012 running the given stages. */
export function approvedJob(overrides: Partial<Job> = {}): Job {
  const now = new Date();
  return sampleJob({
    id: 'K7P2Q',
    packageId: 'PS100012',
    packageName: 'Windows 11 24H2 Enterprise x64',
    state: 'approved',
    stages: ['verify_source', 'reload_image_properties', 'refresh_distribution_points', 'watch_distribution'],
    options: {},
    fromSourceVersion: 7,
    fromBuild: '26100.4349',
    createdAt: now,
    updatedAt: now,
    expiresAt: new Date(now.getTime() + 86_400_000),
    ...overrides,
  });
}

export async function insertApprovedJob(db: Kysely<Schema>, overrides: Partial<Job> = {}): Promise<Job> {
  const job = approvedJob(overrides);
  const inserted = await insertJob(db, job);
  if (!inserted.inserted) throw new Error('the test job could not be inserted');
  return job;
}

export interface RunnerParts {
  db: Kysely<Schema>;
  adminServiceUrl: string;
  shareRoot: string;
  logger: Logger;
  owner?: string;
  leaseMs?: number;
  heartbeatMs?: number;
  runnerPollMs?: number;
  distributionPollMs?: number;
  distributionTimeoutMs?: number;
  refreshGraceMs?: number;
  packageById?: (packageId: string) => MediaPackage | undefined;
  /** MEDIA_PATH_MAP; the temporary share by default. */
  mappings?: { uncPrefix: string; localRoot: string }[];
  buildFileName?: string;
  servicingHost?: ServicingHostStages;
  executor?: StageExecutor;
  tell?: (change: JobChange) => Promise<void>;
}

export function buildRunner(parts: RunnerParts): { runner: JobRunner; stages: ConfigMgrStages; client: AdminServiceClient } {
  const mapper = new MediaPathMapper(parts.mappings ?? [{ uncPrefix: SHARE_UNC, localRoot: parts.shareRoot }]);
  const inspector = new SourceInspector({ mapper, buildFileName: parts.buildFileName ?? 'BuildNumber.txt', logger: parts.logger });
  const client = new AdminServiceClient({ baseUrl: parts.adminServiceUrl, auth: { kind: 'none' }, logger: parts.logger, retries: 0, timeoutMs: 5_000 });
  const packageById = parts.packageById ?? ((id: string) => (id === 'PS100012' ? ps100012() : undefined));
  const stages = new ConfigMgrStages({
    configMgr: client,
    packageById,
    inspect: (pkg) => inspector.inspect(pkg),
    mapper,
    buildFileName: parts.buildFileName ?? 'BuildNumber.txt',
    pollMs: parts.distributionPollMs ?? 50,
    distributionTimeoutMs: parts.distributionTimeoutMs ?? 60_000,
    refreshGraceMs: parts.refreshGraceMs ?? 3_000,
  });
  const runner = new JobRunner({
    db: parts.db,
    executor: parts.executor ?? new RefreshExecutor(parts.db, stages, parts.servicingHost),
    tell: parts.tell ?? (async () => undefined),
    logger: parts.logger,
    owner: parts.owner,
    leaseMs: parts.leaseMs ?? 1_500,
    heartbeatMs: parts.heartbeatMs,
    pollMs: parts.runnerPollMs ?? 50,
  });
  return { runner, stages, client };
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000, everyMs = 10): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
