/** The domain of the bot: what an OS upgrade package or OS image is, as far as chat answers go. */
import type { Freshness } from '../releases/freshness';
import type { Finding, MediaInspection } from './media-inspection';

/** `upgrade` = SMS_OperatingSystemInstallPackage (a media folder); `image` = SMS_ImagePackage (one WIM). */
export type PackageKind = 'upgrade' | 'image';

/** Major.Minor.Build.Revision, e.g. 10.0.26100.4349; admins say "26100.4349". */
export interface BuildNumber {
  major: number;
  minor: number;
  build: number;
  revision: number;
}

/** One index of the package's WIM, as ConfigMgr recorded it in ImageProperty. */
export interface Edition {
  index: number;
  name: string;
  description?: string;
  editionId?: string;
  architecture?: string;
  languages: string[];
  /** Bytes, when ConfigMgr recorded a size for the index. */
  sizeBytes?: number;
  osVersion?: BuildNumber;
}

/** Whether ConfigMgr's lazy ImageProperty was fetched and could be read. */
export type EditionsState =
  | { state: 'known' }
  | { state: 'not-fetched' }
  | { state: 'unreadable'; reason: string };

export interface MediaPackage {
  /** ConfigMgr PackageID, e.g. PS100012 (upper case as ConfigMgr stores it). */
  id: string;
  kind: PackageKind;
  name: string;
  description: string;
  /** The package's Version property as typed by the admin (free text). */
  version: string;
  language: string;
  manufacturer: string;
  /** From ImageOSVersion, else from Version when that reads as a build number. */
  build?: BuildNumber;
  /** Where `build` came from. */
  buildSource?: 'ImageOSVersion' | 'Version';
  /** Marketed release, e.g. "Windows 11 24H2"; undefined when the build is unknown. */
  release?: string;
  /** Which fact named the release (the WIM build alone is not always the release). */
  releaseDecidedBy?: ReleaseEvidence;
  editions: Edition[];
  editionsState: EditionsState;
  /** UNC folder for an upgrade package, UNC .wim for an image. */
  sourcePath: string;
  sourceVersion: number;
  sourceDate?: Date;
  lastRefreshTime?: Date;
  /** ConfigMgr's PackageSize, treated as KB. */
  packageSizeKb?: number;
  /** 0 none, 1 update, 2 add, 3 delete. */
  actionInProgress: number;
  sourceSite: string;
  /** What is really on the share (install image, build file, leftovers), or why it was not read. */
  inspection: MediaInspection;
  /** Index of the WIM image on the share that ConfigMgr's editions point at: the one compared and judged. */
  wimIndexInUse?: number;
  /**
   * The editions the site deploys from this media, by EditionID or image name (EDITIONS_IN_USE, see
   * editions-policy.ts); undefined when the policy makes no claim about it.
   */
  editionsInUse?: readonly string[];
  /** Disagreements between ConfigMgr, the install image and the build file; leftovers. Worst first. */
  findings: Finding[];
  /** Against the latest cumulative update of its release; undefined until release data is applied. */
  freshness?: Freshness;
}

export type ReleaseEvidence = 'edition' | 'display name' | 'PKEYCONFIGVERSION' | 'package name' | 'build';

/** The site's media as of the last successful sync. */
export interface InventorySnapshot {
  packages: readonly MediaPackage[];
  /** Rises whenever the packages change, so that views of the snapshot can be cached by it. */
  generation: number;
  /** When ConfigMgr last answered a full sync; null before the first one. */
  syncedAt: Date | null;
  /** Set while the last sync attempt failed: the bot answers from the snapshot and says so. */
  lastSyncError?: { at: Date; message: string };
  /** True when the site is the built-in demo simulator. */
  demo: boolean;
}

export function formatBuild(build: BuildNumber): string {
  return `${build.build}.${build.revision}`;
}

export function formatFullBuild(build: BuildNumber): string {
  return `${build.major}.${build.minor}.${build.build}.${build.revision}`;
}

/** Reads "10.0.26100.4349" or "26100.4349"; anything else is not a build number. */
export function parseBuildNumber(text: string | null | undefined): BuildNumber | undefined {
  if (!text) return undefined;
  const trimmed = text.trim();
  const full = /^(\d{1,2})\.(\d{1,2})\.(\d{4,5})\.(\d{1,6})$/.exec(trimmed);
  if (full) {
    return { major: Number(full[1]), minor: Number(full[2]), build: Number(full[3]), revision: Number(full[4]) };
  }
  const short = /^(\d{4,5})\.(\d{1,6})$/.exec(trimmed);
  if (short) return { major: 10, minor: 0, build: Number(short[1]), revision: Number(short[2]) };
  return undefined;
}

const KIND_ORDER: Readonly<Record<PackageKind, number>> = { upgrade: 0, image: 1 };
const nameCollator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

/** Inventory order: upgrade packages first, then images; by name (numbers as numbers), then id. */
export function comparePackages(a: MediaPackage, b: MediaPackage): number {
  return KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || nameCollator.compare(a.name, b.name) || a.id.localeCompare(b.id);
}
