/**
 * Opens a file from the share only when it is a plain regular file. A named pipe blocks open() until a
 * writer comes, and the blocked open holds one of libuv's four worker threads, which every file and DNS
 * call in the process shares: a few pipes freeze the whole bot. A socket or a device is no media file
 * either. A hard link is a second name of a file whose other names may lie anywhere on the same disk,
 * outside the share, and nothing tells where, so a file with more than one name is not read.
 *
 * The type is checked with lstat before opening, and again with fstat on what was opened (O_NONBLOCK so a
 * pipe swapped in between cannot block, O_NOFOLLOW so a link swapped in is not followed).
 */
import type { Stats } from 'node:fs';
import { constants } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';

export type IrregularKind = 'folder' | 'named-pipe' | 'socket' | 'device' | 'symbolic-link' | 'other' | 'hard-link' | 'replaced';

/** The file is not a regular file with one name; `phrase` follows its name in a sentence. */
export class IrregularFile extends Error {
  constructor(
    readonly kind: IrregularKind,
    readonly phrase: string,
  ) {
    super(phrase);
    this.name = 'IrregularFile';
  }
}

export interface RegularFileRules {
  /** Refuse a file that has more than one name (hard links). */
  refuseHardLinks: boolean;
}

/** Why `stats` is not a file the bot may read, or undefined when it is one. */
export function irregularity(stats: Stats, rules: RegularFileRules): IrregularFile | undefined {
  if (stats.isFile()) {
    if (rules.refuseHardLinks && stats.nlink > 1) {
      const others = stats.nlink - 1;
      return new IrregularFile(
        'hard-link',
        `has ${stats.nlink} names (hard links) and the bot cannot tell where the other${others === 1 ? ' is' : 's are'}, which may be outside the share, so it did not read it`,
      );
    }
    return undefined;
  }
  if (stats.isDirectory()) return new IrregularFile('folder', 'is a folder, not a file');
  const kind: IrregularKind = stats.isFIFO()
    ? 'named-pipe'
    : stats.isSocket()
      ? 'socket'
      : stats.isBlockDevice() || stats.isCharacterDevice()
        ? 'device'
        : stats.isSymbolicLink()
          ? 'symbolic-link'
          : 'other';
  const what: Record<typeof kind, string> = {
    'named-pipe': 'a named pipe (FIFO)',
    socket: 'a socket',
    device: 'a device',
    'symbolic-link': 'a symbolic link',
    other: 'a special file',
  };
  return new IrregularFile(kind, `is ${what[kind]}, not a regular file, so the bot did not open it`);
}

/**
 * Opens `path` read-only when it is a regular file (with one name, under `refuseHardLinks`); throws
 * IrregularFile when it is not, or the fs error (ENOENT, EACCES, …) when it cannot be looked at.
 */
export async function openRegularFile(path: string, rules: RegularFileRules): Promise<FileHandle> {
  const before = await lstat(path);
  const refused = irregularity(before, rules);
  if (refused) throw refused;
  const file = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  try {
    const opened = await file.stat();
    const refusedNow = irregularity(opened, rules);
    if (refusedNow) throw refusedNow;
    if (opened.ino !== before.ino || opened.dev !== before.dev) {
      throw new IrregularFile('replaced', 'was replaced while the bot opened it, so the bot did not read it');
    }
    return file;
  } catch (error) {
    await file.close().catch(() => undefined);
    throw error;
  }
}
