/**
 * The subscriptions card's Unsubscribe button. Its data names a conversation, a topic and a filter;
 * the answer decides from stored state only: the button must come from that very conversation, and
 * the person pressing it must be allowed to change it (the same rule as typing "unsubscribe").
 */
import { threadOf } from '../channel-threads';
import { z } from 'zod';
import { SubscriptionVerbs } from '../../cards/notify/subscriptions-card';
import { TOPICS } from '../../services/notify/notification';
import type { SubscriptionAnswers } from '../answers/subscription-answers';
import { conversationKeyOf } from '../conversation-references';
import { MAX_INVOCATION_ID_LENGTH } from './action-invocation';
import { cardResponse, messageResponse } from './action-response';
import { route, type ActionRoute } from './action-route';

const unsubscribeData = z.object({
  conversationId: z.string().min(1).max(MAX_INVOCATION_ID_LENGTH),
  topic: z.enum(TOPICS),
  filterKey: z.string().regex(/^[0-9a-f]{16}$/),
});

export function subscriptionActionRoutes(answers: SubscriptionAnswers): ActionRoute[] {
  return [
    route({
      verb: SubscriptionVerbs.unsubscribe,
      data: unsubscribeData,
      invalidData: 'This button carries no valid subscription; type "subscriptions" to see what this conversation receives.',
      handle: async (data, invocation) => {
        // Teams refreshing a card by itself is nobody unsubscribing.
        if (invocation.trigger === 'automatic') return messageResponse('Type "subscriptions" to see what this conversation receives.');
        const { actor } = invocation;
        // A channel thread's card belongs to the channel, as its subscriptions do.
        const conversationId = conversationKeyOf(invocation.conversationId, threadOf(invocation.conversationId) !== undefined ? 'channel' : 'unknown');
        const outcome = await answers.unsubscribeFromCard(data, {
          conversationId,
          person: { id: actor.id, name: actor.name, ...(actor.aadObjectId ? { aadObjectId: actor.aadObjectId } : {}) },
        });
        return 'refused' in outcome ? messageResponse(outcome.refused) : cardResponse(outcome.card);
      },
    }),
  ];
}
