/**
 * Which of ConfigMgr's editions (ImageProperty, as of the last reload) is which image of the WIM on the
 * share. Indexes are not identities: servicing, exporting or a new ISO reorders them, and a task
 * sequence that names index 1 then deploys another edition. An edition is the image with the same name
 * (ConfigMgr records NAME or DISPLAYNAME, depending on its version) and EditionID, with architecture and
 * languages to tell look-alikes apart; Server's core and Desktop Experience images share an EditionID
 * and differ by name only. A lone image with the same EditionID is the same edition renamed.
 */
import type { Edition } from './media-package';
import type { WimImage } from './wim-image';

export interface EditionPair {
  edition: Edition;
  image: WimImage;
  /** True when only the EditionID tied them: the names differ. */
  renamed: boolean;
}

export interface EditionMatch {
  /** By ConfigMgr's index. */
  pairs: EditionPair[];
  onlyInConfigMgr: Edition[];
  onlyInWim: WimImage[];
}

type Tie = (edition: Edition, image: WimImage) => boolean;

/** Strictest first: each pass pairs what the previous ones left, an unmoved index first, then the nearest. */
const PASSES: ReadonlyArray<{ tie: Tie; renamed: boolean; uniqueOnly?: boolean }> = [
  { tie: (e, i) => sameName(e, i) && compatible(e.editionId, i.editionId) && compatible(e.architecture, i.architecture) && sameLanguages(e, i), renamed: false },
  // The name is what ConfigMgr's console shows and what admins change least; it alone ties what is left.
  { tie: (e, i) => sameName(e, i), renamed: false },
  { tie: (e, i) => e.editionId !== undefined && equal(e.editionId, i.editionId) && compatible(e.architecture, i.architecture), renamed: true, uniqueOnly: true },
];

export function matchEditions(editions: readonly Edition[], images: readonly WimImage[]): EditionMatch {
  let leftEditions = [...editions].sort((a, b) => a.index - b.index);
  let leftImages = [...images].sort((a, b) => a.index - b.index);
  const pairs: EditionPair[] = [];
  const pair = (edition: Edition, image: WimImage, renamed: boolean) => {
    pairs.push({ edition, image, renamed });
    leftEditions = leftEditions.filter((e) => e !== edition);
    leftImages = leftImages.filter((i) => i !== image);
  };
  for (const { tie, renamed, uniqueOnly } of PASSES) {
    if (uniqueOnly) {
      // An EditionID shared by several images (core and Desktop Experience) names none of them.
      for (const edition of [...leftEditions]) {
        const images = leftImages.filter((image) => tie(edition, image));
        const rivals = leftEditions.filter((other) => images.some((image) => tie(other, image)));
        if (images.length === 1 && rivals.length === 1) pair(edition, images[0], renamed);
      }
      continue;
    }
    for (const edition of [...leftEditions]) {
      const unmoved = leftImages.find((image) => image.index === edition.index && tie(edition, image));
      if (unmoved) pair(edition, unmoved, renamed);
    }
    for (const edition of [...leftEditions]) {
      const nearest = leftImages
        .filter((image) => tie(edition, image))
        .sort((a, b) => Math.abs(a.index - edition.index) - Math.abs(b.index - edition.index) || a.index - b.index)[0];
      if (nearest) pair(edition, nearest, renamed);
    }
  }
  return { pairs: pairs.sort((a, b) => a.edition.index - b.edition.index), onlyInConfigMgr: leftEditions, onlyInWim: leftImages };
}

/** Pairs whose index differs between ConfigMgr and the WIM: a task sequence step naming the old index deploys another image. */
export function movedPairs(match: EditionMatch): EditionPair[] {
  return match.pairs.filter(({ edition, image }) => edition.index !== image.index);
}

/** The image's name as an admin knows it: NAME, else DISPLAYNAME, else its index. */
export function imageLabel(image: WimImage): string {
  return image.name || image.displayName || `index ${image.index}`;
}

function sameName(edition: Edition, image: WimImage): boolean {
  return equal(edition.name, image.name) || equal(edition.name, image.displayName);
}

/** Missing on one side says nothing against a match. */
function compatible(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a.trim() === '' || b.trim() === '' || equal(a, b);
}

function sameLanguages(edition: Edition, image: WimImage): boolean {
  if (edition.languages.length === 0 || image.languages.length === 0) return true;
  const ours = new Set(edition.languages.map(normalise));
  return image.languages.length === ours.size && image.languages.every((language) => ours.has(normalise(language)));
}

function equal(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.trim() !== '' && normalise(a) === normalise(b);
}

function normalise(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toLowerCase();
}
