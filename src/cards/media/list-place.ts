/**
 * Where a package was opened from (a page of the list or of `stale`, with its filter), as the cards'
 * buttons carry it: the list and stale rows' Open buttons, their Previous and Next, and the package
 * cards' "Back to list". bot/actions/media-actions.ts reads the same data back, so its shape is decided here only.
 */
import type { PackageKind } from '../../services/media/media-package';
import { CardVerbs } from '../card-verbs';
import type { AdaptiveCard } from '../kit/adaptive-card';
import { shorten } from '../kit/text';

/**
 * The list filter is carried by the Previous/Next buttons; longer filters are cut to this so that the
 * card stays under 28 KB. The bot should cut the filter the same way before filtering.
 */
export const MAX_LIST_FILTER_LENGTH = 200;

/** The filter as the cards carry and show it: trimmed and cut to MAX_LIST_FILTER_LENGTH, without an ellipsis. */
export function cutListFilter(filter: string): string {
  return shorten(filter.trim(), MAX_LIST_FILTER_LENGTH, { ellipsis: '' });
}

const verbs = CardVerbs;

/**
 * Where a package was opened from: a page of the list or of the `stale` view, with its filter. The
 * Open buttons carry it, and the package's cards lead back there ("Back to list").
 */
export interface ListPlace {
  view: 'list' | 'stale';
  filter: string;
  kind?: PackageKind;
  /** The `stale` view of media out of support only. */
  outOfSupport?: boolean;
  page: number;
}

/**
 * A filter longer than this (as JSON) is not carried by each row's Open button: 30 rows of a long
 * filter would outgrow 28 KB. Such a package's "Back to list" goes to the whole list; real filters
 * ("24H2 enterprise", "server 2022") are far shorter.
 */
const MAX_FILTER_BYTES_IN_ROWS = 60;

/**
 * What a row's Open button carries: the package, and where it is opened from when that fits. From the
 * first page of the whole list it carries the package alone: "Back to list" leads there anyway, and the
 * most common card stays as small as before places existed (every byte is written on every turn).
 */
export function openData(packageId: string, place: ListPlace) {
  if (isWholeListStart(place)) return { packageId };
  const data = placeData(place);
  return Buffer.byteLength(JSON.stringify(data.filter), 'utf8') <= MAX_FILTER_BYTES_IN_ROWS ? { packageId, ...data } : { packageId };
}

function isWholeListStart(place: ListPlace): boolean {
  return place.view === 'list' && cutListFilter(place.filter) === '' && place.kind === undefined && place.page === 0;
}

/** A place as card data: flat strings and a number, as the card-action schema reads them back. */
function placeData(place: ListPlace) {
  return {
    view: place.view,
    filter: cutListFilter(place.filter),
    kind: place.kind ?? '',
    ...(place.view === 'stale' ? { support: place.outOfSupport ? 'ended' : '' } : {}),
    page: place.page,
  };
}

/** The data of the button that shows `place` again: a list page or a `stale` page. */
export function pageButtonData(place: ListPlace) {
  const { view: _view, ...data } = placeData(place);
  return data;
}

/**
 * A package's card (detail or editions, as kept in the card cache) whose "Back to list" returns to
 * `place`, and whose buttons to the package's other card carry it on. Only the top-level actions
 * change: the kept card is shared and frozen, so the result is a new object around its body.
 */
export function withBackTo(card: AdaptiveCard, place: ListPlace): AdaptiveCard {
  const actions = card.actions;
  if (!Array.isArray(actions)) return card;
  const back = pageButtonData(place);
  return {
    ...card,
    actions: actions.map((action: Record<string, unknown>) => {
      if (action.verb === verbs.listPage) {
        return place.view === 'list' ? { ...action, data: back } : { ...action, verb: verbs.stalePage, data: back };
      }
      if (action.verb === verbs.show || action.verb === verbs.editions) {
        return { ...action, data: { ...(action.data as object), ...placeData(place) } };
      }
      return action;
    }),
  };
}
