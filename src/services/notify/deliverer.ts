/**
 * The port through which the core reaches a conversation: post a message, update one in place. The
 * bot implements it on the channel's connector (src/bot/teams-deliverer.ts); tests implement it on a
 * connector stub. Cards travel as plain JSON objects, so nothing here knows Adaptive Cards or Teams.
 */

/** Where to deliver: the conversation and the stored reference that reaches it (opaque JSON). */
export interface ConversationAddress {
  conversationId: string;
  reference: Record<string, unknown>;
}

export interface OutgoingMessage {
  /** An Adaptive Card as JSON. */
  card?: Record<string, unknown>;
  /** Plain text (or the text beside a card). */
  text?: string;
}

export interface Deliverer {
  /** Posts a new message; resolves to its activity id when the channel gives one. */
  post(address: ConversationAddress, message: OutgoingMessage): Promise<{ activityId?: string }>;
  /** Replaces a posted message for everyone. */
  update(address: ConversationAddress, activityId: string, message: OutgoingMessage): Promise<void>;
}

/** Sorted so that callers can tell "gone for good" (stop) from "try later". */
export class DeliveryFailed extends Error {
  constructor(
    readonly status: number | undefined,
    readonly permanent: boolean,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DeliveryFailed';
  }
}
