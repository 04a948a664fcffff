/** What the bot found in a package's source on the share, and how it compares with ConfigMgr. */
import type { BuildNumber } from './media-package';
import type { WimInfo } from './wim-image';

export interface InstallImageFacts {
  /** Path relative to the package source, e.g. "sources/install.wim". */
  relativePath: string;
  /** Present when the file could be read. */
  info?: WimInfo;
  /** One sentence when it could not (WimReadError message). */
  error?: string;
  sizeBytes: number;
  modifiedAt: Date;
}

export interface BuildFileFacts {
  name: string;
  present: boolean;
  /** The first line as written (trimmed, BOM removed), when present. */
  text?: string;
  /** The build it names, when it names one. */
  build?: BuildNumber;
  /** Why the text does not read as a build number. */
  problem?: string;
}

export type MediaInspection =
  /** Unmapped share, unreachable mount, missing folder: said plainly, not an error. */
  | { state: 'not-inspected'; reason: string }
  /** A source path that would lead outside the mapped roots (`..`, an absolute path, a symlink). */
  | { state: 'refused'; reason: string }
  | {
      state: 'inspected';
      inspectedAt: Date;
      /** The local path that was read (folder for an upgrade package, file for an OS image). */
      localPath: string;
      /** Missing when no install.wim / install.esd / install.swm was found. */
      installImage?: InstallImageFacts;
      /** Upgrade packages only. */
      buildFile?: BuildFileFacts;
      autorunInfPresent?: boolean;
      setupExePresent?: boolean;
      folderSizeBytes?: number;
    };

export type FindingKind =
  | 'version-mismatch'
  | 'build-file-mismatch'
  | 'editions-mismatch'
  | 'extra-editions'
  /** An edition whose index differs between ConfigMgr and the WIM. */
  | 'edition-moved'
  /** The media lacks editions the site deploys (EDITIONS_IN_USE). */
  | 'missing-editions-in-use'
  /** Without EDITIONS_IN_USE: what the indexes cost, with no claim about which one is deployed. */
  | 'edition-sizes'
  | 'autorun-inf'
  | 'missing-build-file'
  | 'unreadable-build-file'
  | 'missing-install-image'
  | 'unreadable-install-image'
  | 'refused-path';

const SEVERITY_ORDER: Readonly<Record<Finding['severity'], number>> = { error: 0, warning: 1, info: 2 };

/** Findings worst first: errors, warnings, then notes; more bytes first within a severity; otherwise as given. */
export function worstFirst(findings: readonly Finding[]): Finding[] {
  return findings
    .map((finding, order) => ({ finding, order }))
    .sort(
      (a, b) =>
        SEVERITY_ORDER[a.finding.severity] - SEVERITY_ORDER[b.finding.severity] ||
        (b.finding.bytes ?? 0) - (a.finding.bytes ?? 0) ||
        a.order - b.order,
    )
    .map(({ finding }) => finding);
}

/** One disagreement or leftover, with both values and what to do, as one or two sentences. */
export interface Finding {
  kind: FindingKind;
  severity: 'error' | 'warning' | 'info';
  message: string;
  /** Extra bytes taken (extra editions), for sorting and display. */
  bytes?: number;
}
