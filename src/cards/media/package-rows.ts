/**
 * What a package looks like as one row among others (list, stale, choice and error cards), and the
 * limits that keep many rows of hostile length under Teams' 28 KB per message.
 */
import { formatBuild, type MediaPackage } from '../../services/media/media-package';
import { releaseDataNote, warningLine } from '../freshness-text';
import { escapeText, shorten } from '../kit/text';
import { kindSingular } from './media-kinds';

/**
 * Names longer than this are cut in tables, so that a page can never outgrow 28 KB. ConfigMgr caps
 * package names well below it; the detail card always shows the whole name.
 */
export const MAX_NAME_IN_TABLE = 120;
export const MAX_FILTER_SHOWN = 120;
export const MAX_DATA_WARNING_SHOWN = 300;

export function candidateRow(pkg: MediaPackage): { id: string; name: string; details: string } {
  return {
    id: pkg.id,
    name: escapeText(shorten(pkg.name, MAX_NAME_IN_TABLE)),
    details: [pkg.id, kindSingular[pkg.kind], pkg.build ? formatBuild(pkg.build) : 'build unknown', ...(pkg.release ? [pkg.release] : [])].join(
      ' · ',
    ),
  };
}

export function listFilterShown(filter: string): string {
  return escapeText(shorten(filter, MAX_FILTER_SHOWN));
}

/** The release data's date (once per card) and its age warning, from the packages that carry a verdict. */
export function releaseNotes(packages: readonly MediaPackage[]) {
  const note = releaseDataNote(packages);
  return {
    hasReleaseNote: note !== undefined,
    releaseNote: note
      ? `Freshness against the latest updates known as of ${note.asOf}${
          note.newestAsOf ? ` (${note.newestAsOf} for the lines the site's update catalog confirmed)` : ''
        }.`
      : '',
    hasDataWarning: note?.warning !== undefined,
    dataWarning: warningLine(shorten(note?.warning ?? '', MAX_DATA_WARNING_SHOWN)).text,
  };
}
