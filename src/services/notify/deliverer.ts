/**
 * The port through which the core reaches a conversation: post a message, update one in place, reply
 * in a channel thread. The bot implements it on the channel's connector (src/bot/teams-deliverer.ts);
 * tests implement it on a connector double. Cards travel as plain JSON objects, so nothing here knows
 * Adaptive Cards or Teams.
 */

/** Where to deliver: the conversation and the stored reference that reaches it (opaque JSON). */
export interface ConversationAddress {
  conversationId: string;
  reference: Record<string, unknown>;
}

/** Someone named in the text as `<at>name</at>`; `id` is their Teams user id (29:…) or Azure AD object id. */
export interface Mention {
  id: string;
  name: string;
}

export interface OutgoingMessage {
  /** An Adaptive Card as JSON. */
  card?: Record<string, unknown>;
  /** Plain text (or the text beside a card). */
  text?: string;
  /** People the text @mentions; each appears in `text` as `<at>name</at>`. */
  mentions?: Mention[];
}

export interface Deliverer {
  /** Posts a new message (in a channel: a new thread); resolves to its activity id when the channel gives one. */
  post(address: ConversationAddress, message: OutgoingMessage): Promise<{ activityId?: string }>;
  /** Replaces a posted message for everyone. */
  update(address: ConversationAddress, activityId: string, message: OutgoingMessage): Promise<void>;
  /** Replies in the thread a posted message started (channels). */
  reply(address: ConversationAddress, threadActivityId: string, message: OutgoingMessage): Promise<{ activityId?: string }>;
}

/**
 * Sorted so that callers can tell "gone for good" (stop) from "try later". `code` is Teams' error code
 * when it gave one (ConversationNotFound, ActivityNotFoundInConversation, MessageWritesBlocked, …);
 * `retryAfterMs` is the connector's Retry-After on a 429.
 */
export class DeliveryFailed extends Error {
  readonly retryAfterMs?: number;
  readonly code?: string;

  constructor(
    readonly status: number | undefined,
    readonly permanent: boolean,
    message: string,
    options?: { cause?: unknown; retryAfterMs?: number; code?: string },
  ) {
    super(message, options);
    this.name = 'DeliveryFailed';
    this.retryAfterMs = options?.retryAfterMs;
    this.code = options?.code;
  }
}
