/**
 * Finding packages from what people type: an id ("ps100012"), a full name, or a fragment
 * ("24H2 enterprise", "win10", "Server 2022"). Pure functions over the inventory snapshot, so turns
 * never wait on ConfigMgr. Numbers match whole words ("10" is Windows 10, not the 10 in "26100"),
 * the words admins use for releases ("win11", "w10", "ws2022") read as the release's name, and a
 * mistyped id ("PS10012", "ps1000l2") is answered with the ids nearest to it.
 */
import { isPackageId } from '../configmgr/admin-service';
import { editDistanceWithin } from '../shared/edit-distance';
import { formatBuild, type MediaPackage, type PackageKind } from './media-package';

export type PackageLookup =
  | { match: 'one'; pkg: MediaPackage }
  | { match: 'many'; candidates: MediaPackage[] }
  | { match: 'none'; nearest: MediaPackage[] };


/** Case- and accent-insensitive comparison form; quotes of every kind read alike. */
export function normalizeForMatch(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[‘’‚‛`´]/g, "'")
    .replace(/[“”„‟]/g, '"')
    .replace(/[‐‑‒–—―]/g, '-')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** Words that carry no meaning in a query: "our 24H2 media please" means "24H2". */
const FILLER = new Set([
  'me', 'our', 'the', 'a', 'an', 'of', 'for', 'in', 'on', 'is', 'are', 'please', 'all', 'every', 'my', 'we',
  'media', 'package', 'packages', 'image', 'images', 'os', 'upgrade', 'does', 'do', 'have', 'there', 'it', 'its',
  'that', 'this', 'these', 'those', 'currently', 'now', 'carry', 'contain', 'contains', 'with', 'about',
  'everything', 'anything', 'any',
]);

/** "win10", "w11", "windows11" → Windows 10/11; one short word each, so the patterns cannot backtrack far. */
const CLIENT_RELEASE_WORD = /^(?:w|win|windows)(10|11)$/;
/** "ws2022", "srv2025", "server2019" → Windows Server of that year. */
const SERVER_RELEASE_WORD = /^(?:ws|srv|server|winserver)(20\d\d)$/;

/** The words admins use for a release, written as the release's name reads: "w11 24h2" → windows 11 24h2. */
function expandReleaseWords(words: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    const client = CLIENT_RELEASE_WORD.exec(word);
    const server = SERVER_RELEASE_WORD.exec(word);
    if (client) out.push('windows', client[1]);
    else if (server) out.push('server', server[1]);
    // "win 10", "w 11": the short word is "windows" only before a version.
    else if ((word === 'w' || word === 'win') && (words[i + 1] === '10' || words[i + 1] === '11')) out.push('windows');
    else out.push(word);
  }
  return out;
}

/** Meaningful words of a query; surrounding quotes on the whole query are dropped ("show 'Win 11'"). */
function queryWords(query: string): string[] {
  const unquoted = normalizeForMatch(query).replace(/^(["'])(.*)\1$/, '$2');
  const words = unquoted
    .split(' ')
    .map((word) => word.replace(/[?!.,;:]+$/, ''))
    .filter((word) => word !== '');
  return expandReleaseWords(words).filter((word) => !FILLER.has(word));
}

/** Words that name a kind of media: "list images", "stale upgrade packages". */
const IMAGE_WORDS = new Set(['image', 'images', 'wim', 'wims']);
const UPGRADE_WORDS = new Set(['upgrade', 'upgrades']);
/** Words that only complete a kind ("os images", "upgrade packages"), dropped with it. */
const KIND_COMPLETIONS = new Set(['os', 'package', 'packages', 'install', 'operating', 'system']);

/**
 * The kind of media a filter names, and the filter without the words that named it. Both kinds, or
 * none, leave the filter as it is: "packages" alone means every package.
 */
export function splitKind(filter: string): { kind?: PackageKind; rest: string } {
  const words = filter.split(' ').filter((word) => word !== '');
  const lower = words.map((word) => normalizeForMatch(word).replace(/[?!.,;:]+$/, ''));
  const image = lower.some((word) => IMAGE_WORDS.has(word));
  const upgrade = lower.some((word) => UPGRADE_WORDS.has(word));
  if (image === upgrade) return { rest: filter.trim() };
  const rest = words.filter((_, i) => !IMAGE_WORDS.has(lower[i]) && !UPGRADE_WORDS.has(lower[i]) && !KIND_COMPLETIONS.has(lower[i]));
  return { kind: image ? 'image' : 'upgrade', rest: rest.join(' ') };
}

/** Looks like a package id someone mistyped: "PS10012", "ps1000l2", "PS1000012" (letters, then mostly digits). */
export function looksLikePackageId(text: string): boolean {
  const word = text.trim();
  if (word.length < 6 || word.length > 10 || !/^[a-z]{2,3}[0-9a-z]+$/i.test(word) || /^kb\d+$/i.test(word)) return false;
  let digits = 0;
  for (const char of word) if (char >= '0' && char <= '9') digits++;
  return digits >= 3;
}

/** A word of digits matches a whole word or the start of one ("2022", "261" of 26100), never inside one. */
function isNumber(word: string): boolean {
  return /^\d+$/.test(word);
}

/** How far a mistyped id may be from a real one to be offered: one or two slips of the keyboard. */
const MAX_ID_DISTANCE = 2;
/** Ids offered for a mistyped id, nearest first. */
const MAX_NEAREST_IDS = 5;

/** Everything a person may use to name a package: its name, id, release and build. */
function searchableText(pkg: MediaPackage): string {
  const kindWords = pkg.kind === 'upgrade' ? 'upgrade package' : 'os image wim';
  const build = pkg.build ? `${pkg.build.build} ${formatBuild(pkg.build)}` : '';
  return normalizeForMatch(`${pkg.name} ${pkg.id} ${pkg.release ?? ''} ${build} ${kindWords}`);
}

/** True when the query names something beyond filler words ("what is this" names nothing). */
export function hasMeaningfulWords(query: string): boolean {
  return queryWords(query).length > 0;
}

/**
 * The packages of one inventory snapshot, with their match text worked out once: lookups run on
 * every turn, so normalising hundreds of names per turn would cost more than the card.
 */
type Entry = { pkg: MediaPackage; name: string; text: string; words: readonly string[] };

export class PackageIndex {
  private readonly entries: readonly Entry[];

  constructor(readonly packages: readonly MediaPackage[]) {
    this.entries = packages.map((pkg) => {
      const text = searchableText(pkg);
      return { pkg, name: normalizeForMatch(pkg.name), text, words: text.split(/[^\p{L}\p{N}]+/u).filter((word) => word !== '') };
    });
  }

  /**
   * The packages whose searchable text holds every word of `filter` (all when it is empty), of `kind`
   * when one is given.
   */
  filter(filter: string, kind?: PackageKind): MediaPackage[] {
    const words = queryWords(filter);
    const ofKind = kind === undefined ? this.entries : this.entries.filter((entry) => entry.pkg.kind === kind);
    if (words.length === 0) return ofKind.map((entry) => entry.pkg);
    return ofKind.filter((entry) => words.every((word) => holdsWord(entry, word))).map((entry) => entry.pkg);
  }

  /** The packages named exactly (case, accents and quotes aside): a full name typed on its own. */
  named(text: string): MediaPackage[] {
    const wanted = normalizeForMatch(text).replace(/^(["'])(.*)\1$/, '$2');
    if (isPackageId(wanted)) {
      const byId = this.packages.find((pkg) => pkg.id.toLowerCase() === wanted);
      if (byId) return [byId];
    }
    return this.entries.filter((entry) => entry.name === wanted).map((entry) => entry.pkg);
  }

  find(query: string): PackageLookup {
    const wanted = normalizeForMatch(query).replace(/^(["'])(.*)\1$/, '$2');
    const named = this.named(query);
    if (named.length === 1) return { match: 'one', pkg: named[0] };
    if (named.length > 1) return { match: 'many', candidates: named };
    if (looksLikePackageId(wanted)) {
      const nearestIds = this.nearestIds(wanted);
      if (nearestIds.length > 0 || isPackageId(wanted)) return { match: 'none', nearest: nearestIds };
    }
    if (!hasMeaningfulWords(query)) return { match: 'none', nearest: [] };

    const matching = this.filter(query);
    if (matching.length === 1) return { match: 'one', pkg: matching[0] };
    if (matching.length > 1) return { match: 'many', candidates: matching };
    return { match: 'none', nearest: this.nearest(wanted, 3) };
  }

  /**
   * The ids nearest to a mistyped one, in id order: those one edit away, else those two away (ids
   * two edits away are noise beside one that is a single slip). Each comparison is two words of at
   * most ten characters: a site of 500 packages costs well under a millisecond.
   */
  private nearestIds(typed: string): MediaPackage[] {
    const wanted = typed.toUpperCase();
    const scored = this.packages
      .map((pkg) => ({ pkg, distance: editDistanceWithin(wanted, pkg.id, MAX_ID_DISTANCE) }))
      .filter((entry) => entry.distance <= MAX_ID_DISTANCE);
    const nearest = Math.min(...scored.map((entry) => entry.distance));
    return scored
      .filter((entry) => entry.distance === nearest)
      .map((entry) => entry.pkg)
      .sort((a, b) => a.id.localeCompare(b.id))
      .slice(0, MAX_NEAREST_IDS);
  }

  /** Packages whose names share the most words (then letters) with the query: "did you mean". */
  private nearest(query: string, count: number): MediaPackage[] {
    const words = new Set(queryWords(query));
    const grams = trigrams(query);
    return this.entries
      .map((entry) => {
        const sharedWords = entry.text.split(' ').filter((word) => words.has(word)).length;
        return { pkg: entry.pkg, score: sharedWords * 10 + similarity(grams, trigrams(entry.name)) };
      })
      .filter((scored) => scored.score > 0.15)
      .sort((a, b) => b.score - a.score)
      .slice(0, count)
      .map((scored) => scored.pkg);
  }
}

function holdsWord(entry: Entry, word: string): boolean {
  return isNumber(word) ? entry.words.some((own) => own.startsWith(word)) : entry.text.includes(word);
}

function trigrams(text: string): Set<string> {
  const padded = `  ${text} `;
  const grams = new Set<string>();
  for (let i = 0; i + 3 <= padded.length; i++) grams.add(padded.slice(i, i + 3));
  return grams;
}

/** Dice coefficient of two trigram sets, 0..1. */
function similarity(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const gram of a) if (b.has(gram)) shared++;
  return (2 * shared) / (a.size + b.size);
}
