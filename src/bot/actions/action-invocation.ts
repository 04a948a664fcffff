/**
 * Who pressed a card button, where, and whether they pressed it at all (Teams also sends
 * Action.Execute by itself to refresh a card). Read once from the activity, bounded and typed, so
 * that a route deciding on someone's behalf (an approval) never reads raw activity fields.
 */
import { shorten } from '../../cards/kit/text';
import type { ConversationAddress } from '../../services/notify/deliverer';

export interface ActionActor {
  /** The person's stable id: their Azure AD object id when Teams sends one, else their channel id. */
  id: string;
  /** Their display name, shortened for cards and logs; '' when Teams sent none. */
  name: string;
  aadObjectId?: string;
  /** The channel account id (from.id, the "29:" MRI), which proactive messages address. */
  userId: string;
}

export interface ActionInvocation {
  actor: ActionActor;
  conversationId: string;
  /** 'automatic' when Teams refreshed the card by itself; nobody pressed anything. */
  trigger: 'manual' | 'automatic';
  /** The activity id of the card whose button was pressed, when Teams names it. */
  replyToId?: string;
  /** How to reach this conversation later (the bot sets it from the turn), for answers that post beside the card. */
  address?: ConversationAddress;
}

/** Longer than any id Teams sends (conversation ids of channel threads included); a longer one is a payload. */
export const MAX_INVOCATION_ID_LENGTH = 512;
/** Names as cards and logs show them. */
export const MAX_ACTOR_NAME_LENGTH = 100;

/**
 * The invocation an activity describes, or undefined when it names no sender or conversation
 * (Teams always names both; a caller who does not is not acting as anyone).
 */
export function readActionInvocation(activity: unknown): ActionInvocation | undefined {
  const fields = asRecord(activity);
  const from = asRecord(fields.from);
  const userId = boundedId(from.id);
  const conversationId = boundedId(asRecord(fields.conversation).id);
  if (userId === undefined || conversationId === undefined) return undefined;
  const aadObjectId = boundedId(from.aadObjectId);
  const name = typeof from.name === 'string' ? shorten(from.name.trim(), MAX_ACTOR_NAME_LENGTH) : '';
  const replyToId = boundedId(fields.replyToId);
  return {
    actor: { id: aadObjectId ?? userId, name, ...(aadObjectId === undefined ? {} : { aadObjectId }), userId },
    conversationId,
    trigger: asRecord(fields.value).trigger === 'automatic' ? 'automatic' : 'manual',
    ...(replyToId === undefined ? {} : { replyToId }),
  };
}

function boundedId(value: unknown): string | undefined {
  // Compared as sent, never trimmed: " 29:1" is not "29:1".
  return typeof value === 'string' && value !== '' && value.length <= MAX_INVOCATION_ID_LENGTH ? value : undefined;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
