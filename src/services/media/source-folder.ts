import type { Dirent, Stats } from 'node:fs';
import { lstat, open, readdir, realpath, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Logger } from 'pino';
import { MAX_BUILD_FILE_BYTES, parseBuildFile } from './build-file';
import type { BuildFileFacts, InstallImageFacts, MediaInspection } from './media-inspection';
import type { MediaPackage } from './media-package';
import { confineToRoot, errorCode, type MediaPathMapper } from './media-paths';
import { WimReadError, type WimInfo } from './wim-image';
import { readWimMetadata } from './wim-reader';

/**
 * Looks at what is really on the share for one package: the install image in `sources/` (or the WIM an
 * OS image package points at), the build-number file, leftovers such as autorun.inf, and the folder's size.
 * Every path it reads is checked against the mapped root's real path, so a symbolic link in a media folder
 * that leads elsewhere is reported and never followed. It never throws for a bad package: the result says
 * what happened.
 */

export interface SourceInspectorOptions {
  mapper: MediaPathMapper;
  /** BUILD_FILE_NAME, looked for in the media root whatever its case. */
  buildFileName: string;
  logger: Logger;
  now?: () => Date;
  /** Default readWimMetadata; tests wrap it to count reads. */
  readWim?: (path: string) => Promise<WimInfo>;
}

type Inspected = Extract<MediaInspection, { state: 'inspected' }>;
type InspectedPackage = Pick<MediaPackage, 'kind' | 'sourcePath' | 'sourceVersion'>;

/** Install image names in the order Windows Setup prefers them. */
const INSTALL_IMAGE_NAMES = ['install.wim', 'install.esd', 'install.swm'];

/** Ends an inspection early with a result rather than an exception, so that every exit is a plain value. */
class InspectionStop {
  constructor(readonly result: MediaInspection) {}
}

export class SourceInspector {
  private readonly readWim: (path: string) => Promise<WimInfo>;
  private readonly now: () => Date;
  /**
   * The sourceVersion each folder's size was last measured for, by source path. The size walk is the
   * costly part of a re-inspection, so it is repeated only when the install image or the sourceVersion changes.
   */
  private readonly sizeMeasuredFor = new Map<string, number>();

  constructor(private readonly options: SourceInspectorOptions) {
    this.readWim = options.readWim ?? readWimMetadata;
    this.now = options.now ?? (() => new Date());
  }

  async inspect(pkg: InspectedPackage, previous?: MediaInspection): Promise<MediaInspection> {
    try {
      return await this.inspectOrStop(pkg, previous);
    } catch (error) {
      if (error instanceof InspectionStop) return error.result;
      this.options.logger.error({ err: error, sourcePath: pkg.sourcePath }, 'source inspection failed unexpectedly');
      return notInspected(`The bot could not look at ${pkg.sourcePath} (${errorCode(error)}); the log has the details.`);
    }
  }

  private async inspectOrStop(pkg: InspectedPackage, previous: MediaInspection | undefined): Promise<MediaInspection> {
    const mapped = this.options.mapper.resolve(pkg.sourcePath);
    if (!mapped.ok) return mapped.kind === 'unmapped' ? notInspected(mapped.reason) : { state: 'refused', reason: mapped.reason };

    let realRoot: string;
    try {
      realRoot = await realpath(mapped.localRoot);
    } catch (error) {
      this.options.logger.warn({ err: error, localRoot: mapped.localRoot }, 'mapped share root is not there');
      return notInspected(`The share for ${pkg.sourcePath} is not mounted at ${mapped.localRoot}; mount it there to see the files.`);
    }

    const what = pkg.kind === 'upgrade' ? 'The media folder' : 'The image file';
    const target = await this.confine(mapped.localPath, realRoot, pkg.sourcePath, `${what} ${pkg.sourcePath}`, true);
    const targetStats = await this.statOrStop(target, `${what} ${pkg.sourcePath}`);
    const previousInspection = previous?.state === 'inspected' ? previous : undefined;

    if (pkg.kind === 'image') {
      if (!targetStats.isFile()) {
        return notInspected(`${pkg.sourcePath} is a folder, but an OS image package's source must be a .wim file; correct the package source in ConfigMgr.`);
      }
      const { facts } = await this.installImageFacts(target, basename(mapped.localPath), targetStats, previousInspection);
      return { state: 'inspected', inspectedAt: this.now(), localPath: mapped.localPath, installImage: facts };
    }

    if (!targetStats.isDirectory()) {
      return notInspected(`${pkg.sourcePath} is a file, but an upgrade package's source must be the media folder; correct the package source in ConfigMgr.`);
    }
    const entries = await this.listOrStop(target, `${what} ${pkg.sourcePath}`);
    const buildFile = await this.buildFileFacts(target, realRoot, entries, pkg.sourcePath);
    const image = await this.findInstallImage(target, realRoot, entries, pkg.sourcePath, previousInspection);

    const result: Inspected = {
      state: 'inspected',
      inspectedAt: this.now(),
      localPath: mapped.localPath,
      installImage: image?.facts,
      buildFile,
      autorunInfPresent: findEntry(entries, 'autorun.inf') !== undefined,
      setupExePresent: findEntry(entries, 'setup.exe') !== undefined,
    };
    result.folderSizeBytes = await this.folderSize(pkg, target, previousInspection, image?.reused ?? false);
    return result;
  }

