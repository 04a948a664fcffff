/**
 * The path from a job's change to the conversations that show it: the approval card goes to the
 * approvers' conversation when a request is made, every posted card of the job is updated in place
 * for everybody, a reminder goes to the approvers before a request expires, and the requester hears
 * how the job ended. Changes of one job are published in order; a conversation that refuses for good
 * (blocked, removed) is logged and skipped, never retried in a loop. Channel subscriptions (a later
 * issue) are one more kind of destination on this path.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { approvalReminderMessage, jobOutcomeReply, jobStatusMessage } from '../../cards/jobs/job-message';
import { threadOf } from '../channel-threads';
import { FINAL_STATES, type JobEventKind } from '../../services/jobs/job';
import { getSetting, listJobMessages, saveJobMessage } from '../../services/jobs/job-repository';
import type { JobChange, JobObserver } from '../../services/jobs/job-service';
import { DeliveryFailed, type ConversationAddress, type Deliverer } from '../../services/notify/deliverer';
import type { Schema } from '../../services/store/schema';
import type { JobView } from '../../cards/jobs/job-view';
import type { JobViews } from './job-views';

export const APPROVERS_CONVERSATION_SETTING = 'approvers-conversation';

/** Events after which the approval card reads differently (who decided, the outcome). */
const APPROVAL_CARD_EVENTS = new Set<JobEventKind>(['approved', 'rejected', 'expired', 'cancelled']);

export type JobMessageRole = 'requester' | 'request' | 'approvers';

export class JobPublisher implements JobObserver {
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    private readonly options: {
      db: Kysely<Schema>;
      views: JobViews;
      deliverer: Deliverer;
      logger: Logger;
    },
  ) {}

  /**
   * Queues the change's publication behind the job's earlier ones. Only a new request is waited for: its
   * approval card must be in the approvers' conversation before the requester's answer is written (a request
   * made there gets no second copy). A click or a stage does not wait for other conversations' updates.
   */
  jobChanged(change: JobChange): Promise<void> | void {
    const previous = this.queues.get(change.job.id) ?? Promise.resolve();
    const next = previous.then(() => this.publish(change)).catch((error: unknown) => {
      this.options.logger.warn({ err: error, jobId: change.job.id }, 'could not publish a job change');
    });
    this.queues.set(change.job.id, next);
    void next.finally(() => {
      if (this.queues.get(change.job.id) === next) this.queues.delete(change.job.id);
    });
    if (change.event?.kind === 'requested') return next;
  }

  /** Resolves when every change so far is published (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.queues.size > 0) await Promise.allSettled([...this.queues.values()]);
  }

  /** Remembers a card posted for the job, so that later changes update it in place. */
  async remember(jobId: string, role: JobMessageRole, address: ConversationAddress, activityId: string, now = new Date()): Promise<void> {
    await saveJobMessage(this.options.db, { jobId, role, conversationId: address.conversationId, activityId, reference: address.reference, postedAt: now });
  }

  async approversConversation(): Promise<ConversationAddress | undefined> {
    const stored = (await getSetting(this.options.db, APPROVERS_CONVERSATION_SETTING))?.value as ConversationAddress | undefined;
    return stored && typeof stored.conversationId === 'string' && typeof stored.reference === 'object' ? stored : undefined;
  }

  private async publish(change: JobChange): Promise<void> {
    const { job, event } = change;
    const messages = await listJobMessages(this.options.db, job.id);
    // The job's view is read only when something is drawn: most changes of a job nobody sees draw nothing.
    let read: Promise<JobView> | undefined;
    const view = () => (read ??= this.options.views.view(job.id));

    if (event?.kind === 'requested') {
      const approvers = await this.approversConversation();
      if (approvers && !messages.some((message) => message.conversationId === approvers.conversationId)) {
        const posted = await this.send(approvers, { card: await this.options.views.approvalForEveryone(await view()) });
        if (posted?.activityId) await this.remember(job.id, 'approvers', approvers, posted.activityId);
      }
      return;
    }

    // Each card is drawn only when a message shows it and it can have changed: the approval card changes with
    // decisions, expiry and cancellation, not with the stages that follow.
    const approvalChanged = event !== undefined && APPROVAL_CARD_EVENTS.has(event.kind);
    const approvalCard = approvalChanged && messages.some((message) => message.role !== 'requester') ? await this.options.views.approvalForEveryone(await view()) : undefined;
    const jobCard = messages.some((message) => message.role === 'requester') ? this.options.views.jobCard(await view()) : undefined;
    for (const message of messages) {
      const card = message.role === 'requester' ? jobCard : approvalCard;
      if (card === undefined) continue;
      const address = { conversationId: message.conversationId, reference: message.reference };
      await this.attempt(() => this.options.deliverer.update(address, message.activityId, { card }), job.id, message.conversationId);
    }

    if (event?.kind === 'reminded') {
      const target = (await this.approversConversation()) ?? addressOf(messages.find((message) => message.role === 'request'));
      if (target) await this.send(target, { text: approvalReminderMessage(await view(), new Date()) });
    }
    if (event !== undefined && (FINAL_STATES as readonly string[]).includes(event.kind)) {
      const card = messages.find((message) => message.role === 'requester') ?? messages.find((message) => message.role === 'request');
      const requester = addressOf(card);
      if (card && requester && isChannel(requester)) {
        // A channel stays quiet: the outcome goes into the job card's thread, telling the requester by name.
        const reply = jobOutcomeReply(await view());
        await this.attempt(() => this.options.deliverer.reply(requester, threadOfCard(requester, card.activityId), reply), job.id, requester.conversationId);
      } else if (requester) await this.send(requester, { text: jobStatusMessage(await view()) });
    }
  }

  /** Posts one message now (a button's follow-up); a failure is logged, not thrown. */
  post(address: ConversationAddress, message: { card?: Record<string, unknown>; text?: string }): Promise<{ activityId?: string } | undefined> {
    return this.send(address, message);
  }

  private async send(address: ConversationAddress, message: { card?: Record<string, unknown>; text?: string }): Promise<{ activityId?: string } | undefined> {
    return this.attempt(() => this.options.deliverer.post(address, message), undefined, address.conversationId);
  }

  private async attempt<T>(work: () => Promise<T>, jobId: string | undefined, conversationId: string): Promise<T | undefined> {
    try {
      return await work();
    } catch (error) {
      const permanent = error instanceof DeliveryFailed && error.permanent;
      this.options.logger.warn(
        { err: error instanceof DeliveryFailed ? error.message : error, status: error instanceof DeliveryFailed ? error.status : undefined, jobId, conversationId, permanent },
        permanent ? 'a conversation refused a job message for good' : 'could not deliver a job message',
      );
      return undefined;
    }
  }
}

function addressOf(message: { conversationId: string; reference: Record<string, unknown> } | undefined): ConversationAddress | undefined {
  return message ? { conversationId: message.conversationId, reference: message.reference } : undefined;
}

/** The thread the card is in: the one the request was typed in, else the card's own. */
function threadOfCard(address: ConversationAddress, cardActivityId: string): string {
  const conversationId = String((address.reference.conversation as { id?: unknown } | undefined)?.id ?? address.conversationId);
  return threadOf(conversationId) ?? cardActivityId;
}

function isChannel(address: ConversationAddress): boolean {
  const conversation = address.reference.conversation as { conversationType?: unknown } | undefined;
  return conversation?.conversationType === 'channel';
}
