/**
 * Teams puts `<at …>Bot</at>` into channel and group-chat messages; the command is what is left. Hostile
 * text reaches this first, so it is one linear pass.
 */

/**
 * Removes Teams' `<at …>…</at>` mentions in one pass with indexOf: a backtracking regex took
 * seconds on text of `<at>` repeated. Same matches as /<at\b[^>]*>[\s\S]*?<\/at>/gi.
 */
export function stripMentions(text: string): string {
  let out = '';
  let from = 0;
  let searchAt = 0;
  for (;;) {
    const open = indexOfIgnoringCase(text, '<at', searchAt);
    if (open < 0) break;
    if (isWordChar(text.charCodeAt(open + 3))) {
      searchAt = open + 1;
      continue;
    }
    // A mention needs a ">" and then a "</at>"; when either is missing, no later "<at" can match either.
    const tagEnd = text.indexOf('>', open + 3);
    if (tagEnd < 0) break;
    const close = indexOfIgnoringCase(text, '</at>', tagEnd + 1);
    if (close < 0) break;
    out += `${text.slice(from, open)} `;
    from = close + 5;
    searchAt = from;
  }
  return from === 0 ? text : out + text.slice(from);
}

/** `needle` is ASCII and starts with "<": scans for "<" with indexOf, then compares the rest. */
function indexOfIgnoringCase(text: string, needle: string, from: number): number {
  for (let at = text.indexOf('<', from); at >= 0; at = text.indexOf('<', at + 1)) {
    if (text.slice(at, at + needle.length).toLowerCase() === needle) return at;
  }
  return -1;
}

function isWordChar(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}
