/**
 * Where the bot can speak later: every turn (a message, a button, the bot joining or leaving) saves
 * its conversation's reference with the latest service URL, since Teams may move a conversation, and
 * the dispatcher needs it to post notifications. Saving on every turn must cost nothing on a busy
 * chat, so a reference is written only when it differs from the one this process last wrote (a small
 * bounded memory), or after a while, in case another path (a 403, another instance) changed the row;
 * installs and removals are always written. A channel is one conversation whatever thread a turn
 * comes from: its key drops the thread's `;messageid=`, so notifications start new posts. A failed
 * write is logged and never fails the turn: the next turn tries again.
 */
import { channelOf } from './channel-threads';
import { TurnContext, type Activity } from 'botbuilder';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { shorten } from '../cards/kit/text';
import { disableConversation, saveConversation, type ConversationKind } from '../services/notify/conversation-repository';
import type { Schema } from '../services/store/schema';

/** The reason a removed bot's conversation stops receiving, as `status` and `subscriptions` show it. */
export const REMOVED_REASON = 'the bot was removed from this conversation';
/** Conversations remembered as saved; the oldest is forgotten first. */
export const DEFAULT_REMEMBERED_CONVERSATIONS = 5_000;
/** After this long a turn writes the reference again even if nothing changed. */
export const DEFAULT_REWRITE_AFTER_MS = 15 * 60_000;
/** Longer than any id Teams sends; a longer one is not saved. */
const MAX_CONVERSATION_ID_LENGTH = 512;
const MAX_NAME_LENGTH = 200;

export interface ConversationReferencesOptions {
  db: Kysely<Schema>;
  logger: Logger;
  /** The bot's identity: with a MicrosoftAppId the connector must be reached over https. */
  identity: { appId: string };
  rememberedConversations?: number;
  rewriteAfterMs?: number;
  now?: () => Date;
}

/** What a turn means for its conversation. */
type TurnMeaning = 'turn' | 'added' | 'removed';

/** The conversation a turn belongs to as notifications address it: a channel thread's channel. */
export function conversationKeyOf(conversationId: string, kind: ConversationKind): string {
  return kind === 'channel' ? channelOf(conversationId) : conversationId;
}

/** The conversation's kind as Teams names it; anything else (an old client, a tampered value) is 'unknown'. */
export function conversationKindOf(activity: Partial<Activity>): ConversationKind {
  const type = asRecord(activity.conversation).conversationType;
  return type === 'personal' || type === 'groupChat' || type === 'channel' ? type : 'unknown';
}

export class ConversationReferences {
  private readonly saved = new Map<string, { fingerprint: string; at: number }>();
  private readonly limit: number;
  private readonly rewriteAfterMs: number;
  private readonly now: () => Date;

  constructor(private readonly options: ConversationReferencesOptions) {
    this.limit = Math.max(1, options.rememberedConversations ?? DEFAULT_REMEMBERED_CONVERSATIONS);
    this.rewriteAfterMs = options.rewriteAfterMs ?? DEFAULT_REWRITE_AFTER_MS;
    this.now = options.now ?? (() => new Date());
  }

  /** Saves (or disables) the turn's conversation as the turn says; never throws. */
  async noteTurn(context: TurnContext): Promise<void> {
    try {
      await this.note(context.activity);
    } catch (error) {
      this.options.logger.warn({ err: error, activityType: String(context.activity?.type).slice(0, 40) }, 'could not save the conversation reference');
    }
  }

