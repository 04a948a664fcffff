/**
 * Domain data → Adaptive Cards. The layout lives in the JSON templates beside this file; this module
 * only decides what the cards say (wording, order, pagination, limits) and binds it with
 * adaptivecards-templating. Every function is pure and synchronous.
 *
 * Values reach the cards through template data only, never by splicing text into the template, so a
 * package named `Lab ${name} {{x}} "q"` comes out verbatim: the templating engine does not evaluate
 * expressions found inside data values (a test holds it to that).
 */
import { worstFirst } from '../services/media/media-inspection';
import { comparePackages, formatBuild, formatFullBuild, type MediaPackage, type PackageKind } from '../services/media/media-package';
import type { SiteStatus } from '../services/site-status';
import type { SiteCatalogStatus } from '../services/releases/release-catalog';
import { botCommands } from './bot-commands';
import { CardVerbs } from './card-verbs';
import { calendarDate, countOf, formatBytes, formatDuration, formatKilobytes, localisedDateTime } from './card-formatting';
import { compareEditions, type EditionRow } from './edition-comparison';
import { defuseLinks, escapeMarkdown, escapeText, shorten } from './kit/text';
import { shownSentence } from './kit/user-facing';
import { render, type AdaptiveCard, type CardContext } from './kit/adaptive-card';
import {
  describeFreshness,
  describeRelease,
  describeVerdictBriefly,
  freshnessBadge,
  freshnessTone,
  readableLine,
  releaseDataNote,
  warningLine,
} from './freshness-text';
import { driftCount, findingLine, findingParts, imageInUse, inspectedImage, inspectionGap, MAX_FINDING_TEXT, shareFacts, UNREADABLE_IMAGE } from './share-facts';
import helpTemplate from './media/help-card.json';
import mediaListTemplate from './media/list-card.json';
import mediaDetailTemplate from './media/detail-card.json';
import editionsTemplate from './media/editions-card.json';
import choiceTemplate from './media/choice-card.json';
import statusTemplate from './media/status-card.json';
import staleTemplate from './media/stale-card.json';
import errorTemplate from './media/error-card.json';
import didYouMeanTemplate from './media/did-you-mean-card.json';

export const DEFAULT_LIST_PAGE_SIZE = 20;
/** 30 rows of the longest names, filter and stale reason still fit under Teams' 28 KB per message (a test proves it). */
export const MAX_LIST_PAGE_SIZE = 30;
/**
 * The list filter is carried by the Previous/Next buttons; longer filters are cut to this so that the
 * card stays under 28 KB. The bot should cut the filter the same way before filtering.
 */
export const MAX_LIST_FILTER_LENGTH = 200;
/** Buttons on a choice card; more would make the card a list, which `list` already is. */
export const MAX_CHOICE_BUTTONS = 10;
export const MAX_SUGGESTIONS = 5;
/**
 * Names longer than this are cut in tables, so that a page can never outgrow 28 KB. ConfigMgr caps
 * package names well below it; the detail card always shows the whole name.
 */
const MAX_NAME_IN_TABLE = 120;
const MAX_FILTER_SHOWN = 120;
/** Rows on a page of the `stale` card; Previous and Next lead to the others. */
export const MAX_STALE_ROWS = 20;
/**
 * What a `stale` card may weigh: Teams takes under 28 KB per message, envelope included. Rows of
 * ordinary length fit 20 times over; rows of pathological length (every field at its cut) are
 * dropped from the end until the card fits, and counted in "and N more".
 */
const STALE_CARD_BUDGET_BYTES = 27 * 1024;
const MAX_VERDICT_IN_ROW = 200;
const MAX_DATA_WARNING_SHOWN = 300;
/** Findings listed on the detail card; more than this is a broken share, and the rest are counted. */
export const MAX_FINDINGS_SHOWN = 12;
const MAX_FINDING_IN_ROW = 200;

