/**
 * Commands → cards, answered from the inventory snapshot only: a turn never waits on ConfigMgr.
 * Shared by typed messages and card buttons, so both always answer alike.
 */
import {
  choiceCard,
  editionsCard,
  errorCard,
  helpCard,
  mediaDetailCard,
  mediaListCard,
  MAX_LIST_FILTER_LENGTH,
  statusCard,
  type AdaptiveCard,
  type CardContext,
} from '../cards/media-cards';
import type { MediaInventory } from '../services/media/inventory';
import type { InventorySnapshot, MediaPackage } from '../services/media/media-package';
import { filterPackages, findPackage } from '../services/media/package-lookup';
import type { SiteStatus } from '../services/site-status';
import { MAX_COMMAND_LENGTH, type Command } from './command-parser';

export interface MediaAnswersOptions {
  inventory: Pick<MediaInventory, 'snapshot' | 'syncState'>;
  adminServiceUrl: string;
  syncIntervalMinutes: number;
}

/** How many rendered list pages to keep; pages are re-rendered only when the inventory changes. */
const LIST_CACHE_SIZE = 64;

export class MediaAnswers {
  private readonly listCache = new Map<string, AdaptiveCard>();

  constructor(private readonly options: MediaAnswersOptions) {}

  answer(command: Command): AdaptiveCard {
    const snapshot = this.options.inventory.snapshot();
    const context = this.cardContext(snapshot);
    switch (command.name) {
      case 'help':
      case 'empty':
        return helpCard(context);
      case 'list':
        return this.listPage(command.filter, 0);
      case 'show':
      case 'editions':
        return this.packageAnswer(command.name, command.query, snapshot, context);
      case 'status':
        return statusCard(this.siteStatus(snapshot), context);
      case 'too-long':
        return errorCard(
          {
            message: `That message is ${command.length} characters long, more than any command (${MAX_COMMAND_LENGTH}); type "help" to see the commands.`,
          },
          context,
        );
      case 'unknown':
        return helpCard(context);
    }
  }

  /** One page of `list`, cached per inventory generation so busy chats cost little. */
  listPage(rawFilter: string, page: number): AdaptiveCard {
    // Previous/Next buttons carry the filter cut to this length: cut it here too so pages agree.
    const filter = rawFilter.slice(0, MAX_LIST_FILTER_LENGTH);
    const snapshot = this.options.inventory.snapshot();
    const context = this.cardContext(snapshot);
    const key = JSON.stringify([snapshot.generation, snapshot.syncedAt?.getTime(), context.staleReason, filter, page]);
    const cached = this.listCache.get(key);
    if (cached) return cached;
    const card = mediaListCard({ packages: filterPackages(snapshot.packages, filter), filter, page }, context);
    if (this.listCache.size >= LIST_CACHE_SIZE) this.listCache.delete(this.listCache.keys().next().value as string);
    this.listCache.set(key, card);
    return card;
  }

  /** A package opened by id from a card button; undefined when it has left the site since. */
  packageById(packageId: string): MediaPackage | undefined {
    const wanted = packageId.toUpperCase();
    return this.options.inventory.snapshot().packages.find((pkg) => pkg.id === wanted);
  }

  detailCard(pkg: MediaPackage): AdaptiveCard {
    return mediaDetailCard(pkg, this.cardContext(this.options.inventory.snapshot()));
  }

  editionsCard(pkg: MediaPackage): AdaptiveCard {
    return editionsCard(pkg, this.cardContext(this.options.inventory.snapshot()));
  }

  errorCard(message: string): AdaptiveCard {
    return errorCard({ message }, this.cardContext(this.options.inventory.snapshot()));
  }

  private packageAnswer(
    command: 'show' | 'editions',
    query: string,
    snapshot: InventorySnapshot,
    context: CardContext,
  ): AdaptiveCard {
    if (snapshot.syncedAt === null && snapshot.packages.length === 0) {
      return errorCard({ message: this.notReadyMessage() }, context);
    }
    const lookup = findPackage(snapshot.packages, query);
    switch (lookup.match) {
      case 'one':
        return command === 'show' ? mediaDetailCard(lookup.pkg, context) : editionsCard(lookup.pkg, context);
      case 'many':
        return choiceCard({ query, command, candidates: lookup.candidates }, context);
      case 'none':
        return errorCard(
          {
            message:
              lookup.nearest.length > 0
                ? `No package matches "${query}"; did you mean one of these?`
                : `No package matches "${query}"; type "list" to see the site's media.`,
            suggestions: lookup.nearest,
          },
          context,
        );
    }
  }

  private notReadyMessage(): string {
    const state = this.options.inventory.syncState();
    return state.lastError
      ? 'The bot has not been able to read the media from ConfigMgr yet; type "status" to see why.'
      : 'The bot is still reading the media from ConfigMgr; try again in a minute.';
  }

  private cardContext(snapshot: InventorySnapshot): CardContext {
    const state = this.options.inventory.syncState();
    const staleReason = state.lastError !== undefined && snapshot.syncedAt !== null ? state.lastError : undefined;
    return { demo: snapshot.demo, syncedAt: snapshot.syncedAt, staleReason };
  }

  private siteStatus(snapshot: InventorySnapshot): SiteStatus {
    const state = this.options.inventory.syncState();
    return {
      demo: snapshot.demo,
      adminServiceUrl: this.options.adminServiceUrl,
      configMgrReachable: state.reachable,
      lastSyncAttemptAt: state.lastAttemptAt,
      lastSuccessfulSyncAt: state.lastSuccessAt,
      lastSyncDurationMs: state.lastDurationMs,
      lastSyncError: state.lastError,
      packageCounts: {
        upgrade: snapshot.packages.filter((pkg) => pkg.kind === 'upgrade').length,
        image: snapshot.packages.filter((pkg) => pkg.kind === 'image').length,
      },
      syncIntervalMinutes: this.options.syncIntervalMinutes,
    };
  }
}
