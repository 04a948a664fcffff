/**
 * Rendered cards, kept per inventory generation. Template expansion costs milliseconds per card,
 * far more than the rest of a turn, while the same list page or package is asked for again and
 * again between syncs. Each sync changes only the "as of" time on a card, so a card is stored
 * with a stand-in time and the real one is put in when it is served.
 */
import { cardTimestamp } from './card-formatting';
import type { AdaptiveCard, CardContext } from './media-cards';

/** A time no inventory is ever synced at: it marks where the real sync time goes. */
const STAND_IN_SYNC_TIME = new Date('1999-12-31T23:59:58Z');
const STAND_IN_STAMP = cardTimestamp(STAND_IN_SYNC_TIME) as string;

export class CardCache {
  private readonly cards = new Map<string, string>();

  constructor(private readonly capacity: number) {}

  /**
   * The card for `key` in this context: rendered once per generation and context, then served
   * as a fresh copy (callers may change what they get).
   */
  get(generation: number, key: readonly unknown[], context: CardContext, render: (context: CardContext) => AdaptiveCard): AdaptiveCard {
    const stamp = cardTimestamp(context.syncedAt);
    const cacheKey = JSON.stringify([generation, context.demo, context.staleReason ?? null, stamp === null, ...key]);
    let stored = this.cards.get(cacheKey);
    if (stored === undefined) {
      stored = JSON.stringify(render(stamp === null ? context : { ...context, syncedAt: STAND_IN_SYNC_TIME }));
      if (this.cards.size >= this.capacity) this.cards.delete(this.cards.keys().next().value as string);
      this.cards.set(cacheKey, stored);
    }
    return JSON.parse(stamp === null ? stored : stored.replaceAll(STAND_IN_STAMP, stamp)) as AdaptiveCard;
  }
}
