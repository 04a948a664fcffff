/**
 * `refresh <id or name> [options] [reason]`, read into what to refresh, why, and the media hygiene
 * asked for. Pure: which package the words name is decided by the caller against the inventory
 * (a name may have spaces, so the package is the longest run of leading words that names one).
 *
 *   refresh PS100012 June CU
 *   refresh Windows 11 24H2 Enterprise x64: June CU
 *   refresh PS100012 keep 3 remove autorun build file because the June CU is out
 */
import { isPackageId } from '../../services/configmgr/admin-service';
import type { JobOptions } from '../../services/jobs/job';

export interface RefreshRequestText {
  /** The package id when the first word is one; otherwise undefined and `words` holds the name and reason. */
  packageId?: string;
  /** The words after the command, options removed: a name then a reason, when no separator told them apart. */
  words: string[];
  /** The reason, when a separator (":", " - ", "because", "reason") or a package id set it apart. */
  reason?: string;
  options: JobOptions;
}

const SEPARATORS = [':', '-', '–', '—', 'because', 'reason', 'reason:', 'why:'];
/** At most this many indexes after "keep": a WIM has a few dozen at most. */
const MAX_KEPT_INDEXES = 32;

export function readRefreshRequest(text: string): RefreshRequestText {
  const options: JobOptions = {};
  const kept: string[] = [];
  const source = text.replace(/:(?=\s|$)/g, ' : ').split(' ').filter((word) => word !== '');
  for (let i = 0; i < source.length; i++) {
    const word = source[i].toLowerCase();
    const next = source[i + 1]?.toLowerCase();
    if (word === 'keep' && next !== undefined) {
      // "keep 3", "keep 1,3", "keep index 3", "keep indexes 1 and 3"
      let at = i + 1;
      if (['index', 'indexes', 'indices', 'edition', 'editions'].includes(source[at]?.toLowerCase() ?? '')) at++;
      const indexes: number[] = [];
      while (at < source.length) {
        const parts = source[at].split(',').filter((part) => part !== '');
        if (parts.length === 0 || !parts.every((part) => /^\d{1,3}$/.test(part))) {
          if (source[at].toLowerCase() === 'and' && indexes.length > 0) {
            at++;
            continue;
          }
          break;
        }
        indexes.push(...parts.map(Number));
        at++;
      }
      if (indexes.length > 0) {
        options.keepEditionIndexes = [...new Set(indexes)].filter((index) => index >= 1).slice(0, MAX_KEPT_INDEXES).sort((a, b) => a - b);
        i = at - 1;
        continue;
      }
    }
    if ((word === 'remove' || word === 'no' || word === 'delete') && next === 'autorun' || (word === 'remove' || word === 'delete') && next === 'autorun.inf') {
      options.removeAutorun = true;
      i++;
      continue;
    }
    if (word === 'write' && next === 'build' && source[i + 2]?.toLowerCase() === 'file') {
      options.writeBuildFile = true;
      i += 2;
      continue;
    }
    if (word === 'build' && (next === 'file' || next === 'file,')) {
      options.writeBuildFile = true;
      i++;
      continue;
    }
    kept.push(source[i]);
  }

  const separatorAt = kept.findIndex((word, index) => index > 0 && SEPARATORS.includes(word.toLowerCase()));
  const head = separatorAt === -1 ? kept : kept.slice(0, separatorAt);
  const tail = separatorAt === -1 ? undefined : kept.slice(separatorAt + 1).join(' ').trim();
  if (head.length > 0 && isPackageId(head[0])) {
    const reason = separatorAt === -1 ? head.slice(1).join(' ') : [head.slice(1).join(' '), tail].filter(Boolean).join(' ');
    return { packageId: head[0].toUpperCase(), words: [], reason: reason.trim(), options };
  }
  return separatorAt === -1 ? { words: head, options } : { words: head, reason: tail ?? '', options };
}
