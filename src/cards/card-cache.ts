/**
 * Rendered cards, kept per inventory generation. Template expansion costs milliseconds per card,
 * far more than the rest of a turn, while the same list page or package is asked for again and
 * again between syncs. A sync that changes nothing changes only the "as of" time on a card, so a
 * card is rendered once with a stand-in time, and each sync's copy is made from that text.
 * Cards handed out are frozen, so that one turn can never change another's answer.
 * The cache is bounded by the memory its entries hold, not by their count: a list card weighs ten
 * times a detail card, and 4,096 list pages once took 670 MB.
 */
import { deepFreeze } from '../services/deep-freeze';
import { cardTimestamp } from './card-formatting';
import type { AdaptiveCard, CardContext } from './kit/adaptive-card';

/** A time no inventory is ever synced at: it marks where the real sync time goes. */
const STAND_IN_SYNC_TIME = new Date('1999-12-31T23:59:58Z');
const STAND_IN_STAMP = cardTimestamp(STAND_IN_SYNC_TIME) as string;

/** Enough for every detail and editions card and the common list pages of a 500-package site. */
export const DEFAULT_CARD_CACHE_BYTES = 32 * 1024 * 1024;

/**
 * What an entry keeps alive, estimated from its JSON: V8 stores a string in one byte a character
 * when it is all Latin-1, else two; a parsed card's objects, arrays and strings took about 1.7 bytes
 * per character of its JSON when measured (heap used by 2,000 parsed list cards), counted here as 2.
 */
const PARSED_BYTES_PER_JSON_CHAR = 2;
/** The map entry, its key and the entry record, beyond the key's characters. */
const ENTRY_OVERHEAD_BYTES = 160;

type Entry = { rendered: string; bytes: number } | { card: AdaptiveCard; bytes: number };

export class CardCache {
  /**
   * Both kinds of entry in one map, least recently used first: card JSON with the stand-in time per
   * generation, context and key ("r" keys), and frozen cards as served per sync time ("s" keys).
   */
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  /** The JSON of each served card, so that a reply can carry it without serializing the card again. */
  private readonly jsonByCard = new WeakMap<object, string>();

  /** `maxBytes` bounds the estimated memory the kept cards hold; the least recently used go first. */
  constructor(private readonly maxBytes = DEFAULT_CARD_CACHE_BYTES) {}

  get(generation: number, key: readonly unknown[], context: CardContext, render: (context: CardContext) => AdaptiveCard): AdaptiveCard {
    const stamp = cardTimestamp(context.syncedAt);
    const renderedKey = `r${JSON.stringify([generation, context.demo, context.staleReason ?? null, stamp === null, ...key])}`;
    const servedKey = `s${renderedKey.slice(1)}@${stamp}`;
    const served = this.use(servedKey);
    if (served !== undefined && 'card' in served) return served.card;

    const kept = this.use(renderedKey);
    let text: string;
    if (kept !== undefined && 'rendered' in kept) {
      text = kept.rendered;
    } else {
      text = JSON.stringify(render(stamp === null ? context : { ...context, syncedAt: STAND_IN_SYNC_TIME }));
      this.remember(renderedKey, { rendered: text, bytes: stringBytes(text) + stringBytes(renderedKey) + ENTRY_OVERHEAD_BYTES });
    }
    const json = stamp === null ? text : text.replaceAll(STAND_IN_STAMP, stamp);
    const fresh = deepFreeze(JSON.parse(json) as AdaptiveCard);
    this.jsonByCard.set(fresh, json);
    this.remember(servedKey, {
      card: fresh,
      bytes: stringBytes(json) + json.length * PARSED_BYTES_PER_JSON_CHAR + stringBytes(servedKey) + ENTRY_OVERHEAD_BYTES,
    });
    return fresh;
  }

  /** The JSON text of a card this cache served, or undefined for any other value. */
  jsonOf(value: object): string | undefined {
    return this.jsonByCard.get(value);
  }

  /** The estimated bytes the kept entries hold; never above the budget. */
  get byteCount(): number {
    return this.bytes;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The entry, moved to the most recently used end. */
  private use(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  private remember(key: string, entry: Entry): void {
    // A card bigger than the whole budget is served but not kept.
    if (entry.bytes > this.maxBytes) return;
    const previous = this.entries.get(key);
    if (previous !== undefined) {
      this.entries.delete(key);
      this.bytes -= previous.bytes;
    }
    while (this.bytes + entry.bytes > this.maxBytes) {
      const [oldestKey, oldest] = this.entries.entries().next().value as [string, Entry];
      this.entries.delete(oldestKey);
      this.bytes -= oldest.bytes;
    }
    this.entries.set(key, entry);
    this.bytes += entry.bytes;
  }
}

/** What V8 spends on a string's characters: one byte each when all are Latin-1, else two. */
function stringBytes(text: string): number {
  // eslint-disable-next-line no-control-regex
  return /[^\u0000-\u00ff]/.test(text) ? text.length * 2 : text.length;
}
