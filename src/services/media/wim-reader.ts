/**
 * Reads what a WIM, ESD or split SWM says about itself: the 208-byte header, then only the XML resource it
 * points to. The gigabytes in between are never touched, so the cost is the same for a 4 MiB and a 4 GiB
 * file. Layout: reference/wim-format.md.
 */
import type { FileHandle } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { IrregularFile, openRegularFile } from './regular-file';
import { WimReadError, type WimCompression, type WimFormat, type WimInfo, type WimProblem } from './wim-image';
import { WimXmlError, decodeWimXml, parseWimXml } from './wim-xml';

export const WIM_HEADER_SIZE = 208;

const MAGIC = Buffer.from('MSWIM\0\0\0', 'latin1');
/** wimlib's pipable WIMs: the header at the start has no XML entry; the final copy sits at the end. */
const PIPABLE_MAGIC = Buffer.from('WLPWM\0\0\0', 'latin1');

const VERSION_NORMAL = 0x10d00;
const VERSION_SOLID = 0xe00;
/** Versions written by Vista-era WIMGAPI; their header and XML are laid out the same. */
const KNOWN_VERSIONS = new Set([VERSION_NORMAL, VERSION_SOLID, 0x10b00, 0x10c00]);

const FLAG_COMPRESSED = 0x2;
const FLAG_SPANNED = 0x8;
const FLAG_WRITE_IN_PROGRESS = 0x40;
const FLAG_XPRESS = 0x20000;
const FLAG_LZX = 0x40000;
const FLAG_LZMS = 0x80000;

const RESOURCE_FLAG_COMPRESSED = 0x04;
const XML_RESOURCE_OFFSET = 0x48;
/** Real XML is tens of KB; anything this large is a damaged size field, not metadata worth allocating for. */
const MAX_XML_BYTES = 64 * 1024 * 1024;

export interface WimReadOptions {
  /**
   * Refuse a file with more than one name (a hard link may be another name of a file outside the share).
   * Default true: every caller reads from a share.
   */
  refuseHardLinks?: boolean;
}

/**
 * Reads the header and XML of `path`. Every failure is a WimReadError naming the file and the problem.
 * Only a regular file is opened: a named pipe, socket or device is refused without blocking.
 */
