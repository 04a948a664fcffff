/** The help card: every command with its usage and an example, and buttons for the common ones. */
import { botCommands } from '../bot-commands';
import { render, type AdaptiveCard, type CardContext } from '../kit/adaptive-card';
import helpTemplate from './help-card.template.json';

export function helpCard(context: CardContext): AdaptiveCard {
  return render(helpTemplate, context, { showFreshness: false }, {
    commands: botCommands.map((command) => ({
      usage: command.usage,
      description: command.description,
      example: command.example,
      aliasNote: command.aliases.length > 0 ? ` · also: ${command.aliases.join(', ')}` : '',
    })),
    buttons: [
      { title: 'List media', text: 'list' },
      { title: 'Behind or drifting', text: 'stale' },
      { title: 'Site status', text: 'status' },
    ],
  });
}
