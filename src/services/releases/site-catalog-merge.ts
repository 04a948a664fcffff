import type { ReleaseData, ReleaseLine, ReleaseUpdate } from './freshness';
import type { CatalogUpdate } from './site-update-catalog';

/**
 * Puts the site catalog's cumulative updates into the release data of the snapshot or the feed: per line the
 * union of both, oldest revision first, so that the newest wins whichever source listed it. An update both
 * list is the site catalog's (the site holds it: the live confirmation), keeping the snapshot's or feed's
 * citation and out-of-band flag. A catalog update needs a revision to be compared with media: from its title
 * when the title carries the build, else from the snapshot or feed by KB. One with neither is not used: a
 * KB and a date cannot say whether a media's revision contains it, and guessing would invent a "latest"
 * nobody can check; status names it, so an admin sees the data is missing a month.
 */

export interface MergeOutcome {
  data: ReleaseData;
  /** Release lines that took at least one catalog update, in CATALOG_LINES order. */
  linesFed: string[];
  /** The newest catalog update used (by date, then revision). */
  newest?: { release: string; kb: string; date: Date };
  /** Catalog updates newer than anything known for their line that could not be numbered. */
  unnumbered: Array<{ release: string; kb: string; date: Date }>;
}

export function mergeSiteCatalog(base: ReleaseData, updates: readonly CatalogUpdate[], readAt: Date): MergeOutcome {
  const lines: ReleaseLine[] = base.lines.map((line) => ({ ...line, updates: [...line.updates] }));
  const linesFed = new Set<string>();
  const unnumbered: MergeOutcome['unnumbered'] = [];
  let newest: MergeOutcome['newest'];

  for (const update of updates) {
    const targets = targetLines(lines, update);
    const revision = update.revision ?? revisionByKb(base, update);
    if (revision === undefined) {
      const own = targets[0];
      const latestKnown = own?.updates.at(-1);
      if (latestKnown === undefined || update.date.getTime() > latestKnown.date.getTime()) {
        unnumbered.push({ release: update.line.releases[0], kb: update.kb, date: update.date });
      }
      continue;
    }
    for (const line of targets) {
      const known = line.updates.find((entry) => entry.kb === update.kb) ?? line.updates.find((entry) => entry.revision === revision);
      const sameKb = known?.kb === update.kb;
      const merged: ReleaseUpdate = {
        revision,
        kb: update.kb,
        // The snapshot's or feed's date is Microsoft's release date; a catalog entry may be dated later.
        date: sameKb && known.date.getTime() < update.date.getTime() ? known.date : update.date,
        outOfBand: sameKb ? known.outOfBand === true : update.outOfBand,
        from: 'site catalog',
        ...(sameKb && known.citation !== undefined ? { citation: known.citation } : {}),
      };
      if (!merged.outOfBand) delete merged.outOfBand;
      line.updates = [...line.updates.filter((entry) => entry !== known), merged].sort((a, b) => a.revision - b.revision);
      linesFed.add(line.release);
      if (newest === undefined || update.date.getTime() > newest.date.getTime()) {
        newest = { release: line.release, kb: update.kb, date: update.date };
      }
    }
  }
  // A line is as fresh as the catalog's reading only when the catalog holds its newest update: a site that
  // stopped syncing a line (or declined its updates) says nothing about the months after.
  for (const line of lines) {
    if (linesFed.has(line.release) && line.updates.at(-1)?.from === 'site catalog') line.asOf = readAt;
  }
  unnumbered.sort((a, b) => b.date.getTime() - a.date.getTime());
  return {
    data: { ...base, lines },
    linesFed: [...linesFed],
    ...(newest === undefined ? {} : { newest }),
    unnumbered: dedupe(unnumbered),
  };
}

/**
 * The release lines an update feeds: every line of its table entry the data has, matched by name and product;
 * its own line is made when the data lacks it (a line the snapshot does not carry yet, such as Server 23H2).
 */
function targetLines(lines: ReleaseLine[], update: CatalogUpdate): ReleaseLine[] {
  const targets: ReleaseLine[] = [];
  for (const release of update.line.releases) {
    const found = lines.find((line) => line.release.toLowerCase() === release.toLowerCase() && line.product === update.line.product);
    if (found) targets.push(found);
  }
  if (targets.length === 0) {
    const made: ReleaseLine = { release: update.line.releases[0], product: update.line.product, build: update.line.build, updates: [] };
    lines.push(made);
    targets.push(made);
  }
  return targets;
}

/** The revision the snapshot or feed gives this KB: on the update's own lines first, then any line of its product. */
function revisionByKb(base: ReleaseData, update: CatalogUpdate): number | undefined {
  const own = new Set(update.line.releases.map((release) => release.toLowerCase()));
  const candidates = [
    ...base.lines.filter((line) => own.has(line.release.toLowerCase()) && line.product === update.line.product),
    // A KB is one servicing branch: 24H2 and 25H2 list the same KB with the same revision.
    ...base.lines.filter((line) => line.product === update.line.product && update.line.acceptedBuilds.includes(line.build)),
  ];
  for (const line of candidates) {
    const entry = line.updates.find((known) => known.kb === update.kb);
    if (entry) return entry.revision;
  }
  return undefined;
}

function dedupe(entries: MergeOutcome['unnumbered']): MergeOutcome['unnumbered'] {
  const seen = new Set<string>();
  return entries.filter((entry) => {
    const key = `${entry.release}|${entry.kb}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
