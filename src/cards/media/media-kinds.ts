/**
 * How each kind of media is named on the cards: as a heading, in a sentence, as a label, and in which
 * order lists show the kinds. One table, so that the list, stale, detail and status cards agree.
 */
import type { PackageKind } from '../../services/media/media-package';

export const kindHeadings: Record<PackageKind, string> = { upgrade: 'OS upgrade packages', image: 'OS images' };
/** One package's kind, as a label ("OS image · PS100012") or the subject of a sentence ("No OS image matches …"). */
export const kindSingular: Record<PackageKind, string> = { upgrade: 'OS upgrade package', image: 'OS image' };
export const kindOrder: readonly PackageKind[] = ['upgrade', 'image'];

/** "Media", "OS images", "OS upgrade packages": what a list or stale card is about. */
export function mediaNoun(kind: PackageKind | undefined): string {
  return kind ? kindHeadings[kind] : 'Media';
}
