/**
 * The media that needs attention (behind, out of support, or disagreeing with its files), worst first,
 * a page at a time, narrowed like the list; each page is kept under Teams' 28 KB whatever the rows hold.
 */
import { worstFirst } from '../../services/media/media-inspection';
import type { MediaPackage, PackageKind } from '../../services/media/media-package';
import { countOf, localisedDateTime } from '../card-formatting';
import { describeVerdictBriefly, freshnessTone } from '../freshness-text';
import { render, type AdaptiveCard, type CardContext } from '../kit/adaptive-card';
import { escapeText, shorten } from '../kit/text';
import { findingLine } from '../share-facts';
import { cutListFilter, openData, pageButtonData, type ListPlace } from './list-place';
import { kindHeadings, kindSingular, mediaNoun } from './media-kinds';
import { candidateRow, listFilterShown, MAX_DATA_WARNING_SHOWN, MAX_NAME_IN_TABLE, releaseNotes } from './package-rows';
import staleTemplate from './stale-card.template.json';

/** Rows on a page of the `stale` card; Previous and Next lead to the others. */
export const MAX_STALE_ROWS = 20;
/**
 * What a `stale` card may weigh: Teams takes under 28 KB per message, envelope included. Rows of
 * ordinary length fit 20 times over; rows of pathological length (every field at its cut) are
 * dropped from the end until the card fits, and counted in "and N more".
 */
const STALE_CARD_BUDGET_BYTES = 27 * 1024;
const MAX_VERDICT_IN_ROW = 200;
const MAX_FINDING_IN_ROW = 200;

/**
 * What a `stale` card shows: the packages that need attention within the view's filter, worst first
 * as given (the caller filters and sorts), a page of MAX_STALE_ROWS at a time.
 */
export interface StaleView {
  packages: readonly MediaPackage[];
  /** Every package on the site. */
  totalPackages: number;
  /** The packages the filter and kind select, needing attention or not (all of them when absent). */
  matching?: number;
  filter?: string;
  kind?: PackageKind;
  /** Only media out of support was asked for ("anything out of support?"). */
  outOfSupport?: boolean;
  page?: number;
}

/**
 * A page of the packages that are behind, out of support or disagree with their files, with Previous
 * and Next. A page stays under 28 KB: rows of pathological length are dropped from its end until it
 * fits, and named by id so that nothing is out of reach.
 */
export function staleCard(view: StaleView, context: CardContext): AdaptiveCard {
  const pageCount = Math.max(1, Math.ceil(view.packages.length / MAX_STALE_ROWS));
  const wanted = view.page ?? 0;
  const page = Number.isFinite(wanted) ? Math.min(Math.max(Math.floor(wanted), 0), pageCount - 1) : 0;
  const onPage = view.packages.slice(page * MAX_STALE_ROWS, (page + 1) * MAX_STALE_ROWS);
  let rows = onPage.length;
  let card = renderStaleCard(view, context, page, pageCount, onPage, rows);
  // Each pass drops rows in proportion to the excess, so two passes are the most it takes in practice.
  for (let size = cardBytes(card); size >= STALE_CARD_BUDGET_BYTES && rows > 1; size = cardBytes(card)) {
    rows = Math.max(1, Math.min(rows - 1, Math.floor((rows * STALE_CARD_BUDGET_BYTES) / size) - 1));
    card = renderStaleCard(view, context, page, pageCount, onPage, rows);
  }
  return card;
}

