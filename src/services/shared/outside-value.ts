/**
 * What a log may say about a value that came from outside (a request body, a chat text, a button's
 * data): its type, its size and a short head, never the whole of it. A caller who sends 250 KB must
 * not make every log line 250 KB long.
 */

export interface OutsideValueSummary {
  type: string;
  /** Characters of a string, items of an array, keys of an object. */
  length?: number;
  /** The first characters of a string, control characters shown as escapes. */
  head?: string;
}

const HEAD_CHARACTERS = 60;

export function describeOutsideValue(value: unknown): OutsideValueSummary {
  if (value === null) return { type: 'null' };
  if (Array.isArray(value)) return { type: 'array', length: value.length };
  switch (typeof value) {
    case 'string':
      return value.length <= HEAD_CHARACTERS
        ? { type: 'string', length: value.length, head: printable(value) }
        : { type: 'string', length: value.length, head: `${printable(value.slice(0, HEAD_CHARACTERS))}…` };
    case 'object':
      return { type: 'object', length: countKeys(value as object) };
    case 'number':
    case 'boolean':
      return { type: typeof value, head: String(value) };
    default:
      return { type: typeof value };
  }
}

/** Counts own keys without building an array of them (an object may hold thousands). */
function countKeys(value: object): number {
  let count = 0;
  for (const key in value) if (Object.prototype.hasOwnProperty.call(value, key)) count += 1;
  return count;
}

/** Line breaks and other control characters would let a sender forge log lines in text logs. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