const kindHeadings: Record<PackageKind, string> = { upgrade: 'OS upgrade packages', image: 'OS images' };
/** A kind of media as the subject of a sentence: "No OS image matches …". */
const kindSingular: Record<PackageKind, string> = { upgrade: 'OS upgrade package', image: 'OS image' };
const kindLabels: Record<PackageKind, string> = { upgrade: 'OS upgrade package', image: 'OS image' };
const kindOrder: readonly PackageKind[] = ['upgrade', 'image'];

/** ConfigMgr's ActionInProgress codes. */
const actionsInProgress: Record<number, string> = { 1: 'update', 2: 'add', 3: 'delete' };

const verbs = CardVerbs;

export function helpCard(context: CardContext): AdaptiveCard {
  return render(helpTemplate, context, { showFreshness: false }, {
    commands: botCommands.map((command) => ({
      usage: command.usage,
      description: command.description,
      example: command.example,
      aliasNote: command.aliases.length > 0 ? ` · also: ${command.aliases.join(', ')}` : '',
    })),
    buttons: [
      { title: 'List media', text: 'list' },
      { title: 'Behind or drifting', text: 'stale' },
      { title: 'Site status', text: 'status' },
    ],
  });
}

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

/** What a row's Open button carries: the package, and where it is opened from when that fits. */
function openData(packageId: string, place: ListPlace) {
  const data = placeData(place);
  return Buffer.byteLength(JSON.stringify(data.filter), 'utf8') <= MAX_FILTER_BYTES_IN_ROWS ? { packageId, ...data } : { packageId };
}

/** A place as card data: flat strings and a number, as the card-action schema reads them back. */
function placeData(place: ListPlace) {
  return {
    view: place.view,
    filter: shorten(place.filter.trim(), MAX_LIST_FILTER_LENGTH, { ellipsis: '' }),
    kind: place.kind ?? '',
    ...(place.view === 'stale' ? { support: place.outOfSupport ? 'ended' : '' } : {}),
    page: place.page,
  };
}

/** The data of the button that shows `place` again: a list page or a `stale` page. */
function pageButtonData(place: ListPlace) {
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

/** "Media", "OS images", "OS upgrade packages": what a list or stale card is about. */
function mediaNoun(kind: PackageKind | undefined): string {
  return kind ? kindHeadings[kind] : 'Media';
}

export function mediaListCard(
  view: { packages: readonly MediaPackage[]; filter: string; kind?: PackageKind; page: number; pageSize?: number },
  context: CardContext,
): AdaptiveCard {
  const pageSize = view.pageSize ?? DEFAULT_LIST_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_LIST_PAGE_SIZE) {
    throw new RangeError(`pageSize must be a whole number from 1 to ${MAX_LIST_PAGE_SIZE}, not ${pageSize}`);
  }
  const filter = shorten(view.filter.trim(), MAX_LIST_FILTER_LENGTH, { ellipsis: '' });
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
  const shown = JSON.stringify(listFilterShown(shorten(filter.trim(), MAX_LIST_FILTER_LENGTH, { ellipsis: '' }))).slice(1, -1);
  // A function, not a string: in a replacement string "$'" or "$`" would splice parts of the card into the filter.
  return JSON.parse(cardJson.replaceAll(LIST_FILTER_STAND_IN, () => shown)) as AdaptiveCard;
}

function listFilterShown(filter: string): string {
  return escapeText(shorten(filter, MAX_FILTER_SHOWN));
}

