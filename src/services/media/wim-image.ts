/** What a WIM/ESD/SWM file says about itself: its header and the images its XML describes. */
import type { BuildNumber } from './media-package';

/** WINDOWS/ARCH codes (PROCESSOR_ARCHITECTURE_*), the same numbers ConfigMgr records in ImageProperty. */
const ARCHITECTURES: Readonly<Record<number, string>> = { 0: 'x86', 5: 'ARM', 6: 'ia64', 9: 'x64', 12: 'ARM64' };

export function architectureName(code: number): string {
  return ARCHITECTURES[code] ?? `unknown (${code})`;
}

export type WimFormat = 'wim' | 'esd' | 'swm';
export type WimCompression = 'none' | 'xpress' | 'lzx' | 'lzms';

/** One image (index) of a WIM, from its XML. Every field but index may be missing in a real file. */
export interface WimImage {
  index: number;
  name?: string;
  description?: string;
  displayName?: string;
  displayDescription?: string;
  /** FLAGS, e.g. "Enterprise", "ServerStandardCore". */
  flags?: string;
  editionId?: string;
  /** "Client", "Server", "Server Core". */
  installationType?: string;
  productName?: string;
  productType?: string;
  /** x86, ARM, ia64, x64, ARM64, or "unknown (N)". */
  architecture?: string;
  languages: string[];
  defaultLanguage?: string;
  /** MAJOR.MINOR.BUILD.SPBUILD (SPBUILD is the revision, the UBR). */
  version?: BuildNumber;
  spLevel?: number;
  branch?: string;
  /** SERVICINGDATA/PKEYCONFIGVERSION as written, e.g. "10.0.26200.6584;2025-09-15T00:00:00Z". */
  pkeyConfigVersion?: string;
  /** The four-part build at the start of pkeyConfigVersion. */
  pkeyConfigBuild?: BuildNumber;
  totalBytes?: number;
  fileCount?: number;
  directoryCount?: number;
  createdAt?: Date;
  modifiedAt?: Date;
}

export interface WimInfo {
  /** The file that was read (for a split set, its first part). */
  path: string;
  format: WimFormat;
  /** Header version: 0x10D00 normal, 0xE00 solid (ESD). */
  version: number;
  compression: WimCompression;
  solid: boolean;
  partNumber: number;
  totalParts: number;
  /** Image count as the header states it (checked against the XML). */
  imageCount: number;
  bootIndex: number;
  guid: string;
  images: WimImage[];
  /** Bytes this read took from the file: header plus XML, whatever the file's size. */
  bytesRead: number;
  fileSizeBytes: number;
}

export type WimProblem =
  | 'empty'
  | 'truncated'
  | 'not-wim'
  | 'corrupt'
  | 'compressed-xml'
  | 'write-in-progress'
  | 'inconsistent'
  /** A named pipe, socket or device where the image should be: refused without opening it. */
  | 'not-regular-file'
  /** A file with more than one name: another may lie outside the share. */
  | 'hard-linked'
  | 'unreadable';

/** A WIM that cannot be read: says which file and what is wrong with it, in one sentence. */
export class WimReadError extends Error {
  constructor(
    readonly path: string,
    readonly problem: WimProblem,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'WimReadError';
  }
}
