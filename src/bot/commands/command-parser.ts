/**
 * Chat text (mentions already removed) → a Command. Pure and table-tested: the words admins
 * naturally type ("what build is 24H2", "is PS100013 up to date?", "anything out of support?",
 * "Server 2022") land on the right command, and a mistyped command word ("lsit") gets a "did you
 * mean". Questions are read word by word (a head, a subject, a tail), never by a regular expression
 * over the whole text, so the cost stays linear in its length whatever is typed.
 */
import { isPackageId } from '../../services/configmgr/admin-service';
import { hasMeaningfulWords, looksLikePackageId, splitKind } from '../../services/media/package-lookup';
import { VERB_ALIASES, type Command } from './command';
import { stripMentions } from './mentions';
import { listAnswer, readCurrencyQuestion, readListQuestion, staleAnswer, wordsOf } from './questions';
import { correctedVerb } from './typos';
import { readJobCommand } from './job-commands';
import { readSubscriptionCommand } from './subscription-commands';

/** Longer than any command a person types; such text is pasted by mistake and never parsed. */
export const MAX_COMMAND_LENGTH = 500;
/**
 * The cap on the raw text, checked before any other work: a command plus Teams' mention markup
 * (`<at id="…">Upgrade Media</at>`, a few of them in a channel) fits many times over, while a
 * 250 KB paste is refused at the cost of reading its length.
 */
export const MAX_RAW_TEXT_LENGTH = 4 * 1024;

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


/**
 * Natural questions, tried in order; the capture is the package query. Each pattern is anchored at
 * the start and runs on at most MAX_COMMAND_LENGTH characters whose whitespace is single spaces, so
 * its backtracking is bounded (a test times adversarial shapes).
 */
const PHRASES: ReadonlyArray<{ pattern: RegExp; command: 'show' | 'editions' | 'status' }> = [
  { pattern: /^(?:which|what) editions?\b(?:\s+(?:are|is|does|do))?(?:\s+(?:there\s+)?(?:in|on|of|for))?\s+(.+)$/i, command: 'editions' },
  { pattern: /^(?:list|show)(?:\s+me)?(?:\s+the)?\s+editions?\s+(?:in|of|for|on)\s+(.+)$/i, command: 'editions' },
  { pattern: /^(?:which|what) indexes\b(?:\s+(?:are|does))?(?:\s+(?:in|on|of))?\s+(.+)$/i, command: 'editions' },
  { pattern: /^(?:what|which)(?:'s| is)?\s+(?:the\s+)?(?:build|version|revision)(?:\s+(?:and|&)\s+revision)?(?:\s+number)?\s+(?:is|of|for|on)?\s*(.+)$/i, command: 'show' },
  { pattern: /^(?:what|which)\s+build\s+(?:is|are)\s+(.+)$/i, command: 'show' },
  { pattern: /^(?:tell me about|what about|how about|what's|what is)\s+(.+)$/i, command: 'show' },
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
  const original = sentence.split(' ');
  const words = wordsOf(sentence);

  const job = readJobCommand(original, words);
  if (job) return job;
  const subscription = readSubscriptionCommand(original, words);
  if (subscription) return subscription;

  const currency = readCurrencyQuestion(original, words);
  if (currency) return currency;
  const listed = readListQuestion(original, words);
  if (listed) return listed;

  for (const { pattern, command } of PHRASES) {
    const found = pattern.exec(sentence);
    if (!found) continue;
    const rest = (found[1] ?? '').trim();
    if (command === 'status') return { name: command };
    // "what is this?" is a question, but about no package: it falls through to help.
    if (hasMeaningfulWords(rest)) return { name: command, query: rest };
  }

  const others = original.slice(1);
  const firstWord = words[0].replace(/^\//, '');
  const verb = VERB_ALIASES[firstWord];
  const rest = others.join(' ').trim();
  switch (verb) {
    case 'help':
      return { name: 'help' };
    case 'status':
      return { name: verb };
    case 'stale':
      return staleAnswer(rest);
    case 'list':
      return listAnswer(rest);
    case 'show':
    case 'editions': {
      if (rest === '') return { name: 'list', filter: '' };
      // "show images", "show everything": nothing names a package, so the (narrowed) list answers.
      const { kind, rest: withoutKind } = splitKind(rest);
      const namesId = withoutKind.split(' ').some((word) => isPackageId(word));
      if (verb === 'show' && !namesId && (kind !== undefined || !hasMeaningfulWords(withoutKind))) return listAnswer(rest);
      return { name: verb, query: rest };
    }
    default: {
      // A bare id, a mistyped one or a release ("PS100012", "PS10012", "24H2") is a question about that media.
      if (isPackageId(sentence) || looksLikePackageId(sentence)) return { name: 'show', query: sentence };
      const corrected = correctedVerb(firstWord);
      if (corrected !== undefined) {
        const suggestion = [corrected, ...others].join(' ');
        const meant = parseCommand(suggestion);
        if (meant.name !== 'unknown' && meant.name !== 'did-you-mean') return { name: 'did-you-mean', typed: sentence, suggestion };
      }
      return { name: 'unknown', text: sentence };
    }
  }
}