export function mediaDetailCard(pkg: MediaPackage, context: CardContext): AdaptiveCard {
  const facts: Array<{ title: string; value: string }> = [
    { title: 'Kind', value: kindLabels[pkg.kind] },
    { title: 'Build', value: describeBuild(pkg) },
    { title: 'Release', value: describeRelease(pkg) },
    { title: 'Version', value: pkg.version ? escapeMarkdown(pkg.version) : '(empty)' },
    { title: 'Language', value: pkg.language ? escapeMarkdown(pkg.language) : '(empty)' },
    { title: 'Editions', value: describeEditions(pkg) },
    { title: 'Source path', value: pkg.sourcePath ? escapeMarkdown(pkg.sourcePath) : '(empty)' },
    { title: 'Source version', value: String(pkg.sourceVersion) },
    { title: 'Source date', value: localisedDateTime(pkg.sourceDate, 'Not known') },
    { title: 'Last refresh', value: localisedDateTime(pkg.lastRefreshTime, 'Not known') },
    { title: 'Size', value: formatKilobytes(pkg.packageSizeKb) },
    { title: 'Site', value: pkg.sourceSite ? escapeMarkdown(pkg.sourceSite) : '(empty)' },
    ...(pkg.manufacturer ? [{ title: 'Manufacturer', value: escapeText(pkg.manufacturer) }] : []),
    ...(pkg.description ? [{ title: 'Description', value: escapeText(pkg.description) }] : []),
  ];
  const gap = inspectionGap(pkg.inspection);
  const share = shareFacts(pkg);
  const findings = worstFirst(pkg.findings);
  const shownFindings = findings.slice(0, MAX_FINDINGS_SHOWN);
  const hiddenFindings = findings.length - shownFindings.length;
  return render(mediaDetailTemplate, context, { showFreshness: true }, {
    id: pkg.id,
    name: escapeText(pkg.name),
    subtitle: `${kindLabels[pkg.kind]} · ${pkg.id}`,
    verdictLines: pkg.freshness
      ? describeFreshness(pkg.freshness, pkg).map((line) => ({ ...line, text: shorten(line.text, MAX_FINDING_TEXT) }))
      : [],
    hasDataWarning: pkg.freshness?.dataWarning !== undefined,
    dataWarning: warningLine(shorten(pkg.freshness?.dataWarning ?? '', MAX_DATA_WARNING_SHOWN)).text,
    hasInspectionGap: gap !== undefined,
    inspectionGap: gap?.text ?? '',
    inspectionGapColor: gap?.color ?? 'Default',
    hasShareFacts: share.length > 0,
    shareFacts: share,
    hasFindingsHeading: findings.length > 0 || pkg.inspection.state === 'inspected',
    findingsHeading:
      findings.length > 0
        ? `Findings (${findings.length}), worst first`
        : 'No findings: ConfigMgr, the install image and the build file agree.',
    findings: [
      ...shownFindings.map((finding) => readableLine(findingLine(finding))),
      ...(hiddenFindings > 0 ? [{ text: `… and ${hiddenFindings} more.`, color: 'Default', weight: 'Default' }] : []),
    ],
    hasActionInProgress: pkg.actionInProgress !== 0,
    actionInProgress: warningLine(
      `ConfigMgr has an action in progress on this package: ${actionsInProgress[pkg.actionInProgress] ?? `code ${pkg.actionInProgress}`}.`,
    ).text,
    facts,
  });
}

