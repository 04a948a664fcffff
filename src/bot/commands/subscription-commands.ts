/**
 * The notification commands, recognised by their first word: `subscribe [topic] [package filter]`,
 * `unsubscribe [topic] [package filter]` and `subscriptions`. A topic is one of the four words; what
 * follows it is a package filter, kept as typed (quotes, unicode). Without a topic, only a word that
 * looks like a package or a release ("24H2", "PS100012", "2022") is taken as a filter: "subscribe to
 * everything" or a mistyped topic ("subscribe failrues") must not quietly become a filter that
 * matches nothing, so they get a sentence (or a "did you mean") instead.
 */
import { editDistanceWithin } from '../../services/shared/edit-distance';
import { isTopic, TOPICS, type Topic } from '../../services/notify/notification';
import type { Command } from './command';

/** Longest package filter a subscription keeps; longer text is pasted by mistake. */
export const MAX_SUBSCRIPTION_FILTER_LENGTH = 100;

/** Words that ask for the list rather than a change ("subscribe list", "subscriptions list"). */
const LIST_WORDS = new Set(['list', 'show', 'status']);
/** "unsubscribe everything" = every subscription of the conversation, whatever its topic. */
const EVERYTHING_WORDS = new Set(['everything', 'anything']);

export function readSubscriptionCommand(original: readonly string[], words: readonly string[]): Command | undefined {
  const first = words[0]?.replace(/^\//, '');
  const rest = original.slice(1);
  switch (first) {
    case 'subscriptions':
    case 'subscription':
      return { name: 'subscriptions' };
    case 'subscribe':
      if (rest.length === 1 && LIST_WORDS.has(words[1])) return { name: 'subscriptions' };
      return readTopicAndFilter('subscribe', rest, words.slice(1));
    case 'unsubscribe':
      if (rest.length === 1 && EVERYTHING_WORDS.has(words[1])) return { name: 'unsubscribe', filter: '' };
      return readTopicAndFilter('unsubscribe', rest, words.slice(1));
    default:
      return undefined;
  }
}

function readTopicAndFilter(verb: 'subscribe' | 'unsubscribe', original: readonly string[], words: readonly string[]): Command {
  const typed = original.join(' ');
  if (original.length === 0) return verb === 'subscribe' ? { name: 'subscribe', topic: 'all', filter: '' } : { name: 'unsubscribe', filter: '' };
  const head = words[0];
  const topic: Topic | undefined = isTopic(head) ? head : undefined;
  const filterWords = topic === undefined ? original : original.slice(1);
  if (topic === undefined) {
    const meant = nearestTopic(head);
    if (meant !== undefined) {
      return { name: 'subscription-words', verb, typed, reason: 'unknown', suggestion: [verb, meant, ...original.slice(1)].join(' ') };
    }
    if (!looksLikePackageWord(head)) return { name: 'subscription-words', verb, typed, reason: 'unknown' };
  }
  const filter = filterWords.join(' ').trim();
  if (filter.length > MAX_SUBSCRIPTION_FILTER_LENGTH) return { name: 'subscription-words', verb, typed, reason: 'too-long' };
  if (verb === 'subscribe') return { name: 'subscribe', topic: topic ?? 'all', filter };
  return { name: 'unsubscribe', ...(topic === undefined ? {} : { topic }), filter };
}

/** A topic one letter away (two in a long word), as the command words' typos are judged. */
function nearestTopic(word: string): Topic | undefined {
  if (word.length < 3) return undefined;
  const limit = word.length >= 7 ? 2 : 1;
  let best: { topic: Topic; distance: number } | undefined;
  for (const topic of TOPICS) {
    const distance = editDistanceWithin(word, topic, limit);
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { topic, distance };
  }
  return best?.topic;
}

/** A package id, a release or a build carries a digit ("PS100012", "24H2", "2022", "26100"); topic-less words must. */
function looksLikePackageWord(word: string): boolean {
  return /\p{N}/u.test(word);
}
