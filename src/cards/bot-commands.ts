/**
 * The chat commands the bot understands, as the help card explains them and the Teams app manifest's
 * command menu lists them. Kept in one place so that the two never disagree (a test checks it).
 */
export interface BotCommandHelp {
  /** The word the user types first, as in the manifest's command menu. */
  name: string;
  /** Other words that do the same. */
  aliases: readonly string[];
  /** How to type it, e.g. "show [id or name]". */
  usage: string;
  /** What it answers, for a ConfigMgr admin; also the manifest command's description. */
  description: string;
  /** A realistic example a user can copy. */
  example: string;
  /**
   * Whether the Teams command menu lists it. Teams takes at most MAX_MENU_COMMANDS; the help card explains
   * every command. Left out: those the cards' own buttons already reach (job, cancel).
   */
  inMenu: boolean;
}

/** Teams' limit on a command list (manifest 1.24: 12). */
export const MAX_MENU_COMMANDS = 12;

export const botCommands: readonly BotCommandHelp[] = [
  {
    name: 'list',
    aliases: ['media'],
    usage: 'list [text]',
    description: 'Every OS upgrade package and OS image, with id, build.revision, release, editions, how current it is and a ⚠ flag when its files disagree; text filters by name, id, release or build, "images" or "upgrades" by kind.',
    example: 'list 24H2',
    inMenu: true,
  },
  {
    name: 'show',
    aliases: ['build'],
    usage: 'show [id or name]',
    description: 'One package: build and revision, release, how far behind the latest update it is, editions, source path, last refresh, and what its folder on the share really holds.',
    example: 'show PS100012',
    inMenu: true,
  },
  {
    name: 'editions',
    aliases: [],
    usage: 'editions [id or name]',
    description: 'The editions (WIM indexes) of one package: index, name, edition id, architecture, languages, size; ConfigMgr\'s list beside the WIM\'s on the share.',
    example: 'editions Windows 11 24H2',
    inMenu: true,
  },
  {
    name: 'stale',
    aliases: ['behind'],
    usage: 'stale [text]',
    description: 'Every package that is behind the latest update of its release, out of support, or disagrees with its files on the share, worst first; text narrows it like list, "out of support" to media past its end.',
    example: 'stale 24H2',
    inMenu: true,
  },
  {
    name: 'status',
    aliases: [],
    usage: 'status',
    description: 'Whether ConfigMgr answers, when the inventory was last synced and how many packages it holds.',
    example: 'status',
    inMenu: true,
  },
  {
    name: 'refresh',
    aliases: [],
    usage: 'refresh [id or name] [reason]',
    description: "Ask for a refresh of a package's media: approvers approve it on a card, then the bot reloads the image properties, updates the distribution points and follows them to the last one.",
    example: 'refresh PS100012 June cumulative update',
    inMenu: true,
  },
  {
    name: 'jobs',
    aliases: [],
    usage: 'jobs [package]',
    description: "Refresh jobs, the active ones first, then the recent ones; a package narrows it to that package.",
    example: 'jobs PS100012',
    inMenu: true,
  },
  {
    name: 'job',
    aliases: [],
    usage: 'job [job id]',
    description: "One job's timeline: every request, decision and stage, the stage it is at and how many distribution points have the new version.",
    example: 'job K7P2Q',
    inMenu: false,
  },
  {
    name: 'cancel',
    aliases: [],
    usage: 'cancel [job id]',
    description: "Cancel a job you asked for or may approve: at once while it waits, at the next safe point while it runs.",
    example: 'cancel K7P2Q',
    inMenu: false,
  },
  {
    name: 'approvals',
    aliases: [],
    usage: 'approvals here',
    description: "Said by an approver in a channel or group chat: refresh requests are posted there for approval too.",
    example: 'approvals here',
    inMenu: true,
  },
  {
    name: 'subscribe',
    aliases: [],
    usage: 'subscribe [all | failures | approvals | freshness] [package]',
    description: 'Notifications in this chat or channel: all of them, failures, approval news or freshness news (newer revisions, drift, the weekly digest), optionally only for packages matching the words after the topic.',
    example: 'subscribe failures 24H2',
    inMenu: true,
  },
  {
    name: 'unsubscribe',
    aliases: [],
    usage: 'unsubscribe [topic] [package]',
    description: 'Stop notifications in this chat or channel: the topic and package named, or every one of them when nothing is named.',
    example: 'unsubscribe failures 24H2',
    inMenu: true,
  },
  {
    name: 'subscriptions',
    aliases: ['subscription'],
    usage: 'subscriptions',
    description: 'What this chat or channel receives: each subscription with who made it, when a notification last arrived and the last failure with its reason.',
    example: 'subscriptions',
    inMenu: true,
  },
  {
    name: 'help',
    aliases: [],
    usage: 'help',
    description: 'What the bot can do, with examples.',
    example: 'help',
    inMenu: true,
  },
];