export function editionsCard(pkg: MediaPackage, context: CardContext): AdaptiveCard {
  const image = inspectedImage(pkg);
  const comparison = compareEditions(pkg, image?.info?.images);
  const imageName = image ? escapeMarkdown(lastPathSegment(image.relativePath)) : 'install.wim';
  const notes: Array<{ text: string; color: string }> = [];
  switch (pkg.editionsState.state) {
    case 'not-fetched':
      notes.push({ text: "ConfigMgr has not read this package's editions yet (it loads image properties on demand); ask again after the next sync.", color: 'Default' });
      break;
    case 'unreadable':
      notes.push({
        text: `ConfigMgr could not read this package's editions: ${shownSentence(pkg.editionsState.reason, 'its image properties are not readable.', MAX_FINDING_TEXT)}`,
        color: 'Attention',
      });
      break;
    case 'known':
      if (pkg.editions.length === 0) notes.push({ text: 'ConfigMgr lists no editions for this package.', color: 'Default' });
      break;
  }
  const share = wimSection(pkg);
  if (share.note) notes.push(share.note);
  else if (image?.info) {
    const listed = pkg.editionsState.state === 'known' && pkg.editions.length > 0 ? `ConfigMgr lists ${countOf(pkg.editions.length, 'index', 'indexes')}; ` : '';
    notes.push({ text: `${listed}${escapeMarkdown(image.relativePath)} on the share holds ${image.info.images.length}.`, color: 'Default' });
  }
  const usage = editionsUsage(comparison.rows, pkg.editionsInUse);
  if (usage) notes.push({ text: usage, color: 'Default' });

  const reference = referenceBuild(pkg);
  const shown = comparison.rows.slice(0, MAX_EDITION_ROWS);
  const summaryLines: string[] = [];
  if (pkg.packageSizeKb !== undefined) summaryLines.push(`Package size in ConfigMgr: ${formatKilobytes(pkg.packageSizeKb)}.`);
  // What the extra indexes cost is said once, above the rows; the detail card carries those findings.
  const editionFindings = worstFirst(pkg.findings.filter((finding) => EDITIONS_CARD_FINDINGS.has(finding.kind)));
  return render(editionsTemplate, context, { showFreshness: true }, {
    id: pkg.id,
    name: escapeText(pkg.name),
    subtitle: [pkg.id, pkg.build ? formatBuild(pkg.build) : 'build unknown', ...(pkg.release ? [pkg.release] : [])].join(' · '),
    notes,
    findings: editionFindings.map((finding) => findingParts(finding)),
    rows: shown.map((row) => {
      const marks: Array<{ text: string; color: string }> = [];
      if (row.configMgrIndex !== undefined && row.wimIndex !== undefined && row.configMgrIndex !== row.wimIndex) {
        marks.push({ text: `Index ${row.configMgrIndex} in ConfigMgr, ${row.wimIndex} in ${imageName}`, color: 'Attention' });
      }
      if (comparison.wimRead && row.wimIndex === undefined) marks.push({ text: `Not in ${imageName} on the share`, color: 'Attention' });
      if (comparison.configMgrKnown && pkg.editions.length > 0 && row.configMgrIndex === undefined) marks.push({ text: 'Not in ConfigMgr', color: 'Attention' });
      if (row.configMgrName !== undefined) marks.push({ text: `Named ${escapeText(shorten(row.configMgrName, MAX_EDITION_NAME))} in ConfigMgr`, color: 'Default' });
      if (row.version && reference && formatBuild(row.version) !== formatBuild(reference)) marks.push({ text: `Build ${formatBuild(row.version)}`, color: 'Default' });
      return {
        index: String(row.index),
        name: row.name ? escapeText(shorten(row.name, MAX_EDITION_NAME)) : '(no name)',
        details: editionDetails(row),
        inUse: row.inUse === true,
        notInUse: row.inUse === false,
        marks,
        size: row.sizeBytes === undefined ? '—' : formatBytes(row.sizeBytes),
      };
    }),
    hasMoreRows: comparison.rows.length > shown.length,
    moreRows: `… and ${countOf(comparison.rows.length - shown.length, 'more index', 'more indexes')}, not shown.`,
    summaryLines: summaryLines.map((line) => ({ line })),
  });
}

export function choiceCard(
  view: { query: string; command: 'show' | 'editions'; candidates: readonly MediaPackage[] },
  context: CardContext,
): AdaptiveCard {
  const query = escapeText(shorten(view.query.trim(), MAX_FILTER_SHOWN));
  const shown = view.candidates.slice(0, MAX_CHOICE_BUTTONS);
  const more = view.candidates.length - shown.length;
  const example = shown[0] ? `, e.g. "${view.command} ${shown[0].id}"` : '';
  return render(choiceTemplate, context, { showFreshness: true }, {
    title:
      view.candidates.length === 0
        ? `No package matches "${query}"`
        : `${countOf(view.candidates.length, 'package')} ${view.candidates.length === 1 ? 'matches' : 'match'} "${query}"`,
    prompt:
      view.candidates.length === 0
        ? 'Type "list" to see the media on the site.'
        : view.command === 'show'
          ? 'Which one do you want to open?'
          : 'Which package’s editions do you want?',
    verb: view.command === 'show' ? verbs.show : verbs.editions,
    candidates: shown.map((pkg) => ({
      ...candidateRow(pkg),
      buttonTitle: view.command === 'show' ? `Open ${pkg.id}` : `Editions of ${pkg.id}`,
    })),
    hasMore: more > 0,
    moreText: `${more} more ${more === 1 ? 'matches' : 'match'}; type a longer part of the name or the package id${example}.`,
  });
}

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
  const filter = shorten((view.filter ?? '').trim(), MAX_LIST_FILTER_LENGTH, { ellipsis: '' });
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

