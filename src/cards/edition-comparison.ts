/**
 * ConfigMgr's editions (ImageProperty, as recorded at the last reload) and the images the WIM on the
 * share really holds, as one row per edition: an edition is matched by identity (name, EditionID,
 * architecture, languages; see edition-matching.ts), never by index, so an edition whose index moved is
 * one row that says so instead of "missing" on one side and "extra" on the other.
 */
import { matchEditions } from '../services/media/edition-matching';
import { isInUse } from '../services/media/editions-policy';
import type { BuildNumber, Edition, MediaPackage } from '../services/media/media-package';
import type { WimImage } from '../services/media/wim-image';

export interface EditionRow {
  /** The WIM's index when the share holds it, else ConfigMgr's: what a task sequence step must name. */
  index: number;
  /** ConfigMgr's index, when ConfigMgr lists the edition. */
  configMgrIndex?: number;
  /** The WIM's index, when the WIM was read and holds the edition. */
  wimIndex?: number;
  /** The WIM's name when it holds the edition (what it is now), else ConfigMgr's. */
  name: string;
  /** ConfigMgr's name when it differs from the WIM's (the same EditionID, renamed). */
  configMgrName?: string;
  editionId?: string;
  architecture?: string;
  languages: readonly string[];
  /** Expanded size: the WIM's TOTALBYTES, else ConfigMgr's record. */
  sizeBytes?: number;
  version?: BuildNumber;
  /** Undefined without EDITIONS_IN_USE: the card then claims nothing about which edition is deployed. */
  inUse?: boolean;
}

export interface EditionComparison {
  rows: EditionRow[];
  /** Whether ConfigMgr's editions are known, and whether the WIM was read: a row missing on a side only means something then. */
  configMgrKnown: boolean;
  wimRead: boolean;
}

export function compareEditions(
  pkg: Pick<MediaPackage, 'editions' | 'editionsState'> & Partial<Pick<MediaPackage, 'editionsInUse'>>,
  images: readonly WimImage[] | undefined,
): EditionComparison {
  const editions = pkg.editionsState.state === 'known' ? pkg.editions : [];
  const match = matchEditions(editions, images ?? []);
  const rows: EditionRow[] = [
    ...match.pairs.map(({ edition, image, renamed }) => ({
      ...fromImage(image),
      configMgrIndex: edition.index,
      ...(renamed ? { configMgrName: edition.name } : {}),
      sizeBytes: image.totalBytes ?? edition.sizeBytes,
    })),
    ...match.onlyInConfigMgr.map(fromEdition),
    ...match.onlyInWim.map(fromImage),
  ].sort((a, b) => a.index - b.index || (a.wimIndex === undefined ? 1 : 0) - (b.wimIndex === undefined ? 1 : 0));
  const editionsInUse = pkg.editionsInUse;
  return {
    rows: editionsInUse ? rows.map((row) => ({ ...row, inUse: isInUse(editionsInUse, row) || (row.configMgrName !== undefined && isInUse(editionsInUse, { name: row.configMgrName })) })) : rows,
    configMgrKnown: pkg.editionsState.state === 'known',
    wimRead: images !== undefined,
  };
}

function fromImage(image: WimImage): EditionRow {
  return {
    index: image.index,
    wimIndex: image.index,
    name: image.name || image.displayName || '',
    ...(image.editionId !== undefined ? { editionId: image.editionId } : {}),
    ...(image.architecture !== undefined ? { architecture: image.architecture } : {}),
    languages: image.languages,
    ...(image.totalBytes !== undefined ? { sizeBytes: image.totalBytes } : {}),
    ...(image.version !== undefined ? { version: image.version } : {}),
  };
}

function fromEdition(edition: Edition): EditionRow {
  return {
    index: edition.index,
    configMgrIndex: edition.index,
    name: edition.name,
    ...(edition.editionId !== undefined ? { editionId: edition.editionId } : {}),
    ...(edition.architecture !== undefined ? { architecture: edition.architecture } : {}),
    languages: edition.languages,
    ...(edition.sizeBytes !== undefined ? { sizeBytes: edition.sizeBytes } : {}),
    ...(edition.osVersion !== undefined ? { version: edition.osVersion } : {}),
  };
}
