/** The Teams turn handler: typed messages and card buttons in, cards out. */
import {
  CardFactory,
  MessageFactory,
  TeamsActivityHandler,
  type InvokeResponse,
  type TurnContext,
} from 'botbuilder';
import type { Logger } from 'pino';
import { describeOutsideValue } from '../services/shared/outside-value';
import { CardActions } from './card-actions';
import { parseCommand } from './command-parser';
import { declineInvoke } from './invoke-declines';
import type { MediaAnswers } from './media-answers';

export class MediaBot extends TeamsActivityHandler {
  private readonly cardActions: CardActions;

  constructor(
    private readonly answers: MediaAnswers,
    private readonly logger: Logger,
  ) {
    super();
    this.cardActions = new CardActions(answers);

    this.onMessage(async (context, next) => {
      await this.answerMessage(context);
      await next();
    });
  }

  /**
   * Messages, card buttons and the bot joining a conversation are all the bot acts on. Every other
   * activity (reactions, edits, deletes, installs, meeting and other events, types nobody knows)
   * is acknowledged with 200 and nothing else: the Teams handlers for them read channelData and
   * values without checking their shape, and some call the channel back once per listed member.
   */
  protected override async onTurnActivity(context: TurnContext): Promise<void> {
    switch (context.activity.type) {
      case 'message':
      case 'invoke':
        await super.onTurnActivity(context);
        return;
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
    const response = this.cardActions.handle(context.activity.value);
    if (response.statusCode !== 200) {
      this.logger.warn({ verb: describeOutsideValue(readVerb(context.activity.value)), response: response.value }, 'rejected card action');
    }
    return { status: response.statusCode, body: response };
  }

  private async answerMessage(context: TurnContext): Promise<void> {
    const text = typeof context.activity.text === 'string' ? context.activity.text : '';
    if (text === '' && context.activity.value !== undefined) {
      // Action.Submit from an older card or client: nothing of ours sends these.
      await context.sendActivity('That button is not one the bot understands; type "help" to see what it can do.');
      return;
    }
    const command = parseCommand(text);
    this.logger.debug({ command: command.name }, 'command');
    const card = this.answers.answer(command);
    if (command.name === 'unknown') {
      const shown = command.text.length > 60 ? `${command.text.slice(0, 60)}…` : command.text;
      await this.sendCard(context, card, `I don't know "${shown}" as a command; here is what I can answer.`);
      return;
    }
    await this.sendCard(context, card);
  }

  private async sendCard(context: TurnContext, card: object, text?: string): Promise<void> {
    const reply = MessageFactory.attachment(CardFactory.adaptiveCard(card));
    if (text) reply.text = text;
    await context.sendActivity(reply);
  }
}

function readVerb(value: unknown): unknown {
  return (value as { action?: { verb?: unknown } } | undefined)?.action?.verb;
}
