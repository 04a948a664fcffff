/**
 * Rendered cards, kept per inventory generation. Template expansion costs milliseconds per card,
 * far more than the rest of a turn, while the same list page or package is asked for again and
 * again between syncs. A sync that changes nothing changes only the "as of" time on a card, so a
 * card is rendered once with a stand-in time, and each sync's copy is made from that text.
 * Cards handed out are frozen, so that one turn can never change another's answer.
 */
import { deepFreeze } from '../services/deep-freeze';
import { cardTimestamp } from './card-formatting';
import type { AdaptiveCard, CardContext } from './media-cards';

/** A time no inventory is ever synced at: it marks where the real sync time goes. */
const STAND_IN_SYNC_TIME = new Date('1999-12-31T23:59:58Z');
const STAND_IN_STAMP = cardTimestamp(STAND_IN_SYNC_TIME) as string;

export class CardCache {
  /** Card JSON with the stand-in time, per generation, context and key. */
  private readonly rendered = new Map<string, string>();
  /** Frozen cards as served, per the above and the sync time. */
  private readonly served = new Map<string, AdaptiveCard>();
  /** The JSON of each served card, so that a reply can carry it without serializing the card again. */
  private readonly jsonByCard = new WeakMap<object, string>();

  constructor(private readonly capacity: number) {}

  get(generation: number, key: readonly unknown[], context: CardContext, render: (context: CardContext) => AdaptiveCard): AdaptiveCard {
    const stamp = cardTimestamp(context.syncedAt);
    const renderedKey = JSON.stringify([generation, context.demo, context.staleReason ?? null, stamp === null, ...key]);
    const servedKey = `${renderedKey}@${stamp}`;
    const card = this.served.get(servedKey);
    if (card !== undefined) return card;

    let text = this.rendered.get(renderedKey);
    if (text === undefined) {
      text = JSON.stringify(render(stamp === null ? context : { ...context, syncedAt: STAND_IN_SYNC_TIME }));
      this.remember(this.rendered, renderedKey, text);
    }
    const json = stamp === null ? text : text.replaceAll(STAND_IN_STAMP, stamp);
    const fresh = deepFreeze(JSON.parse(json) as AdaptiveCard);
    this.jsonByCard.set(fresh, json);
    this.remember(this.served, servedKey, fresh);
    return fresh;
  }

  /** The JSON text of a card this cache served, or undefined for any other value. */
  jsonOf(value: object): string | undefined {
    return this.jsonByCard.get(value);
  }

  private remember<T>(map: Map<string, T>, key: string, value: T): void {
    if (map.size >= this.capacity) map.delete(map.keys().next().value as string);
    map.set(key, value);
  }
}
