/**
 * What a servicing host may tell the bot about a job it is servicing, parsed strictly at the edge:
 * a callback with a key the contract does not name, a build that is not a build, or a message longer
 * than a card line is refused whole (HTTP 400), never half-read. Contract 1 (see the README section
 * "Servicing host contract"); a later contract number is refused until the bot knows it.
 */
import { z } from 'zod';

export const SERVICING_CALLBACK_CONTRACT = 1;
export const SERVICING_EVENT_KINDS = ['stage_started', 'stage_done', 'stage_failed', 'completed', 'failed'] as const;
/** The stages a servicing host runs; the others are the bot's own (job.ts STAGE_ORDER). */
export const SERVICING_STAGES = ['service_media', 'keep_editions'] as const;
export const MAX_CALLBACK_MESSAGE_CHARACTERS = 500;

export type ServicingEventKind = (typeof SERVICING_EVENT_KINDS)[number];
export type ServicingStage = (typeof SERVICING_STAGES)[number];

/** `26100.4652`: build (4–5 digits) dot revision (1–6 digits), as admins write it and parseBuildNumber reads it. */
const BUILD_PATTERN = /^[0-9]{4,5}\.[0-9]{1,6}$/;
/** Tabs and line breaks are fine in a host's message; other control characters are not text. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

export const servicingCallbackSchema = z
  .strictObject({
    contract: z.literal(SERVICING_CALLBACK_CONTRACT),
    event: z.enum(SERVICING_EVENT_KINDS),
    stage: z.enum(SERVICING_STAGES).optional(),
    newBuild: z.string().regex(BUILD_PATTERN, { message: 'newBuild must read like 26100.4652' }).optional(),
    /** True when the host already ran RefreshPkgSource / ReloadImageProperties itself. */
    configMgrUpdated: z.boolean().optional(),
    message: z
      .string()
      .max(MAX_CALLBACK_MESSAGE_CHARACTERS)
      .refine((text) => !CONTROL_CHARACTERS.test(text), { message: 'message holds control characters' })
      .optional(),
  })
  .superRefine((callback, ctx) => {
    const aboutStage = callback.event.startsWith('stage_');
    if (aboutStage && callback.stage === undefined) {
      ctx.addIssue({ code: 'custom', path: ['stage'], message: `${callback.event} names its stage` });
    }
    if (!aboutStage && callback.stage !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['stage'], message: `${callback.event} is about the whole job, not a stage` });
    }
  });

export type ServicingEvent = z.infer<typeof servicingCallbackSchema>;

export type ServicingCallbackParse = { ok: true; event: ServicingEvent } | { ok: false; problem: string };

/** Parses a callback body already read as JSON; `problem` names the first wrong field for the log. */
export function parseServicingCallback(value: unknown): ServicingCallbackParse {
  const result = servicingCallbackSchema.safeParse(value);
  if (result.success) return { ok: true, event: result.data };
  const issue = result.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'body';
  return { ok: false, problem: `${where}: ${issue?.message ?? 'invalid'}` };
}
