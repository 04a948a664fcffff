/**
 * The Bot Framework edge: authenticates an incoming activity (anonymous or channel JWT), runs the bot
 * on it within the turn's time budget and says what to answer over HTTP. The HTTP server stays free
 * of botbuilder.
 */
import {
  CallerIdConstants,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type Activity,
  type ActivityHandler,
  type InvokeResponse,
  type TurnContext,
} from 'botbuilder';
import { AuthenticationConstants, type AuthenticateRequestResult } from 'botframework-connector';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { AppConfig } from '../config';
import { describeOutsideValue } from '../services/shared/outside-value';
import { sanitizeActivity } from './activity-sanitizer';
import { declineInvoke, failedCardAction } from './invoke-declines';
import { OutboundDeadline } from './outbound-deadline';
import { TeamsDeliverer } from './teams-deliverer';

export interface ActivityOutcome {
  status: number;
  /** The response body as JSON text, when there is one. */
  json?: string;
  headers?: Record<string, string>;
}

export type ActivityProcessor = (authorization: string, activity: Record<string, unknown>) => Promise<ActivityOutcome>;

export interface ChannelOptions {
  /**
   * Where the channel's token signing keys are published. Unset: the Bot Framework public cloud's.
   * Tests serve their own document and keys.
   */
  openIdMetadataUrl?: string;
  /** The channel waits 15 s for an answer; the bot answers before that whatever the turn is doing. */
  turnTimeoutMs?: number;
  /** Each call to the channel's connector (a reply, an update). */
  connectorTimeoutMs?: number;
}

const DEFAULT_TURN_TIMEOUT_MS = 12_000;
const DEFAULT_CONNECTOR_TIMEOUT_MS = 5_000;

/**
 * What any turn needs before the adapter sees it: a conversation to answer in, and somewhere to
 * answer: the channel's serviceUrl, or the HTTP response itself (expectReplies).
 */
