/**
 * `subscriptions`: what this conversation receives, and whether it really does. "I subscribed and then
 * nothing came" must be answerable here: each subscription says when a notification last reached the
 * conversation (or that none has yet) and its last failure with the reason, and a conversation that
 * stopped receiving says so at the top, with why. Filters are the users' words: cut and escaped.
 */
import { createHash } from 'node:crypto';
import type { ConversationRecord } from '../../services/notify/conversation-repository';
import type { Topic } from '../../services/notify/notification';
import type { Subscription } from '../../services/notify/subscription-repository';
import { localisedDateTime } from '../card-formatting';
import { fitCard, recordedSentence } from '../jobs/job-text';
import { render, type AdaptiveCard, type CardContext } from '../kit/adaptive-card';
import { escapeText, shorten } from '../kit/text';
import subscriptionsTemplate from './subscriptions-card.template.json';

/**
 * The verb of the per-row Unsubscribe button: data { conversationId, topic, filterKey }. The filter travels as
 * filterKey (a digest of the stored filter), never as text: a filter is someone's words, and a button's data
 * should carry nothing a reader or another client might interpret.
 */
export const SubscriptionVerbs = { unsubscribe: 'notify.unsubscribe' } as const;

/** The button's name for a stored filter: 16 hex digits of its SHA-256 ('' has one too). */
export function filterKeyOf(packageFilter: string): string {
  return createHash('sha256').update(packageFilter, 'utf8').digest('hex').slice(0, 16);
}

/** What each topic brings, in the words the cards and sentences use. */
export const TOPIC_WORDS: Readonly<Record<Topic, string>> = {
  all: 'every notification',
  failures: 'failures (failed jobs and distribution points)',
  approvals: 'approval news (requests, decisions, expiries)',
  freshness: 'freshness news (newer revisions, drift, the weekly digest)',
};

/** Every filter is shown whole: none is longer (MAX_SUBSCRIPTION_FILTER_LENGTH). */
/** Said where subscriptions exist but no conversation reference was saved (see the bot log for why). */
export const UNREACHABLE_SENTENCE =
  'The bot has not been able to save how to reach this conversation, so nothing can arrive here yet; tell your bot administrator (the bot log says why).';

export const MAX_FILTER_SHOWN = 100;
const MAX_NAME_SHOWN = 80;
/** Rows at most; fewer when long text would outgrow a Teams message. */
export const MAX_SUBSCRIPTION_ROWS = 50;

export interface SubscriptionsView {
  conversationId: string;
  /** The conversation as stored; undefined when the bot has not saved it (yet). */
  conversation?: ConversationRecord;
  subscriptions: readonly Subscription[];
  /** Whether the reader may change them (Unsubscribe buttons); the route checks again on press. */
  mayChange: boolean;
}

/** "failures for packages matching "24H2"", "every notification for every package". */
export function describeSubscription(subscription: { topic: Topic; packageFilter: string }): string {
  const filter = subscription.packageFilter.trim();
  return `${TOPIC_WORDS[subscription.topic]} for ${filter === '' ? 'every package' : `packages matching "${escapeText(shorten(filter, MAX_FILTER_SHOWN))}"`}`;
}

export function subscriptionsCard(view: SubscriptionsView, context: CardContext): AdaptiveCard {
  const stopped = view.conversation !== undefined && !view.conversation.enabled;
  const count = view.subscriptions.length;
  return fitCard([MAX_SUBSCRIPTION_ROWS, 20, 10, 5], (limit) => {
    const shown = view.subscriptions.slice(0, limit);
    return render(subscriptionsTemplate, context, { showFreshness: false }, {
      title: count === 0 ? 'Notifications in this conversation' : `Notifications in this conversation (${count})`,
      isStopped: stopped,
      stoppedText: stopped ? stoppedSentence(view.conversation!) : '',
      // Subscribed, but the bot never saved how to reach the conversation: nothing could arrive, so say so.
      isUnknown: view.conversation === undefined && count > 0,
      unknownText: UNREACHABLE_SENTENCE,
      isEmpty: count === 0,
      emptyText: 'This conversation receives no notifications. Say "subscribe" for all of them, or "subscribe failures 24H2" for failures of the 24H2 media only.',
      conversationId: view.conversationId,
      unsubscribeVerb: SubscriptionVerbs.unsubscribe,
      rows: shown.map((subscription) => ({
        what: capitalised(describeSubscription(subscription)),
        subscribed: `Subscribed ${localisedDateTime(subscription.createdAt, 'at an unknown time')}${subscription.createdBy ? ` by ${escapeText(shorten(subscription.createdBy, MAX_NAME_SHOWN))}` : ''}`,
        delivered: subscription.lastDeliveredAt ? `Last delivered ${localisedDateTime(subscription.lastDeliveredAt, 'at an unknown time')}` : 'Last delivered: nothing yet',
        hasFailure: subscription.lastFailureAt !== null,
        failure: subscription.lastFailureAt
          ? `Last failure ${localisedDateTime(subscription.lastFailureAt, 'at an unknown time')}: ${recordedSentence(subscription.lastFailureReason, 'no reason was recorded')}`
          : '',
        showButton: view.mayChange,
        topic: subscription.topic,
        filterKey: filterKeyOf(subscription.packageFilter),
      })),
      hasMore: count > shown.length,
      more: `… and ${count - shown.length} more, not shown for want of room.`,
      hint: count === 0 ? 'Topics: all, failures, approvals, freshness.' : 'Say "unsubscribe" with a topic and filter to remove one, or "unsubscribe" alone to remove them all.',
    });
  });
}

function stoppedSentence(conversation: ConversationRecord): string {
  const when = localisedDateTime(conversation.disabledAt, 'some time ago');
  const why = recordedSentence(conversation.disabledReason, 'Teams refused the notifications').replace(/\.+$/, '');
  return `This conversation stopped receiving notifications ${when}: ${why}. They resume when the bot is added back.`;
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
