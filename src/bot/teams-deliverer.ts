/**
 * The Deliverer port on botbuilder's CloudAdapter: a proactive turn on a stored conversation
 * reference, then send or updateActivity. Errors come back as DeliveryFailed, permanent for the codes
 * Teams means for good (403 blocked or removed, 404 gone), so callers never retry those. They are caught
 * inside the proactive turn: an error that left it would go to the adapter's onTurnError, which logs it
 * without the job or conversation, swallows it (the caller would think the message delivered) and, for
 * anything but a connector error, posts "something went wrong" into the very conversation.
 *
 * Each call is made once. The SDK's HTTP pipeline retries 429 and 5xx by itself (up to 3 times, waiting
 * out Retry-After): those hidden requests escape the caller's rate limiter, so a throttled conversation
 * got four requests where the dispatcher counted one, and a send slot stayed held for 20 s. The caller
 * retries instead, knowing the status, Teams' error code and the Retry-After.
 *
 * A reference whose serviceUrl is plain http is refused when the bot has an app id: the bot would send
 * its channel token in clear text to wherever the reference points. Without an app id (Playground,
 * tests) there is no token, and http stays allowed.
 */
import { CardFactory, MessageFactory, type Activity, type ChannelAccount, type CloudAdapter, type ConversationReference, type TurnContext } from 'botbuilder';
import type { ConnectorClient } from 'botframework-connector';
import { channelOf, threadConversationId } from './channel-threads';
import { DeliveryFailed, type ConversationAddress, type Deliverer, type OutgoingMessage } from '../services/notify/deliverer';

type ActivityDraft = ReturnType<typeof MessageFactory.text>;

/** A Retry-After further away is taken as this: Teams' longest window is an hour. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

const PERMANENT_STATUSES = new Set([400, 403, 404, 413]);

export interface TeamsDelivererOptions {
  /** For a Retry-After given as an HTTP date. */
  now?: () => Date;
}

function toActivity(message: OutgoingMessage): ActivityDraft {
  const activity = message.card ? MessageFactory.attachment(CardFactory.adaptiveCard(message.card)) : MessageFactory.text(message.text ?? '');
  // With a card, the sentence is the summary Teams shows in notifications and previews, not text beside the card:
  // Teams turns text plus an attachment into two messages, and refuses to update such a message in place. A
  // sentence that @mentions someone stays text, where the mention is.
  if (message.card && message.text) {
    if (message.mentions && message.mentions.length > 0) activity.text = message.text;
    else activity.summary = message.text;
  }
  if (message.mentions && message.mentions.length > 0) {
    activity.entities = message.mentions.map((mention) => ({ type: 'mention', text: `<at>${mention.name}</at>`, mentioned: { id: mention.id, name: mention.name } }));
  }
  return activity;
}

function conversationOf(address: ConversationAddress): Record<string, unknown> {
  return (address.reference.conversation ?? {}) as Record<string, unknown>;
}

/**
 * A new message goes to the conversation itself: in a channel, the channel (a new thread) rather than
 * the thread the reference was saved in, and never as a reply to the activity the reference was saved
 * from (botbuilder turns a reference's activityId into replyToId).
 */
function atTopLevel(address: ConversationAddress): Partial<ConversationReference> {
  const conversation = conversationOf(address);
  const channelId = channelOf(String(conversation.id ?? address.conversationId));
  const { activityId: _savedFrom, ...reference } = address.reference;
  return { ...reference, conversation: { ...conversation, id: channelId } } as Partial<ConversationReference>;
}

/** The reference of a thread of the conversation's channel. */
function inThread(address: ConversationAddress, threadActivityId: string): Partial<ConversationReference> {
  const reference = atTopLevel(address);
  const threadId = threadConversationId(String(reference.conversation?.id), threadActivityId);
  return { ...reference, conversation: { ...reference.conversation, id: threadId } } as Partial<ConversationReference>;
}

