/** "lsit" meant "list": a mistyped command word gets a "did you mean", an ordinary word does not. */
import { editDistanceWithin } from '../../services/shared/edit-distance';

/** The words a typo is compared with: every command word and the common aliases. */
const SUGGESTED_VERBS = ['help', 'list', 'media', 'show', 'build', 'editions', 'status', 'stale', 'behind', 'details', 'health', 'indexes', 'subscribe', 'unsubscribe', 'subscriptions'];
/** Ordinary words one letter from a command word; typing them is no typo ("last" is not "list"). */
const NOT_TYPOS = new Set(['last', 'lost', 'lust', 'mist', 'slow', 'snow', 'stow', 'shop', 'shot', 'shoe', 'held', 'hell', 'yelp', 'kelp', 'scale', 'stole', 'style', 'stable', 'states', 'statue', 'media', 'build', 'built', 'guild', 'bulid']);

/** The command word `typed` most likely meant, when it is a slip of one letter (two in a long word). */
export function correctedVerb(typed: string): string | undefined {
  if (typed.length < 3 || NOT_TYPOS.has(typed)) return undefined;
  const limit = typed.length >= 7 ? 2 : 1;
  let best: { verb: string; distance: number } | undefined;
  for (const verb of SUGGESTED_VERBS) {
    const distance = editDistanceWithin(typed, verb, limit);
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { verb, distance };
  }
  return best?.verb;
}
