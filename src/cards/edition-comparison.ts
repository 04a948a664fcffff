/**
 * ConfigMgr's editions (ImageProperty, as recorded at the last reload) set against the images the
 * WIM on the share really holds. An edition matches an image with the same index and the same name
 * or edition id; anything else is marked as being in only one of them.
 */
import type { Edition, MediaPackage } from '../services/media/media-package';
import type { WimImage } from '../services/media/wim-image';

export interface EditionComparison {
  /** ConfigMgr's editions by index, each with whether the WIM has it (undefined: nothing to compare with). */
  configMgr: Array<{ edition: Edition; inWim?: boolean }>;
  /** The WIM's images by index, each with whether ConfigMgr lists it (undefined: ConfigMgr's editions are not known). */
  wim: Array<{ image: WimImage; inConfigMgr?: boolean }>;
}

export function compareEditions(
  pkg: Pick<MediaPackage, 'editions' | 'editionsState'>,
  images: readonly WimImage[] | undefined,
): EditionComparison {
  const editions = pkg.editionsState.state === 'known' ? [...pkg.editions].sort((a, b) => a.index - b.index) : undefined;
  const wimImages = images ? [...images].sort((a, b) => a.index - b.index) : undefined;
  return {
    configMgr: (editions ?? []).map((edition) => ({
      edition,
      ...(wimImages ? { inWim: wimImages.some((image) => sameEdition(edition, image)) } : {}),
    })),
    wim: (wimImages ?? []).map((image) => ({
      image,
      ...(editions ? { inConfigMgr: editions.some((edition) => sameEdition(edition, image)) } : {}),
    })),
  };
}

function sameEdition(edition: Edition, image: WimImage): boolean {
  if (edition.index !== image.index) return false;
  const same = (a: string | undefined, b: string | undefined) =>
    a !== undefined && b !== undefined && a.trim() !== '' && a.trim().toLowerCase() === b.trim().toLowerCase();
  return same(edition.name, image.name) || same(edition.editionId, image.editionId);
}