  /** Resolves links and stops with `refused` when the real path leaves the root, `not-inspected` when it is not there. */
  private async confine(path: string, realRoot: string, sourcePath: string, subject: string, isTarget = false): Promise<string> {
    const confined = await confineToRoot(path, realRoot);
    if (confined.ok) return confined.realPath;
    if (confined.kind === 'outside') {
      this.options.logger.warn({ path, realPath: confined.realPath, realRoot }, 'symbolic link leads outside the mapped root');
      throw new InspectionStop({
        state: 'refused',
        reason: `${subject} is a symbolic link (or lies behind one) that leads outside the mapped share, so the bot did not follow it; replace the link with the real files.`,
      });
    }
    if (confined.kind === 'missing' && isTarget && (await isEmptyFolder(realRoot))) {
      // An empty mount point is what an unmounted share looks like from here.
      throw new InspectionStop(
        notInspected(`The share for ${sourcePath} is not mounted: ${realRoot} is empty; mount the share there to see the files.`),
      );
    }
    throw new InspectionStop(notInspected(accessProblem(subject, confined.kind, confined.code)));
  }

  private async statOrStop(path: string, subject: string): Promise<Stats> {
    try {
      return await stat(path);
    } catch (error) {
      throw new InspectionStop(notInspected(accessProblem(subject, 'unreadable', errorCode(error))));
    }
  }

  private async listOrStop(folder: string, subject: string): Promise<Dirent[]> {
    try {
      return await readdir(folder, { withFileTypes: true });
    } catch (error) {
      const code = errorCode(error);
      throw new InspectionStop(notInspected(accessProblem(subject, code === 'EACCES' || code === 'EPERM' ? 'denied' : 'unreadable', code)));
    }
  }

  private async buildFileFacts(folder: string, realRoot: string, entries: Dirent[], sourcePath: string): Promise<BuildFileFacts> {
    const entry = findEntry(entries, this.options.buildFileName);
    if (!entry) return { name: this.options.buildFileName, present: false };
    const name = entry.name;
    const confined = await confineToRoot(join(folder, name), realRoot);
    if (!confined.ok) {
      if (confined.kind === 'outside') {
        this.options.logger.warn({ sourcePath, name, realPath: confined.realPath }, 'build file links outside the mapped root');
        return { name, present: true, problem: 'is a symbolic link that leads outside the mapped share, so the bot did not follow it' };
      }
      return { name, present: true, problem: `could not be read (${confined.code})` };
    }
    try {
      const file = await open(confined.realPath, 'r');
      try {
        if (!(await file.stat()).isFile()) return { name, present: true, problem: 'is a folder, not a file' };
        // One byte more than allowed tells a file at the limit from a larger one without reading the rest.
        const buffer = Buffer.alloc(MAX_BUILD_FILE_BYTES + 1);
        let filled = 0;
        for (;;) {
          const { bytesRead } = await file.read(buffer, filled, buffer.length - filled, filled);
          if (bytesRead === 0) break;
          filled += bytesRead;
          if (filled === buffer.length) break;
        }
        return { name, present: true, ...parseBuildFile(buffer.subarray(0, filled)) };
      } finally {
        await file.close();
      }
    } catch (error) {
      this.options.logger.warn({ err: error, sourcePath, name }, 'build file could not be read');
      return { name, present: true, problem: `could not be read (${errorCode(error)})` };
    }
  }

  private async findInstallImage(
    folder: string,
    realRoot: string,
    entries: Dirent[],
    sourcePath: string,
    previous: Inspected | undefined,
  ): Promise<{ facts: InstallImageFacts; reused: boolean } | undefined> {
    const sourcesEntry = findEntry(entries, 'sources');
    if (!sourcesEntry) return undefined;
    const subject = `The sources folder of ${sourcePath}`;
    const sources = await this.confine(join(folder, sourcesEntry.name), realRoot, sourcePath, subject);
    if (!(await this.statOrStop(sources, subject)).isDirectory()) return undefined;
    const sourceEntries = await this.listOrStop(sources, subject);
    for (const wanted of INSTALL_IMAGE_NAMES) {
      const entry = findEntry(sourceEntries, wanted);
      if (!entry) continue;
      const relativePath = `${sourcesEntry.name}/${entry.name}`;
      const imageSubject = `The install image ${relativePath} of ${sourcePath}`;
      const imagePath = await this.confine(join(sources, entry.name), realRoot, sourcePath, imageSubject);
      const imageStats = await this.statOrStop(imagePath, imageSubject);
      if (!imageStats.isFile()) continue;
      return this.installImageFacts(imagePath, relativePath, imageStats, previous);
    }
    return undefined;
  }

