/** A mistyped command word ("lsit", "staus"): the command it most likely meant, as a button. */
import { render, type AdaptiveCard, type CardContext } from '../kit/adaptive-card';
import { escapeText, shorten } from '../kit/text';
import { MAX_FILTER_SHOWN } from './package-rows';
import didYouMeanTemplate from './did-you-mean-card.template.json';

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

/** What a "did you mean" button runs: as long as a typed command may be (bot/actions/media-actions.ts checks it). */
const MAX_COMMAND_IN_BUTTON = 500;
const MAX_BUTTON_TITLE = 60;