/**
 * "Did you mean …?" for a mistyped command word: the corrected command as a button that runs it, and
 * help. Both texts are the user's words, so they are cut and escaped like any other.
 */
export function didYouMeanCard(view: { typed: string; suggestion: string }, context?: CardContext): AdaptiveCard {
  const suggestion = shorten(view.suggestion.trim(), MAX_COMMAND_IN_BUTTON, { ellipsis: '' });
  return render(didYouMeanTemplate, context, { showFreshness: false }, {
    message: `I don't know "${escapeText(shorten(view.typed.trim(), MAX_FILTER_SHOWN))}" as a command.`,
    question: `Did you mean "${escapeText(shorten(suggestion, MAX_FILTER_SHOWN))}"?`,
    buttonTitle: shorten(suggestion, MAX_BUTTON_TITLE),
    command: suggestion,
  });
}

/** What a "did you mean" button runs: as long as a typed command may be (card-actions checks it). */
const MAX_COMMAND_IN_BUTTON = 500;
const MAX_BUTTON_TITLE = 60;

function cardBytes(card: AdaptiveCard): number {
  return Buffer.byteLength(JSON.stringify(card), 'utf8');
}

export function statusCard(status: SiteStatus, context: CardContext): AdaptiveCard {
  const headline =
    status.configMgrReachable === true
      ? { text: 'ConfigMgr is answering.', color: 'Good' }
      : status.configMgrReachable === false
        ? { text: 'ConfigMgr is not answering; the bot answers from the last inventory it read.', color: 'Attention' }
        : { text: 'The bot has not reached ConfigMgr yet; the first sync is under way.', color: 'Warning' };
  const interval = countOf(status.syncIntervalMinutes, 'minute');
  const nextSync =
    status.lastSyncAttemptAt instanceof Date && !Number.isNaN(status.lastSyncAttemptAt.getTime())
      ? `Every ${interval}; next around ${localisedDateTime(
          new Date(status.lastSyncAttemptAt.getTime() + status.syncIntervalMinutes * 60_000),
          'not known',
        )}`
      : `Every ${interval}`;
  const facts = [
    { title: 'Site', value: status.demo ? 'Demo site (sample data, no real ConfigMgr)' : 'ConfigMgr site' },
    { title: 'AdminService', value: status.adminServiceUrl || '(not set)' },
    ...(status.lastSyncError ? [{ title: 'Last error', value: escapeMarkdown(status.lastSyncError) }] : []),
    { title: 'Last sync attempt', value: localisedDateTime(status.lastSyncAttemptAt, 'None yet') },
    { title: 'Last successful sync', value: localisedDateTime(status.lastSuccessfulSyncAt, 'None yet') },
    { title: 'Sync took', value: formatDuration(status.lastSyncDurationMs) },
    { title: 'Next sync', value: nextSync },
    {
      title: 'Packages',
      value: `${countOf(status.packageCounts.upgrade, 'OS upgrade package')}, ${countOf(status.packageCounts.image, 'OS image')}`,
    },
    ...(status.skippedRows && status.skippedRows.count > 0 ? [{ title: 'Skipped rows', value: skippedRowsText(status.skippedRows) }] : []),
    ...(status.releaseData ? releaseDataFacts(status.releaseData) : []),
  ];
  return render(statusTemplate, { ...context, demo: context.demo || status.demo }, { showFreshness: false }, {
    headline: headline.text,
    headlineColor: headline.color,
    facts,
  });
}

/** Rows named on the status card (the log names up to ten). */
const MAX_SKIPPED_ROWS_SHOWN = 5;

