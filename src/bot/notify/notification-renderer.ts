/**
 * How each notification looks in a conversation: a job's notifications are its current status card (the
 * same drawing as the requester's card, via JobViews, read once per notification) with, for an outcome,
 * a short thread reply that @mentions the requester; the freshness, drift, DP-failure and digest
 * notifications are cards of their own (src/cards/notify). Payloads were written by the producers but
 * are read back from the database, so each is checked (zod) before it is drawn; one that cannot be read
 * becomes a plain sentence rather than silence.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { z } from 'zod';
import { jobOutcomeReply, jobStatusMessage } from '../../cards/jobs/job-message';
import type { JobView } from '../../cards/jobs/job-view';
import type { AdaptiveCard, CardContext } from '../../cards/kit/adaptive-card';
import { escapeText, shorten } from '../../cards/kit/text';
import { digestCard, digestText } from '../../cards/notify/digest-card';
import { dpFailureCard, dpFailureText } from '../../cards/notify/dp-failure-card';
import { driftCard, driftText } from '../../cards/notify/drift-card';
import { newerRevisionCard, newerRevisionText } from '../../cards/notify/freshness-card';
import { getSetting } from '../../services/jobs/job-repository';
import { JobNotFound } from '../../services/jobs/job-service';
import type { NotificationKind, NotificationRecord } from '../../services/notify/notification';
import type { NotificationRenderer, RenderedNotification } from '../../services/notify/notification-renderer';
import type { Schema } from '../../services/store/schema';
import { APPROVERS_CONVERSATION_SETTING } from '../jobs/job-publisher';
import type { JobViews } from '../jobs/job-views';

/** Job kinds that end a job: in a channel, the card's thread also gets the outcome with an @mention. */
const FINAL_JOB_KINDS: ReadonlySet<NotificationKind> = new Set(['job.succeeded', 'job.failed', 'job.cancelled', 'job.rejected', 'job.expired']);


export interface BotNotificationRendererOptions {
  db: Kysely<Schema>;
  views: Pick<JobViews, 'view' | 'jobCard'>;
  cardContext: () => CardContext;
  logger: Logger;
}

const isoDate = z.string().datetime({ offset: true }).transform((text) => new Date(text));

const newerRevisionPayload = z.object({
  release: z.string(),
  build: z.string().nullable(),
  latest: z.string(),
  latestKb: z.string().nullable().optional(),
  latestDate: isoDate.nullable().optional(),
  revisionsBehind: z.number().int().nonnegative(),
  monthsBehind: z.number().int().nonnegative().nullable().optional(),
});

const driftPayload = z.object({
  release: z.string().nullable().optional(),
  findingKind: z.string(),
  severity: z.enum(['error', 'warning', 'info']),
  message: z.string(),
  sourcePath: z.string().optional(),
});

const dpFailedPayload = z.object({
  jobId: z.string().optional(),
  server: z.string(),
  siteCode: z.string().optional(),
  sourceVersion: z.number().int().nonnegative(),
  since: isoDate.optional(),
});

const digestPayload = z.object({
  from: isoDate,
  to: isoDate,
  packagesBehind: z.array(z.object({ id: z.string(), name: z.string(), build: z.string().nullable(), latest: z.string(), revisionsBehind: z.number().int().nonnegative() })),
  jobs: z.array(z.object({ id: z.string(), packageId: z.string(), packageName: z.string(), outcome: z.string() })),
  packageCount: z.number().int().nonnegative().optional(),
});

const jobPayload = z.object({ jobId: z.string() });

export class BotNotificationRenderer implements NotificationRenderer {
  constructor(private readonly options: BotNotificationRendererOptions) {}

