/**
 * Serializes a reply body (expectReplies activities, invoke responses) with the JSON of cached cards
 * spliced in as text. A list card is most of a reply's bytes, and serializing it again on every turn
 * was the largest cost of a `list` turn after the framework's own.
 */
import { randomBytes } from 'node:crypto';

export type CardJsonLookup = (value: object) => string | undefined;

export function createReplySerializer(cardJson: CardJsonLookup): (body: unknown) => string {
  // A marker no card or user text can hold: NUL plus a per-process random tag.
  const nonce = randomBytes(8).toString('hex');
  const tag = `\u0000card-${nonce}-`;
  // JSON.stringify writes the NULs as the six characters \u0000.
  const markerPattern = new RegExp(`"\\\\u0000card-${nonce}-(\\d+)\\\\u0000"`, 'g');

  return (body) => {
    const spliced: string[] = [];
    const text = JSON.stringify(body, (_key, value: unknown) => {
      if (typeof value === 'object' && value !== null) {
        const json = cardJson(value);
        if (json !== undefined) {
          spliced.push(json);
          return `${tag}${spliced.length - 1}\u0000`;
        }
      }
      return value;
    });
    return spliced.length === 0 ? text : text.replace(markerPattern, (_marker, index: string) => spliced[Number(index)]);
  };
}
