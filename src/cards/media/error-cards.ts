/**
 * Errors as the user sees them: one sentence saying what to do next, and the nearest packages as
 * buttons when the bot can guess what was meant ("No package matches …").
 */
import type { MediaPackage } from '../../services/media/media-package';
import { render, type AdaptiveCard, type CardContext } from '../kit/adaptive-card';
import { defuseLinks, escapeMarkdown, shorten } from '../kit/text';
import { candidateRow, MAX_FILTER_SHOWN } from './package-rows';
import errorTemplate from './error-card.template.json';

export const MAX_SUGGESTIONS = 5;

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
