/**
 * Chat text (mentions already removed) → a Command. Pure and table-tested: the words admins
 * naturally type ("what build is 24H2", "editions of PS100012") land on the right command.
 */
import { isPackageId } from '../services/configmgr/admin-service';
import { hasMeaningfulWords } from '../services/media/package-lookup';

export type Command =
  | { name: 'help' }
  | { name: 'list'; filter: string }
  | { name: 'show'; query: string }
  | { name: 'editions'; query: string }
  | { name: 'status' }
  | { name: 'stale' }
  | { name: 'empty' }
  | { name: 'too-long'; length: number }
  | { name: 'unknown'; text: string };

/** Longer than any command a person types; such text is pasted by mistake and never parsed. */
export const MAX_COMMAND_LENGTH = 500;
/**
 * The cap on the raw text, checked before any other work: a command plus Teams' mention markup
 * (`<at id="…">Upgrade Media</at>`, a few of them in a channel) fits many times over, while a
 * 250 KB paste is refused at the cost of reading its length.
 */
export const MAX_RAW_TEXT_LENGTH = 4 * 1024;

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

const TRAILING_PUNCTUATION = new Set(['?', '!', '.']);

/** Removes trailing sentence punctuation and surrounding whitespace, keeps inner quotes. */
function tidy(text: string): string {
  // A backwards scan: /[?!.]+\s*$/ backtracks quadratically on runs of punctuation.
  let end = text.length;
  while (end > 0 && /\s/.test(text[end - 1])) end--;
  const beforeSpace = end;
  while (end > 0 && TRAILING_PUNCTUATION.has(text[end - 1])) end--;
  if (end === beforeSpace) return text.trim() || text;
  return text.slice(0, end).trim() || text;
}

const VERB_ALIASES: Record<string, 'help' | 'list' | 'show' | 'editions' | 'status' | 'stale'> = {
  help: 'help', '?': 'help', commands: 'help', hi: 'help', hello: 'help',
  list: 'list', media: 'list', ls: 'list', packages: 'list',
  show: 'show', build: 'show', get: 'show', open: 'show', details: 'show', describe: 'show',
  editions: 'editions', edition: 'editions', indexes: 'editions', indices: 'editions', skus: 'editions',
  status: 'status', health: 'status', ping: 'status',
  stale: 'stale', behind: 'stale', outdated: 'stale', drift: 'stale',
};

/**
 * Natural questions, tried in order; the capture is the package query. Each pattern is anchored at
 * the start and runs on at most MAX_COMMAND_LENGTH characters whose whitespace is single spaces, so
 * its backtracking is bounded (a test times adversarial shapes).
 */
const PHRASES: ReadonlyArray<{ pattern: RegExp; command: 'show' | 'editions' | 'list' | 'status' | 'stale' }> = [
  { pattern: /^(?:what|which)(?:'s| is| are)?\s+(?:media\s+|packages?\s+|images?\s+)?(?:is\s+|are\s+)?(?:stale|behind|outdated|out of date|not current|drifting)$/i, command: 'stale' },
  { pattern: /^(?:is|are)\s+(?:our|the|any|all)?\s*(?:media|packages|images)\s+(?:current|up to date|stale|behind)$/i, command: 'stale' },
  { pattern: /^(?:which|what) editions?\b(?:\s+(?:are|is|does|do))?(?:\s+(?:there\s+)?(?:in|on|of|for))?\s+(.+)$/i, command: 'editions' },
  { pattern: /^(?:list|show)(?:\s+me)?(?:\s+the)?\s+editions?\s+(?:in|of|for|on)\s+(.+)$/i, command: 'editions' },
  { pattern: /^(?:which|what) indexes\b(?:\s+(?:are|does))?(?:\s+(?:in|on|of))?\s+(.+)$/i, command: 'editions' },
  { pattern: /^(?:what|which)(?:'s| is)?\s+(?:the\s+)?(?:build|version|revision)(?:\s+(?:and|&)\s+revision)?(?:\s+number)?\s+(?:is|of|for|on)?\s*(.+)$/i, command: 'show' },
  { pattern: /^(?:what|which)\s+build\s+(?:is|are)\s+(.+)$/i, command: 'show' },
  { pattern: /^(?:tell me about|what about|how about|what's|what is)\s+(.+)$/i, command: 'show' },
  { pattern: /^(?:show|list)(?:\s+me)?\s+(?:all\s+)?(?:(?:the|our)\s+)?(?:media|packages|images|os images|upgrade packages)\b\s*(.*)$/i, command: 'list' },
  { pattern: /^(?:what|which)\s+(?:media|packages|images)\s+(?:do we have|are there|is there)\s*(.*)$/i, command: 'list' },
  { pattern: /^(?:is the bot|are you) (?:ok|okay|healthy|alive|working)$/i, command: 'status' },
  { pattern: /^(?:is )?configmgr (?:up|reachable|ok|healthy)$/i, command: 'status' },
];

export function parseCommand(rawText: string | undefined | null): Command {
  const raw = rawText ?? '';
  if (raw.length > MAX_RAW_TEXT_LENGTH) return { name: 'too-long', length: raw.length };
  const text = stripMentions(raw).replace(/[\u200B-\u200D\uFEFF]/g, '').replace(/\s+/g, ' ').trim();
  if (text === '') return { name: 'empty' };
  if (text.length > MAX_COMMAND_LENGTH) return { name: 'too-long', length: text.length };

  const sentence = tidy(text);
  for (const { pattern, command } of PHRASES) {
    const found = pattern.exec(sentence);
    if (!found) continue;
    const rest = (found[1] ?? '').trim();
    if (command === 'status' || command === 'stale') return { name: command };
    if (command === 'list') return { name: 'list', filter: rest };
    // "what is this?" is a question, but about no package: it falls through to help.
    if (hasMeaningfulWords(rest)) return { name: command, query: rest };
  }

  const [first, ...others] = sentence.split(' ');
  const verb = VERB_ALIASES[first.toLowerCase().replace(/^\//, '')];
  const rest = others.join(' ').trim();
  switch (verb) {
    case 'help':
      return { name: 'help' };
    case 'status':
    case 'stale':
      return { name: verb };
    case 'list':
      return { name: 'list', filter: rest };
    case 'show':
    case 'editions':
      return rest === '' ? { name: 'list', filter: '' } : { name: verb, query: rest };
    default:
      // A bare id or release ("PS100012", "24H2") is a question about that media.
      if (isPackageId(sentence) || /^\d{2}H\d$/i.test(sentence)) return { name: 'show', query: sentence };
      return { name: 'unknown', text: sentence };
  }
}