export async function readWimMetadata(path: string, options: WimReadOptions = {}): Promise<WimInfo> {
  const name = basename(path);
  const fail = (problem: WimProblem, sentence: string, cause?: unknown): WimReadError =>
    new WimReadError(path, problem, `${name} ${sentence}`, cause === undefined ? undefined : { cause });

  let file: FileHandle;
  try {
    file = await openRegularFile(path, { refuseHardLinks: options.refuseHardLinks ?? true });
  } catch (error) {
    if (error instanceof IrregularFile) {
      const problem: WimProblem = error.kind === 'hard-link' ? 'hard-linked' : error.kind === 'folder' ? 'unreadable' : 'not-regular-file';
      throw fail(problem, `${error.phrase}.`, error);
    }
    throw fail('unreadable', `${ioProblem(error)}.`, error);
  }
  try {
    let bytesRead = 0;
    const readAt = async (position: number, length: number): Promise<Buffer> => {
      const buffer = Buffer.alloc(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead: got } = await file.read(buffer, filled, length - filled, position + filled);
        if (got === 0) break;
        filled += got;
      }
      bytesRead += filled;
      return filled === length ? buffer : buffer.subarray(0, filled);
    };

    const { size: fileSizeBytes } = await file.stat();
    if (fileSizeBytes === 0) throw fail('empty', 'is empty (0 bytes): copy the install image to the share again.');
    if (fileSizeBytes < WIM_HEADER_SIZE) {
      throw fail('truncated', `is only ${fileSizeBytes} bytes, shorter than a WIM header: copy it to the share again.`);
    }

    let header = await readAt(0, WIM_HEADER_SIZE);
    const magic = header.subarray(0, 8);
    const pipable = magic.equals(PIPABLE_MAGIC);
    if (!magic.equals(MAGIC) && !pipable) {
      throw fail('not-wim', 'is not a WIM, ESD or SWM file (no WIM signature at its start).');
    }
    if (pipable && resourceSize(header, XML_RESOURCE_OFFSET) === 0) {
      // A pipable WIM written to a pipe or still being written: the complete header is the file's last 208 bytes.
      header = await readAt(fileSizeBytes - WIM_HEADER_SIZE, WIM_HEADER_SIZE);
      if (!header.subarray(0, 8).equals(PIPABLE_MAGIC)) {
        throw fail('truncated', 'is a pipable WIM without its final header: it was cut short while being written.');
      }
    }

    const headerSize = header.readUInt32LE(0x08);
    if (headerSize !== WIM_HEADER_SIZE) {
      throw fail('corrupt', `has a header size of ${headerSize} bytes instead of ${WIM_HEADER_SIZE}: the file is damaged.`);
    }
    const version = header.readUInt32LE(0x0c);
    if (!KNOWN_VERSIONS.has(version)) {
      throw fail('corrupt', `has an unknown WIM version 0x${version.toString(16)}: the file is damaged or not a Windows image.`);
    }
    const flags = header.readUInt32LE(0x10);
    if (flags & FLAG_WRITE_IN_PROGRESS) {
      throw fail('write-in-progress', 'is still being written (or its writer stopped): wait for the capture or servicing to finish, then try again.');
    }
    const partNumber = header.readUInt16LE(0x28);
    const totalParts = header.readUInt16LE(0x2a);
    if (totalParts < 1 || partNumber < 1 || partNumber > totalParts) {
      throw fail('corrupt', `says it is part ${partNumber} of ${totalParts}: the header is damaged.`);
    }
    const imageCount = header.readUInt32LE(0x2c);

    const xmlSize = resourceSize(header, XML_RESOURCE_OFFSET);
    const xmlFlags = header.readUInt8(XML_RESOURCE_OFFSET + 7);
    const xmlOffset = Number(header.readBigUInt64LE(XML_RESOURCE_OFFSET + 8));
    if (xmlFlags & RESOURCE_FLAG_COMPRESSED) {
      throw fail('compressed-xml', 'has compressed XML metadata, which Windows image tools never write: export the image again with DISM or wimlib.');
    }
    if (xmlSize === 0) throw fail('corrupt', 'has no XML metadata: the file is damaged.');
    if (xmlSize > MAX_XML_BYTES || !Number.isSafeInteger(xmlOffset)) {
      throw fail('corrupt', `claims ${xmlSize} bytes of XML metadata: the header is damaged.`);
    }
    if (xmlOffset < WIM_HEADER_SIZE || xmlOffset + xmlSize > fileSizeBytes) {
      throw fail(
        'truncated',
        `ends before its XML metadata (bytes ${xmlOffset}–${xmlOffset + xmlSize} of a ${fileSizeBytes}-byte file): copy it to the share again.`,
      );
    }

    const xmlBytes = await readAt(xmlOffset, xmlSize);
    let parsed;
    try {
      parsed = parseWimXml(decodeWimXml(xmlBytes));
    } catch (error) {
      // The message is a user sentence; the parser's own words stay in the cause (WimXmlError.detail) for the log.
      if (error instanceof WimXmlError) throw fail('corrupt', `cannot be read: ${error.message}.`, error);
      throw error;
    }
    if (parsed.images.length !== imageCount) {
      throw fail(
        'inconsistent',
        `says it holds ${imageCount} image${imageCount === 1 ? '' : 's'} but its XML describes ${parsed.images.length}: the file is damaged, export it again.`,
      );
    }

    return {
      path,
      format: formatOf(path, version, flags, totalParts),
      version,
      compression: compressionOf(flags),
      solid: version === VERSION_SOLID,
      partNumber,
      totalParts,
      imageCount,
      bootIndex: header.readUInt32LE(0x78),
      guid: header.subarray(0x18, 0x28).toString('hex'),
      images: parsed.images,
      bytesRead,
      fileSizeBytes,
    };
  } catch (error) {
    if (error instanceof WimReadError) throw error;
    throw fail('unreadable', `${ioProblem(error)}.`, error);
  } finally {
    await file.close().catch(() => undefined);
  }
}

/** Stored size: the low 56 bits of the resource header's first 8 bytes (the high byte holds the flags). */
function resourceSize(header: Buffer, offset: number): number {
  const size = header.readBigUInt64LE(offset) & 0x00ff_ffff_ffff_ffffn;
  return size > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(size);
}

function formatOf(path: string, version: number, flags: number, totalParts: number): WimFormat {
  if (totalParts > 1 || flags & FLAG_SPANNED || extname(path).toLowerCase() === '.swm') return 'swm';
  if (version === VERSION_SOLID || extname(path).toLowerCase() === '.esd') return 'esd';
  return 'wim';
}

function compressionOf(flags: number): WimCompression {
  if (!(flags & FLAG_COMPRESSED)) return 'none';
  if (flags & FLAG_LZMS) return 'lzms';
  if (flags & FLAG_LZX) return 'lzx';
  if (flags & FLAG_XPRESS) return 'xpress';
  return 'none';
}

/** The I/O failure said plainly; the code and the raw message stay in the error's cause for the logs. */
function ioProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'does not exist: check the package source path';
    case 'EACCES':
    case 'EPERM':
      return 'cannot be read: the bot has no permission to read it';
    case 'EISDIR':
      return 'is a folder, not a file';
    case 'EBUSY':
      return 'is locked by another process: try again later';
    default:
      return `cannot be read (${code ?? 'I/O error'}): check the share and try again`;
  }
}
