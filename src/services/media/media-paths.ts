import { realpath } from 'node:fs/promises';
import { posix } from 'node:path';
import type { MediaPathMapping } from '../../config';

/**
 * Turns a package's UNC source path (as ConfigMgr stores it) into a path on this machine, through the
 * MEDIA_PATH_MAP mounts, and refuses anything that could lead outside those mounts. The source path is
 * typed by an admin in the console, so it is treated as untrusted text: `..`, local or absolute paths
 * and NUL are refused rather than normalised away, because the bot must never read a file the mapping
 * did not expose.
 */

export type MappedPath =
  | {
      ok: true;
      localPath: string;
      /** The mount the path lies under. */
      localRoot: string;
      /** The UNC prefix of that mount as MEDIA_PATH_MAP writes it: how users know the share. */
      uncPrefix: string;
    }
  | { ok: false; kind: 'unmapped' | 'refused'; reason: string };

interface PreparedMapping {
  /** Lower-cased segments of the UNC prefix: server, share, and any folders below it. */
  segments: string[];
  uncPrefix: string;
  localRoot: string;
}

export class MediaPathMapper {
  private readonly mappings: PreparedMapping[];

  constructor(mappings: readonly MediaPathMapping[]) {
    this.mappings = mappings
      .map((mapping) => ({
        segments: splitSegments(mapping.uncPrefix.replace(/^[\\/]+/, '')).map((segment) => segment.toLowerCase()),
        uncPrefix: mapping.uncPrefix,
        localRoot: posix.resolve(mapping.localRoot),
      }))
      // Longest prefix first, so that \\cm01\OSD$\Upgrades can be mounted apart from \\cm01\OSD$.
      .sort((a, b) => b.segments.length - a.segments.length);
  }

  resolve(uncPath: string): MappedPath {
    const shown = describe(uncPath);
    if (uncPath.includes('\0')) {
      return refused(`The source path ${shown} contains a NUL character, so the bot will not read it; correct the package source in ConfigMgr.`);
    }
    const text = uncPath.trim();
    if (text === '') return refused('The package has no source path, so there is nothing to inspect; set its data source in ConfigMgr.');
    if (/^[A-Za-z]:/.test(text)) {
      return refused(`The source path ${shown} is a local drive path, not a share, so the bot will not read it; use a UNC path such as \\\\server\\share\\folder.`);
    }
    if (/^[\\/][\\/][?.][\\/]/.test(text)) {
      return refused(`The source path ${shown} is a Windows device path, so the bot will not read it; use a plain UNC path such as \\\\server\\share\\folder.`);
    }
    if (!/^[\\/]{2}[^\\/]/.test(text)) {
      return refused(`The source path ${shown} is not a UNC path (\\\\server\\share\\folder), so the bot will not read it; correct the package source in ConfigMgr.`);
    }
    // A lone "." is the folder itself to Windows too, so dropping it reads what Windows reads.
    const segments = splitSegments(text.slice(2)).filter((segment) => segment !== '.');
    if (segments.includes('..')) {
      return refused(`The source path ${shown} contains "..", which could lead outside the mapped share, so the bot will not follow it; correct the package source in ConfigMgr.`);
    }
    // Windows strips trailing dots and spaces from every name (`W11\.. \x` is the parent's x, `Upgrades.` is
    // `Upgrades`), Linux does not: such a name would be read as another folder than Windows reads, or climb
    // out, or slip past a more specific mapping. Refused rather than stripped, like "..".
    const stripped = segments.find((segment) => /[. ]$/.test(segment));
    if (stripped !== undefined) {
      return refused(
        `The source path ${shown} has a name that ends in "." or a space (${describe(stripped)}), which Windows silently drops, so the bot cannot be sure which folder is meant; correct the package source in ConfigMgr.`,
      );
    }
    const lowered = segments.map((segment) => segment.toLowerCase());
    const mapping = this.mappings.find(
      (candidate) =>
        candidate.segments.length <= lowered.length && candidate.segments.every((segment, i) => segment === lowered[i]),
    );
    if (!mapping) {
      const share = segments.length >= 2 ? `\\\\${segments[0]}\\${segments[1]}` : shown;
      return {
        ok: false,
        kind: 'unmapped',
        reason: `The share ${share} is not in MEDIA_PATH_MAP, so the bot cannot look at the files; map it to a local mount to see them.`,
      };
    }
    const localPath = posix.resolve(mapping.localRoot, ...segments.slice(mapping.segments.length));
    if (!isInside(localPath, mapping.localRoot)) {
      return refused(`The source path ${shown} leads outside the mapped share, so the bot will not follow it; correct the package source in ConfigMgr.`);
    }
    return { ok: true, localPath, localRoot: mapping.localRoot, uncPrefix: mapping.uncPrefix };
  }
}

/** What a path really is once symbolic links are resolved, and whether that is still inside the mount. */
export type ConfinedPath =
  | { ok: true; realPath: string }
  | { ok: false; kind: 'outside'; realPath: string }
  | { ok: false; kind: 'missing' | 'denied' | 'unreadable'; code: string };

/**
 * Resolves symbolic links and checks the real path lies under the root's real path. A link that points
 * outside is reported with where it leads, and the caller must not read through it.
 */
export async function confineToRoot(path: string, realRoot: string): Promise<ConfinedPath> {
  try {
    const realPath = await realpath(path);
    return isInside(realPath, realRoot) ? { ok: true, realPath } : { ok: false, kind: 'outside', realPath };
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, kind: 'missing', code };
    if (code === 'EACCES' || code === 'EPERM') return { ok: false, kind: 'denied', code };
    return { ok: false, kind: 'unreadable', code };
  }
}

export function isInside(path: string, root: string): boolean {
  if (path === root) return true;
  return path.startsWith(root.endsWith('/') ? root : `${root}/`);
}

export function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : 'unknown';
}

/** Windows accepts both separators and repeated ones; so do we, and empty segments mean nothing. */
function splitSegments(path: string): string[] {
  return path.split(/[\\/]+/).filter((segment) => segment !== '');
}

function refused(reason: string): MappedPath {
  return { ok: false, kind: 'refused', reason };
}

/** The path as the admin wrote it, quoted, with control characters made visible and length capped. */
function describe(path: string): string {
  const visible = path.replace(/[\u0000-\u001f\u007f]/g, '?');
  return `"${visible.length > 120 ? `${visible.slice(0, 117)}...` : visible}"`;
}
