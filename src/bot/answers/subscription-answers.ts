/**
 * The notification commands and the Unsubscribe button → the subscription store → one sentence or the
 * subscriptions card. Who may change what a channel or group chat receives is a setting
 * (CHANNEL_SUBSCRIBERS: anyone in it, or the approvers); a personal chat is its owner's to change.
 * The button is judged like a typed command, from stored state: the clicking person's right, and that
 * the subscription is the clicked conversation's own, so tampered data can remove nothing elsewhere.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AdaptiveCard, CardContext } from '../../cards/kit/adaptive-card';
import { recordedSentence } from '../../cards/jobs/job-text';
import { escapeText, shorten } from '../../cards/kit/text';
import { describeSubscription, filterKeyOf, subscriptionsCard, UNREACHABLE_SENTENCE } from '../../cards/notify/subscriptions-card';
import { getConversation, type ConversationKind } from '../../services/notify/conversation-repository';
import { TOPICS, type Topic } from '../../services/notify/notification';
import { addSubscription, listSubscriptions, normalizeFilter, removeSubscriptions, type Subscription } from '../../services/notify/subscription-repository';
import type { Schema } from '../../services/store/schema';
import type { Command } from '../commands/command';
import { MAX_SUBSCRIPTION_FILTER_LENGTH } from '../commands/subscription-commands';

export type SubscriptionCommand = Extract<Command, { name: 'subscribe' | 'unsubscribe' | 'subscriptions' | 'subscription-words' }>;

export function isSubscriptionCommand(command: Command): command is SubscriptionCommand {
  return command.name === 'subscribe' || command.name === 'unsubscribe' || command.name === 'subscriptions' || command.name === 'subscription-words';
}

/** Who is asking, and in which conversation (its notification key: a channel, not a thread of it). */
export interface SubscriptionTurn {
  conversationId: string;
  kind: ConversationKind;
  person: { id: string; name: string; aadObjectId?: string };
}

export interface SubscriptionReply {
  text?: string;
  card?: AdaptiveCard;
}

/** A conversation holds at most this many subscriptions: more is a script, and the card could not show them. */
export const MAX_SUBSCRIPTIONS_PER_CONVERSATION = 50;
const MAX_TYPED_SHOWN = 60;
const MAX_CREATOR_NAME = 100;
const TOPIC_LIST = 'all, failures, approvals or freshness';

export interface SubscriptionAnswersOptions {
  db: Kysely<Schema>;
  /** CHANNEL_SUBSCRIBERS. */
  channelSubscribers: 'anyone' | 'approvers';
  /** APPROVERS: Azure AD object ids. */
  approvers: readonly string[];
  cardContext: () => CardContext;
  logger: Logger;
  now?: () => Date;
}

export class SubscriptionAnswers {
  constructor(private readonly options: SubscriptionAnswersOptions) {}

  async answer(command: SubscriptionCommand, turn: SubscriptionTurn): Promise<SubscriptionReply> {
    switch (command.name) {
      case 'subscriptions':
        return { card: await this.subscriptionsCard(turn) };
      case 'subscription-words':
        return { text: wordsSentence(command) };
      case 'subscribe': {
        const refusal = this.refusal(turn);
        if (refusal) return { text: refusal };
        return { text: await this.subscribe(command.topic, command.filter, turn) };
      }
      case 'unsubscribe': {
        const refusal = this.refusal(turn);
        if (refusal) return { text: refusal };
        return { text: await this.unsubscribe(command.topic, command.filter, turn) };
      }
    }
  }

  /**
   * The Unsubscribe button of one row. The kind of conversation (and so who may) comes from the store, never
   * the card; a button from another conversation's card, or for a subscription gone since, removes nothing.
   */
  async unsubscribeFromCard(
    data: { conversationId: string; topic: Topic; filterKey: string },
    turn: Omit<SubscriptionTurn, 'kind'>,
  ): Promise<{ card: AdaptiveCard } | { refused: string }> {
    if (data.conversationId !== turn.conversationId) {
      this.options.logger.warn({ conversationId: shorten(turn.conversationId, 80) }, 'an Unsubscribe button named another conversation');
      return { refused: 'This button belongs to another conversation\'s card; type "subscriptions" here to see what this conversation receives.' };
    }
    const stored = await getConversation(this.options.db, turn.conversationId);
    const full: SubscriptionTurn = { ...turn, kind: stored?.kind ?? 'unknown' };
    const refusal = this.refusal(full);
    if (refusal) return { refused: refusal };
    // Only this conversation's own subscriptions are candidates: the key names one of them or nothing.
    const own = await listSubscriptions(this.options.db, turn.conversationId);
    const target = own.find((s) => s.topic === data.topic && filterKeyOf(s.packageFilter) === data.filterKey);
    if (target) {
      await removeSubscriptions(this.options.db, turn.conversationId, { topic: target.topic, packageFilter: target.packageFilter });
      this.options.logger.info({ conversationId: shorten(turn.conversationId, 80), topic: target.topic }, 'unsubscribed from a card');
    }
    // Pressed twice, or removed by someone else meanwhile: the card as it is now says so.
    return { card: await this.subscriptionsCard(full) };
  }

  async subscriptionsCard(turn: SubscriptionTurn): Promise<AdaptiveCard> {
    const [conversation, subscriptions] = await Promise.all([
      getConversation(this.options.db, turn.conversationId),
      listSubscriptions(this.options.db, turn.conversationId),
    ]);
    return subscriptionsCard(
      { conversationId: turn.conversationId, conversation, subscriptions, mayChange: this.refusal(turn) === undefined },
      this.options.cardContext(),
    );
  }