/** "2 rows from ConfigMgr were skipped: PS100099 (Name missing), OS image row 7 (PackageID missing)." */
function skippedRowsText(skipped: NonNullable<SiteStatus['skippedRows']>): string {
  const named = skipped.examples.slice(0, MAX_SKIPPED_ROWS_SHOWN).map((row) => {
    const which = row.packageId ?? `${kindLabels[row.kind]} row ${row.position ?? '?'}`;
    return `${which} (${row.reason})`;
  });
  const more = skipped.count - named.length;
  const lead = skipped.count === 1 ? '1 row from ConfigMgr was skipped' : `${skipped.count} rows from ConfigMgr were skipped`;
  return `${lead}: ${named.join(', ')}${more > 0 ? `, and ${more} more` : ''}. The other packages are shown as usual.`;
}

function releaseDataFacts(data: NonNullable<SiteStatus['releaseData']>): Array<{ title: string; value: string }> {
  const source = data.source === 'feed' ? 'from RELEASES_FEED_URL' : 'bundled snapshot';
  return [
    { title: 'Release data', value: `As of ${calendarDate(data.asOf)} (${source})${data.warning ? `. ${data.warning}` : ''}` },
    ...(data.lastError ? [{ title: 'Release feed error', value: escapeMarkdown(data.lastError) }] : []),
    ...(data.siteCatalog ? [{ title: 'Site update catalog', value: escapeMarkdown(siteCatalogText(data.siteCatalog, data)) }] : []),
  ];
}

/**
 * What the site's update catalog gave: "2 Windows lines (Windows 11 24H2, Windows 11 25H2), newest KB5129195
 * of 2026-09-14 (Windows 11 24H2); read …", or why the other release data is used instead.
 */
function siteCatalogText(catalog: SiteCatalogStatus, data: NonNullable<SiteStatus['releaseData']>): string {
  const fallback = `${data.source === 'feed' ? 'the release feed' : 'the bundled snapshot'} as of ${calendarDate(data.asOf)}`;
  switch (catalog.state) {
    case 'not read':
      return 'Not read yet: the next sync reads it.';
    case 'failed':
      return `Could not be read (${catalog.lastError}); using ${fallback}.`;
    case 'no windows updates':
      return (
        `The site syncs no Windows cumulative updates (${countOf(catalog.rowsRead, 'update')} read ${localisedDateTime(catalog.readAt, 'not known')}); using ${fallback}.` +
        siteCatalogNotes(catalog)
      );
    case 'used': {
      const newest = catalog.newest ? `, newest ${catalog.newest.kb} of ${calendarDate(catalog.newest.date)} (${catalog.newest.release})` : '';
      return (
        `${countOf(catalog.lines.length, 'Windows line')} (${catalog.lines.join(', ')})${newest}; read ${localisedDateTime(catalog.readAt, 'not known')}; other lines from ${fallback}.` +
        siteCatalogNotes(catalog)
      );
    }
  }
}

function siteCatalogNotes(catalog: Extract<SiteCatalogStatus, { readAt: Date }>): string {
  const notes: string[] = [];
  const unnumbered = catalog.unnumbered.slice(0, 3);
  if (unnumbered.length > 0) {
    const named = unnumbered.map((entry) => `${entry.kb} of ${calendarDate(entry.date)} (${entry.release})`).join(', ');
    notes.push(`Not used for want of a build number in its title or the release data: ${named}.`);
  }
  if (catalog.rejectedRows > 0) notes.push(`${countOf(catalog.rejectedRows, 'row')} could not be trusted and ${catalog.rejectedRows === 1 ? 'was' : 'were'} left out (see the log).`);
  if (catalog.truncated) notes.push('The site listed more updates than the bot reads; the first ones were used.');
  if (catalog.titleFilterRefused) notes.push('The site refused the title filter; the bot read the catalog unfiltered.');
  if (catalog.lastError) notes.push(`The last read failed (${catalog.lastError}); this is the reading before it.`);
  return notes.length === 0 ? '' : ` ${notes.join(' ')}`;
}

