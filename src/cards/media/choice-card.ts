/** Several packages match what `show` or `editions` asked for: one button each, up to a limit. */
import type { MediaPackage } from '../../services/media/media-package';
import { countOf } from '../card-formatting';
import { CardVerbs } from '../card-verbs';
import { render, type AdaptiveCard, type CardContext } from '../kit/adaptive-card';
import { escapeText, shorten } from '../kit/text';
import { candidateRow, MAX_FILTER_SHOWN } from './package-rows';
import choiceTemplate from './choice-card.template.json';

/** Buttons on a choice card; more would make the card a list, which `list` already is. */
export const MAX_CHOICE_BUTTONS = 10;

const verbs = CardVerbs;

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
