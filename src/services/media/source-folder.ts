import type { Dirent, Stats } from 'node:fs';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Logger } from 'pino';
import { MAX_BUILD_FILE_BYTES, parseBuildFile } from './build-file';
import type { BuildFileFacts, InstallImageFacts, MediaInspection } from './media-inspection';
import type { MediaPackage } from './media-package';
import { confineToRoot, errorCode, type MappedPath, type MediaPathMapper } from './media-paths';
import { IrregularFile, irregularity, openRegularFile } from './regular-file';
import { WimReadError, type WimInfo } from './wim-image';
import { describeDuration, settleWithin } from './time-limit';
import { readWimMetadata, type WimReadOptions } from './wim-reader';
import { WimXmlError } from './wim-xml';

/**
 * Looks at what is really on the share for one package: the install image in `sources/` (or the WIM an
 * OS image package points at), the build-number file, leftovers such as autorun.inf, and the folder's size.
 * Every path it reads is checked against the mapped root's real path, so a symbolic link in a media folder
 * that leads elsewhere is reported and never followed; only regular files with one name are opened (see
 * regular-file.ts). It never throws for a bad package: the result says what happened, in sentences that
 * name files as the share knows them; local paths and low-level detail go to the log.
 *
 * A share can hang (a dead CIFS server, a hard mount): each inspection has a time limit, and a share whose
 * inspection passed it is not looked at again until that inspection comes back, because every blocked call
 * holds one of the few worker threads the whole process shares.
 */

export interface SourceInspectorOptions {
  mapper: MediaPathMapper;
  /** BUILD_FILE_NAME, looked for in the media root whatever its case. */
  buildFileName: string;
  logger: Logger;
  now?: () => Date;
  /** Default readWimMetadata; tests wrap it to count reads. */
  readWim?: (path: string, options?: WimReadOptions) => Promise<WimInfo>;
  /** Longest one package's inspection may take before the bot stops waiting for the share; default 60 s. */
  timeLimitMs?: number;
}

export interface InspectOptions {
  /** Aborted when the sync that asked gives up (its own time limit, or shutdown). */
  signal?: AbortSignal;
}

/** A media folder is a few directory listings and two small reads; a minute means the share is not answering. */
export const DEFAULT_INSPECTION_TIME_LIMIT_MS = 60_000;

type Inspected = Extract<MediaInspection, { state: 'inspected' }>;
type InspectedPackage = Pick<MediaPackage, 'kind' | 'sourcePath' | 'sourceVersion'>;

/** Install image names in the order Windows Setup prefers them. */
const INSTALL_IMAGE_NAMES = ['install.wim', 'install.esd', 'install.swm'];

/** Ends an inspection early with a result rather than an exception, so that every exit is a plain value. */
class InspectionStop {
  constructor(readonly result: MediaInspection) {}
}

/** A share whose inspection passed its time limit, and how many such inspections have not come back. */
interface ShareNotAnswering {
  uncPrefix: string;
  since: Date;
  pending: number;
}

export class SourceInspector {
  private readonly readWim: (path: string, options?: WimReadOptions) => Promise<WimInfo>;
  private readonly now: () => Date;
  private readonly timeLimitMs: number;
  /** By mount (local root). */
  private readonly notAnswering = new Map<string, ShareNotAnswering>();
  /** The install image problem last logged, by source path, so that each is logged once, not every sync. */
  private readonly imageProblemLogged = new Map<string, string>();
  /** Mounts reported missing, so that each is logged once until it is back. */
  private readonly missingMountLogged = new Set<string>();
  /**
   * The sourceVersion each folder's size was last measured for, by source path. The size walk is the
   * costly part of a re-inspection, so it is repeated only when the install image or the sourceVersion changes.
   */
  private readonly sizeMeasuredFor = new Map<string, number>();

  constructor(private readonly options: SourceInspectorOptions) {
    this.readWim = options.readWim ?? readWimMetadata;
    this.now = options.now ?? (() => new Date());
    this.timeLimitMs = options.timeLimitMs ?? DEFAULT_INSPECTION_TIME_LIMIT_MS;
    if (!(this.timeLimitMs > 0)) throw new RangeError(`timeLimitMs must be a positive number, not ${this.timeLimitMs}`);
  }

  /** Shares (mounts) with an inspection that passed its time limit and has not come back: /healthz shows the count. */
  sharesNotAnswering(): number {
    return this.notAnswering.size;
  }

