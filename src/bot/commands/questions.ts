/**
 * The questions admins type, read word by word: a head ("is", "how far behind is", "which"), a subject,
 * and a state at the end ("up to date", "out of support", "needs updating"). Phrases are word sequences
 * matched at a position, so the work is the number of phrases times their length, whatever the text;
 * no regular expression runs over what the user typed. The phrasings are table-tested in
 * test/bot/commands/command-parser.test.ts: add a row there before a phrase here.
 */
import { isPackageId } from '../../services/configmgr/admin-service';
import { looksLikePackageId, splitKind } from '../../services/media/package-lookup';
import { VERB_ALIASES, type Command } from './command';

type Phrase = readonly string[];

function phrases(...texts: string[]): Phrase[] {
  // Longest first, so that "out of date" wins over "out".
  return texts.map((text) => text.split(' ')).sort((a, b) => b.length - a.length);
}

/** The length of the longest phrase found at `at`, or 0. */
function phraseAt(words: readonly string[], at: number, options: readonly Phrase[]): number {
  for (const phrase of options) {
    if (at + phrase.length > words.length) continue;
    if (phrase.every((word, i) => words[at + i] === word)) return phrase.length;
  }
  return 0;
}

/** The start of the longest phrase that ends the sentence (at or after `from`), or -1. */
function phraseEnding(words: readonly string[], from: number, options: readonly Phrase[]): { at: number; phrase: Phrase } | undefined {
  for (const phrase of options) {
    const at = words.length - phrase.length;
    if (at >= from && phrase.every((word, i) => words[at + i] === word)) return { at, phrase };
  }
  return undefined;
}

/** How media can be: asked as "is X up to date?", "which media is behind?". */
const CURRENCY_STATES = phrases(
  'up to date', 'up-to-date', 'uptodate', 'current', 'not current', 'not up to date', 'outdated', 'out of date', 'out-of-date',
  'stale', 'behind', 'old', 'too old', 'fresh', 'patched', 'fully patched', 'unpatched', 'latest', 'the latest',
  'on the latest update', 'on the latest cu', 'on the latest build', 'on the latest patch', 'on the latest lcu',
  'current with updates', 'drifting', 'in good shape', 'ok', 'okay',
);
/** Questions about support: answered with the media whose release's servicing has ended. */
const SUPPORT_STATES = phrases(
  'supported', 'still supported', 'in support', 'still in support', 'out of support', 'unsupported', 'not supported',
  'end of life', 'eol', 'end of support', 'past end of support', 'past end of life', 'out of servicing', 'still serviced',
  'serviced', 'esu', 'on esu', 'under esu', 'in esu', 'covered by esu', 'on extended security updates',
  'under extended security updates', 'getting updates', 'still getting updates', 'retired', 'expired',
);
/** "which media needs updating", "does PS100012 need a refresh". */
const NEEDS = phrases(
  'updating', 'an update', 'updates', 'updated', 'to be updated', 'patching', 'patches', 'a refresh', 'refreshing',
  'refreshed', 'to be refreshed', 'servicing', 'to be serviced', 'attention', 'work', 'fixing', 'a new cu', 'the latest cu',
  'the latest update', 'a newer build',
);
const SUPPORT_NEEDS = phrases('esu', 'extended security updates', 'an esu license', 'esu licenses', 'esu licences');
const NEED_WORDS = new Set(['need', 'needs', 'require', 'requires', 'want', 'wants']);

/** Words that stand for "the media" as a whole: a question about them is about every package. */
const MEDIA_WORDS = new Set([
  'media', 'medias', 'package', 'packages', 'image', 'images', 'wim', 'wims', 'upgrade', 'upgrades', 'os', 'install',
  'everything', 'anything', 'something', 'all', 'any', 'our', 'the', 'my', 'we', 'of', 'ones', 'one', 'stuff', 'items',
  'every', 'each', 'there', 'at', 'site', 'on', 'this', 'still', 'it', 'they', 'them', 'these', 'those', 'thing', 'things',
]);

/** Openings of a question about the media at large: "which (media)…", "show me everything that…". */
const WIDE_HEADS = phrases(
  'which', 'what', "what's", 'whats', 'what is', 'what are', 'anything', 'any', 'is anything', 'is there anything',
  'are there any', 'is any', 'are any', 'is there any', 'show', 'show me', 'list', 'list me', 'give me', 'find', 'find me',
  'tell me', 'tell me which', 'tell me what', 'who', 'how much', 'how many', 'do we have', 'do we still have', 'have we got',
  'get',
);
/** Between the subject and how it is: "media [that is] behind". */
const LINKS = phrases('is', 'are', 'that is', "that's", 'thats', 'that are', 'which is', 'which are', 'that', 'is still', 'are still', 'still', 'is now', 'are now', 'is already', 'are already');

