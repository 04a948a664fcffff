/**
 * Finding packages from what people type: an id ("ps100012"), a full name, or a fragment
 * ("24H2 enterprise"). Pure functions over the inventory snapshot, so turns never wait on ConfigMgr.
 */
import { isPackageId } from '../configmgr/admin-service';
import { formatBuild, type MediaPackage } from './media-package';

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
]);

/** Meaningful words of a query; surrounding quotes on the whole query are dropped ("show 'Win 11'"). */
function queryWords(query: string): string[] {
  const unquoted = normalizeForMatch(query).replace(/^(["'])(.*)\1$/, '$2');
  return unquoted
    .split(' ')
    .map((word) => word.replace(/[?!.,;:]+$/, ''))
    .filter((word) => word !== '' && !FILLER.has(word));
}

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
export class PackageIndex {
  private readonly entries: ReadonlyArray<{ pkg: MediaPackage; name: string; text: string }>;

  constructor(readonly packages: readonly MediaPackage[]) {
    this.entries = packages.map((pkg) => ({ pkg, name: normalizeForMatch(pkg.name), text: searchableText(pkg) }));
  }

  /** The packages whose searchable text holds every word of `filter` (all when it is empty). */
  filter(filter: string): MediaPackage[] {
    const words = queryWords(filter);
    if (words.length === 0) return [...this.packages];
    return this.entries.filter((entry) => words.every((word) => entry.text.includes(word))).map((entry) => entry.pkg);
  }

  find(query: string): PackageLookup {
    const wanted = normalizeForMatch(query).replace(/^(["'])(.*)\1$/, '$2');
    if (isPackageId(wanted)) {
      const byId = this.packages.find((pkg) => pkg.id.toLowerCase() === wanted);
      if (byId) return { match: 'one', pkg: byId };
    }
    const byName = this.entries.filter((entry) => entry.name === wanted).map((entry) => entry.pkg);
    if (byName.length === 1) return { match: 'one', pkg: byName[0] };
    if (byName.length > 1) return { match: 'many', candidates: byName };
    if (!hasMeaningfulWords(query)) return { match: 'none', nearest: [] };

    const matching = this.filter(query);
    if (matching.length === 1) return { match: 'one', pkg: matching[0] };
    if (matching.length > 1) return { match: 'many', candidates: matching };
    return { match: 'none', nearest: this.nearest(wanted, 3) };
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
