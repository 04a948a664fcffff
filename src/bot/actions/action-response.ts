/**
 * What a card button gets back in its invoke response: a card that replaces the one pressed, a
 * message Teams shows in its place, or an error. One set of shapes for every route, so that the
 * registry, the routes and the bot agree on what an answer is.
 */
import type { AdaptiveCard } from '../../cards/kit/adaptive-card';

export type CardActionResponse =
  | { statusCode: 200; type: 'application/vnd.microsoft.card.adaptive'; value: AdaptiveCard }
  | { statusCode: 200; type: 'application/vnd.microsoft.activity.message'; value: string }
  | { statusCode: 400 | 500; type: 'application/vnd.microsoft.error'; value: { code: string; message: string } };

/** Said when a handler failed in a way nobody planned for; the log carries the cause. */
export const FAILED_ACTION_MESSAGE =
  'Something went wrong on the bot side; please try again, and tell your bot administrator if it keeps happening.';

/** The card that replaces the one whose button was pressed. */
export function cardResponse(card: AdaptiveCard): CardActionResponse {
  return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card };
}

/** A sentence Teams shows in place of the card's answer; the card stays as it was. */
export function messageResponse(sentence: string): CardActionResponse {
  return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: sentence };
}

/** The button sent something the bot will not act on: the sentence says what to do instead. */
export function badRequestResponse(sentence: string): CardActionResponse {
  return { statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest', message: sentence } };
}

/** The handler failed unexpectedly. */
export function failedActionResponse(): CardActionResponse {
  return { statusCode: 500, type: 'application/vnd.microsoft.error', value: { code: 'InternalError', message: FAILED_ACTION_MESSAGE } };
}
