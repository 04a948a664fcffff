/**
 * A page of the media list, grouped by kind, with each package's build, release and how current it is;
 * Previous and Next carry the filter. A filter that matches nothing shares one rendering (withListFilter).
 */
import { comparePackages, formatBuild, type MediaPackage, type PackageKind } from '../../services/media/media-package';
import { countOf } from '../card-formatting';
import { freshnessBadge } from '../freshness-text';
import { render, type AdaptiveCard, type CardContext } from '../kit/adaptive-card';
import { escapeText, shorten } from '../kit/text';
import { driftCount } from '../share-facts';
import { cutListFilter, openData } from './list-place';
import { kindHeadings, kindOrder, kindSingular, mediaNoun } from './media-kinds';
import { listFilterShown, MAX_NAME_IN_TABLE, releaseNotes } from './package-rows';
import mediaListTemplate from './list-card.template.json';

export const DEFAULT_LIST_PAGE_SIZE = 20;
/** 30 rows of the longest names, filter and stale reason still fit under Teams' 28 KB per message (a test proves it). */
export const MAX_LIST_PAGE_SIZE = 30;

export function mediaListCard(
  view: { packages: readonly MediaPackage[]; filter: string; kind?: PackageKind; page: number; pageSize?: number },
  context: CardContext,
): AdaptiveCard {
  const pageSize = view.pageSize ?? DEFAULT_LIST_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_LIST_PAGE_SIZE) {
    throw new RangeError(`pageSize must be a whole number from 1 to ${MAX_LIST_PAGE_SIZE}, not ${pageSize}`);
  }
  const filter = cutListFilter(view.filter);
  const sorted = [...view.packages].sort(comparePackages);
  const total = sorted.length;
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  // The page number comes back from a button, possibly after the inventory shrank: show the nearest page.
  const page = Number.isFinite(view.page) ? Math.min(Math.max(Math.floor(view.page), 0), pageCount - 1) : 0;
  const onPage = sorted.slice(page * pageSize, (page + 1) * pageSize);
  const shownFilter = listFilterShown(filter);

  const totals = kindOrder
    .map((kind) => ({ kind, count: sorted.filter((pkg) => pkg.kind === kind).length }))
    .filter(({ count }) => count > 0);
  const summary = [
    ...(pageCount > 1 ? [`Page ${page + 1} of ${pageCount}`] : []),
    countOf(total, 'package'),
  ].join(' · ');

  const noun = mediaNoun(view.kind);
  const what = view.kind ? kindSingular[view.kind] : 'package';
  return render(mediaListTemplate, context, { showFreshness: true }, {
    title: filter ? `${noun} matching "${shownFilter}"` : `${noun} on the site`,
    summary,
    hasPackages: total > 0,
    isEmpty: total === 0,
    emptyText: filter
      ? `No ${what} matches "${shownFilter}"; type "list" to see all media.`
      : view.kind
        ? `The site has no ${kindHeadings[view.kind]}; type "list" to see all media.`
        : 'The site has no OS upgrade packages or OS images.',
    groups: kindOrder
      .map((kind) => ({ kind, rows: onPage.filter((pkg) => pkg.kind === kind) }))
      .filter(({ rows }) => rows.length > 0)
      .map(({ kind, rows }) => ({
        heading: `${kindHeadings[kind]} (${totals.find((t) => t.kind === kind)?.count ?? rows.length})`,
        rows: rows.map((pkg) => {
          const badge = freshnessBadge(pkg.freshness);
          const drift = driftCount(pkg.findings);
          return {
            id: pkg.id,
            openData: openData(pkg.id, { view: 'list', filter, kind: view.kind, page }),
            name: escapeText(shorten(pkg.name, MAX_NAME_IN_TABLE)),
            build: listedBuild(pkg),
            release: pkg.release ?? 'release unknown',
            // In the line under the name, which may wrap, so that the build column never does.
            drift: drift > 0 ? ` · ⚠ ${drift}` : '',
            hasBadge: badge !== undefined,
            badge: badge?.text ?? '',
            badgeColor: badge?.color ?? 'Default',
            badgeWeight: badge?.weight ?? 'Default',
            editions: pkg.editionsState.state === 'known' ? String(pkg.editions.length) : '?',
          };
        }),
      })),
    hasDriftNote: onPage.some((pkg) => driftCount(pkg.findings) > 0),
    driftNote: '⚠ N: findings about the files on the share; open the package, or type "stale" for every package that needs attention.',
    ...releaseNotes(onPage),
    filter,
    kind: view.kind ?? '',
    page,
    hasPrevious: page > 0,
    hasNext: page < pageCount - 1,
    previousPage: page - 1,
    nextPage: page + 1,
  });
}

/**
 * Stands for the filter in a list card that matches nothing, so that one rendering serves every
 * filter (typed random words would otherwise each cost a rendering). Letters only: cutting and
 * escaping leave it as it is.
 */
export const LIST_FILTER_STAND_IN = 'ListFilterStandInQx';

/** The card for `filter` from the JSON of a no-match list card rendered with LIST_FILTER_STAND_IN. */
export function withListFilter(cardJson: string, filter: string): AdaptiveCard {
  const shown = JSON.stringify(listFilterShown(cutListFilter(filter))).slice(1, -1);
  // A function, not a string: in a replacement string "$'" or "$`" would splice parts of the card into the filter.
  return JSON.parse(cardJson.replaceAll(LIST_FILTER_STAND_IN, () => shown)) as AdaptiveCard;
}

/**
 * The list's Build column: ConfigMgr's build, which the badge under it speaks of (it names the files when they
 * differ); the share's, marked so, when ConfigMgr records none.
 */
function listedBuild(pkg: MediaPackage): string {
  if (pkg.build) return formatBuild(pkg.build);
  const judged = pkg.freshness?.judged;
  return judged?.source === 'share' ? `${formatBuild(judged.build)} (share)` : 'unknown';
}
