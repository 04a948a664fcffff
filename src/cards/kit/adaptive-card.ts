/**
 * The frame every card shares: the Adaptive Card type, what a card knows of the site (CardContext), and
 * render, which binds a card's template with adaptivecards-templating between the shared banner (demo
 * site, ConfigMgr not answering) and the "as of" footer. The card modules decide what the cards say;
 * layout lives in the JSON templates beside them, named <card>.template.json: a list-card.json would
 * shadow list-card.ts wherever ts-node runs the sources (Node tries .json before .ts). Every function
 * is pure and synchronous.
 *
 * Values reach the cards through template data only, never by splicing text into the template, so a
 * package named `Lab ${name} {{x}} "q"` comes out verbatim: the templating engine does not evaluate
 * expressions found inside data values (a test holds it to that).
 */
import { Template } from 'adaptivecards-templating';
import { localisedDateTime } from '../card-formatting';
import { CardVerbs } from '../card-verbs';
import { JobVerbs } from '../jobs/job-verbs';
import { escapeMarkdown, shorten } from './text';
import contextBannerTemplate from './context-banner.template.json';
import freshnessFooterTemplate from './freshness-footer.template.json';

export type AdaptiveCard = { type: 'AdaptiveCard'; version: string; [key: string]: unknown };

export interface CardContext {
  /** Every card shows a clear "Demo site" label when true. */
  demo: boolean;
  /** When ConfigMgr last answered a full sync; the data cards say "as of <time>, from ConfigMgr". */
  syncedAt: Date | null;
  /**
   * Set when ConfigMgr is unreachable (the last sync's one-line error, no secrets): the card says the
   * inventory may be old and shows this as the last error.
   */
  staleReason?: string;
}

const MAX_STALE_REASON_SHOWN = 300;

const verbs = CardVerbs;
const jobVerbs = JobVerbs;

function contextData(context: CardContext | undefined, showFreshness: boolean) {
  const demo = context?.demo === true;
  const stale = typeof context?.staleReason === 'string';
  const staleReason = escapeMarkdown(shorten(context?.staleReason?.trim() ?? '', MAX_STALE_REASON_SHOWN));
  const source = demo ? 'the demo site' : 'ConfigMgr';
  const syncedAt = context?.syncedAt ?? null;
  const asOf = localisedDateTime(syncedAt, '');
  return {
    demo,
    stale,
    showBanner: demo || stale,
    staleText: asOf
      ? `ConfigMgr is not answering; this is the inventory as of ${asOf}.`
      : 'ConfigMgr is not answering and no sync has succeeded yet, so the bot knows no media so far.',
    hasStaleReason: stale && staleReason !== '',
    staleReason,
    // The stale banner already says how old the data is.
    showFreshness: showFreshness && context !== undefined && !stale,
    freshness: asOf ? `As of ${asOf}, from ${source}.` : `Not synced from ${source} yet.`,
  };
}

export type TemplateJson = { body: unknown[]; [key: string]: unknown };

export function render(
  template: TemplateJson,
  context: CardContext | undefined,
  options: { showFreshness: boolean },
  data: Record<string, unknown>,
): AdaptiveCard {
  // Compose a fresh object each time: the shared banner and footer frame every card's own body.
  const composed = { ...template, body: [contextBannerTemplate, ...template.body, freshnessFooterTemplate] };
  const card = new Template(composed).expand({
    $root: { ...data, verbs, jobVerbs, context: contextData(context, options.showFreshness) },
  }) as AdaptiveCard;
  return card;
}
