/**
 * Which editions a site deploys from its media (EDITIONS_IN_USE). Only the site knows: index 1 of a
 * business ISO is Education, of a consumer ISO Home, and many sites keep one index of eleven. Without
 * this policy the bot says what each index costs and claims nothing about which one is used; with it,
 * the other indexes are "not in use" and media that lacks the editions in use is a finding.
 *
 * An entry names editions by EditionID ("Enterprise", "ServerStandard") or by image name ("Windows
 * Server 2025 Standard (Desktop Experience)"), the name telling apart images that share an EditionID.
 */
import type { Edition, MediaPackage, PackageKind } from './media-package';
import type { WimImage } from './wim-image';

/** Written as `Enterprise` or `Enterprise, EnterpriseN; Windows Server=ServerStandard; image=*`. */
export interface EditionsPolicy {
  /** Editions for media that no scope below names; undefined: no claim. */
  default?: readonly string[];
  /** By package kind: `upgrade` (OS upgrade packages) or `image` (OS images). */
  byKind: Partial<Record<PackageKind, readonly string[] | undefined>>;
  /** By release-name prefix ("Windows Server", "Windows 11 24H2"); the longest matching prefix wins. */
  byRelease: ReadonlyArray<{ prefix: string; editions: readonly string[] | undefined }>;
}

export class EditionsPolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EditionsPolicyError';
  }
}

/** Room for every edition of every line a site may name, and a bound on what a typo can cost. */
const MAX_ENTRIES = 20;
const MAX_EDITIONS_PER_ENTRY = 20;
const MAX_NAME_LENGTH = 100;
/** Names of editions and images: letters, digits, spaces and the punctuation Microsoft uses in image names. */
const EDITION_NAME = /^[\p{L}\p{N} ()._+-]+$/u;
const KINDS: readonly PackageKind[] = ['upgrade', 'image'];
/** Written for a scope that should make no claim, e.g. `Windows Server=*` beside a client default. */
const NO_CLAIM = '*';

/** Reads EDITIONS_IN_USE; undefined for an empty value. Throws EditionsPolicyError naming what is wrong. */
export function parseEditionsPolicy(text: string | undefined): EditionsPolicy | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const entries = text
    .split(';')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length > MAX_ENTRIES) throw new EditionsPolicyError(`must have at most ${MAX_ENTRIES} entries separated by ";"`);
  const policy: { default?: readonly string[]; byKind: EditionsPolicy['byKind']; byRelease: Array<EditionsPolicy['byRelease'][number]> } = {
    byKind: {},
    byRelease: [],
  };
  const seenScopes = new Set<string>();
  for (const entry of entries) {
    const separator = entry.indexOf('=');
    const scope = separator >= 0 ? entry.slice(0, separator).trim() : '';
    const editions = readEditions(separator >= 0 ? entry.slice(separator + 1) : entry, entry);
    if (separator >= 0 && scope === '') throw new EditionsPolicyError(`"${entry}" has "=" but no scope before it; write upgrade=, image= or a release such as Windows Server=`);
    const key = scope.toLowerCase();
    if (seenScopes.has(key)) throw new EditionsPolicyError(`names ${scope === '' ? 'the default editions' : `"${scope}"`} twice`);
    seenScopes.add(key);
    if (scope === '') {
      if (editions !== undefined) policy.default = editions;
    } else if ((KINDS as readonly string[]).includes(key)) {
      policy.byKind[key as PackageKind] = editions;
    } else {
      if (scope.length > MAX_NAME_LENGTH || !EDITION_NAME.test(scope)) throw new EditionsPolicyError(`"${scope}" is not a release name such as Windows Server or Windows 11 24H2`);
      policy.byRelease.push({ prefix: normalise(scope), editions });
    }
  }
  return policy;
}

function readEditions(list: string, entry: string): readonly string[] | undefined {
  const names = list
    .split(',')
    .map((name) => name.trim().replace(/\s+/g, ' '))
    .filter((name) => name !== '');
  if (names.length === 0) throw new EditionsPolicyError(`"${entry}" names no edition; write an EditionID such as Enterprise, or * for no claim`);
  if (names.length === 1 && names[0] === NO_CLAIM) return undefined;
  if (names.length > MAX_EDITIONS_PER_ENTRY) throw new EditionsPolicyError(`"${entry}" names more than ${MAX_EDITIONS_PER_ENTRY} editions`);
  for (const name of names) {
    if (name.length > MAX_NAME_LENGTH || !EDITION_NAME.test(name)) {
      throw new EditionsPolicyError(`"${name.slice(0, 60)}" is not an EditionID or image name (letters, digits, spaces and ( ) . _ + - only)`);
    }
  }
  return names;
}

/**
 * The editions the site deploys from this package, by the most specific scope that names it: a release
 * prefix (longest first), then the package kind, then the default. Undefined: the policy makes no claim.
 */
export function editionsInUseFor(policy: EditionsPolicy | undefined, pkg: Pick<MediaPackage, 'kind' | 'release'>): readonly string[] | undefined {
  if (!policy) return undefined;
  const release = pkg.release === undefined ? undefined : normalise(pkg.release);
  if (release !== undefined) {
    const scoped = policy.byRelease
      .filter(({ prefix }) => release === prefix || release.startsWith(`${prefix} `))
      .sort((a, b) => b.prefix.length - a.prefix.length)[0];
    if (scoped) return scoped.editions;
  }
  if (pkg.kind in policy.byKind) return policy.byKind[pkg.kind];
  return policy.default;
}

/** Whether the policy's `name` is this WIM image's or ConfigMgr edition's EditionID or name. */
export function isEditionNamed(name: string, edition: Pick<WimImage, 'editionId' | 'name' | 'displayName'> | Pick<Edition, 'editionId' | 'name'>): boolean {
  const wanted = normalise(name);
  const candidates = [edition.editionId, edition.name, 'displayName' in edition ? edition.displayName : undefined];
  return candidates.some((candidate) => candidate !== undefined && normalise(candidate) === wanted);
}

/** Whether the edition is one of the editions in use. */
export function isInUse(editionsInUse: readonly string[], edition: Parameters<typeof isEditionNamed>[1]): boolean {
  return editionsInUse.some((name) => isEditionNamed(name, edition));
}

function normalise(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toLowerCase();
}