/** "is PS100013 …", "are all our images …". */
const IS_HEADS = phrases('is', 'are', 'is it true that', 'is everything', 'are all');
/** "how far behind is PS100019". */
const HOW_HEADS = phrases(
  'how far behind is', 'how far behind are', 'how far behind', 'how behind is', 'how behind are', 'how old is', 'how old are',
  'how current is', 'how current are', 'how up to date is', 'how up to date are', 'how stale is', 'how stale are',
  'how outdated is', 'how outdated are', 'how out of date is', 'how out of date are', 'how many updates behind is',
  'how many updates behind are', 'how many months behind is', 'how many months behind are', 'how many revisions behind is',
  'how many revisions behind are', 'how many cus behind is', 'how many cus behind are', 'how fresh is', 'how fresh are',
  'how patched is', 'how recent is', 'how recent are',
);
const HOW_SUPPORT_HEADS = phrases(
  'when does', 'when do', 'when is', 'when will', 'how long is', 'how long are', 'how long will', 'until when is',
);
const WHEN_TAILS = phrases(
  'go out of support', 'end', 'lose support', 'stop getting updates', 'reach end of life', 'reach end of support',
  'reach end of servicing', 'be supported', 'supported', 'be supported until', 'supported until', 'end of life',
  'out of support', 'retire', 'expire', 'end support',
);
/** Words that may close a question without changing it: "…up to date now?". */
const CLOSERS = phrases('now', 'today', 'currently', 'yet', 'please', 'pls', 'then', 'at the moment', 'right now');
/** "what's the latest 24H2 media", "show me the newest win11 image". */
const LATEST_HEADS = phrases(
  "what's the latest", 'whats the latest', 'what is the latest', "what's the newest", 'whats the newest', 'what is the newest',
  "what's our latest", 'what is our latest', "what's the most recent", 'what is the most recent', 'which is the latest',
  'which is the newest', 'what are the latest', 'show me the latest', 'show the latest', 'show me the newest', 'list the latest',
  'the latest', 'latest', 'newest', 'our latest', 'give me the latest', "what's the current", 'whats the current',
  'what is the current', 'which is the current',
);
/** "what do we have for 25H2". */
const HAVE_HEADS = phrases(
  'what do we have', 'what have we got', 'what have we', "what's there", 'what is there', 'what do we have in',
  'what do we got', 'do we have', 'have we got', 'what exists', 'what is available', "what's available", 'whats available',
);
/** After the media in a list request: "images [do we have] [for] 24H2". */
const HAVE_TAILS = phrases('do we have', 'are there', 'is there', 'have we got', 'we have', 'do we still have', 'exist', 'are available');
const HAVE_JOINS = phrases('for', 'of', 'on', 'in', 'with', 'about');
/** "show all", "list everything": the whole list. */
const EVERYTHING = new Set(['all', 'everything', 'every', 'anything', 'any', 'the', 'our', 'of', 'it', 'media', 'packages', 'package', 'thing', 'things']);

/** Words that make up a release on their own: "Server 2022", "win10", "w11 24h2", "LTSC 2021". */
function isReleaseWord(word: string): boolean {
  return (
    /^(?:windows|win|w|microsoft|server|ltsc|ltsb|iot|10|11)$/.test(word) ||
    /^\d\dh\d$/.test(word) ||
    /^20[1-3]\d$/.test(word) ||
    /^(?:w|win|windows)(?:10|11)$/.test(word) ||
    /^(?:ws|srv|server|winserver)20\d\d$/.test(word) ||
    /^(?:1507|1511|1607|1703|1709|1803|1809|1903|1909|2004|20h2)$/.test(word)
  );
}

/** A release needs more than "windows" or "enterprise" alone: a number, a half-year or a release word. */
function isRelease(words: readonly string[]): boolean {
  return words.length > 0 && words.length <= 5 && words.every(isReleaseWord) && words.some((word) => /\d/.test(word));
}

