/**
 * Chat text (mentions already removed) → a Command. Pure and table-tested: the words admins
 * naturally type ("what build is 24H2", "editions of PS100012") land on the right command.
 */
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

const MENTION = /<at\b[^>]*>[\s\S]*?<\/at>/gi;

/** Removes trailing sentence punctuation and surrounding whitespace, keeps inner quotes. */
function tidy(text: string): string {
  return text.replace(/[?!.]+\s*$/, '').trim() || text;
}

const VERB_ALIASES: Record<string, 'help' | 'list' | 'show' | 'editions' | 'status' | 'stale'> = {
  help: 'help', '?': 'help', commands: 'help', hi: 'help', hello: 'help',
  list: 'list', media: 'list', ls: 'list', packages: 'list',
  show: 'show', build: 'show', get: 'show', open: 'show', details: 'show', describe: 'show',
  editions: 'editions', edition: 'editions', indexes: 'editions', indices: 'editions', skus: 'editions',
  status: 'status', health: 'status', ping: 'status',
  stale: 'stale', behind: 'stale', outdated: 'stale', drift: 'stale',
};

/** Natural questions, tried in order; the capture is the package query. */
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
  const text = (rawText ?? '').replace(MENTION, ' ').replace(/[\u200B-\u200D\uFEFF]/g, '').replace(/\s+/g, ' ').trim();
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
      if (/^[A-Z0-9]{3}[0-9A-F]{5}$/i.test(sentence) || /^\d{2}H\d$/i.test(sentence)) return { name: 'show', query: sentence };
      return { name: 'unknown', text: sentence };
  }
}