  async inspect(pkg: InspectedPackage, previous?: MediaInspection, options: InspectOptions = {}): Promise<MediaInspection> {
    const mapped = this.options.mapper.resolve(pkg.sourcePath);
    if (!mapped.ok) return mapped.kind === 'unmapped' ? notInspected(mapped.reason) : { state: 'refused', reason: mapped.reason };
    const hung = this.notAnswering.get(mapped.localRoot);
    if (hung) {
      return notInspected(
        `The share ${hung.uncPrefix} has not answered since ${hung.since.toISOString()}, so the bot did not look at ${pkg.sourcePath} this time; check the share and its mount on the bot's machine, and the bot looks again at the next sync.`,
      );
    }
    if (options.signal?.aborted) return stoppedBySync(pkg);

    const controller = new AbortController();
    const work = this.inspectWithin(pkg, mapped, previous, controller.signal);
    const outcome = await settleWithin(work, this.timeLimitMs, options.signal);
    if (outcome.kind === 'done') return outcome.value;

    // Stop issuing calls at the next step; a call already blocked in the kernel cannot be taken back.
    controller.abort();
    if (outcome.kind === 'aborted') return stoppedBySync(pkg);
    this.markNotAnswering(mapped, work);
    this.options.logger.warn(
      { sourcePath: pkg.sourcePath, share: mapped.uncPrefix, timeLimitMs: this.timeLimitMs },
      'source inspection passed its time limit; the share is skipped until that inspection comes back',
    );
    return notInspected(
      `The bot stopped looking at ${pkg.sourcePath} because the share did not answer within ${describeDuration(this.timeLimitMs)}; check the share and its mount on the bot's machine, and the bot looks again at the next sync.`,
    );
  }

  /** A missing mount is logged once, until the share is seen mounted again. */
  private warnMountMissingOnce(mapped: Extract<MappedPath, { ok: true }>, message: string, detail: Record<string, unknown> = {}): void {
    if (this.missingMountLogged.has(mapped.localRoot)) return;
    this.missingMountLogged.add(mapped.localRoot);
    this.options.logger.warn({ share: mapped.uncPrefix, localRoot: mapped.localRoot, ...detail }, message);
  }

  private markNotAnswering(mapped: Extract<MappedPath, { ok: true }>, work: Promise<unknown>): void {
    const entry = this.notAnswering.get(mapped.localRoot) ?? { uncPrefix: mapped.uncPrefix, since: this.now(), pending: 0 };
    entry.pending += 1;
    this.notAnswering.set(mapped.localRoot, entry);
    void work.finally(() => {
      entry.pending -= 1;
      if (entry.pending === 0 && this.notAnswering.get(mapped.localRoot) === entry) {
        this.notAnswering.delete(mapped.localRoot);
        this.options.logger.info({ share: mapped.uncPrefix }, 'the share answered again');
      }
    });
  }

  private async inspectWithin(
    pkg: InspectedPackage,
    mapped: Extract<MappedPath, { ok: true }>,
    previous: MediaInspection | undefined,
    signal: AbortSignal,
  ): Promise<MediaInspection> {
    try {
      return await this.inspectOrStop(pkg, mapped, previous, signal);
    } catch (error) {
      if (error instanceof InspectionStop) return error.result;
      if (signal.aborted) return stoppedBySync(pkg);
      this.options.logger.error({ err: error, sourcePath: pkg.sourcePath }, 'source inspection failed unexpectedly');
      return notInspected(`The bot could not look at ${pkg.sourcePath} (${errorCode(error)}); the log has the details.`);
    }
  }

