/**
 * XML from outside the bot (a WIM's XML resource on the share, ConfigMgr's ImageProperty) is data, not
 * a program: a DOCTYPE is refused before any parser sees it, no entity is ever expanded by the parser,
 * and the five predefined entities and character references are decoded once, by us. Both readers
 * use these, so that neither can be the one that expands a "billion laughs".
 */

/** fast-xml-parser options that keep every entity reference as written, for decodeXmlReferences. */
export const NO_ENTITY_EXPANSION = { processEntities: false, htmlEntities: false } as const;

/** Windows image tools and ConfigMgr never write one; its entities are how XML is made to explode. */
export function hasDoctype(text: string): boolean {
  return /<!DOCTYPE/i.test(text);
}

const XML_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * Decodes the five predefined XML entities and numeric character references in one pass, so `&amp;lt;`
 * reads as the text `&lt;`. A name XML does not predefine, or a reference to a character XML forbids, stays
 * as written: without a DOCTYPE nothing can define it, and nothing here ever expands.
 */
export function decodeXmlReferences(raw: string): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&(?:#x([0-9a-fA-F]{1,6})|#([0-9]{1,7})|([A-Za-z]+));/g, (whole, hex?: string, decimal?: string, name?: string) => {
    if (name !== undefined) return XML_ENTITIES[name] ?? whole;
    const codePoint = hex !== undefined ? parseInt(hex, 16) : Number(decimal);
    return isXmlChar(codePoint) ? String.fromCodePoint(codePoint) : whole;
  });
}

/** XML 1.0's Char production: tab, newline, carriage return and the Unicode scalar values from U+0020. */
function isXmlChar(codePoint: number): boolean {
  return (
    codePoint === 0x9 ||
    codePoint === 0xa ||
    codePoint === 0xd ||
    (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
    (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
    (codePoint >= 0x10000 && codePoint <= 0x10ffff)
  );
}
