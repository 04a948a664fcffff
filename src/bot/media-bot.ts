/** The Teams turn handler: typed messages and card buttons in, cards out. */
import {
  CardFactory,
  MessageFactory,
  TeamsActivityHandler,
  TurnContext,
  type InvokeResponse,
} from 'botbuilder';
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { shorten, escapeText } from '../cards/kit/text';
import { TokenBucketLimiter, type TokenBucketOptions } from '../services/shared/token-bucket';
import { describeOutsideValue } from '../services/shared/outside-value';
import { readActionInvocation } from './actions/action-invocation';
import { createActionRegistry, type ActionRegistry } from './actions/action-registry';
import { badRequestResponse } from './actions/action-response';
import type { ActionRoute } from './actions/action-route';
import { parseCommand } from './commands/command-parser';
import { declineInvoke, failedCardAction } from './invoke-declines';
import type { MediaAnswers } from './media-answers';
import { isJobCommand, type JobAnswers, type JobCommand, type JobReply, type JobTurn } from './answers/job-answers';
import type { ApproverDirectory } from './jobs/approver-directory';
import { jobTurnOf } from './actions/job-actions';
import { UserFacingError } from '../services/errors';
import { isSubscriptionCommand, type SubscriptionAnswers, type SubscriptionCommand } from './answers/subscription-answers';
import { conversationKeyOf, conversationKindOf, type ConversationReferences } from './conversation-references';

/** Said instead of answering a sender over the rate limit: the work is not done. */
export const RATE_LIMITED_MESSAGE = 'You are sending commands faster than the bot answers; wait a few seconds and try again.';
/** How much of an unknown command the reply quotes. */
const MAX_UNKNOWN_SHOWN = 60;
/** Sender ids longer than this are hashed before they key a bucket: an id is ours to bound, not the sender's. */
const MAX_SENDER_KEY_LENGTH = 128;
/** Said to a button press that names no sender or conversation: Teams names both, so nobody is acting. */
export const NO_INVOKER_MESSAGE = 'This button came without the sender and conversation Teams always names; open the card in Teams and try again.';

export interface MediaBotOptions {
  /**
   * The card buttons it answers: every route of every area, e.g. `[...mediaActionRoutes(answers), ...jobRoutes]`.
   * Two routes with one verb are refused here, at construction.
   */
  actions: readonly ActionRoute[];
  /** Per-user limit on messages and card buttons; false turns it off (the bench measures throughput). */
  rateLimit?: Partial<Omit<TokenBucketOptions, 'now'>> | false;
  /** The limiter's clock, for tests. */
  now?: () => number;
  /** Refresh jobs: the job commands' answers and the approvers' Teams ids, learnt from their turns. */
  jobs?: { answers: JobAnswers; approvers: ApproverDirectory };
  /** Saves each turn's conversation reference (and disables it when the bot is removed), for notifications. */
  conversations?: ConversationReferences;
  /** subscribe, unsubscribe, subscriptions: answered from the store. */
  subscriptions?: SubscriptionAnswers;
}

export class MediaBot extends TeamsActivityHandler {
  private readonly cardActions: ActionRegistry;
  private readonly limiter: TokenBucketLimiter | undefined;
  private readonly jobs: MediaBotOptions['jobs'];
  private readonly conversations: ConversationReferences | undefined;
  private readonly subscriptions: SubscriptionAnswers | undefined;

  constructor(
    private readonly answers: MediaAnswers,
    private readonly logger: Logger,
    options: MediaBotOptions,
  ) {
    super();
    this.cardActions = createActionRegistry(options.actions, {
      onUnexpectedError: (err, verb) => this.logger.error({ err, verb }, 'card action failed'),
    });
    this.jobs = options.jobs;
    this.conversations = options.conversations;
    this.subscriptions = options.subscriptions;
    this.limiter = options.rateLimit === false ? undefined : new TokenBucketLimiter({ ...options.rateLimit, ...(options.now ? { now: options.now } : {}) });

    this.onMessage(async (context, next) => {
      await this.answerMessage(context);
      await next();
    });
  }

