/**
 * Action.Execute invokes → answers. Every verb and its data is validated: a foreign verb, missing or
 * tampered data gets a clear error response, never an exception.
 */
import { z } from 'zod';
import { CardVerbs } from '../cards/card-verbs';
import { isPackageId } from '../services/configmgr/admin-service';
import { MAX_LIST_FILTER_LENGTH, type ListPlace } from '../cards/media/list-place';
import type { AdaptiveCard } from '../cards/kit/adaptive-card';
import { parseCommand } from './commands/command-parser';
import type { MediaAnswers } from './media-answers';

export type CardActionResponse =
  | { statusCode: 200; type: 'application/vnd.microsoft.card.adaptive'; value: AdaptiveCard }
  | { statusCode: 200; type: 'application/vnd.microsoft.activity.message'; value: string }
  | { statusCode: 400; type: 'application/vnd.microsoft.error'; value: { code: string; message: string } };

const packageId = z.string().trim().refine(isPackageId);

const invokeValue = z.object({
  action: z.object({
    type: z.literal('Action.Execute'),
    verb: z.string().max(100),
    data: z.record(z.string(), z.unknown()).nullish(),
  }),
});

const filter = z.string().max(MAX_LIST_FILTER_LENGTH).default('');
const page = z.coerce.number().int().min(0).max(100_000);
/** '' is "every kind", as the cards write it. */
const kind = z
  .enum(['', 'upgrade', 'image'])
  .default('')
  .transform((value) => (value === '' ? undefined : value));
const support = z.enum(['', 'ended']).default('');

/** Where a package was opened from (ListPlace); absent on buttons that open it from elsewhere. */
const openedFrom = {
  view: z.enum(['list', 'stale']).optional(),
  filter,
  kind,
  support,
  page: page.default(0),
};

const verbData = {
  [CardVerbs.show]: z.object({ packageId, ...openedFrom }),
  [CardVerbs.editions]: z.object({ packageId, ...openedFrom }),
  [CardVerbs.listPage]: z.object({ filter, kind, page }),
  [CardVerbs.stalePage]: z.object({ filter, kind, support, page }),
  [CardVerbs.command]: z.object({ text: z.string().min(1).max(500) }),
} as const;

function badRequest(message: string): CardActionResponse {
  return { statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest', message } };
}

function card(value: AdaptiveCard): CardActionResponse {
  return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value };
}

export class CardActions {
  constructor(private readonly answers: MediaAnswers) {}

  handle(value: unknown): CardActionResponse {
    const parsed = invokeValue.safeParse(value);
    if (!parsed.success) return badRequest('This button sent no action the bot understands; type "help" to start again.');
    const { verb, data } = parsed.data.action;
    if (!(verb in verbData)) return badRequest(`This button is not one of the bot's; type "help" to see what it can do.`);

    switch (verb) {
      case CardVerbs.show:
      case CardVerbs.editions: {
        const fields = verbData[verb].safeParse(data ?? {});
        if (!fields.success) return badRequest('This button carries no valid package id; type "list" to pick the package again.');
        const pkg = this.answers.packageById(fields.data.packageId);
        if (!pkg) {
          return {
            statusCode: 200,
            type: 'application/vnd.microsoft.activity.message',
            value: `Package ${fields.data.packageId.toUpperCase()} is no longer on the site; type "list" to see the current media.`,
          };
        }
        const { view, filter: from, kind: fromKind, support: fromSupport, page: fromPage } = fields.data;
        const place: ListPlace | undefined = view
          ? { view, filter: from, kind: fromKind, outOfSupport: fromSupport === 'ended', page: fromPage }
          : undefined;
        return card(verb === CardVerbs.show ? this.answers.detailCard(pkg, place) : this.answers.editionsCard(pkg, place));
      }
      case CardVerbs.listPage: {
        const fields = verbData[verb].safeParse(data ?? {});
        if (!fields.success) return badRequest('This button carries no valid page; type "list" to start again.');
        return card(this.answers.listPage(fields.data.filter, fields.data.page, fields.data.kind));
      }
      case CardVerbs.stalePage: {
        const fields = verbData[verb].safeParse(data ?? {});
        if (!fields.success) return badRequest('This button carries no valid page; type "stale" to start again.');
        const { filter: shown, page: at, kind: ofKind, support: ended } = fields.data;
        return card(this.answers.stalePage(shown, at, ofKind, ended === 'ended'));
      }
      case CardVerbs.command: {
        const fields = verbData[verb].safeParse(data ?? {});
        if (!fields.success) return badRequest('This button carries no command; type "help" to see the commands.');
        return card(this.answers.answer(this.answers.recognise(parseCommand(fields.data.text))));
      }
      default:
        return badRequest(`This button is not one of the bot's; type "help" to see what it can do.`);
    }
  }
}