/** Why a reference cannot be used, or undefined when it can. */
function unusableServiceUrl(reference: Partial<ConversationReference>, botHasAppId: boolean): string | undefined {
  const serviceUrl = reference.serviceUrl;
  if (typeof serviceUrl !== 'string' || serviceUrl === '') return 'the conversation reference has no serviceUrl';
  let url: URL;
  try {
    url = new URL(serviceUrl);
  } catch {
    return 'the conversation reference has a serviceUrl that is not a URL';
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol !== 'http:') return `the conversation reference's serviceUrl uses ${url.protocol}, not https`;
  if (botHasAppId) return 'the conversation reference\'s serviceUrl is not https, and the bot does not send its channel token in clear text';
  return undefined;
}

interface ResponseLike {
  status?: number;
  headers?: { get?: (name: string) => string | undefined } | Record<string, unknown>;
  bodyAsText?: string | null;
}

function headerOf(response: ResponseLike | undefined, name: string): string | undefined {
  const headers = response?.headers;
  if (!headers) return undefined;
  if (typeof headers.get === 'function') return (headers.get as (key: string) => string | undefined).call(headers, name) ?? undefined;
  const value = (headers as Record<string, unknown>)[name] ?? (headers as Record<string, unknown>)[name.toLowerCase()];
  return typeof value === 'string' ? value : undefined;
}

/** Retry-After as delta-seconds or an HTTP date, in ms from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(text)) ms = Number(text) * 1_000;
  else {
    // An HTTP date names a weekday and month; Date.parse would also read "-5" as a year.
    if (!/[a-z]{3}/i.test(text)) return undefined;
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    ms = at - now.getTime();
  }
  if (!Number.isFinite(ms)) return MAX_RETRY_AFTER_MS;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, Math.round(ms)));
}

/** Teams' error code from a body like `{"error":{"code":"MessageWritesBlocked","message":…}}`. */
function teamsCodeOf(body: string | null | undefined): string | undefined {
  if (!body) return undefined;
  try {
    const code = (JSON.parse(body) as { error?: { code?: unknown } } | null)?.error?.code;
    return typeof code === 'string' && code !== '' ? code.slice(0, 100) : undefined;
  } catch {
    return undefined;
  }
}

function failure(error: unknown, now: Date): DeliveryFailed {
  if (error instanceof DeliveryFailed) return error;
  const { statusCode, name, response } = (error ?? {}) as { statusCode?: unknown; name?: unknown; response?: ResponseLike };
  const status = typeof statusCode === 'number' ? statusCode : typeof response?.status === 'number' ? response.status : undefined;
  if (status === undefined) {
    const timedOut = name === 'AbortError' || name === 'TimeoutError';
    return new DeliveryFailed(undefined, false, timedOut ? 'the channel did not answer in time' : 'the channel could not be reached', { cause: error });
  }
  const code = teamsCodeOf(response?.bodyAsText);
  const retryAfterMs = status === 429 ? parseRetryAfter(headerOf(response, 'retry-after'), now) : undefined;
  const permanent = PERMANENT_STATUSES.has(status);
  const what = status === 429 ? 'the channel asked the bot to slow down' : permanent ? 'the channel refused the message' : 'the channel failed to take the message';
  return new DeliveryFailed(status, permanent, `${what} (HTTP ${status}${code ? ` ${code}` : ''})`, { cause: error, retryAfterMs, code });
}

/**
 * Takes the retry policies out of this turn's connector client (a new client each turn). botbuilder
 * does not pass retry options through to its HTTP pipeline, so the pipeline is reached behind its
 * compatibility wrapper; a test proves a 429 costs one request, and fails if botbuilder changes this.
 */
