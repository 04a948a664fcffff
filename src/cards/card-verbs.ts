/**
 * The Action.Execute verbs our cards send and the data each carries. src/bot/card-actions.ts
 * handles exactly these; anything else is a foreign or tampered action.
 */
export const CardVerbs = {
  /** Open one package: data { packageId }. */
  show: 'media.show',
  /** Editions of one package: data { packageId }. */
  editions: 'media.editions',
  /** A page of the media list: data { filter: string, page: number } (page is 0-based). */
  listPage: 'media.list',
  /** Run a chat command as if typed: data { text }, e.g. from help buttons. */
  command: 'bot.command',
} as const;

export type CardVerb = (typeof CardVerbs)[keyof typeof CardVerbs];
