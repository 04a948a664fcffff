import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parseBuildNumber, type Edition } from './media-package';
import { NO_ENTITY_EXPANSION, decodeXmlReferences, hasDoctype } from './untrusted-xml';
import { architectureName } from './wim-image';

/**
 * ConfigMgr's lazy ImageProperty (SMS_ImagePackage / SMS_OperatingSystemInstallPackage) is XML of the form
 * `<WIM><IMAGE INDEX="1"><PROPERTY NAME="Image name">…</PROPERTY>…</IMAGE>…</WIM>`.
 * The full list of property names is not documented, so properties are read by a normalised name with
 * aliases, and anything unknown is ignored rather than rejected.
 */

/** The ImageProperty text cannot be read as editions; `reason` says why, for the package's editionsState. */
export class ImagePropertyUnreadable extends Error {
  constructor(
    readonly reason: string,
    /** The XML parser's own words, for the log; never shown on a card. */
    readonly detail?: string,
  ) {
    super(`ImageProperty is unreadable: ${reason}`);
    this.name = 'ImagePropertyUnreadable';
  }
}

/** Names a site or a tool might write instead of the number. */
const ARCHITECTURE_BY_NAME: Readonly<Record<string, string>> = {
  x86: 'x86',
  i386: 'x86',
  x64: 'x64',
  amd64: 'x64',
  'x86-64': 'x64',
  x86_64: 'x64',
  arm: 'ARM',
  arm64: 'ARM64',
  aarch64: 'ARM64',
  ia64: 'ia64',
};

type EditionField = 'name' | 'description' | 'editionId' | 'architecture' | 'languages' | 'sizeBytes' | 'osVersion';

/** Property names, lower-cased with spaces, dashes and underscores removed, mapped to the field they fill. */
const FIELD_BY_PROPERTY_NAME: Readonly<Record<string, EditionField>> = {
  imagename: 'name',
  name: 'name',
  displayname: 'name',
  imagedescription: 'description',
  description: 'description',
  displaydescription: 'description',
  editionid: 'editionId',
  edition: 'editionId',
  flags: 'editionId',
  architecture: 'architecture',
  arch: 'architecture',
  language: 'languages',
  languages: 'languages',
  size: 'sizeBytes',
  imagesize: 'sizeBytes',
  totalbytes: 'sizeBytes',
  osversion: 'osVersion',
  imageosversion: 'osVersion',
  version: 'osVersion',
};

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // Keep every value as text: "0009" or "10.0.26100.1" must not become numbers before we decide what they mean.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // readImage decodes the five XML entities and character references itself, once.
  ...NO_ENTITY_EXPANSION,
  isArray: (tagName) => tagName === 'IMAGE' || tagName === 'PROPERTY',
});

interface ParsedProperty {
  '@_NAME'?: string;
  '#text'?: string;
}

interface ParsedImage {
  '@_INDEX'?: string;
  PROPERTY?: (ParsedProperty | string)[];
}

/** Reads ConfigMgr's ImageProperty XML into editions, sorted by index. Throws ImagePropertyUnreadable. */
export function parseImageProperty(xml: string): Edition[] {
  if (typeof xml !== 'string' || xml.trim() === '') {
    throw new ImagePropertyUnreadable('it is empty');
  }
  if (hasDoctype(xml)) {
    throw new ImagePropertyUnreadable('it is not XML ConfigMgr writes: it carries a document type declaration (DOCTYPE)');
  }
  const validation = XMLValidator.validate(xml);
  if (validation !== true) {
    throw new ImagePropertyUnreadable('it is not XML that can be read', `${validation.err.code}: ${validation.err.msg} (line ${validation.err.line})`);
  }
  const document = parser.parse(xml) as Record<string, unknown>;
  const rootNames = Object.keys(document).filter((key) => !key.startsWith('?'));
  if (rootNames.length !== 1 || rootNames[0] !== 'WIM') {
    throw new ImagePropertyUnreadable(`its root element is <${rootNames.join('>, <') || 'none'}>, not <WIM>`);
  }
  const root = document.WIM;
  // `<WIM/>` or `<WIM></WIM>` parses to an empty string: a WIM with no images recorded.
  const images = typeof root === 'object' && root !== null ? ((root as { IMAGE?: ParsedImage[] }).IMAGE ?? []) : [];

  const editions = images.map((image, position) => readImage(image, position + 1));
  const seen = new Set<number>();
  for (const edition of editions) {
    if (seen.has(edition.index)) throw new ImagePropertyUnreadable(`index ${edition.index} appears twice`);
    seen.add(edition.index);
  }
  return editions.sort((a, b) => a.index - b.index);
}

function readImage(image: ParsedImage | string, position: number): Edition {
  const element: ParsedImage = typeof image === 'object' && image !== null ? image : {};
  const index = readIndex(element['@_INDEX'], position);
  const fields: Partial<Record<EditionField, string>> = {};
  for (const property of element.PROPERTY ?? []) {
    if (typeof property !== 'object' || property === null) continue; // a PROPERTY without NAME: nothing to file it under
    const name = property['@_NAME'];
    const value = property['#text'] === undefined ? undefined : decodeXmlReferences(String(property['#text']));
    if (name === undefined || value === undefined || value === '') continue;
    const field = FIELD_BY_PROPERTY_NAME[normalisePropertyName(name)];
    // The first property wins, so that "Image name" is not overwritten by a later "Display name".
    if (field !== undefined && fields[field] === undefined) fields[field] = String(value);
  }

  const edition: Edition = {
    index,
    name: fields.name ?? fields.description ?? fields.editionId ?? `Image ${index}`,
    languages: readLanguages(fields.languages),
  };
  if (fields.description !== undefined) edition.description = fields.description;
  if (fields.editionId !== undefined) edition.editionId = fields.editionId;
  const architecture = readArchitecture(fields.architecture);
  if (architecture !== undefined) edition.architecture = architecture;
  const size = readSize(fields.sizeBytes);
  if (size !== undefined) edition.sizeBytes = size;
  const osVersion = parseBuildNumber(fields.osVersion);
  if (osVersion !== undefined) edition.osVersion = osVersion;
  return edition;
}

/** INDEX is 1-based in a WIM; an image without one is taken to be at its position. */
function readIndex(raw: string | undefined, position: number): number {
  if (raw === undefined) return position;
  const trimmed = String(raw).trim();
  if (!/^\d{1,4}$/.test(trimmed) || Number(trimmed) < 1) {
    throw new ImagePropertyUnreadable(`image ${position} has the index "${trimmed}", not a positive number`);
  }
  return Number(trimmed);
}

function normalisePropertyName(name: string): string {
  return name.toLowerCase().replace(/[\s_-]+/g, '');
}

function readArchitecture(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  if (/^\d+$/.test(trimmed)) return architectureName(Number(trimmed));
  return ARCHITECTURE_BY_NAME[trimmed.toLowerCase()] ?? trimmed;
}

/** One or several languages, however the site separated them ("en-US", "en-US;de-DE", "en-US, fr-FR"). */
function readLanguages(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  return [...new Set(raw.split(/[;,\s]+/).filter((language) => language !== ''))];
}

function readSize(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  if (!/^\d+$/.test(trimmed)) return undefined;
  const size = Number(trimmed);
  return Number.isSafeInteger(size) ? size : undefined;
}
