/**
 * Sentences from the services (why a share was not read, why a WIM or build file is unreadable) are
 * meant for users, but they may still carry what belongs in the log only: a local mount path, an
 * errno code, a parser's own message or a stack. Cards pass them through here, so that whatever a
 * service says, Teams shows a sentence and the detail stays in the log.
 */
import { escapeMarkdown, shorten } from './text';

/** Said instead of a local path: the admin knows where the mapping is, the card does not tell the world. */
export const LOCAL_PATH_WORDING = 'the folder MEDIA_PATH_MAP names';

/** A stack frame, a Node error prefix ("EACCES: …") or errno/syscall words: nothing of it is a sentence. */
const RAW_ERROR = /\bat\s+\S+\s+\([^()]*:\d+:\d+\)|^E[A-Z]{2,}\b:|\berrno\b|\bsyscall\b|Error:\s/;
/** "(EIO)", "(ENOENT, …)": the code helps the log, not the reader. */
const ERRNO_NOTE = / ?\(E[A-Z0-9]{2,}\b[^()]{0,80}\)/g;
/** Longer than any sentence a service writes; bounds the cost of the patterns below. */
const MAX_SCANNED = 2000;
/** An absolute POSIX path: after the start of the text, a space, a quote or an opening parenthesis. */
const LOCAL_PATH = /(^|[\s('"`])\/[^\s'"`()]*[^\s'"`().,;:]/g;

/**
 * `text` without local paths, errno codes or anything of a raw error; `fallback` when nothing of it
 * reads as a sentence. The first line only: a second line is a stack or a dump.
 */
export function userFacingSentence(text: string | undefined, fallback: string): string {
  const firstLine = (text ?? '').slice(0, MAX_SCANNED).split(/\r?\n|\r/, 1)[0].trim();
  if (firstLine === '' || RAW_ERROR.test(firstLine)) return fallback;
  const cleaned = firstLine
    .replace(ERRNO_NOTE, '')
    .replace(LOCAL_PATH, (_match, before: string) => `${before}${LOCAL_PATH_WORDING}`)
    .trim();
  return cleaned === '' ? fallback : cleaned;
}

/** A service's sentence as a card shows it: cleaned as above, cut to `max` and escaped for markdown. */
export function shownSentence(text: string | undefined, fallback: string, max: number): string {
  return escapeMarkdown(shorten(userFacingSentence(text, fallback), max));
}