  private async inspectOrStop(
    pkg: InspectedPackage,
    mapped: Extract<MappedPath, { ok: true }>,
    previous: MediaInspection | undefined,
    signal: AbortSignal,
  ): Promise<MediaInspection> {
    let realRoot: string;
    try {
      realRoot = await realpath(mapped.localRoot);
    } catch (error) {
      this.warnMountMissingOnce(mapped, 'mapped share is not mounted', { code: errorCode(error) });
      return notMounted(mapped.uncPrefix, pkg.sourcePath);
    }
    signal.throwIfAborted();

    const what = pkg.kind === 'upgrade' ? 'The media folder' : 'The image file';
    const target = await this.confine(mapped.localPath, realRoot, pkg.sourcePath, `${what} ${pkg.sourcePath}`, mapped);
    this.missingMountLogged.delete(mapped.localRoot);
    const targetStats = await this.statOrStop(target, `${what} ${pkg.sourcePath}`);
    const previousInspection = previous?.state === 'inspected' ? previous : undefined;
    signal.throwIfAborted();

    if (pkg.kind === 'image') {
      if (targetStats.isDirectory()) {
        return notInspected(`${pkg.sourcePath} is a folder, but an OS image package's source must be a .wim file; correct the package source in ConfigMgr.`);
      }
      const { facts } = await this.installImageFacts(target, basename(mapped.localPath), targetStats, previousInspection, pkg.sourcePath, signal);
      return { state: 'inspected', inspectedAt: this.now(), localPath: mapped.localPath, installImage: facts };
    }

    if (!targetStats.isDirectory()) {
      const found = targetStats.isFile() ? 'is a file' : 'is not a folder';
      return notInspected(`${pkg.sourcePath} ${found}, but an upgrade package's source must be the media folder; correct the package source in ConfigMgr.`);
    }
    const entries = await this.listOrStop(target, `${what} ${pkg.sourcePath}`);
    signal.throwIfAborted();
    const buildFile = await this.buildFileFacts(target, realRoot, entries, pkg.sourcePath);
    signal.throwIfAborted();
    const image = await this.findInstallImage(target, realRoot, entries, pkg.sourcePath, previousInspection, signal);
    signal.throwIfAborted();

    const result: Inspected = {
      state: 'inspected',
      inspectedAt: this.now(),
      localPath: mapped.localPath,
      installImage: image?.facts,
      buildFile,
      autorunInfPresent: findEntry(entries, 'autorun.inf') !== undefined,
      setupExePresent: findEntry(entries, 'setup.exe') !== undefined,
    };
    result.folderSizeBytes = await this.folderSize(pkg, target, previousInspection, image?.reused ?? false, signal);
    return result;
  }

  /**
   * Resolves links and stops with `refused` when the real path leaves the root, `not-inspected` when it is not
   * there. `targetOf` is given for the package's own folder or file, whose absence may mean an empty mount.
   */
  private async confine(
    path: string,
    realRoot: string,
    sourcePath: string,
    subject: string,
    targetOf?: Extract<MappedPath, { ok: true }>,
  ): Promise<string> {
    const confined = await confineToRoot(path, realRoot);
    if (confined.ok) return confined.realPath;
    if (confined.kind === 'outside') {
      this.options.logger.warn({ sourcePath, path, realPath: confined.realPath, realRoot }, 'symbolic link leads outside the mapped root');
      throw new InspectionStop({
        state: 'refused',
        reason: `${subject} is a symbolic link (or lies behind one) that leads outside the mapped share, so the bot did not follow it; replace the link with the real files.`,
      });
    }
    if (confined.kind === 'missing' && targetOf && (await isEmptyFolder(realRoot))) {
      // An empty mount point is what an unmounted share looks like from here.
      this.warnMountMissingOnce(targetOf, 'mapped share is not mounted: its mount point is empty');
      throw new InspectionStop(notMounted(targetOf.uncPrefix, sourcePath));
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
      // A pipe, socket or device is refused without blocking; a hard link may be a name of any file on the disk.
      const file = await openRegularFile(confined.realPath, { refuseHardLinks: true });
      try {
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
      if (error instanceof IrregularFile) {
        this.options.logger.info({ sourcePath, name, kind: error.kind }, 'build file is not a regular file with one name; not read');
        return { name, present: true, problem: error.phrase };
      }
      this.options.logger.info({ sourcePath, name, code: errorCode(error) }, 'build file could not be read');
      return { name, present: true, problem: `could not be read (${errorCode(error)})` };
    }
  }

  private async findInstallImage(
    folder: string,
    realRoot: string,
    entries: Dirent[],
    sourcePath: string,
    previous: Inspected | undefined,
    signal: AbortSignal,
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
      if (imageStats.isDirectory()) continue;
      signal.throwIfAborted();
      return this.installImageFacts(imagePath, relativePath, imageStats, previous, sourcePath, signal);
    }
    return undefined;
  }