  /**
   * Messages, card buttons and the bot joining a conversation are all the bot acts on; those turns and
   * installs save the conversation's reference first (installationUpdate is read by
   * ConversationReferences field by field, and otherwise only acknowledged). Every other activity
   * (reactions, edits, deletes, meeting and other events, types nobody knows) is acknowledged with 200
   * and nothing else: the Teams handlers for them read channelData and values without checking their
   * shape, and some call the channel back once per listed member.
   */
  protected override async onTurnActivity(context: TurnContext): Promise<void> {
    switch (context.activity.type) {
      case 'message':
      case 'invoke':
      case 'conversationUpdate':
      case 'installationUpdate':
        // Never throws: a store failure is logged and the turn goes on.
        await this.conversations?.noteTurn(context);
        break;
      default:
        break;
    }
    switch (context.activity.type) {
      case 'message':
      case 'invoke': {
        const actor = readActionInvocation(context.activity)?.actor;
        if (actor && this.jobs) await this.jobs.approvers.note(actor);
        await super.onTurnActivity(context);
        return;
      }
      case 'conversationUpdate':
        await this.greetWhenAdded(context);
        return;
      default:
        return;
    }
  }

  /** The help card, once, when the bot itself is among the members added. */
  private async greetWhenAdded(context: TurnContext): Promise<void> {
    const botId = context.activity.recipient?.id;
    const added = context.activity.membersAdded;
    const joined = botId !== undefined && Array.isArray(added) && added.some((member) => member?.id === botId);
    if (joined) await this.sendCard(context, this.answers.answer({ name: 'help' }));
  }

