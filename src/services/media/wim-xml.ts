/**
 * The XML resource of a WIM, parsed by element name into typed images. Writers (WIMGAPI, DISM, wimlib) order
 * the elements differently, so nothing here depends on order; every field but INDEX may be missing.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parseBuildNumber, type BuildNumber } from './media-package';
import { NO_ENTITY_EXPANSION, decodeXmlReferences, hasDoctype } from './untrusted-xml';
import { architectureName, type WimImage } from './wim-image';

/** Seconds between 1601-01-01 (FILETIME epoch) and 1970-01-01, in 100 ns ticks. */
const FILETIME_UNIX_EPOCH_TICKS = 116_444_736_000_000_000n;

export interface ParsedWimXml {
  images: WimImage[];
  totalBytes?: number;
}

/**
 * Why the XML cannot be read, as a phrase for users (the reader turns it into a WimReadError naming the
 * file); `detail` keeps the XML parser's own words for the log, never for a card.
 */
export class WimXmlError extends Error {
  constructor(
    message: string,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'WimXmlError';
  }
}

type XmlNode = Record<string, unknown>;

/** Decodes the resource bytes: UTF-16LE, with the BOM that every writer puts first (tolerated when absent). */
export function decodeWimXml(bytes: Buffer): string {
  if (bytes.length % 2 !== 0) throw new WimXmlError('its XML data has an odd number of bytes, so it is not UTF-16');
  let text: string;
  try {
    text = new TextDecoder('utf-16le', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new WimXmlError('its XML data is not valid UTF-16LE text');
  }
  // The terminating NUL some writers leave would otherwise fail the XML validation.
  return text.replace(/\0+$/, '');
}

export function parseWimXml(text: string): ParsedWimXml {
  if (!text.trimStart().startsWith('<')) throw new WimXmlError('its XML data does not start with an XML element');
  if (hasDoctype(text)) {
    throw new WimXmlError('its XML data carries a document type declaration (DOCTYPE), which Windows image tools never write');
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new WimXmlError('its XML data is not well-formed', `${valid.err.code}: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`);
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    // text() decodes the five XML entities and character references itself, once.
    ...NO_ENTITY_EXPANSION,
    isArray: (name, jpath) => jpath === 'WIM.IMAGE' || name === 'LANGUAGE',
  });
  const document = parser.parse(text) as XmlNode;
  const root = document.WIM;
  if (!isNode(root)) throw new WimXmlError('its XML data has no WIM root element');
  const images = asArray(root.IMAGE).map((image, position) => parseImage(image, position));
  return { images, totalBytes: integer(root.TOTALBYTES) };
}

function parseImage(node: unknown, position: number): WimImage {
  if (!isNode(node)) throw new WimXmlError(`its XML image number ${position + 1} is empty`);
  const indexText = text(node['@INDEX']);
  if (indexText === undefined || !/^\d+$/.test(indexText) || Number(indexText) < 1) {
    throw new WimXmlError(`its XML image number ${position + 1} has no valid INDEX attribute`);
  }
  const windows = isNode(node.WINDOWS) ? node.WINDOWS : undefined;
  const languages = windows && isNode(windows.LANGUAGES) ? windows.LANGUAGES : undefined;
  const version = windows && isNode(windows.VERSION) ? windows.VERSION : undefined;
  const servicing = windows && isNode(windows.SERVICINGDATA) ? windows.SERVICINGDATA : undefined;
  const pkeyConfigVersion = text(servicing?.PKEYCONFIGVERSION);
  const arch = integer(windows?.ARCH);

  const image: WimImage = {
    index: Number(indexText),
    name: text(node.NAME),
    description: text(node.DESCRIPTION),
    displayName: text(node.DISPLAYNAME),
    displayDescription: text(node.DISPLAYDESCRIPTION),
    flags: text(node.FLAGS),
    editionId: text(windows?.EDITIONID),
    installationType: text(windows?.INSTALLATIONTYPE),
    productName: text(windows?.PRODUCTNAME),
    productType: text(windows?.PRODUCTTYPE),
    architecture: arch === undefined ? undefined : architectureName(arch),
    languages: asArray(languages?.LANGUAGE)
      .map(text)
      .filter((language): language is string => language !== undefined),
    defaultLanguage: text(languages?.DEFAULT),
    version: version ? versionOf(version) : undefined,
    spLevel: integer(version?.SPLEVEL),
    branch: text(version?.BRANCH),
    pkeyConfigVersion,
    // "10.0.26200.6584;2025-09-15T00:00:00Z": the build is the part before the semicolon.
    pkeyConfigBuild: pkeyConfigVersion ? parseBuildNumber(pkeyConfigVersion.split(';')[0]) : undefined,
    totalBytes: integer(node.TOTALBYTES),
    fileCount: integer(node.FILECOUNT),
    directoryCount: integer(node.DIRCOUNT),
    createdAt: fileTime(node.CREATIONTIME),
    modifiedAt: fileTime(node.LASTMODIFICATIONTIME),
  };
  // Leave absent fields out, so that results compare cleanly and print without noise.
  for (const key of Object.keys(image) as (keyof WimImage)[]) {
    if (image[key] === undefined) delete image[key];
  }
  return image;
}

/** MAJOR.MINOR.BUILD.SPBUILD; a VERSION without BUILD says nothing usable. */
function versionOf(version: XmlNode): BuildNumber | undefined {
  const build = integer(version.BUILD);
  if (build === undefined) return undefined;
  return {
    major: integer(version.MAJOR) ?? 0,
    minor: integer(version.MINOR) ?? 0,
    build,
    revision: integer(version.SPBUILD) ?? 0,
  };
}

/** HIGHPART + LOWPART, hex strings ("0x01DC2600"), of a FILETIME (100 ns ticks since 1601). */
function fileTime(node: unknown): Date | undefined {
  if (!isNode(node)) return undefined;
  const high = hex(node.HIGHPART);
  const low = hex(node.LOWPART);
  if (high === undefined || low === undefined) return undefined;
  const ticks = (high << 32n) | low;
  const date = new Date(Number((ticks - FILETIME_UNIX_EPOCH_TICKS) / 10_000n));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function hex(value: unknown): bigint | undefined {
  const raw = text(value);
  if (raw === undefined || !/^(0x)?[0-9a-f]{1,8}$/i.test(raw)) return undefined;
  return BigInt(raw.toLowerCase().startsWith('0x') ? raw : `0x${raw}`);
}

function integer(value: unknown): number | undefined {
  const raw = text(value);
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
  const number = Number(raw);
  return Number.isSafeInteger(number) ? number : undefined;
}

/** The text of an element: a string, or `#text` when the element also has attributes; references decoded. */
function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : decodeXmlReferences(value);
  if (typeof value === 'number') return String(value);
  if (isNode(value) && typeof value['#text'] === 'string') return text(value['#text']);
  return undefined;
}

function isNode(value: unknown): value is XmlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value : [value];
}