const routableActivity = z
  .object({
    type: z.string().min(1),
    conversation: z.object({ id: z.string().min(1) }),
    from: z.object({ id: z.string() }).optional(),
    recipient: z.object({ id: z.string() }).optional(),
    serviceUrl: z.string().regex(/^https?:\/\//i).optional(),
    deliveryMode: z.string().optional(),
  })
  .refine((activity) => activity.serviceUrl !== undefined || activity.deliveryMode === 'expectReplies', {
    message: 'no serviceUrl to answer to',
  });

/** CloudAdapter.process() prints failures to the console; authenticating apart lets us log them ourselves. */
class BotAdapter extends CloudAdapter {
  authenticate(authorization: string, activity: Activity): Promise<AuthenticateRequestResult> {
    return this.botFrameworkAuthentication.authenticateRequest(activity, authorization);
  }

  processAuthenticated(authenticated: AuthenticateRequestResult, activity: Activity, bot: ActivityHandler): Promise<InvokeResponse | undefined> {
    return this.processActivity(authenticated, activity, (context) => bot.run(context));
  }
}

/**
 * The public cloud's settings with another metadata URL. botbuilder uses its built-in cloud only
 * when none of these is set, so all of them are given together.
 */
function channelEndpoints(openIdMetadataUrl: string | undefined): Record<string, string> {
  if (openIdMetadataUrl === undefined) return {};
  return {
    ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
    ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
    ToBotFromChannelTokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
    OAuthUrl: AuthenticationConstants.OAuthUrl,
    ToBotFromChannelOpenIdMetadataUrl: openIdMetadataUrl,
    ToBotFromEmulatorOpenIdMetadataUrl: AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
    CallerId: CallerIdConstants.PublicAzureChannel,
  };
}

/**
 * Signing keys we could not fetch are our problem (503, the channel retries); every other failure
 * (no token, bad signature, expiry, audience, issuer, a header that is not a token) is the caller's.
 */
function isKeyDocumentUnavailable(error: unknown): boolean {
  if (error instanceof KeyDocumentTimeout) return true;
  const { statusCode, name } = (error ?? {}) as { statusCode?: unknown; name?: unknown };
  return name === 'FetchError' || (typeof statusCode === 'number' && statusCode >= 500);
}

/** botbuilder fetches the signing keys without a time limit; the request cannot wait for ever. */
class KeyDocumentTimeout extends Error {
  constructor(ms: number) {
    super(`the channel's signing keys did not arrive within ${ms} ms`);
    this.name = 'KeyDocumentTimeout';
  }
}

function withinMs<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new KeyDocumentTimeout(ms)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** A failure to reach the channel: telling the user about it would fail the same way. */
function isDeliveryFailure(error: unknown): boolean {
  const { name } = (error ?? {}) as { name?: unknown };
  return name === 'RestError' || name === 'AbortError';
}

const TURN_FAILED = 'Something went wrong on the bot side; please try again, and tell your bot administrator if it keeps happening.';

export interface ChannelEdgeOptions {
  identity: AppConfig['bot'];
  /** The bot, or a way to get it: it may be built after the edge, since its answers post through the edge's deliverer. */
  bot: ActivityHandler | (() => ActivityHandler);
  logger: Logger;
  /** Writes reply bodies as JSON (cards the bot keeps already serialized go in as text). */
  serialize?: (body: unknown) => string;
  channel?: ChannelOptions;
}

export function createActivityProcessor(options: ChannelEdgeOptions): ActivityProcessor {
  return createChannelEdge(options).processActivity;
}

/** The activity processor and, on the same adapter and time limits, the deliverer for proactive messages. */
export function createChannelEdge(options: ChannelEdgeOptions): { processActivity: ActivityProcessor; deliverer: TeamsDeliverer } {
  const { identity, logger } = options;
  const botOf = typeof options.bot === 'function' ? options.bot : () => options.bot as ActivityHandler;
  const serialize = options.serialize ?? ((body: unknown) => JSON.stringify(body));
  const turnTimeoutMs = options.channel?.turnTimeoutMs ?? DEFAULT_TURN_TIMEOUT_MS;
  const outbound = new OutboundDeadline(options.channel?.connectorTimeoutMs ?? DEFAULT_CONNECTOR_TIMEOUT_MS);
  const adapter = new BotAdapter(
    new ConfigurationBotFrameworkAuthentication(
      {
        MicrosoftAppId: identity.appId,
        MicrosoftAppPassword: identity.appPassword,
        MicrosoftAppType: identity.appType,
        MicrosoftAppTenantId: identity.tenantId,
        ...channelEndpoints(options.channel?.openIdMetadataUrl),
      },
      undefined,
      undefined,
      undefined,
      { httpClient: outbound.httpClient() },
    ),
  );
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    const activity = context.activity;
    if (isDeliveryFailure(error)) {
      const status = (error as { statusCode?: unknown }).statusCode;
      logger.warn(
        { err: describeOutsideValue(error.message), status: typeof status === 'number' ? status : undefined, activityType: activity?.type },
        'could not deliver a reply to the channel',
      );
      return;
    }
    logger.error({ err: error, activityType: activity?.type }, 'turn failed');
    try {
      if (activity?.type === 'invoke') {
        // An invoke is answered in its HTTP response; a chat message would land beside the card.
        const response = activity.name === 'adaptiveCard/action' ? failedCardAction() : declineInvoke(activity.name);
        await context.sendActivity({ type: 'invokeResponse', value: response });
      } else {
        await context.sendActivity(TURN_FAILED);
      }
    } catch (sendError) {
      logger.warn({ err: describeOutsideValue((sendError as Error).message) }, 'could not tell the user about a failed turn');
    }
  };

  const runTurn = async (authenticated: AuthenticateRequestResult, activity: Activity): Promise<ActivityOutcome> => {
    const turn = adapter.processAuthenticated(authenticated, activity, botOf());
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), turnTimeoutMs);
    });
    try {
      const result = await Promise.race([turn, late]);
      if (result === 'late') {
        if (activity.serviceUrl && activity.conversation?.id) outbound.abortCallsTo(activity.serviceUrl, activity.conversation.id);
        turn.catch((error: unknown) => logger.warn({ err: describeOutsideValue((error as Error)?.message) }, 'a late turn failed'));
        logger.warn({ activityType: activity.type, turnTimeoutMs }, 'turn over its time budget: answered before it finished');
        // A plain activity was received and is being handled; an invoke or expectReplies needed the answer itself.
        if (activity.type !== 'invoke' && activity.deliveryMode !== 'expectReplies') return { status: 202 };
        return {
          status: 503,
          json: JSON.stringify({ error: 'The bot took too long to answer; please try again.' }),
          headers: { 'retry-after': '5' },
        };
      }
      const body = result?.body;
      return { status: result?.status ?? 200, json: body === undefined ? undefined : serialize(body) };
    } finally {
      clearTimeout(timer);
    }
  };

  const processActivity: ActivityProcessor = async (authorization, rawActivity) => {
    const routable = routableActivity.safeParse(rawActivity);
    if (!routable.success) {
      logger.warn({ problem: routable.error.issues[0]?.message, path: routable.error.issues[0]?.path }, 'refused a malformed activity');
      return { status: 400, json: JSON.stringify({ error: 'The request body is not a Bot Framework activity the bot can answer.' }) };
    }
    const activity = sanitizeActivity(rawActivity) as unknown as Activity;

    let authenticated: AuthenticateRequestResult;
    try {
      authenticated = await withinMs(adapter.authenticate(authorization, activity), turnTimeoutMs);
    } catch (error) {
      if (isKeyDocumentUnavailable(error)) {
        logger.error({ err: describeOutsideValue((error as Error)?.message) }, 'could not fetch the channel signing keys');
        return {
          status: 503,
          json: JSON.stringify({ error: 'The bot cannot check the channel token right now; please try again.' }),
          headers: { 'retry-after': '30' },
        };
      }
      logger.warn({ reason: describeOutsideValue((error as Error)?.message) }, 'refused an activity that failed channel authentication');
      return { status: 401, json: JSON.stringify({ error: 'The request is not authorized.' }) };
    }

    try {
      return await runTurn(authenticated, activity);
    } catch (error) {
      logger.error({ err: error }, 'activity processing failed');
      return { status: 500, json: JSON.stringify({ error: 'The bot could not process this activity.' }) };
    }
  };
  return { processActivity, deliverer: new TeamsDeliverer(adapter, identity.appId) };
}