  /** Why this person may not change this conversation's subscriptions; undefined when they may. */
  private refusal(turn: SubscriptionTurn): string | undefined {
    if (turn.kind === 'personal' || this.options.channelSubscribers === 'anyone') return undefined;
    const id = turn.person.aadObjectId?.toLowerCase();
    if (id !== undefined && this.options.approvers.some((approver) => approver.toLowerCase() === id)) return undefined;
    const where = turn.kind === 'groupChat' ? 'group chat' : turn.kind === 'channel' ? 'channel' : 'conversation';
    if (this.options.approvers.length === 0) {
      return `Only approvers may change what this ${where} receives (CHANNEL_SUBSCRIBERS=approvers) and APPROVERS names nobody, so ask your bot administrator.`;
    }
    return `Only the approvers named in APPROVERS may change what this ${where} receives; ask one of them, or type "subscriptions" to see what it receives.`;
  }

  private async subscribe(topic: Topic, filter: string, turn: SubscriptionTurn): Promise<string> {
    const existing = await listSubscriptions(this.options.db, turn.conversationId);
    const key = { topic, packageFilter: normalizeFilter(filter) };
    const described = describeSubscription(key);
    if (existing.some((s) => s.topic === key.topic && s.packageFilter === key.packageFilter)) {
      return `This conversation already receives ${described}; nothing changed.`;
    }
    if (existing.length >= MAX_SUBSCRIPTIONS_PER_CONVERSATION) {
      return `This conversation already has ${existing.length} subscriptions, the most it may have; say "unsubscribe" with a topic to remove some first.`;
    }
    const by = shorten(turn.person.name.trim() || turn.person.id, MAX_CREATOR_NAME);
    const added = await addSubscription(this.options.db, turn.conversationId, key, by, this.now());
    if (!added) return `This conversation already receives ${described}; nothing changed.`;
    this.options.logger.info({ conversationId: shorten(turn.conversationId, 80), topic }, 'subscribed');
    // Silence must not be a surprise: a conversation the bot cannot reach is named now, not after nothing came.
    const conversation = await getConversation(this.options.db, turn.conversationId);
    if (conversation === undefined) return `This conversation is subscribed to ${described}, but ${UNREACHABLE_SENTENCE.charAt(0).toLowerCase()}${UNREACHABLE_SENTENCE.slice(1)}`;
    if (!conversation.enabled) {
      const why = recordedSentence(conversation.disabledReason, 'Teams refused the notifications').replace(/\.+$/, '');
      return `This conversation is subscribed to ${described}, but it stopped receiving notifications (${why}); they resume when the bot is added back here.`;
    }
    const broader = topic !== 'all' && existing.some((s) => s.topic === 'all' && s.packageFilter === '');
    return `This conversation now receives ${described}${broader ? ' (it already receives every notification, so this changes nothing until that one is removed)' : ''}; type "subscriptions" to see all it receives.`;
  }

  private async unsubscribe(topic: Topic | undefined, filter: string, turn: SubscriptionTurn): Promise<string> {
    const which = { ...(topic === undefined ? {} : { topic }), ...(filter.trim() === '' ? {} : { packageFilter: filter }) };
    const removed = await removeSubscriptions(this.options.db, turn.conversationId, which);
    const remaining = await listSubscriptions(this.options.db, turn.conversationId);
    if (removed.length === 0) {
      const asked = topic === undefined && filter.trim() === '' ? 'any notifications' : describeAsked(topic, filter);
      return `There was nothing to remove: this conversation was not subscribed to ${asked}; ${receivesNow(remaining)}.`;
    }
    this.options.logger.info({ conversationId: shorten(turn.conversationId, 80), removed: removed.length }, 'unsubscribed');
    return `This conversation no longer receives ${listed(removed)}; ${receivesNow(remaining)}.`;
  }

  private now(): Date {
    return (this.options.now ?? (() => new Date()))();
  }
}

/** What the unknown or overlong words were, the four topics and an example; or the topic meant. */
function wordsSentence(command: Extract<Command, { name: 'subscription-words' }>): string {
  const example = command.verb === 'subscribe' ? '"subscribe failures 24H2"' : '"unsubscribe failures 24H2", or "unsubscribe" alone for everything';
  if (command.reason === 'too-long') {
    return `A package filter is at most ${MAX_SUBSCRIPTION_FILTER_LENGTH} characters; name a package id or a release instead, for example ${example}.`;
  }
  if (command.suggestion !== undefined) {
    return `Did you mean "${escapeText(shorten(command.suggestion, MAX_TYPED_SHOWN + 20))}"? The topics are ${TOPIC_LIST.replace(' or ', ' and ')}.`;
  }
  return `I can't read "${escapeText(shorten(command.typed, MAX_TYPED_SHOWN))}": after "${command.verb}" say a topic (${TOPIC_LIST}) and optionally a package filter, for example ${example}.`;
}

function describeAsked(topic: Topic | undefined, filter: string): string {
  if (topic !== undefined) return describeSubscription({ topic, packageFilter: filter });
  return `anything for packages matching "${escapeText(shorten(filter.trim(), 60))}"`;
}

/** Up to three, in the order of the topics and then their filters, whatever order the store returned. */
function listed(subscriptions: readonly Subscription[]): string {
  const ordered = [...subscriptions].sort((a, b) => TOPICS.indexOf(a.topic) - TOPICS.indexOf(b.topic) || (a.packageFilter < b.packageFilter ? -1 : a.packageFilter > b.packageFilter ? 1 : 0));
  const shown = ordered.slice(0, 3).map(describeSubscription);
  const more = subscriptions.length - shown.length;
  return `${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
}

function receivesNow(remaining: readonly Subscription[]): string {
  if (remaining.length === 0) return 'it receives no notifications now, and "subscribe" starts them again';
  return `it still receives ${listed(remaining)}`;
}