  /** Card buttons: handled here in full so that a malformed invoke gets a 400, never a crash. */
  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    if (context.activity.name !== 'adaptiveCard/action') {
      this.logger.debug({ name: describeOutsideValue(context.activity.name) }, 'declined an invoke the app does not implement');
      return declineInvoke(context.activity.name);
    }
    if (!this.mayWork(context)) {
      // 200 with a message: Teams shows it in place; a 429 would show as a failed action.
      return { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: RATE_LIMITED_MESSAGE } };
    }
    const read = readActionInvocation(context.activity);
    const invocation = read && {
      ...read,
      address: { conversationId: read.conversationId, reference: TurnContext.getConversationReference(context.activity) as Record<string, unknown> },
    };
    const response = invocation === undefined ? badRequestResponse(NO_INVOKER_MESSAGE) : await this.cardActions.handle(context.activity.value, invocation);
    // Logged with its cause by the registry's onUnexpectedError; answered as any failed turn is.
    if (response.statusCode === 500) return failedCardAction();
    if (response.statusCode !== 200) {
      this.logger.warn({ verb: describeOutsideValue(readVerb(context.activity.value)), response: response.value }, 'rejected card action');
    }
    return { status: response.statusCode, body: response };
  }

  private async answerMessage(context: TurnContext): Promise<void> {
    if (!this.mayWork(context)) {
      await context.sendActivity(RATE_LIMITED_MESSAGE);
      return;
    }
    const text = typeof context.activity.text === 'string' ? context.activity.text : '';
    if (text === '' && context.activity.value !== undefined) {
      // Action.Submit from an older card or client: nothing of ours sends these.
      await context.sendActivity('That button is not one the bot understands; type "help" to see what it can do.');
      return;
    }
    // recognise: a full package name typed alone opens the package rather than the help card.
    const command = this.answers.recognise(parseCommand(text));
    this.logger.debug({ command: command.name }, 'command');
    if (isJobCommand(command)) {
      await this.answerJobCommand(context, command);
      return;
    }
    if (isSubscriptionCommand(command)) {
      await this.answerSubscriptionCommand(context, command);
      return;
    }
    if (command.name === 'did-you-mean' && isSubscriptionCommand(parseCommand(command.suggestion))) {
      // A card button cannot say which conversation subscribes: the suggestion is a sentence to type.
      const typed = escapeText(shorten(command.typed, MAX_UNKNOWN_SHOWN));
      const meant = escapeText(shorten(command.suggestion, MAX_UNKNOWN_SHOWN + 20));
      await context.sendActivity(`I don't know "${typed}" as a command; did you mean "${meant}"? Type it to go ahead.`);
      return;
    }
    const card = command.name === 'status' ? await this.answers.statusAnswer() : this.answers.answer(command);
    if (command.name === 'unknown') {
      const shown = escapeText(shorten(command.text, MAX_UNKNOWN_SHOWN));
      await this.sendCard(context, card, `I don't know "${shown}" as a command; here is what I can answer.`);
      return;
    }
    await this.sendCard(context, card);
  }

  /** refresh, jobs, job, cancel, approvals here: answered from the store, each reply tracked when it is a job's card. */
  private async answerJobCommand(context: TurnContext, command: JobCommand): Promise<void> {
    const invocation = readActionInvocation(context.activity);
    if (!this.jobs || !invocation) {
      await context.sendActivity('Refresh jobs are not available here; type "help" to see what the bot can do.');
      return;
    }
    const turn: JobTurn = jobTurnOf({
      ...invocation,
      address: { conversationId: invocation.conversationId, reference: TurnContext.getConversationReference(context.activity) as Record<string, unknown> },
    });
    let replies: JobReply[];
    try {
      replies = await this.jobs.answers.answer(command, turn);
    } catch (error) {
      if (!(error instanceof UserFacingError)) throw error;
      this.logger.info({ command: command.name, refusal: error.name }, 'job command refused');
      await context.sendActivity(error.userMessage);
      return;
    }
    for (const reply of replies) {
      const activity = reply.card ? MessageFactory.attachment(CardFactory.adaptiveCard(reply.card)) : MessageFactory.text(reply.text ?? '');
      if (reply.card && reply.text) activity.text = reply.text;
      const sent = await context.sendActivity(activity);
      if (reply.track) await this.jobs.answers.posted(reply.track, turn.address, sent?.id);
    }
  }

  /** subscribe, unsubscribe, subscriptions: for this conversation (a channel, whatever thread), as this person. */
  private async answerSubscriptionCommand(context: TurnContext, command: SubscriptionCommand): Promise<void> {
    const invocation = readActionInvocation(context.activity);
    if (!this.subscriptions || !invocation) {
      await context.sendActivity('Notifications are not available here; type "help" to see what the bot can do.');
      return;
    }
    const kind = conversationKindOf(context.activity);
    const { actor } = invocation;
    const reply = await this.subscriptions.answer(command, {
      conversationId: conversationKeyOf(invocation.conversationId, kind),
      kind,
      person: { id: actor.id, name: actor.name, ...(actor.aadObjectId ? { aadObjectId: actor.aadObjectId } : {}) },
    });
    if (reply.card) await this.sendCard(context, reply.card, reply.text);
    else await context.sendActivity(reply.text ?? '');
  }

  private async sendCard(context: TurnContext, card: object, text?: string): Promise<void> {
    const reply = MessageFactory.attachment(CardFactory.adaptiveCard(card));
    if (text) reply.text = text;
    await context.sendActivity(reply);
  }

  /** One token from the sender's bucket; false when they are over the limit. */
  private mayWork(context: TurnContext): boolean {
    if (this.limiter === undefined) return true;
    const key = senderKey(context.activity.from);
    if (this.limiter.tryTake(key)) return true;
    this.logger.debug({ sender: shorten(key, 64) }, 'sender over the rate limit');
    return false;
  }
}

/** The sender as Teams names them (Azure AD object id, else channel id), bounded in length. */
function senderKey(from: unknown): string {
  const sender = typeof from === 'object' && from !== null ? (from as { aadObjectId?: unknown; id?: unknown }) : {};
  const id = typeof sender.aadObjectId === 'string' && sender.aadObjectId !== '' ? sender.aadObjectId : typeof sender.id === 'string' ? sender.id : '';
  return id.length <= MAX_SENDER_KEY_LENGTH ? id : `sha256:${createHash('sha256').update(id).digest('hex')}`;
}

function readVerb(value: unknown): unknown {
  return (value as { action?: { verb?: unknown } } | undefined)?.action?.verb;
}
