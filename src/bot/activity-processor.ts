/**
 * The Bot Framework edge: authenticates an incoming activity (anonymous or channel JWT), runs the bot
 * on it and says what to answer over HTTP. The HTTP server stays free of botbuilder.
 */
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type Activity,
  type ActivityHandler,
  type InvokeResponse,
  type TurnContext,
} from 'botbuilder';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { AppConfig } from '../config';

export interface ActivityOutcome {
  status: number;
  /** The response body as JSON text, when there is one. */
  json?: string;
}

export type ActivityProcessor = (authorization: string, activity: Record<string, unknown>) => Promise<ActivityOutcome>;

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

/** CloudAdapter.process() prints failures to the console; processActivity lets us log them ourselves. */
class BotAdapter extends CloudAdapter {
  processIncoming(authorization: string, activity: Activity, bot: ActivityHandler): Promise<InvokeResponse | undefined> {
    return this.processActivity(authorization, activity, (context) => bot.run(context));
  }
}

export function createActivityProcessor(options: {
  identity: AppConfig['bot'];
  bot: ActivityHandler;
  logger: Logger;
  /** Writes reply bodies as JSON (cards the bot keeps already serialized go in as text). */
  serialize?: (body: unknown) => string;
}): ActivityProcessor {
  const { identity, bot, logger } = options;
  const serialize = options.serialize ?? ((body: unknown) => JSON.stringify(body));
  const adapter = new BotAdapter(
    new ConfigurationBotFrameworkAuthentication({
      MicrosoftAppId: identity.appId,
      MicrosoftAppPassword: identity.appPassword,
      MicrosoftAppType: identity.appType,
      MicrosoftAppTenantId: identity.tenantId,
    }),
  );
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    logger.error({ err: error, activityType: context.activity?.type }, 'turn failed');
    try {
      await context.sendActivity(
        'Something went wrong on the bot side; please try again, and tell your bot administrator if it keeps happening.',
      );
    } catch (sendError) {
      logger.warn({ err: sendError }, 'could not tell the user about a failed turn');
    }
  };

  return async (authorization, activity) => {
    const routable = routableActivity.safeParse(activity);
    if (!routable.success) {
      logger.warn({ problem: routable.error.issues[0]?.message, path: routable.error.issues[0]?.path }, 'refused a malformed activity');
      return { status: 400, json: JSON.stringify({ error: 'The request body is not a Bot Framework activity the bot can answer.' }) };
    }
    try {
      const invokeResponse = await adapter.processIncoming(authorization, activity as unknown as Activity, bot);
      const body = invokeResponse?.body;
      return { status: invokeResponse?.status ?? 200, json: body === undefined ? undefined : serialize(body) };
    } catch (error) {
      if ((error as { statusCode?: unknown }).statusCode === 401) {
        logger.warn({ reason: (error as Error).message }, 'refused an activity that failed channel authentication');
        return { status: 401, json: JSON.stringify({ error: 'The request is not authorized.' }) };
      }
      logger.error({ err: error }, 'activity processing failed');
      return { status: 500, json: JSON.stringify({ error: 'The bot could not process this activity.' }) };
    }
  };
}
