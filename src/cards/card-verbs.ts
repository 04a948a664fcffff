/**
 * The Action.Execute verbs our cards send and the data each carries. The routes of src/bot/actions
 * (media-actions.ts) use these same constants and parse that data; any other verb is foreign or tampered.
 */
export const CardVerbs = {
  /**
   * Open one package: data { packageId }, and where it was opened from (ListPlace in media/list-place.ts:
   * view, filter, kind, support, page) so that "Back to list" returns there.
   */
  show: 'media.show',
  /** Editions of one package: data as for show. */
  editions: 'media.editions',
  /** A page of the media list: data { filter: string, kind?: 'upgrade' | 'image' | '', page: number } (page is 0-based). */
  listPage: 'media.list',
  /** A page of the media that need attention: data { filter, kind?, support?: 'ended' | '', page }. */
  stalePage: 'media.stale',
  /** Run a chat command as if typed: data { text }, e.g. from help buttons. */
  command: 'bot.command',
} as const;

export type CardVerb = (typeof CardVerbs)[keyof typeof CardVerbs];