  async render(notification: NotificationRecord): Promise<RenderedNotification | undefined> {
    if (notification.kind.startsWith('job.')) return this.renderJob(notification);
    const context = this.options.cardContext();
    const packageId = notification.packageId ?? '';
    const packageName = notification.packageName ?? packageId;
    switch (notification.kind) {
      case 'freshness.newer_revision': {
        const payload = this.read(newerRevisionPayload, notification);
        if (!payload) return this.unreadable(notification);
        const view = {
          packageId,
          packageName,
          release: payload.release,
          build: payload.build,
          latest: payload.latest,
          ...(payload.latestKb ? { latestKb: payload.latestKb } : {}),
          ...(payload.latestDate ? { latestDate: payload.latestDate } : {}),
          revisionsBehind: payload.revisionsBehind,
          ...(payload.monthsBehind != null ? { monthsBehind: payload.monthsBehind } : {}),
        };
        return cardMessage(newerRevisionCard(view, context), newerRevisionText(view));
      }
      case 'freshness.drift': {
        const payload = this.read(driftPayload, notification);
        if (!payload) return this.unreadable(notification);
        const view = { packageId, packageName, findingKind: payload.findingKind, severity: payload.severity, message: payload.message, ...(payload.release ? { release: payload.release } : {}), ...(payload.sourcePath ? { sourcePath: payload.sourcePath } : {}) };
        return cardMessage(driftCard(view, context), driftText(view));
      }
      case 'distribution.dp_failed': {
        const payload = this.read(dpFailedPayload, notification);
        if (!payload) return this.unreadable(notification);
        const view = { packageId, packageName, ...payload };
        return cardMessage(dpFailureCard(view, context), dpFailureText(view));
      }
      case 'digest.weekly': {
        const payload = this.read(digestPayload, notification);
        if (!payload) return this.unreadable(notification);
        return cardMessage(digestCard(payload, context), digestText(payload));
      }
      default:
        return this.unreadable(notification);
    }
  }

  /** The requester's card or an approval card of the job is already in this conversation: no second card. */
  async alreadyShown(subject: string, conversationId: string): Promise<boolean> {
    const jobId = jobIdOf(subject);
    if (jobId === undefined) return false;
    const row = await this.options.db.selectFrom('job_messages').select('job_id').where('job_id', '=', jobId).where('conversation_id', '=', conversationId).limit(1).executeTakeFirst();
    if (row !== undefined) return true;
    // The approvers' conversation gets the approval card of every request, possibly after this fan-out looked.
    const approvers = (await getSetting(this.options.db, APPROVERS_CONVERSATION_SETTING).catch(() => undefined))?.value as { conversationId?: unknown } | undefined;
    return approvers?.conversationId === conversationId;
  }

  private async renderJob(notification: NotificationRecord): Promise<RenderedNotification | undefined> {
    const jobId = this.read(jobPayload, notification)?.jobId ?? jobIdOf(notification.subject ?? '');
    if (jobId === undefined) return this.unreadable(notification);
    let view: JobView;
    try {
      view = await this.options.views.view(jobId);
    } catch (error) {
      // A job deleted since: nothing left to show, the deliveries end without a message.
      if (error instanceof JobNotFound) return undefined;
      throw error;
    }
    const text = jobStatusMessage(view);
    const rendered: RenderedNotification = { message: { card: this.options.views.jobCard(view), text } };
    if (FINAL_JOB_KINDS.has(notification.kind)) rendered.threadReply = jobOutcomeReply(view);
    return rendered;
  }

  private read<T extends z.ZodTypeAny>(schema: T, notification: NotificationRecord): z.infer<T> | undefined {
    const parsed = schema.safeParse(notification.payload);
    if (parsed.success) return parsed.data;
    this.options.logger.warn({ notificationId: notification.id, kind: notification.kind, issue: parsed.error.issues[0]?.message }, 'a notification payload cannot be read; sending a plain sentence');
    return undefined;
  }

  /** One plain sentence, so that a subscriber still learns something happened. */
  private unreadable(notification: NotificationRecord): RenderedNotification {
    const about = notification.packageId ? ` about ${escapeText(shorten(notification.packageName ?? notification.packageId, 200))} (${escapeText(notification.packageId)})` : '';
    return { message: { text: `The bot has a ${notification.kind} notification${about} it could not draw; type "status" or look at the package for what changed.` } };
  }
}

function cardMessage(card: AdaptiveCard, text: string): RenderedNotification {
  return { message: { card, text } };
}

function jobIdOf(subject: string): string | undefined {
  const match = /^job:([A-Za-z0-9]{1,20})$/.exec(subject);
  return match?.[1]?.toUpperCase();
}
