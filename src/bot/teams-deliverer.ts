/**
 * The Deliverer port on botbuilder's CloudAdapter: a proactive turn on a stored conversation
 * reference, then send or updateActivity. Errors come back as DeliveryFailed, permanent for the codes
 * Teams means for good (403 blocked or removed, 404 gone), so callers never retry those.
 */
import { CardFactory, MessageFactory, type CloudAdapter, type ConversationReference } from 'botbuilder';
import { DeliveryFailed, type ConversationAddress, type Deliverer, type OutgoingMessage } from '../services/notify/deliverer';

type ActivityDraft = ReturnType<typeof MessageFactory.text>;

function toActivity(message: OutgoingMessage): ActivityDraft {
  const activity = message.card ? MessageFactory.attachment(CardFactory.adaptiveCard(message.card)) : MessageFactory.text(message.text ?? '');
  if (message.card && message.text) activity.text = message.text;
  return activity;
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
    try {
      await this.adapter.continueConversationAsync(this.botAppId, address.reference as Partial<ConversationReference>, async (context) => {
        const sent = await context.sendActivity(toActivity(message));
        activityId = sent?.id || undefined;
      });
    } catch (error) {
      throw failure(error);
    }
    return { activityId };
  }

  async update(address: ConversationAddress, activityId: string, message: OutgoingMessage): Promise<void> {
    try {
      await this.adapter.continueConversationAsync(this.botAppId, address.reference as Partial<ConversationReference>, async (context) => {
        await context.updateActivity({ ...toActivity(message), id: activityId });
      });
    } catch (error) {
      throw failure(error);
    }
  }
}