  /** Reads the WIM, unless the previous inspection read the same file (same name, size and time). */
  private async installImageFacts(
    path: string,
    relativePath: string,
    stats: Stats,
    previous: Inspected | undefined,
  ): Promise<{ facts: InstallImageFacts; reused: boolean }> {
    const before = previous?.installImage;
    if (
      before &&
      before.relativePath === relativePath &&
      before.sizeBytes === stats.size &&
      new Date(before.modifiedAt).getTime() === stats.mtime.getTime()
    ) {
      return { facts: { ...before, modifiedAt: new Date(before.modifiedAt) }, reused: true };
    }
    const facts: InstallImageFacts = { relativePath, sizeBytes: stats.size, modifiedAt: stats.mtime };
    try {
      facts.info = await this.readWim(path);
    } catch (error) {
      if (error instanceof WimReadError) {
        facts.error = error.message;
        this.options.logger.warn({ err: error, path, problem: error.problem }, 'install image could not be read');
      } else {
        facts.error = `${basename(relativePath)} could not be read (${errorCode(error)}).`;
        this.options.logger.error({ err: error, path }, 'install image reader failed unexpectedly');
      }
    }
    return { facts, reused: false };
  }

  private async folderSize(
    pkg: InspectedPackage,
    folder: string,
    previous: Inspected | undefined,
    imageUnchanged: boolean,
  ): Promise<number | undefined> {
    const key = pkg.sourcePath.toLowerCase();
    const measuredFor = this.sizeMeasuredFor.get(key);
    // After a restart the map is empty: the previous figure then stands until the image or version changes.
    const versionUnchanged = measuredFor === undefined || measuredFor === pkg.sourceVersion;
    if (imageUnchanged && versionUnchanged && typeof previous?.folderSizeBytes === 'number') {
      this.sizeMeasuredFor.set(key, pkg.sourceVersion);
      return previous.folderSizeBytes;
    }
    const size = await this.measure(folder, pkg.sourcePath);
    this.sizeMeasuredFor.set(key, pkg.sourceVersion);
    return size;
  }

  /** Sums regular files below `root` without following symbolic links; unreadable subfolders are logged and skipped. */
  private async measure(root: string, sourcePath: string): Promise<number> {
    let total = 0;
    let linksSkipped = 0;
    const pending = [root];
    while (pending.length > 0) {
      const folder = pending.pop() as string;
      let entries: Dirent[];
      try {
        entries = await readdir(folder, { withFileTypes: true });
      } catch (error) {
        this.options.logger.warn({ err: error, folder, sourcePath }, 'folder skipped while measuring media size');
        continue;
      }
      for (const entry of entries) {
        const path = join(folder, entry.name);
        if (entry.isSymbolicLink()) {
          linksSkipped += 1;
        } else if (entry.isDirectory()) {
          pending.push(path);
        } else if (entry.isFile()) {
          try {
            total += (await lstat(path)).size;
          } catch (error) {
            this.options.logger.warn({ err: error, path, sourcePath }, 'file skipped while measuring media size');
          }
        }
      }
    }
    if (linksSkipped > 0) {
      this.options.logger.warn({ sourcePath, linksSkipped }, 'symbolic links in the media folder were not followed');
    }
    return total;
  }
}

async function isEmptyFolder(path: string): Promise<boolean> {
  try {
    return (await readdir(path)).length === 0;
  } catch {
    return false;
  }
}

function notInspected(reason: string): MediaInspection {
  return { state: 'not-inspected', reason };
}

function accessProblem(subject: string, kind: 'missing' | 'denied' | 'unreadable', code: string): string {
  if (kind === 'missing') return `${subject} is not on the share; check the package source path in ConfigMgr.`;
  if (kind === 'denied') return `${subject} cannot be read: permission denied; give the bot's account read access to the share.`;
  return `${subject} cannot be read (${code}); check the share and its mount.`;
}

/** Copies from Windows keep odd case (Sources/Install.WIM): match names case-insensitively, exact case first. */
function findEntry(entries: Dirent[], name: string): Dirent | undefined {
  const exact = entries.find((entry) => entry.name === name);
  if (exact) return exact;
  const lower = name.toLowerCase();
  return entries
    .filter((entry) => entry.name.toLowerCase() === lower)
    .sort((a, b) => (a.name < b.name ? -1 : 1))[0];
}
