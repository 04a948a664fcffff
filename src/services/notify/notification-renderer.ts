/**
 * How a notification becomes a message: given to the dispatcher by app.ts (the cards live in
 * src/cards, which the core does not import). A renderer draws each notification once; the
 * dispatcher sends that drawing to every conversation it goes to.
 */
import type { OutgoingMessage } from './deliverer';
import type { NotificationRecord } from './notification';

export interface RenderedNotification {
  /** The card (with its one-line text) every matching conversation gets; a subject's card is updated in place. */
  message: OutgoingMessage;
  /** In a channel, also a short reply in the status card's thread (a job's outcome, @mentioning its requester). */
  threadReply?: OutgoingMessage;
}

export interface NotificationRenderer {
  /** Undefined when there is nothing left to show (the job is gone): the deliveries end without a message. */
  render(notification: NotificationRecord): Promise<RenderedNotification | undefined>;
  /**
   * Whether the conversation already shows the subject another way (the requester's own job card, the
   * approvers' approval card): it then gets no second card.
   */
  alreadyShown?(subject: string, conversationId: string): Promise<boolean>;
}