  private async note(activity: Partial<Activity>): Promise<void> {
    const rawId = asRecord(activity.conversation).id;
    if (typeof rawId !== 'string' || rawId === '' || rawId.length > MAX_CONVERSATION_ID_LENGTH) return;
    const kind = conversationKindOf(activity);
    const conversationId = conversationKeyOf(rawId, kind);
    const meaning = meaningOf(activity);
    const at = this.now();

    if (meaning === 'removed') {
      this.saved.delete(conversationId);
      const stopped = await disableConversation(this.options.db, conversationId, REMOVED_REASON, at);
      this.options.logger.info({ conversationId: shorten(conversationId, 80), kind, stopped }, 'the bot was removed: the conversation stops receiving');
      return;
    }

    const serviceUrl = typeof activity.serviceUrl === 'string' ? activity.serviceUrl : '';
    if (serviceUrl === '') return;
    if (this.options.identity.appId !== '' && !/^https:\/\//i.test(serviceUrl)) {
      this.options.logger.warn(
        { conversationId: shorten(conversationId, 80), serviceUrl: shorten(serviceUrl, 100) },
        'refused a conversation reference whose service URL is not https: a bot with a MicrosoftAppId sends its token only over https',
      );
      return;
    }

    const reference = referenceOf(activity, conversationId);
    const name = nameOf(activity);
    // Who spoke is left out: in a channel every speaker would otherwise cost a write, and a notification is from nobody.
    const fingerprint = JSON.stringify([{ ...reference, user: undefined }, kind, name ?? null]);
    const known = this.saved.get(conversationId);
    if (meaning === 'turn' && known && known.fingerprint === fingerprint && at.getTime() - known.at < this.rewriteAfterMs) return;

    await saveConversation(this.options.db, { conversationId, reference, kind, ...(name === undefined ? {} : { name }), at });
    this.remember(conversationId, fingerprint, at.getTime());
    if (meaning === 'added') this.options.logger.info({ conversationId: shorten(conversationId, 80), kind }, 'the bot was added: the conversation receives notifications');
  }

  private remember(conversationId: string, fingerprint: string, at: number): void {
    // Re-inserted at the end: the Map's order is the order of last writes, oldest first.
    this.saved.delete(conversationId);
    this.saved.set(conversationId, { fingerprint, at });
    while (this.saved.size > this.limit) {
      const oldest = this.saved.keys().next().value;
      if (oldest === undefined) break;
      this.saved.delete(oldest);
    }
  }
}

/**
 * Install and uninstall events, read defensively (their fields are the channel's to get wrong):
 * installationUpdate 'add' (or 'add-upgrade') and the bot among conversationUpdate's membersAdded
 * add it; installationUpdate 'remove' and the bot among membersRemoved remove it.
 */
function meaningOf(activity: Partial<Activity>): TurnMeaning {
  if (activity.type === 'installationUpdate') {
    const action = (activity as { action?: unknown }).action;
    if (action === 'remove') return 'removed';
    if (action === 'add' || action === 'add-upgrade') return 'added';
    return 'turn';
  }
  if (activity.type === 'conversationUpdate') {
    const botId = asRecord(activity.recipient).id;
    if (typeof botId !== 'string' || botId === '') return 'turn';
    const names = (members: unknown) => Array.isArray(members) && members.some((member) => asRecord(member).id === botId);
    if (names(activity.membersRemoved)) return 'removed';
    if (names(activity.membersAdded)) return 'added';
  }
  return 'turn';
}

/** The reference to continue the conversation later: no activity id (a notification replies to nothing), the channel's id for a thread. */
function referenceOf(activity: Partial<Activity>, conversationId: string): Record<string, unknown> {
  const reference = TurnContext.getConversationReference(activity) as Record<string, unknown>;
  delete reference.activityId;
  const conversation = asRecord(reference.conversation);
  return { ...reference, conversation: { ...conversation, id: conversationId } };
}

/** The conversation's name when Teams gives one (group chats; a channel's in channelData). */
function nameOf(activity: Partial<Activity>): string | undefined {
  const candidates = [asRecord(activity.conversation).name, asRecord(asRecord(activity.channelData).channel).name];
  const name = candidates.find((value): value is string => typeof value === 'string' && value.trim() !== '');
  return name === undefined ? undefined : shorten(name.trim(), MAX_NAME_LENGTH);
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
