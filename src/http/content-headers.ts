/**
 * Which request bodies the bot reads at all, decided from the headers alone: JSON in UTF-8, sent as
 * is or compressed once with gzip or deflate. Everything else is refused before a byte is read, so
 * that no parser for forms, files or CSV is ever reachable from outside.
 */

export type BodyCompression = 'identity' | 'gzip' | 'deflate';

export type ContentVerdict = { accepted: true; compression: BodyCompression } | { accepted: false; reason: string };

const COMPRESSIONS: Record<string, BodyCompression> = {
  identity: 'identity',
  gzip: 'gzip',
  'x-gzip': 'gzip',
  deflate: 'deflate',
};

export function judgeContentHeaders(contentType: string | undefined, contentEncoding: string | undefined): ContentVerdict {
  const typeProblem = problemWithContentType(contentType);
  if (typeProblem !== undefined) return { accepted: false, reason: typeProblem };

  // "gzip, identity" is one layer; "gzip, gzip" would be a second inflation pass, refused.
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '');
  const compressions: BodyCompression[] = [];
  for (const coding of codings) {
    const compression = Object.prototype.hasOwnProperty.call(COMPRESSIONS, coding) ? COMPRESSIONS[coding] : undefined;
    if (compression === undefined) return { accepted: false, reason: 'unsupported content encoding' };
    if (compression !== 'identity') compressions.push(compression);
  }
  if (compressions.length > 1) return { accepted: false, reason: 'more than one content encoding' };
  return { accepted: true, compression: compressions[0] ?? 'identity' };
}

function problemWithContentType(contentType: string | undefined): string | undefined {
  if (contentType === undefined || contentType.trim() === '') return 'no content type';
  const [mediaType, ...parameters] = contentType.split(';');
  if (mediaType.trim().toLowerCase() !== 'application/json') return 'not application/json';
  for (const parameter of parameters) {
    const separator = parameter.indexOf('=');
    if (separator < 0) continue;
    const name = parameter.slice(0, separator).trim().toLowerCase();
    const value = parameter
      .slice(separator + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
    if (name === 'charset' && value !== 'utf-8' && value !== 'utf8') return 'a charset other than UTF-8';
  }
  return undefined;
}