/** The words a sentence is read in: lower case, one kind of apostrophe, no trailing commas. */
export function wordsOf(sentence: string): string[] {
  return sentence
    .toLowerCase()
    .replace(/[‘’`´]/g, "'")
    .split(' ')
    .map((word) => word.replace(/[,;:]+$/, ''));
}

/** `text` without the words of `around` at either end: "our 24H2 media" → "24H2". */
function trimWords(text: string, around: ReadonlySet<string>): string {
  const words = text.split(' ').filter((word) => word !== '');
  let from = 0;
  let to = words.length;
  while (from < to && around.has(words[from].toLowerCase())) from++;
  while (to > from && around.has(words[to - 1].toLowerCase())) to--;
  return words.slice(from, to).join(' ');
}

/** The subject of a question about currency, and what it answers: one package, a part of the media, or all. */
function currencyAnswer(subject: string, outOfSupport: boolean): Command {
  const trimmed = subject.trim().replace(/^(["'])(.*)\1$/, '$2').trim();
  if (isPackageId(trimmed) || looksLikePackageId(trimmed)) return { name: 'show', query: trimmed };
  const { kind, rest } = splitKind(trimmed);
  const filter = trimWords(rest, MEDIA_WORDS);
  return { name: 'stale', filter, ...(kind ? { kind } : {}), ...(outOfSupport ? { outOfSupport: true as const } : {}) };
}

/** A list of the media, narrowed by kind when the words name one ("list images"). */
export function listAnswer(text: string): Command {
  const { kind, rest } = splitKind(text.trim());
  return { name: 'list', filter: trimWords(rest, EVERYTHING), ...(kind ? { kind } : {}) };
}

/** "stale 24H2 images out of support": the filter, the kind and whether only ended support is asked. */
export function staleAnswer(text: string): Command {
  const words = text.split(' ').filter((word) => word !== '');
  const lower = wordsOf(words.join(' '));
  let outOfSupport = false;
  const kept: string[] = [];
  for (let i = 0; i < words.length; ) {
    const support = phraseAt(lower, i, SUPPORT_STATES);
    if (support > 0 && lower[i] !== 'supported' && lower[i] !== 'serviced') {
      outOfSupport = true;
      i += support;
      continue;
    }
    kept.push(words[i]);
    i++;
  }
  return currencyAnswer(kept.join(' '), outOfSupport);
}

/** Drops words that close a question without changing it ("…now"), from the end. */
function withoutClosers(words: readonly string[], from: number): number {
  let end = words.length;
  for (;;) {
    const closer = phraseEnding(words.slice(0, end), from, CLOSERS);
    if (!closer) return end;
    end = closer.at;
  }
}

/** Questions about how current media is, or whether it is supported; undefined when it is none of these. */
export function readCurrencyQuestion(original: readonly string[], words: readonly string[]): Command | undefined {
  const end = withoutClosers(words, 1);
  const core = words.slice(0, end);
  const text = (from: number, to: number) => original.slice(from, to).join(' ');

  // "how far behind is PS100019", "how old are our images"
  const how = phraseAt(core, 0, HOW_HEADS);
  if (how > 0 && how < core.length) return currencyAnswer(text(how, end), false);

  // "when does win10 go out of support", "how long is Server 2022 supported"
  const when = phraseAt(core, 0, HOW_SUPPORT_HEADS);
  if (when > 0) {
    const tail = phraseEnding(core, when + 1, WHEN_TAILS);
    if (tail) return currencyAnswer(text(when, tail.at), true);
  }

  // "does PS100012 need updating", "do our images need ESU"
  if (core[0] === 'does' || core[0] === 'do') {
    for (let at = 2; at < core.length; at++) {
      if (!NEED_WORDS.has(core[at])) continue;
      const supportNeed = phraseAt(core, at + 1, SUPPORT_NEEDS);
      const need = supportNeed > 0 ? supportNeed : phraseAt(core, at + 1, NEEDS);
      if (need > 0 && at + 1 + need === core.length) return currencyAnswer(text(1, at), supportNeed > 0);
    }
  }

  const support = phraseEnding(core, 1, SUPPORT_STATES);
  const state = support ?? phraseEnding(core, 1, CURRENCY_STATES);
  const isSupport = support !== undefined;

  // "is PS100013 up to date", "are all our images current", "is win10 still supported"
  const isHead = phraseAt(core, 0, IS_HEADS);
  if (isHead > 0 && state && state.at >= isHead) {
    let subjectEnd = state.at;
    if (core[subjectEnd - 1] === 'still') subjectEnd--;
    if (subjectEnd > isHead) return currencyAnswer(text(isHead, subjectEnd), isSupport);
    return currencyAnswer('', isSupport);
  }

  // "which media needs updating", "what needs ESU", "show me everything that is out of date", "anything out of support"
  const wide = phraseAt(core, 0, WIDE_HEADS);
  if (wide > 0) {
    for (let at = wide; at < core.length; at++) {
      if (NEED_WORDS.has(core[at])) {
        const supportNeed = phraseAt(core, at + 1, SUPPORT_NEEDS);
        const need = supportNeed > 0 ? supportNeed : phraseAt(core, at + 1, NEEDS);
        if (need > 0 && at + 1 + need === core.length) return currencyAnswer(text(wide, linkStart(core, wide, at)), supportNeed > 0);
      }
    }
    if (state && state.at >= wide) return currencyAnswer(text(wide, linkStart(core, wide, state.at)), isSupport);
    // "show me out of date media", "list unsupported images", "any stale 24H2 media"
    let from = wide;
    if (core[from] === 'all' || core[from] === 'the' || core[from] === 'our' || core[from] === 'every') from++;
    const supportFirst = phraseAt(core, from, SUPPORT_STATES);
    const first = supportFirst > 0 ? supportFirst : phraseAt(core, from, CURRENCY_STATES);
    if (first > 0 && core[from] !== 'latest' && core[from] !== 'the' && core[from] !== 'current' && from + first < core.length) {
      return currencyAnswer(text(from + first, end), supportFirst > 0);
    }
  }

  // "PS100013 up to date?", "win10 current?": a subject and how it is, without a question word.
  if (state && state.at > 0 && !(words[0] in VERB_ALIASES)) {
    const subject = core.slice(0, linkStart(core, 0, state.at));
    if (subject.length > 0 && (isRelease(subject) || looksLikePackageId(subject.join('')) || subject.every((word) => MEDIA_WORDS.has(word)))) {
      return currencyAnswer(text(0, linkStart(core, 0, state.at)), isSupport);
    }
  }
  return undefined;
}

/** Where the subject ends before its state: "media [that is] behind" ends before "that". */
function linkStart(words: readonly string[], from: number, stateAt: number): number {
  for (let at = from; at < stateAt; at++) {
    if (phraseAt(words, at, LINKS) === stateAt - at) return at;
  }
  return stateAt;
}

/** "what's the latest 24H2 media", "what do we have for 25H2", "Server 2022": the list, narrowed. */
export function readListQuestion(original: readonly string[], words: readonly string[]): Command | undefined {
  const end = withoutClosers(words, 1);
  const core = words.slice(0, end);
  const text = (from: number, to: number) => original.slice(from, to).join(' ');
  if (isRelease(core)) return listAnswer(text(0, end));

  const latest = phraseAt(core, 0, LATEST_HEADS);
  if (latest > 0 && latest < core.length) {
    let from = latest;
    // "the latest build of PS100012" is about one package.
    if (/^(?:build|version|revision|update|cu|lcu)$/.test(core[from]) && from + 1 < core.length) {
      from++;
      if (phraseAt(core, from, HAVE_JOINS) > 0 && from + 1 < core.length) from++;
      const subject = text(from, end);
      if (isPackageId(subject) || looksLikePackageId(subject)) return { name: 'show', query: subject };
    }
    const subject = text(from, end);
    if (isPackageId(subject)) return { name: 'show', query: subject };
    return listAnswer(subject);
  }

  const have = phraseAt(core, 0, HAVE_HEADS);
  if (have > 0) {
    const join = phraseAt(core, have, HAVE_JOINS);
    return listAnswer(text(have + join, end));
  }

  // "show all", "list everything", "all media", "everything"
  if (core.every((word) => EVERYTHING.has(word) || word === 'show' || word === 'list' || word === 'me')) {
    if (core.some((word) => word === 'all' || word === 'everything')) return { name: 'list', filter: '' };
  }

  // "show me the images 24H2", "list our upgrade packages", "which images are there"
  if ((core[0] === 'show' || core[0] === 'list' || core[0] === 'which' || core[0] === 'what') && core.length > 1) {
    let from = 1;
    while (from < core.length && (core[from] === 'me' || core[from] === 'all' || core[from] === 'the' || core[from] === 'our')) from++;
    const kindWords = phraseAt(core, from, KIND_NOUNS);
    if (kindWords > 0) {
      let restFrom = from + kindWords;
      restFrom += phraseAt(core, restFrom, HAVE_TAILS);
      restFrom += phraseAt(core, restFrom, HAVE_JOINS);
      return listAnswer(`${text(from, from + kindWords)} ${text(restFrom, end)}`);
    }
  }
  return undefined;
}

/** Nouns that name the media in a list request: "show me the images …". */
const KIND_NOUNS = phrases(
  'media', 'packages', 'images', 'os images', 'upgrade packages', 'os upgrade packages', 'upgrades', 'wims', 'install images',
  'operating system images', 'operating system upgrade packages',
);