function withoutHiddenRetries(context: TurnContext, adapter: CloudAdapter): void {
  const connectorClient: unknown = context.turnState.get(adapter.ConnectorClientKey);
  const inner = connectorClient && typeof connectorClient === 'object' ? (Reflect.get(connectorClient, 'client') as unknown) : undefined;
  const pipeline = inner && typeof inner === 'object' ? (Reflect.get(inner, 'pipeline') as { removePolicy?: unknown } | undefined) : undefined;
  if (typeof pipeline?.removePolicy !== 'function') {
    throw new Error('the connector client has no HTTP pipeline to take the retries out of: botbuilder changed');
  }
  (pipeline.removePolicy as (options: { phase: string }) => unknown).call(pipeline, { phase: 'Retry' });
}

/** An id Teams answered, or undefined when the answer had none (a proxy's page, a body without `id`). */
function idOf(sent: unknown): string | undefined {
  const id = sent && typeof sent === 'object' ? (sent as { id?: unknown }).id : undefined;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

export class TeamsDeliverer implements Deliverer {
  private readonly now: () => Date;

  constructor(
    private readonly adapter: CloudAdapter,
    private readonly botAppId: string,
    options: TeamsDelivererOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /** Resolves without activityId when the channel answered 200 without a readable id: the message was taken, but cannot be updated later. */
  async post(address: ConversationAddress, message: OutgoingMessage): Promise<{ activityId?: string }> {
    if (conversationOf(address).conversationType === 'channel') return this.startThread(address, message);
    return this.send(atTopLevel(address), message);
  }

  async update(address: ConversationAddress, activityId: string, message: OutgoingMessage): Promise<void> {
    await this.proactively(atTopLevel(address), async (context) => {
      await context.updateActivity({ ...toActivity(message), id: activityId });
    });
  }

  async reply(address: ConversationAddress, threadActivityId: string, message: OutgoingMessage): Promise<{ activityId?: string }> {
    return this.send(inThread(address, threadActivityId), message);
  }

  /**
   * A new post in a channel is a new thread, made as Teams documents it: createConversation with the channel's
   * id, which answers the thread's first message id (the id later updates and replies need). A plain send to
   * the channel's conversation is answered without an id by some clients (the Agents Playground: 202).
   */
  private async startThread(address: ConversationAddress, message: OutgoingMessage): Promise<{ activityId?: string }> {
    const reference = atTopLevel(address);
    let activityId: string | undefined;
    await this.proactively(reference, async (context) => {
      const client = context.turnState.get(this.adapter.ConnectorClientKey) as ConnectorClient;
      const created = await client.conversations.createConversation({
        isGroup: true,
        bot: reference.bot as ChannelAccount,
        channelData: { channel: { id: String(reference.conversation?.id ?? address.conversationId) } },
        activity: toActivity(message) as Activity,
      });
      const id = (created as { activityId?: unknown } | undefined)?.activityId;
      activityId = typeof id === 'string' && id !== '' ? id : undefined;
    });
    return activityId === undefined ? {} : { activityId };
  }

  private async send(reference: Partial<ConversationReference>, message: OutgoingMessage): Promise<{ activityId?: string }> {
    let activityId: string | undefined;
    await this.proactively(reference, async (context) => {
      activityId = idOf(await context.sendActivity(toActivity(message)));
    });
    return activityId === undefined ? {} : { activityId };
  }

  /** Runs `work` in a proactive turn on the conversation; whatever fails, in the turn or before it, is thrown as DeliveryFailed. */
  private async proactively(reference: Partial<ConversationReference>, work: (context: TurnContext) => Promise<void>): Promise<void> {
    const refused = unusableServiceUrl(reference, this.botAppId !== '');
    if (refused !== undefined) throw new DeliveryFailed(undefined, true, `refused before sending: ${refused}`);
    let failed: { error: unknown } | undefined;
    try {
      await this.adapter.continueConversationAsync(this.botAppId, reference, async (context) => {
        try {
          withoutHiddenRetries(context, this.adapter);
          await work(context);
        } catch (error) {
          failed = { error };
        }
      });
    } catch (error) {
      throw failure(error, this.now());
    }
    if (failed) throw failure(failed.error, this.now());
  }
}
