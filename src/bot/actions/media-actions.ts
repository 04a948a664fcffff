/**
 * The media cards' buttons: open a package or its editions, page the list or the stale media, run
 * a command from a help button. Each verb is the CardVerbs constant its cards send.
 */
import { z } from 'zod';
import { CardVerbs } from '../../cards/card-verbs';
import { MAX_LIST_FILTER_LENGTH, type ListPlace } from '../../cards/media/list-place';
import { isPackageId } from '../../services/configmgr/admin-service';
import { parseCommand } from '../commands/command-parser';
import type { MediaAnswers } from '../media-answers';
import { cardResponse, messageResponse } from './action-response';
import { route, type ActionRoute } from './action-route';

const packageId = z.string().trim().refine(isPackageId);
const filter = z.string().max(MAX_LIST_FILTER_LENGTH).default('');
const page = z.coerce.number().int().min(0).max(100_000);
/** '' is "every kind", as the cards write it. */
const kind = z
  .enum(['', 'upgrade', 'image'])
  .default('')
  .transform((value) => (value === '' ? undefined : value));
const support = z.enum(['', 'ended']).default('');

/** A package, and where it was opened from (ListPlace); the place is absent on buttons that open it from elsewhere. */
const packageData = z.object({
  packageId,
  view: z.enum(['list', 'stale']).optional(),
  filter,
  kind,
  support,
  page: page.default(0),
});

const NO_PACKAGE_ID = 'This button carries no valid package id; type "list" to pick the package again.';

export function mediaActionRoutes(answers: MediaAnswers): ActionRoute[] {
  /** The package's detail or editions card, or a sentence when it has left the site. */
  function packageCard(data: z.output<typeof packageData>, card: 'detail' | 'editions') {
    const pkg = answers.packageById(data.packageId);
    if (!pkg) return messageResponse(`Package ${data.packageId.toUpperCase()} is no longer on the site; type "list" to see the current media.`);
    const place: ListPlace | undefined = data.view
      ? { view: data.view, filter: data.filter, kind: data.kind, outOfSupport: data.support === 'ended', page: data.page }
      : undefined;
    return cardResponse(card === 'detail' ? answers.detailCard(pkg, place) : answers.editionsCard(pkg, place));
  }

  return [
    route({
      verb: CardVerbs.show,
      data: packageData,
      invalidData: NO_PACKAGE_ID,
      handle: (data) => packageCard(data, 'detail'),
    }),
    route({
      verb: CardVerbs.editions,
      data: packageData,
      invalidData: NO_PACKAGE_ID,
      handle: (data) => packageCard(data, 'editions'),
    }),
    route({
      verb: CardVerbs.listPage,
      data: z.object({ filter, kind, page }),
      invalidData: 'This button carries no valid page; type "list" to start again.',
      handle: (data) => cardResponse(answers.listPage(data.filter, data.page, data.kind)),
    }),
    route({
      verb: CardVerbs.stalePage,
      data: z.object({ filter, kind, support, page }),
      invalidData: 'This button carries no valid page; type "stale" to start again.',
      handle: (data) => cardResponse(answers.stalePage(data.filter, data.page, data.kind, data.support === 'ended')),
    }),
    route({
      verb: CardVerbs.command,
      data: z.object({ text: z.string().min(1).max(500) }),
      invalidData: 'This button carries no command; type "help" to see the commands.',
      // answerAsync: the Site status button's card carries the notifications' health like a typed "status".
      handle: async (data) => cardResponse(await answers.answerAsync(answers.recognise(parseCommand(data.text)))),
    }),
  ];
}