function renderStaleCard(
  view: StaleView,
  context: CardContext,
  page: number,
  pageCount: number,
  onPage: readonly MediaPackage[],
  rowCount: number,
): AdaptiveCard {
  const count = view.packages.length;
  const filter = cutListFilter(view.filter ?? '');
  const total = Math.max(view.totalPackages, count);
  const matching = Math.max(view.matching ?? total, count);
  const shown = onPage.slice(0, rowCount);
  const cut = onPage.slice(rowCount);
  const asOf = localisedDateTime(context.syncedAt, '');
  const when = asOf ? `, as of ${asOf}` : '';
  const notes = releaseNotes(view.packages);
  const place: ListPlace = { view: 'stale', filter, kind: view.kind, outOfSupport: view.outOfSupport, page };
  const narrowed = filter !== '' || view.kind !== undefined;
  // "packages", "OS images matching "24H2"": what the counts are about.
  const plural = view.kind ? kindHeadings[view.kind] : 'packages';
  const scope = `${plural}${filter ? ` matching "${listFilterShown(filter)}"` : ''}`;
  const one = `${view.kind ? kindSingular[view.kind] : 'package'}${filter ? ` matching "${listFilterShown(filter)}"` : ''}`;
  let summary: string;
  if (count > 0) {
    const paging = pageCount > 1 ? `Page ${page + 1} of ${pageCount} · ` : '';
    let state: string;
    if (!view.outOfSupport) state = `${count === 1 ? 'needs' : 'need'} attention, worst first`;
    else if (count === 1) state = "is out of support (its release's servicing has ended)";
    else state = "are out of support (their releases' servicing has ended)";
    const counted = `${count} of ${matching} ${matching === 1 ? one : scope}`;
    summary = `${paging}${counted} ${state}.${
      notes.hasReleaseNote ? ` ${notes.releaseNote}` : ''
    }`;
  } else if (matching === 0 && filter !== '') {
    summary = `No ${one.split(' matching ')[0]} matches "${listFilterShown(filter)}"; type "stale" to see all media that needs attention.`;
  } else if (matching === 0) {
    summary = view.kind ? `The site has no ${kindHeadings[view.kind]}.` : 'The site has no OS upgrade packages or OS images.';
  } else if (view.outOfSupport) {
    summary = matching === 1 ? `The one ${one} is in support${when}.` : `None of the ${matching} ${scope} is out of support${when}.`;
  } else {
    summary =
      matching === 1
        ? `The one ${one} is current and agrees with its files${when}.`
        : `All ${matching} ${scope} are current and agree with their files${when}.`;
  }
  const title = view.outOfSupport
    ? count > 0 ? `${mediaNoun(view.kind)} out of support` : 'Nothing is out of support'
    : count > 0 ? `${mediaNoun(view.kind)} behind or drifting` : 'Nothing is behind or drifting';
  // The empty state says "as of" itself; a footer would repeat it.
  return render(staleTemplate, context, { showFreshness: count > 0 }, {
    title,
    summary,
    hasDataWarning: notes.hasDataWarning,
    dataWarning: shorten(notes.dataWarning, MAX_DATA_WARNING_SHOWN),
    rows: shown.map((pkg) => {
      const findings = worstFirst(pkg.findings);
      const top = findings[0] ? findingLine(findings[0], MAX_FINDING_IN_ROW) : undefined;
      const others = findings.length - 1;
      return {
        id: pkg.id,
        openData: openData(pkg.id, place),
        name: escapeText(shorten(pkg.name, MAX_NAME_IN_TABLE)),
        details: candidateRow(pkg).details,
        verdict: shorten(describeVerdictBriefly(pkg.freshness), MAX_VERDICT_IN_ROW),
        verdictColor: pkg.freshness ? freshnessTone(pkg.freshness).color : 'Default',
        verdictWeight: pkg.freshness ? freshnessTone(pkg.freshness).weight : 'Default',
        hasFinding: top !== undefined,
        finding: top ? `${top.text}${others > 0 ? ` (and ${countOf(others, 'more finding')})` : ''}` : '',
        findingColor: top?.color ?? 'Default',
      };
    }),
    hasCut: cut.length > 0,
    cutText: `${countOf(cut.length, 'more package')} on this page ${cut.length === 1 ? 'is' : 'are'} too long to show here; open ${
      cut.length === 1 ? 'it' : 'them'
    } by id: ${cut.map((pkg) => pkg.id).join(', ')}.`,
    hasPrevious: page > 0,
    hasNext: page < pageCount - 1,
    previousData: pageButtonData({ ...place, page: page - 1 }),
    nextData: pageButtonData({ ...place, page: page + 1 }),
    // A filter that matches nothing is not worth listing (and its card is shared by every such filter).
    listTitle: narrowed && matching > 0 ? `List all${filter ? ' matching' : ''} ${view.kind ? kindHeadings[view.kind] : 'media'}` : 'List all media',
    listData: pageButtonData(matching > 0 ? { view: 'list', filter, kind: view.kind, page: 0 } : { view: 'list', filter: '', page: 0 }),
  });
}

function cardBytes(card: AdaptiveCard): number {
  return Buffer.byteLength(JSON.stringify(card), 'utf8');
}
