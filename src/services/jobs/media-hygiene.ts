/**
 * MEDIA_HYGIENE: the habits of the people who build this media, applied by every refresh or by one
 * package's: remove a leftover autorun.inf, write the build-number file, keep only some indexes.
 *
 *   remove-autorun, build-file               every package
 *   remove-autorun; PS100012=keep:3,build-file   every package removes autorun.inf; PS100012 also
 *                                            keeps only index 3 and writes the build file
 *
 * A request's own options ("refresh PS100012 keep 3") add to the policy; they never remove from it.
 */
import { isPackageId } from '../configmgr/admin-service';
import type { JobOptions } from './job';

export interface MediaHygienePolicy {
  everyPackage: JobOptions;
  /** By package id, upper case; adds to everyPackage. */
  perPackage: Record<string, JobOptions>;
}

export class MediaHygieneError extends Error {}

export function parseMediaHygiene(text: string | undefined): MediaHygienePolicy {
  const policy: MediaHygienePolicy = { everyPackage: {}, perPackage: {} };
  if (!text?.trim()) return policy;
  for (const part of text.split(';').map((entry) => entry.trim()).filter((entry) => entry !== '')) {
    const equals = part.indexOf('=');
    const scope = equals === -1 ? undefined : part.slice(0, equals).trim();
    if (scope !== undefined && !isPackageId(scope)) {
      throw new MediaHygieneError(`"${scope}" is not a package id such as PS100012 (write PS100012=keep:3,build-file)`);
    }
    const options = readOptions(equals === -1 ? part : part.slice(equals + 1));
    if (scope === undefined) policy.everyPackage = { ...policy.everyPackage, ...options };
    else policy.perPackage[scope.toUpperCase()] = { ...(policy.perPackage[scope.toUpperCase()] ?? {}), ...options };
  }
  return policy;
}

function readOptions(text: string): JobOptions {
  const options: JobOptions = {};
  // "keep:1,3,build-file": numbers after keep: belong to it until the next word.
  const items = text.split(',').map((item) => item.trim().toLowerCase()).filter((item) => item !== '');
  let keeping = false;
  for (const item of items) {
    if (keeping && /^\d{1,3}$/.test(item)) {
      options.keepEditionIndexes = [...(options.keepEditionIndexes ?? []), Number(item)];
      continue;
    }
    keeping = false;
    if (item === 'remove-autorun') options.removeAutorun = true;
    else if (item === 'build-file') options.writeBuildFile = true;
    else if (/^keep:\d{1,3}$/.test(item)) {
      options.keepEditionIndexes = [...(options.keepEditionIndexes ?? []), Number(item.slice(5))];
      keeping = true;
    } else {
      throw new MediaHygieneError(`"${item}" is not one of remove-autorun, build-file, keep:<index>[,<index>…]`);
    }
  }
  if (options.keepEditionIndexes?.some((index) => index < 1)) throw new MediaHygieneError('edition indexes start at 1');
  return options;
}

/** What a refresh of `packageId` does: the policy's, plus what the request asked for. */
export function hygieneFor(policy: MediaHygienePolicy, packageId: string, requested: JobOptions): JobOptions {
  const merged: JobOptions = { ...policy.everyPackage, ...(policy.perPackage[packageId.toUpperCase()] ?? {}) };
  if (requested.removeAutorun) merged.removeAutorun = true;
  if (requested.writeBuildFile) merged.writeBuildFile = true;
  if (requested.keepEditionIndexes?.length) merged.keepEditionIndexes = requested.keepEditionIndexes;
  if (merged.keepEditionIndexes) merged.keepEditionIndexes = [...new Set(merged.keepEditionIndexes)].sort((a, b) => a - b);
  return merged;
}
