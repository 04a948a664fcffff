/** What a chat message asks for: the parser's answer, which the bot turns into a card. */
import type { PackageKind } from '../../services/media/media-package';
import type { Topic } from '../../services/notify/notification';

export type Command =
  | { name: 'help' }
  | { name: 'list'; filter: string; kind?: PackageKind }
  | { name: 'show'; query: string }
  | { name: 'editions'; query: string }
  | { name: 'status' }
  /** `outOfSupport`: only media whose release's servicing has ended ("anything out of support?"). */
  | { name: 'stale'; filter: string; kind?: PackageKind; outOfSupport?: true }
  /** A mistyped command word: `suggestion` is the text with it corrected ("lsit 24H2" → "list 24H2"). */
  | { name: 'did-you-mean'; typed: string; suggestion: string }
  /** A refresh request: the words after "refresh", read by refresh-request.ts against the inventory. */
  | { name: 'refresh'; text: string }
  /** Active and recent jobs, optionally of the packages the filter names. */
  | { name: 'jobs'; filter: string }
  /** One job's timeline; `jobId` as typed (checked by the answer). */
  | { name: 'job'; jobId: string }
  | { name: 'cancel'; jobId: string }
  /** An approver says that approval requests should be posted in this conversation. */
  | { name: 'approvals-here' }
  /**
   * Notification subscriptions of this conversation (subscription-commands.ts): `topic` absent means every
   * topic; `problem` is set instead when the words could not be read, with what to say.
   */
  | { name: 'subscribe'; topic: Topic; filter: string }
  | { name: 'unsubscribe'; topic?: Topic; filter: string }
  | { name: 'subscriptions' }
  /** `subscribe`/`unsubscribe` with words the bot cannot read; `suggestion` when a topic was mistyped. */
  | { name: 'subscription-words'; verb: 'subscribe' | 'unsubscribe'; typed: string; suggestion?: string; reason: 'unknown' | 'too-long' }
  | { name: 'empty' }
  | { name: 'too-long'; length: number }
  | { name: 'unknown'; text: string };

/** The command words and their aliases: the first word of a message, and the subject words questions skip. */
export type Verb = 'help' | 'list' | 'show' | 'editions' | 'status' | 'stale';

export const VERB_ALIASES: Record<string, Verb> = {
  help: 'help', '?': 'help', commands: 'help', hi: 'help', hello: 'help',
  list: 'list', media: 'list', ls: 'list', packages: 'list',
  show: 'show', build: 'show', get: 'show', open: 'show', details: 'show', describe: 'show',
  editions: 'editions', edition: 'editions', indexes: 'editions', indices: 'editions', skus: 'editions',
  status: 'status', health: 'status', ping: 'status', state: 'status',
  stale: 'stale', behind: 'stale', outdated: 'stale', drift: 'stale',
};