  /**
   * Reads the WIM, unless the previous inspection read the same file (same name, size and time). A file that
   * is not a regular file with one name is reported without being opened, before any reuse: making a hard
   * link changes neither the size nor the time.
   */
  private async installImageFacts(
    path: string,
    relativePath: string,
    stats: Stats,
    previous: Inspected | undefined,
    sourcePath: string,
    signal: AbortSignal,
  ): Promise<{ facts: InstallImageFacts; reused: boolean }> {
    const refused = irregularity(stats, { refuseHardLinks: true });
    if (refused) {
      const error = `${basename(relativePath)} ${refused.phrase}.`;
      this.noteImageProblem(sourcePath, relativePath, refused.kind, refused.kind);
      return { facts: { relativePath, sizeBytes: stats.size, modifiedAt: stats.mtime, error }, reused: false };
    }
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
      facts.info = await this.readWim(path, { refuseHardLinks: true });
      this.imageProblemLogged.delete(sourcePath.toLowerCase());
    } catch (error) {
      if (signal.aborted) throw error;
      if (error instanceof WimReadError) {
        facts.error = error.message;
        this.noteImageProblem(sourcePath, relativePath, error.problem, causeDetail(error.cause));
      } else {
        facts.error = `${basename(relativePath)} could not be read (${errorCode(error)}).`;
        this.options.logger.error({ err: error, sourcePath, path }, 'install image reader failed unexpectedly');
      }
    }
    return { facts, reused: false };
  }

  /**
   * A broken install image is a finding on the package's card, not a fault of the bot: one structured line
   * at info, without a stack, and only when the problem changes, not at every sync or start-up.
   */
  private noteImageProblem(sourcePath: string, relativePath: string, problem: string, detail: string | undefined): void {
    const key = sourcePath.toLowerCase();
    if (this.imageProblemLogged.get(key) === problem) return;
    this.imageProblemLogged.set(key, problem);
    this.options.logger.info({ sourcePath, relativePath, problem, detail }, 'install image cannot be read; the package shows it as a finding');
  }

  private async folderSize(
    pkg: InspectedPackage,
    folder: string,
    previous: Inspected | undefined,
    imageUnchanged: boolean,
    signal: AbortSignal,
  ): Promise<number | undefined> {
    const key = pkg.sourcePath.toLowerCase();
    const measuredFor = this.sizeMeasuredFor.get(key);
    // After a restart the map is empty: the previous figure then stands until the image or version changes.
    const versionUnchanged = measuredFor === undefined || measuredFor === pkg.sourceVersion;
    if (imageUnchanged && versionUnchanged && typeof previous?.folderSizeBytes === 'number') {
      this.sizeMeasuredFor.set(key, pkg.sourceVersion);
      return previous.folderSizeBytes;
    }
    const size = await this.measure(folder, pkg.sourcePath, signal);
    this.sizeMeasuredFor.set(key, pkg.sourceVersion);
    return size;
  }

  /**
   * Sums regular files below `root` from their lstat, without opening any file or following symbolic links
   * (pipes, sockets and devices are stepped over); unreadable subfolders are logged and skipped. Stops at
   * the next folder once the inspection is given up.
   */
  private async measure(root: string, sourcePath: string, signal: AbortSignal): Promise<number> {
    let total = 0;
    let linksSkipped = 0;
    const pending = [root];
    while (pending.length > 0) {
      signal.throwIfAborted();
      const folder = pending.pop() as string;
      let entries: Dirent[];
      try {
        entries = await readdir(folder, { withFileTypes: true });
      } catch (error) {
        this.options.logger.warn({ folder, sourcePath, code: errorCode(error) }, 'folder skipped while measuring media size');
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
            const stats = await lstat(path);
            if (stats.isFile()) total += stats.size;
          } catch (error) {
            this.options.logger.warn({ path, sourcePath, code: errorCode(error) }, 'file skipped while measuring media size');
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

/** The share as users know it (its UNC prefix); where it should be mounted is in the log. */
function notMounted(uncPrefix: string, sourcePath: string): MediaInspection {
  return notInspected(
    `The share ${uncPrefix} is not mounted on the bot's machine, so the bot cannot look at ${sourcePath}; mount it where MEDIA_PATH_MAP says, and the next sync looks at the files.`,
  );
}

/** Never shown in practice: the sync that asked has given up and keeps its last inventory. */
function stoppedBySync(pkg: InspectedPackage): MediaInspection {
  return notInspected(`The bot stopped looking at ${pkg.sourcePath} because the sync it was part of ended; the next sync looks again.`);
}

/** What the log needs to tell one reader failure from another: the XML parser's words, an errno code, a kind. */
function causeDetail(cause: unknown): string | undefined {
  if (cause instanceof WimXmlError) return cause.detail ?? cause.message;
  if (cause instanceof IrregularFile) return cause.kind;
  const code = errorCode(cause);
  return code === 'unknown' ? undefined : code;
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