export function errorCard(
  view: { message: string; suggestions?: readonly MediaPackage[] },
  context?: CardContext,
): AdaptiveCard {
  const suggestions = (view.suggestions ?? []).slice(0, MAX_SUGGESTIONS);
  return render(errorTemplate, context, { showFreshness: false }, {
    // The sentence is plain text: user words in it are already defused (see noPackageMatchesCard).
    message: escapeMarkdown(view.message),
    hasSuggestions: suggestions.length > 0,
    suggestions: suggestions.map((pkg) => ({ ...candidateRow(pkg), buttonTitle: `Open ${pkg.id}` })),
  });
}

/** "No package matches …": the user's words quoted, shortened and defused, with the nearest names. */
export function noPackageMatchesCard(
  view: { query: string; suggestions: readonly MediaPackage[] },
  context?: CardContext,
): AdaptiveCard {
  // errorCard escapes the whole sentence for markdown; the links are defused here.
  const query = defuseLinks(shorten(view.query.trim(), MAX_FILTER_SHOWN));
  return errorCard(
    {
      message:
        view.suggestions.length > 0
          ? `No package matches "${query}"; did you mean one of these?`
          : `No package matches "${query}"; type "list" to see the site's media.`,
      suggestions: view.suggestions,
    },
    context,
  );
}

// ---------------------------------------------------------------------------------------------

