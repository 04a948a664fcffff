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
}

export const botCommands: readonly BotCommandHelp[] = [
  {
    name: 'list',
    aliases: ['media'],
    usage: 'list [text]',
    description: 'Every OS upgrade package and OS image, with id, build.revision, release and editions; text filters by name, id or build.',
    example: 'list 24H2',
  },
  {
    name: 'show',
    aliases: ['build'],
    usage: 'show [id or name]',
    description: 'One package: build and revision, release, editions, source path, source version and last refresh.',
    example: 'show PS100012',
  },
  {
    name: 'editions',
    aliases: [],
    usage: 'editions [id or name]',
    description: 'The editions (WIM indexes) of one package: index, name, edition id, architecture, languages, size.',
    example: 'editions Windows 11 24H2',
  },
  {
    name: 'status',
    aliases: [],
    usage: 'status',
    description: 'Whether ConfigMgr answers, when the inventory was last synced and how many packages it holds.',
    example: 'status',
  },
  {
    name: 'help',
    aliases: [],
    usage: 'help',
    description: 'What the bot can do, with examples.',
    example: 'help',
  },
];
