/**
 * The ConfigMgr stages of a refresh (RUNNER=configmgr, and after the servicing host with
 * RUNNER=webhook): verify the install image on the share, the media hygiene on mapped shares,
 * reload image properties, update the distribution points and watch them to the last one.
 *
 * RefreshPkgSource must happen once per job: the stage records the package's SourceVersion as its
 * intent before calling, and a resumed stage reads ConfigMgr again to decide whether the call already
 * took effect (SourceVersion moved on, or LastRefreshTime is after the intent) before it calls again.
 */
import { lstat, readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { posix } from 'node:path';
import type { AdminService, PackageClass } from '../../configmgr/admin-service';
import { DISTRIBUTION_STATE, summarizeDistribution, type DistributionPoint } from '../../configmgr/distribution-status';
import type { NewNotification } from '../../notify/notification';
import { ConfigMgrBadResponse, ConfigMgrUnavailable } from '../../errors';
import { imageInUse, compareBuilds } from '../../media/drift';
import { formatBuild, parseBuildNumber, type MediaPackage } from '../../media/media-package';
import type { MediaPathMapper } from '../../media/media-paths';
import type { MediaInspection } from '../../media/media-inspection';
import type { StageName, Job } from '../job';
import { StageFailed, type StageContext, type StageOutcome } from '../runner';
import { stageLabel } from '../stage-names';

/** What the stages need from ConfigMgr: the AdminService client. */
export type ConfigMgrMethods = Pick<AdminService, 'methodExists' | 'invokePackageMethod' | 'getSourceVersion' | 'distributionStatus'>;

export interface ConfigMgrStagesOptions {
  configMgr: ConfigMgrMethods;
  /** The package as the inventory knows it (editions, editions in use), for the image in use. */
  packageById: (packageId: string) => MediaPackage | undefined;
  inspect: (pkg: Pick<MediaPackage, 'kind' | 'sourcePath' | 'sourceVersion'>) => Promise<MediaInspection>;
  mapper: MediaPathMapper;
  buildFileName: string;
  pollMs: number;
  distributionTimeoutMs: number;
  /** How long a resumed "update distribution points" waits for a call it may have made to show, before calling again (DEFAULT_REFRESH_GRACE_MS). */
  refreshGraceMs?: number;
}

/** How long a resumed update waits to see whether a call it may have made took effect (DistMgr counts within minutes). */
export const DEFAULT_REFRESH_GRACE_MS = 5 * 60_000;

export const CLASS_OF_KIND = { upgrade: 'SMS_OperatingSystemInstallPackage', image: 'SMS_ImagePackage' } as const satisfies Record<Job['packageKind'], PackageClass>;

export class ConfigMgrStages {
  constructor(private readonly options: ConfigMgrStagesOptions) {}


  async run(stage: StageName, context: StageContext): Promise<StageOutcome> {
    switch (stage) {
      case 'verify_source':
        return this.verifySource(context);
      case 'remove_autorun':
        return this.removeAutorun(context);
      case 'write_build_file':
        return this.writeBuildFile(context);
      case 'reload_image_properties':
        return this.reloadImageProperties(context);
      case 'refresh_distribution_points':
        return this.refreshDistributionPoints(context);
      case 'watch_distribution':
        return this.watchDistribution(context);
      default:
        throw new StageFailed(`${stageLabel(stage)} is not a ConfigMgr stage; this is a bug in the bot, please report it.`);
    }
  }

  private async currentPackage(job: Job): Promise<MediaPackage> {
    const pkg = this.options.packageById(job.packageId);
    if (!pkg) throw new StageFailed(`${job.packageId} is no longer on the site; check it in the ConfigMgr console, then ask for the refresh again.`);
    return pkg;
  }

  private async verifySource(context: StageContext): Promise<StageOutcome> {
    const pkg = await this.currentPackage(context.job);
    const inspection = await this.options.inspect(pkg);
    if (inspection.state !== 'inspected') {
      throw new StageFailed(`The bot could not read the media on the share: ${inspection.reason}`);
    }
    const installImage = inspection.installImage;
    if (!installImage) throw new StageFailed(`No install.wim or install.esd was found in ${pkg.sourcePath}; copy the serviced media there, then ask again.`);
    if (!installImage.info) {
      // The reader's reason is a sentence of its own: its full stop would end this one inside the brackets.
      const reason = (installImage.error ?? 'unreadable').trim().replace(/\.+$/, '');
      throw new StageFailed(`${installImage.relativePath} on the share cannot be read (${reason}); copy the serviced media again, then ask again.`);
    }
    const image = imageInUse(pkg, inspection);
    const build = image?.version;
    if (!build) throw new StageFailed(`${installImage.relativePath} names no build for the edition in use; check the media on the share.`);
    const before = parseBuildNumber(context.job.fromBuild ?? undefined) ?? parseBuildNumber(context.job.fromBuild ? `10.0.${context.job.fromBuild}` : undefined);
    if (before && compareBuilds(build, before) < 0) {
      throw new StageFailed(
        `The share holds ${formatBuild(build)}, older than the package's ${formatBuild(before)}; copy the serviced media to ${pkg.sourcePath}, then ask again.`,
      );
    }
    const edition = image?.name ?? image?.editionId ?? `index ${image?.index}`;
    return {
      state: 'done',
      message: `${installImage.relativePath} is readable: ${formatBuild(build)} (${edition}, index ${image?.index}).`,
      result: { build: formatBuild(build), image: installImage.relativePath, index: image?.index },
      newBuild: formatBuild(build),
    };
  }

  /** The media folder on this machine; file hygiene is only done on a mapped share. */
  private async mediaFolder(job: Job): Promise<string> {
    const pkg = await this.currentPackage(job);
    const mapped = this.options.mapper.resolve(pkg.sourcePath);
    if (!mapped.ok) throw new StageFailed(`The bot can change files only on a share mapped in MEDIA_PATH_MAP: ${mapped.reason}`);
    const folder = await lstat(mapped.localPath).catch(() => undefined);
    if (!folder?.isDirectory()) throw new StageFailed(`The media folder ${pkg.sourcePath} is not there on the bot's machine; check the share and its mount.`);
    return mapped.localPath;
  }

  private async removeAutorun(context: StageContext): Promise<StageOutcome> {
    const folder = await this.mediaFolder(context.job);
    const found = (await readdir(folder)).filter((name) => name.toLowerCase() === 'autorun.inf');
    if (found.length === 0) return { state: 'skipped', message: 'There was no autorun.inf to remove.' };
    for (const name of found) {
      const path = posix.join(folder, name);
      const entry = await lstat(path);
      if (!entry.isFile()) throw new StageFailed(`${name} in the media folder is not a plain file, so the bot left it alone; remove it by hand.`);
      await unlink(path);
    }
    return { state: 'done', message: 'Removed autorun.inf from the media folder.', result: { removed: found } };
  }

  private async writeBuildFile(context: StageContext): Promise<StageOutcome> {
    const folder = await this.mediaFolder(context.job);
    const build = context.steps.find((step) => step.stage === 'verify_source')?.result?.build;
    if (typeof build !== 'string') throw new StageFailed('The new build is not known because the install image was not verified; ask for the refresh again.');
    const existing = (await readdir(folder)).find((name) => name.toLowerCase() === this.options.buildFileName.toLowerCase());
    const name = existing ?? this.options.buildFileName;
    const path = posix.join(folder, name);
    const entry = await lstat(path).catch(() => undefined);
    if (entry && !entry.isFile()) throw new StageFailed(`${name} in the media folder is not a plain file, so the bot left it alone; fix it by hand.`);
    // Written beside and renamed over, so that an endpoint never reads half a build number.
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, `${build}\r\n`, { flag: 'w' });
    await rename(temporary, path);
    return { state: 'done', message: `Wrote ${build} to ${name}.`, result: { file: name, build } };
  }

  private async confirmMethod(job: Job, method: string): Promise<PackageClass> {
    const packageClass = CLASS_OF_KIND[job.packageKind];
    if (!(await this.options.configMgr.methodExists(packageClass, method))) {
      throw new StageFailed(
        `This site's AdminService does not offer ${method} on ${packageClass}; use RUNNER=webhook with a servicing host that calls it through WMI (Invoke-CimMethod), or run it from the console.`,
      );
    }
    return packageClass;
  }

  private async reloadImageProperties(context: StageContext): Promise<StageOutcome> {
    const packageClass = await this.confirmMethod(context.job, 'ReloadImageProperties');
    await this.invoke(packageClass, context.job.packageId, 'ReloadImageProperties');
    const reading = await this.options.configMgr.getSourceVersion(packageClass, context.job.packageId);
    const build = parseBuildNumber(reading.imageOsVersion);
    return {
      state: 'done',
      message: build ? `ConfigMgr re-read the image: it now records ${formatBuild(build)}.` : 'ConfigMgr re-read the image properties.',
      result: build ? { imageOsVersion: formatBuild(build) } : {},
    };
  }

  private async refreshDistributionPoints(context: StageContext): Promise<StageOutcome> {
    const { job } = context;
    const packageClass = CLASS_OF_KIND[job.packageKind];
    const intent = context.step.intent as { sourceVersionBefore?: number; at?: string } | null;
    if (intent?.sourceVersionBefore !== undefined) {
      // Resumed after the intent was recorded: ConfigMgr's state decides, never a second call on a guess.
      // Accepted (the 201 was recorded): it happened, wait for DistMgr. Not recorded: the call may or may not
      // have reached the provider; if it did, SourceVersion moves within the grace period.
      const accepted = context.step.result?.accepted === true;
      const waitMs = accepted ? this.options.distributionTimeoutMs : (this.options.refreshGraceMs ?? DEFAULT_REFRESH_GRACE_MS);
      const happened = await this.waitForRefresh(context, packageClass, intent.sourceVersionBefore, intent.at, waitMs);
      if (happened) {
        return {
          state: 'done',
          message: `ConfigMgr had already taken the update (source version ${happened}); it was not sent again.`,
          result: { sourceVersionBefore: intent.sourceVersionBefore, sourceVersion: happened, resumed: true },
          newSourceVersion: happened,
        };
      }
      if (accepted) throw this.versionDidNotMove();
    }
    await this.confirmMethod(job, 'RefreshPkgSource');
    const sourceVersionBefore = (await this.options.configMgr.getSourceVersion(packageClass, job.packageId)).sourceVersion;
    const at = context.now().toISOString();
    await context.recordIntent({ sourceVersionBefore, at });
    try {
      await this.invoke(packageClass, job.packageId, 'RefreshPkgSource');
    } catch (error) {
      // No answer, or one the bot cannot read: the provider may have taken the call. Its state decides; a second
      // call is never made on a guess.
      if (!(error instanceof ConfigMgrUnavailable || error instanceof ConfigMgrBadResponse)) throw error;
      const happened = await this.waitForRefresh(context, packageClass, sourceVersionBefore, at, this.options.refreshGraceMs ?? DEFAULT_REFRESH_GRACE_MS);
      if (!happened) throw error;
      return {
        state: 'done',
        message: `ConfigMgr took the update although its answer was lost (source version ${happened}).`,
        result: { sourceVersionBefore, sourceVersion: happened },
        newSourceVersion: happened,
      };
    }
    await context.report({ sourceVersionBefore, accepted: true }, 'ConfigMgr accepted the update; waiting for the new source version.');
    const after = await this.waitForRefresh(context, packageClass, sourceVersionBefore, undefined, this.options.distributionTimeoutMs);
    if (!after) throw this.versionDidNotMove();
    return {
      state: 'done',
      message: `ConfigMgr is sending source version ${after} to the distribution points.`,
      result: { sourceVersionBefore, sourceVersion: after },
      newSourceVersion: after,
    };
  }

  private versionDidNotMove(): StageFailed {
    return new StageFailed(
      `ConfigMgr accepted the update but the package's source version did not move within ${Math.round(this.options.distributionTimeoutMs / 60_000)} min; check distmgr.log on the site server.`,
    );
  }

  /** The new SourceVersion once ConfigMgr shows the refresh took effect, or undefined when it did not within `waitMs`. */
  private async waitForRefresh(context: StageContext, packageClass: PackageClass, before: number, intentAt: string | undefined, waitMs: number): Promise<number | undefined> {
    const deadline = context.now().getTime() + waitMs;
    for (;;) {
      const reading = await this.options.configMgr.getSourceVersion(packageClass, context.job.packageId);
      if (reading.sourceVersion > before) return reading.sourceVersion;
      // SourceDate moves when the provider takes the refresh, before DistMgr counts the new version.
      const refreshedAt = reading.sourceDate?.getTime() ?? NaN;
      if (intentAt !== undefined && Number.isFinite(refreshedAt) && refreshedAt >= Date.parse(intentAt)) {
        // Accepted before the crash, not yet counted by DistMgr: wait for the version rather than call again.
        return this.waitForRefresh(context, packageClass, before, undefined, this.options.distributionTimeoutMs);
      }
      if (context.now().getTime() >= deadline) return undefined;
      await context.sleep(Math.min(this.options.pollMs, Math.max(1, deadline - context.now().getTime())));
    }
  }

  private async watchDistribution(context: StageContext): Promise<StageOutcome> {
    const { job } = context;
    // Without a version from our own update (the servicing host updated ConfigMgr itself), any refresh makes it at least one more.
    const target =
      job.newSourceVersion ??
      Math.max((await this.options.configMgr.getSourceVersion(CLASS_OF_KIND[job.packageKind], job.packageId)).sourceVersion, job.fromSourceVersion + 1);
    // The time limit counts from the stage's first start, so a restart does not grant it a new one.
    const startedAt = (context.step.startedAt ?? context.now()).getTime();
    const deadline = startedAt + this.options.distributionTimeoutMs;
    let last = '';
    for (;;) {
      await context.checkpoint();
      const reading = await this.options.configMgr.distributionStatus(job.packageId);
      const summary = summarizeDistribution(reading.points, target, { unreadable: reading.skipped });
      const waitingServers = reading.points
        .filter((point) => !(point.state === 0 && point.sourceVersion >= target) && point.state !== 3 && !(point.state >= 4 && point.state <= 6))
        .map((point) => point.server)
        .sort((a, b) => a.localeCompare(b));
      const progress = `${summary.installed} of ${summary.total - summary.removing} distribution points have source version ${target}.`;
      // A DP that fails without the count moving is news too: it is recorded, and told, before the stage fails.
      const seen = `${progress} ${summary.failedServers.join(',')}`;
      if (seen !== last) {
        last = seen;
        const failures = reading.points.filter((point) => point.state === DISTRIBUTION_STATE.installFailed).map((point) => dpFailedNotification(job, point, target, context.now()));
        await context.report(
          { installed: summary.installed, total: summary.total - summary.removing, failedServers: summary.failedServers, waitingServers, sourceVersion: target },
          progress,
          failures,
        );
      }
      if (summary.failedServers.length > 0) {
        throw new StageFailed(
          `Distribution failed on ${summary.failedServers.join(', ')}; see Monitoring › Distribution Status › Content Status in the console (distmgr.log, PkgXferMgr.log), then ask for the refresh again.`,
        );
      }
      if (summary.total === 0) return { state: 'done', message: 'The package is on no distribution point, so there was nothing to watch.', result: { installed: 0, total: 0 } };
      if (summary.done) return { state: 'done', message: progress, result: { installed: summary.installed, total: summary.total - summary.removing, sourceVersion: target } };
      if (context.now().getTime() >= deadline) {
        throw new StageFailed(
          waitingServers.length === 1
            ? `After ${Math.round(this.options.distributionTimeoutMs / 60_000)} min, ${waitingServers[0]} still does not have source version ${target}; check its content status in the console.`
            : `After ${Math.round(this.options.distributionTimeoutMs / 60_000)} min, ${waitingServers.join(', ') || 'some distribution points'} still do not have source version ${target}; check their content status in the console.`,
        );
      }
      await context.sleep(this.options.pollMs);
    }
  }

  /** The client throws ConfigMgrMethodFailed (ReturnValue ≠ 0) and the other typed errors, each with its sentence. */
  private async invoke(packageClass: PackageClass, packageId: string, method: string): Promise<void> {
    await this.options.configMgr.invokePackageMethod(packageClass, packageId, method);
  }

}

/**
 * 'distribution.dp_failed' for one DP in State 3: made once per package, DP and source version (its dedupe
 * key), however many polls, restarts or instances see the same failure; a later refresh that fails there
 * again is a new failure.
 */
export function dpFailedNotification(job: Pick<Job, 'id' | 'packageId' | 'packageName'>, point: DistributionPoint, sourceVersion: number, now: Date): NewNotification {
  return {
    kind: 'distribution.dp_failed',
    packageId: job.packageId,
    packageName: job.packageName,
    dedupeKey: `dp_failed:${job.packageId}:${point.server.toLowerCase()}:${sourceVersion}`,
    payload: {
      jobId: job.id,
      server: point.server,
      siteCode: point.siteCode,
      sourceVersion,
      stateName: point.stateName,
      ...(point.summaryDate ? { since: point.summaryDate.toISOString() } : {}),
    },
    createdAt: now,
  };
}
