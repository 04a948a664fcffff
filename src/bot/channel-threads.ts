/**
 * How Teams names a thread of a channel: the channel's conversation id, `;messageid=`, and the id of the
 * thread's first message. The rule lives here once: the references key a thread by its channel, the
 * deliverer posts at the channel and replies into a thread, the publisher finds the thread a request
 * was typed in.
 */
const THREAD_MARK = ';messageid=';

/** The channel a conversation id names (itself when it names no thread). */
export function channelOf(conversationId: string): string {
  const at = conversationId.indexOf(THREAD_MARK);
  return at < 0 ? conversationId : conversationId.slice(0, at);
}

/** The first message id of the thread a conversation id names; undefined when it names none. */
export function threadOf(conversationId: string): string | undefined {
  const at = conversationId.indexOf(THREAD_MARK);
  if (at < 0) return undefined;
  const thread = conversationId.slice(at + THREAD_MARK.length).split(';')[0];
  return thread === '' ? undefined : thread;
}

/** The conversation id of a thread of the channel. */
export function threadConversationId(conversationId: string, threadActivityId: string): string {
  return `${channelOf(conversationId)}${THREAD_MARK}${threadActivityId}`;
}
