/**
 * One card verb and what it does: the data its button carries (a zod schema), the sentence a
 * button with bad data gets, and the handler. Media, jobs and approvals each export their routes;
 * one registry (action-registry.ts) dispatches them, so adding a verb touches one file.
 */
import type { z } from 'zod';
import type { ActionInvocation } from './action-invocation';
import type { CardActionResponse } from './action-response';

export type { ActionActor, ActionInvocation } from './action-invocation';
export type { CardActionResponse } from './action-response';

export interface ActionRoute<S extends z.ZodTypeAny = z.ZodTypeAny> {
  /** The Action.Execute verb, the same constant the card that sends it uses. */
  verb: string;
  /** The button's data; parsed before the handler sees it (an absent data object parses as {}). */
  data: S;
  /** What a user whose button carried data the schema refuses reads: one sentence, what to do next. */
  invalidData: string;
  /**
   * Answers the button. A UserFacingError thrown here reaches the user as its sentence; anything
   * else thrown is logged and answered with a generic failure.
   */
  handle(data: z.output<S>, invocation: ActionInvocation): Promise<CardActionResponse> | CardActionResponse;
}

/** Defines a route with its handler's data typed from the schema. */
export function route<S extends z.ZodTypeAny>(definition: ActionRoute<S>): ActionRoute<S> {
  return definition;
}
