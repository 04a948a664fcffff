/**
 * The Deliverer port on botbuilder's CloudAdapter: a proactive turn on a stored conversation
 * reference, then send or updateActivity. Errors come back as DeliveryFailed, permanent for the codes
 * Teams means for good (403 blocked or removed, 404 gone), so callers never retry those. They are caught
 * inside the proactive turn: an error that left it would go to the adapter's onTurnError, which logs it
 * without the job or conversation, swallows it (the caller would think the message delivered) and, for
 * anything but a connector error, posts "something went wrong" into the very conversation.
 */
import { CardFactory, MessageFactory, type CloudAdapter, type ConversationReference, type TurnContext } from 'botbuilder';
import { DeliveryFailed, type ConversationAddress, type Deliverer, type OutgoingMessage } from '../services/notify/deliverer';

type ActivityDraft = ReturnType<typeof MessageFactory.text>;

function toActivity(message: OutgoingMessage): ActivityDraft {
  const activity = message.card ? MessageFactory.attachment(CardFactory.adaptiveCard(message.card)) : MessageFactory.text(message.text ?? '');
  if (message.card && message.text) activity.text = message.text;
  if (message.mentions && message.mentions.length > 0) {
    activity.entities = message.mentions.map((mention) => ({ type: 'mention', text: `<at>${mention.name}</at>`, mentioned: { id: mention.id, name: mention.name } }));
  }
  return activity;
}

/** A channel thread is the channel's conversation id with `;messageid=` and the thread's first message. */
function inThread(address: ConversationAddress, threadActivityId: string): ConversationAddress {
  const conversation = (address.reference.conversation ?? {}) as Record<string, unknown>;
  const channelId = String(conversation.id ?? address.conversationId).split(';messageid=')[0];
  const threadId = `${channelId};messageid=${threadActivityId}`;
  return { conversationId: threadId, reference: { ...address.reference, conversation: { ...conversation, id: threadId } } };
}

function failure(error: unknown): DeliveryFailed {
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  const code = typeof status === 'number' ? status : undefined;
  const permanent = code === 403 || code === 404 || code === 400;
  return new DeliveryFailed(code, permanent, `the channel refused the message${code ? ` (HTTP ${code})` : ''}`, { cause: error });
}

export class TeamsDeliverer implements Deliverer {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly botAppId: string,
  ) {}

  async post(address: ConversationAddress, message: OutgoingMessage): Promise<{ activityId?: string }> {
    let activityId: string | undefined;
    await this.proactively(address, async (context) => {
      const sent = await context.sendActivity(toActivity(message));
      activityId = sent?.id || undefined;
    });
    return { activityId };
  }

  async update(address: ConversationAddress, activityId: string, message: OutgoingMessage): Promise<void> {
    await this.proactively(address, async (context) => {
      await context.updateActivity({ ...toActivity(message), id: activityId });
    });
  }

  async reply(address: ConversationAddress, threadActivityId: string, message: OutgoingMessage): Promise<{ activityId?: string }> {
    return this.post(inThread(address, threadActivityId), message);
  }

  /** Runs `work` in a proactive turn on the conversation; whatever fails, in the turn or before it, is thrown as DeliveryFailed. */
  private async proactively(address: ConversationAddress, work: (context: TurnContext) => Promise<void>): Promise<void> {
    let failed: { error: unknown } | undefined;
    try {
      await this.adapter.continueConversationAsync(this.botAppId, address.reference as Partial<ConversationReference>, async (context) => {
        try {
          await work(context);
        } catch (error) {
          failed = { error };
        }
      });
    } catch (error) {
      throw failure(error);
    }
    if (failed) throw failure(failed.error);
  }
}