function candidateRow(pkg: MediaPackage): { id: string; name: string; details: string } {
  return {
    id: pkg.id,
    name: escapeText(shorten(pkg.name, MAX_NAME_IN_TABLE)),
    details: [pkg.id, kindLabels[pkg.kind], pkg.build ? formatBuild(pkg.build) : 'build unknown', ...(pkg.release ? [pkg.release] : [])].join(
      ' · ',
    ),
  };
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

/** The release data's date (once per card) and its age warning, from the packages that carry a verdict. */
function releaseNotes(packages: readonly MediaPackage[]) {
  const note = releaseDataNote(packages);
  return {
    hasReleaseNote: note !== undefined,
    releaseNote: note ? `Freshness against the latest updates known as of ${note.asOf}.` : '',
    hasDataWarning: note?.warning !== undefined,
    dataWarning: warningLine(shorten(note?.warning ?? '', MAX_DATA_WARNING_SHOWN)).text,
  };
}

/** The heading over the WIM's images on the editions card, and why they are missing when they are. */
function wimSection(pkg: MediaPackage): { heading: string; note?: { text: string; color: string } } {
  const gap = inspectionGap(pkg.inspection);
  if (gap) return { heading: 'On the share', note: gap };
  const image = inspectedImage(pkg);
  if (!image) return { heading: 'On the share', note: { text: 'No install.wim, install.esd or install.swm was found.', color: 'Attention' } };
  const path = escapeMarkdown(image.relativePath);
  if (!image.info) return { heading: `In ${path} on the share`, note: { text: `It could not be read: ${shownSentence(image.error, UNREADABLE_IMAGE, MAX_FINDING_TEXT)}`, color: 'Attention' } };
  return {
    heading: `In ${path} on the share (${countOf(image.info.images.length, 'index', 'indexes')})`,
    ...(image.info.images.length === 0 ? { note: { text: 'The WIM lists no images.', color: 'Attention' } } : {}),
  };
}

/** Findings about which editions the media holds; the detail card shows the rest. */
const EDITIONS_CARD_FINDINGS: ReadonlySet<string> = new Set(['edition-moved', 'editions-mismatch', 'missing-editions-in-use']);
/** A WIM rarely holds more than 11 images; 20 rows of the longest names and marks stay under Teams' 28 KB (a test holds it). */
export const MAX_EDITION_ROWS = 20;
/** Image names run to about 60 characters; with 20 rows, longer ones are cut to keep the card under 28 KB. */
const MAX_EDITION_NAME = 80;
const MAX_LANGUAGES_SHOWN = 3;

/**
 * What the indexes cost, said once: with EDITIONS_IN_USE, what the ones not in use take; without it, the
 * total, and plainly that the bot does not know which index is deployed.
 */
function editionsUsage(rows: readonly EditionRow[], editionsInUse: readonly string[] | undefined): string | undefined {
  if (rows.length === 0) return undefined;
  const sum = (list: readonly EditionRow[]) => list.reduce((total, row) => total + (row.sizeBytes ?? 0), 0);
  const sized = (list: readonly EditionRow[]) => list.filter((row) => row.sizeBytes !== undefined);
  const unsized = (list: readonly EditionRow[]) => (sized(list).length < list.length ? ` (${list.length - sized(list).length} without a recorded size)` : '');
  if (editionsInUse === undefined) {
    if (rows.length === 1) return 'The media carries a single index, so nothing beyond it adds to the image.';
    const total = sized(rows).length > 0 ? `, ${formatBytes(sum(rows))} expanded in all${unsized(rows)}` : ', none with a recorded size';
    return `${rows.length} indexes${total}. Which of them this site deploys is not configured (EDITIONS_IN_USE), so none is called extra.`;
  }
  const policy = `EDITIONS_IN_USE: ${escapeMarkdown(shorten(editionsInUse.join(', '), MAX_FILTER_SHOWN))}`;
  const notInUse = rows.filter((row) => row.inUse === false);
  if (notInUse.length === rows.length) return `None of these is in use here (${policy}).`;
  if (notInUse.length === 0) return `Every index is in use here (${policy}).`;
  const cost = sized(notInUse).length > 0 ? `take ${formatBytes(sum(notInUse))} expanded${unsized(notInUse)}` : 'have no recorded size';
  return (
    `${notInUse.length} of ${rows.length} indexes ${notInUse.length === 1 ? 'is' : 'are'} not in use here (${policy}) and ${cost}; ` +
    'removing them shrinks the file by less, because the WIM stores shared files once.'
  );
}

/** "Enterprise · x64 · en-US, de-DE +2", or a dash when nothing is known. */
function editionDetails(row: EditionRow): string {
  const languages =
    row.languages.length > MAX_LANGUAGES_SHOWN
      ? `${row.languages.slice(0, MAX_LANGUAGES_SHOWN).join(', ')} +${row.languages.length - MAX_LANGUAGES_SHOWN}`
      : row.languages.join(', ');
  const parts = [row.editionId, row.architecture, languages].filter((part): part is string => part !== undefined && part !== '');
  return parts.length > 0 ? escapeMarkdown(shorten(parts.join(' · '), MAX_EDITION_NAME)) : '—';
}

/** The build the rows are read against: the compared image's, else ConfigMgr's; a row says its own only when it differs. */
function referenceBuild(pkg: MediaPackage) {
  const info = inspectedImage(pkg)?.info;
  return (info ? imageInUse(pkg, info)?.version : undefined) ?? pkg.build;
}

function lastPathSegment(relativePath: string): string {
  const parts = relativePath.split(/[\\/]/);
  return parts[parts.length - 1] || relativePath;
}

function describeBuild(pkg: MediaPackage): string {
  if (!pkg.build) return 'Not known: ImageOSVersion is empty and Version does not read as a build number';
  const source = pkg.buildSource ? `, from ${pkg.buildSource}` : '';
  return `${formatBuild(pkg.build)} (${formatFullBuild(pkg.build)}${source})`;
}

function describeEditions(pkg: MediaPackage): string {
  switch (pkg.editionsState.state) {
    case 'not-fetched':
      return 'Not read yet';
    case 'unreadable':
      return `Unreadable: ${shownSentence(pkg.editionsState.reason, 'the image properties are not readable.', MAX_FINDING_TEXT)}`;
    case 'known': {
      if (pkg.editions.length === 0) return '0 (ConfigMgr lists none)';
      const names = [...pkg.editions].sort((a, b) => a.index - b.index).map((edition) => edition.name);
      return `${pkg.editions.length}: ${escapeText(names.join(', '))}`;
    }
  }
}

