/**
 * Cutting and escaping text for what Teams shows. Text from outside (chat, ConfigMgr, the share) is
 * rendered by Teams as markdown in TextBlocks, facts and message text, and Teams turns anything that
 * looks like a web address into a live link: shown verbatim, `[Reset your password](https://evil…)`
 * would become a link in the bot's own sentence. Cuts at a fixed length must keep whole graphemes,
 * or an emoji or a flag would be split into a broken character.
 */

/** Zero-width joiner: invisible, not whitespace, so no link detector sees a scheme or a domain across it. */
const LINK_BREAK = '\u200D';
const ELLIPSIS = '…';

/** Stateless and costly to build, so one for the module. */
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * `text` cut to at most `max` UTF-16 code units (JavaScript's `length`), ellipsis included, at a
 * grapheme boundary: an emoji, a ZWJ sequence, a flag or a letter with its accents is kept whole or
 * dropped whole. Counting code units, not graphemes, bounds the size too: one "grapheme" may carry
 * thousands of combining marks.
 */
export function shorten(text: string, max: number, options: { ellipsis?: string } = {}): string {
  if (text.length <= max) return text;
  const ellipsis = options.ellipsis ?? ELLIPSIS;
  const room = max - ellipsis.length;
  if (room < 0) return '';
  let end = 0;
  for (const { index, segment } of graphemes.segment(text)) {
    if (index + segment.length > room) break;
    end = index + segment.length;
  }
  return `${text.slice(0, end)}${ellipsis}`;
}

/** Characters with a markdown meaning anywhere in a line (CommonMark escapes any ASCII punctuation). */
const ESCAPED_ANYWHERE = new Set(['\\', '`', '*', '_', '[', ']', '(', ')', '<', '>', '#', '|', '~', '&', '!', '{', '}']);
/** Characters that start a list, a quote, a heading or a rule only at the start of a line. */
const ESCAPED_AT_LINE_START = new Set(['-', '+', '=']);

/**
 * Text shown exactly as written where Teams renders markdown: no emphasis, link, image, code, list,
 * quote, heading, table or HTML can come out of it. One pass, linear in the length.
 */
export function escapeMarkdown(text: string): string {
  let out = '';
  let lineStart = true;
  let leadingDigits = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '\n') {
      out += char;
      lineStart = true;
      leadingDigits = false;
      continue;
    }
    if (lineStart && (char === ' ' || char === '\t')) {
      out += char;
      continue;
    }
    if (ESCAPED_ANYWHERE.has(char) || (lineStart && ESCAPED_AT_LINE_START.has(char))) {
      out += `\\${char}`;
    } else if (leadingDigits && char === '.' && (i + 1 === text.length || text[i + 1] === ' ' || text[i + 1] === '\t')) {
      // "1. text" would start a numbered list; "10.0.26100" would not.
      out += '\\.';
    } else {
      out += char;
    }
    leadingDigits = (lineStart || leadingDigits) && char >= '0' && char <= '9';
    lineStart = false;
  }
  return out;
}

/**
 * Breaks what Teams would autolink (`http://…`, `https://…`, `www.…`, `evil.example/login`,
 * `a@b.example`) with an invisible joiner: after "://"'s colon and around every dot between a letter
 * or digit and a letter. The text reads the same; nothing in it is clickable.
 */
export function defuseLinks(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '.' && i > 0 && isLetterOrDigit(text[i - 1]) && i + 1 < text.length && isLetter(text[i + 1])) {
      // Both sides: "www" stays apart from its dot, and no label ends in a known top-level domain.
      out += `${LINK_BREAK}.${LINK_BREAK}`;
    } else {
      out += char;
      if (char === ':' && text.startsWith('//', i + 1)) out += LINK_BREAK;
    }
  }
  return out;
}

/** Text someone typed (or named), ready for a TextBlock or a message: no markdown, no links. */
export function escapeText(text: string): string {
  return escapeMarkdown(defuseLinks(text));
}

function isLetter(char: string): boolean {
  return /\p{L}/u.test(char);
}

function isLetterOrDigit(char: string): boolean {
  return /[\p{L}\p{N}]/u.test(char);
}
