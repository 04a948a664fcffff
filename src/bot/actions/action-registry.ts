/**
 * Card buttons (Action.Execute invokes) → the route of their verb → its answer. The envelope, the
 * verb and the route's data are validated here, once for every route: a foreign verb, missing or
 * tampered data gets a 400 with a sentence, and no handler's failure becomes an exception.
 */
import { z } from 'zod';
import { UserFacingError } from '../../services/errors';
import type { ActionInvocation } from './action-invocation';
import { badRequestResponse, failedActionResponse, messageResponse, type CardActionResponse } from './action-response';
import type { ActionRoute } from './action-route';

/** Longer than any verb of ours; the envelope refuses longer ones before any lookup. */
export const MAX_VERB_LENGTH = 100;

export const NO_ACTION_MESSAGE = 'This button sent no action the bot understands; type "help" to start again.';
export const UNKNOWN_VERB_MESSAGE = `This button is not one of the bot's; type "help" to see what it can do.`;

const invokeValue = z.object({
  action: z.object({
    type: z.literal('Action.Execute'),
    verb: z.string().max(MAX_VERB_LENGTH),
    data: z.record(z.string(), z.unknown()).nullish(),
  }),
});

export interface ActionRegistryOptions {
  /** Told about a handler's unexpected failure (not a UserFacingError), for the log; the user gets a generic answer. */
  onUnexpectedError?: (error: unknown, verb: string) => void;
}

export interface ActionRegistry {
  /** The verbs it routes, in the order given. */
  readonly verbs: readonly string[];
  /** The answer to an invoke's value; never rejects. */
  handle(value: unknown, invocation: ActionInvocation): Promise<CardActionResponse>;
}

/** Throws when two routes share a verb, or a verb could never arrive (empty, or longer than the envelope allows). */
export function createActionRegistry(routes: readonly ActionRoute[], options: ActionRegistryOptions = {}): ActionRegistry {
  const byVerb = new Map<string, ActionRoute>();
  for (const route of routes) {
    if (route.verb === '' || route.verb.length > MAX_VERB_LENGTH) {
      throw new Error(`card action verb "${route.verb.slice(0, MAX_VERB_LENGTH)}" must be 1 to ${MAX_VERB_LENGTH} characters`);
    }
    if (byVerb.has(route.verb)) throw new Error(`two card action routes declare the verb "${route.verb}"`);
    byVerb.set(route.verb, route);
  }
  const verbs = Object.freeze([...byVerb.keys()]);

  return {
    verbs,
    async handle(value, invocation) {
      const parsed = invokeValue.safeParse(value);
      if (!parsed.success) return badRequestResponse(NO_ACTION_MESSAGE);
      const { verb, data } = parsed.data.action;
      const route = byVerb.get(verb);
      if (route === undefined) return badRequestResponse(UNKNOWN_VERB_MESSAGE);
      const fields = route.data.safeParse(data ?? {});
      if (!fields.success) return badRequestResponse(route.invalidData);
      try {
        return await route.handle(fields.data, invocation);
      } catch (error) {
        if (error instanceof UserFacingError) return messageResponse(error.userMessage);
        options.onUnexpectedError?.(error, verb);
        return failedActionResponse();
      }
    },
  };
}
