/**
 * Commands → cards, answered from the inventory snapshot only: a turn never waits on ConfigMgr.
 * Shared by typed messages and card buttons, so both always answer alike.
 */
import { CardCache } from '../cards/card-cache';
import { choiceCard } from '../cards/media/choice-card';
import { didYouMeanCard } from '../cards/media/did-you-mean-card';
import { editionsCard } from '../cards/media/editions-card';
import { errorCard, noPackageMatchesCard } from '../cards/media/error-cards';
import { helpCard } from '../cards/media/help-card';
import { mediaDetailCard } from '../cards/media/detail-card';
import { mediaListCard, DEFAULT_LIST_PAGE_SIZE, LIST_FILTER_STAND_IN, withListFilter } from '../cards/media/list-card';
import { cutListFilter, withBackTo, type ListPlace } from '../cards/media/list-place';
import { MAX_STALE_ROWS, staleCard } from '../cards/media/stale-card';
import { statusCard, type NotificationsStatus } from '../cards/media/status-card';
import type { AdaptiveCard, CardContext } from '../cards/kit/adaptive-card';
import type { MediaInventory } from '../services/media/inventory';
import type { InventorySnapshot, MediaPackage, PackageKind } from '../services/media/media-package';
import { PackageIndex, type PackageLookup } from '../services/media/package-lookup';
import { isOutOfSupport, staleMedia } from '../services/media/stale-media';
import type { ReleaseCatalog } from '../services/releases/release-catalog';
import { releaseDataWarning } from '../services/releases/freshness-verdict';
import type { SiteStatus } from '../services/site-status';
import type { NotifyHealth } from '../services/notify/notify-health';
import type { Command } from './commands/command';
import { MAX_COMMAND_LENGTH } from './commands/command-parser';

export interface MediaAnswersOptions {
  inventory: Pick<MediaInventory, 'snapshot' | 'syncState'>;
  releases?: Pick<ReleaseCatalog, 'status'>;
  now?: () => Date;
  /** The card cache's memory budget (CardCache's default when absent). */
  cardCacheBytes?: number;
  adminServiceUrl: string;
  syncIntervalMinutes: number;
  /**
   * The notifications' health for `status` (outbox depth, oldest undelivered, stopped conversations); absent,
   * the card has no Notifications section. Read with a time limit so that `status` stays fast.
   */
  notifyHealth?: () => Promise<NotifyHealth>;
  /** How long `status` waits for notifyHealth before saying it could not be read in time. */
  notifyHealthTimeoutMs?: number;
}

/** `status` answers within a turn: the notifications' figures get this long. */
export const DEFAULT_NOTIFY_HEALTH_TIMEOUT_MS = 2_000;

export class MediaAnswers {
  private readonly cards: CardCache;
  private index = new PackageIndex([]);
  /** Every package that needs attention, worst first, for the packages of `index`. */
  private staleOfIndex: { packages: readonly MediaPackage[]; stale: MediaPackage[] } = { packages: [], stale: [] };

  constructor(private readonly options: MediaAnswersOptions) {
    this.cards = new CardCache(options.cardCacheBytes);
  }

  answer(command: Command): AdaptiveCard {
    const snapshot = this.options.inventory.snapshot();
    const context = this.cardContext(snapshot);
    switch (command.name) {
      case 'help':
      case 'empty':
      case 'unknown':
        return this.cards.get(snapshot.generation, ['help'], context, helpCard);
      case 'list':
        return this.listPage(command.filter, 0, command.kind);
      case 'show':
      case 'editions':
        return this.packageAnswer(command.name, command.query, snapshot, context);
      case 'status':
        return statusCard(this.siteStatus(snapshot), context);
      case 'stale': {
        // "is Windows 11 24H2 Enterprise x64 up to date?" is about one package: its card says how current it is.
        const named = command.filter === '' ? [] : this.indexOf(snapshot).named(command.filter);
        if (named.length === 1) return this.packageCard('show', named[0], snapshot);
        return this.stalePage(command.filter, 0, command.kind, command.outOfSupport === true);
      }
      case 'did-you-mean':
        return didYouMeanCard(command, context);
      case 'refresh':
      case 'jobs':
      case 'job':
      case 'cancel':
      case 'approvals-here':
        // Job commands are answered by JobAnswers, which needs the store; reaching here is a wiring bug.
        return errorCard({ message: 'Refresh jobs are not available on this bot; type "help" to see what it can do.' }, context);
      case 'subscribe':
      case 'unsubscribe':
      case 'subscriptions':
      case 'subscription-words':
        // Answered by SubscriptionAnswers in a chat turn; a card button (a "did you mean") cannot say where.
        return errorCard({ message: 'Type the subscription command in the chat itself, for example "subscribe failures 24H2"; type "help" to see the commands.' }, context);
      case 'too-long':
        return errorCard(
          {
            message: `That message is ${command.length} characters long, more than any command (${MAX_COMMAND_LENGTH}); type "help" to see the commands.`,
          },
          context,
        );
    }
  }

  /** As answer(), with `status` carrying the notifications' health: what chat turns and buttons call. */
  async answerAsync(command: Command): Promise<AdaptiveCard> {
    return command.name === 'status' ? this.statusAnswer() : this.answer(command);
  }

  /** The status card with its Notifications section, when the notifications' health is wired in. */
  async statusAnswer(): Promise<AdaptiveCard> {
    const snapshot = this.options.inventory.snapshot();
    return statusCard(this.siteStatus(snapshot), this.cardContext(snapshot), await this.notificationsStatus());
  }

  private async notificationsStatus(): Promise<NotificationsStatus | undefined> {
    const read = this.options.notifyHealth;
    if (!read) return undefined;
    const limitMs = this.options.notifyHealthTimeoutMs ?? DEFAULT_NOTIFY_HEALTH_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), limitMs);
      timer.unref();
    });
    try {
      const health = await Promise.race([read(), late]);
      if (health === 'late') return { unavailable: 'The notification figures could not be read in time; try "status" again in a moment.' };
      return { health, now: (this.options.now ?? (() => new Date()))() };
    } catch {
      // The store's error is for the log (the caller of notifyHealth logs it); the card says what to do.
      return { unavailable: 'The notification figures could not be read from the store; see the bot log, then try again.' };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * One page of `list`, cached per inventory generation so busy chats cost little. The key is what
   * the card depends on: the filter as the card shows it and the page it really shows (a page past
   * the end shows the last). All filters that match nothing share one kept card, so that typed
   * random words cannot each take a place in the cache (or cost a rendering).
   */
  listPage(rawFilter: string, page: number, kind?: PackageKind): AdaptiveCard {
    const filter = cutFilter(rawFilter);
    const snapshot = this.options.inventory.snapshot();
    const context = this.cardContext(snapshot);
    const packages = this.indexOf(snapshot).filter(filter, kind);
    if (packages.length === 0 && filter !== '') {
      const noMatch = this.cards.get(snapshot.generation, ['list-none', kind ?? ''], context, (cardContext) =>
        mediaListCard({ packages, filter: LIST_FILTER_STAND_IN, kind, page: 0 }, cardContext),
      );
      return withListFilter(this.cards.jsonOf(noMatch) ?? JSON.stringify(noMatch), filter);
    }
    const shownPage = clampPage(page, packages.length, DEFAULT_LIST_PAGE_SIZE);
    return this.cards.get(snapshot.generation, ['list', filter, kind ?? '', shownPage], context, (cardContext) =>
      mediaListCard({ packages, filter, kind, page: shownPage }, cardContext),
    );
  }

  /**
   * One page of `stale`, narrowed like the list (filter and kind), or to media out of support. Kept
   * and keyed like list pages: on what the card shows, with one kept card for every filter that
   * matches no package at all.
   */
  stalePage(rawFilter: string, page: number, kind?: PackageKind, outOfSupport = false): AdaptiveCard {
    const filter = cutFilter(rawFilter);
    const snapshot = this.options.inventory.snapshot();
    const context = this.cardContext(snapshot);
    const selected = this.indexOf(snapshot).filter(filter, kind);
    const view = { totalPackages: snapshot.packages.length, kind, outOfSupport };
    if (selected.length === 0 && filter !== '') {
      const noMatch = this.cards.get(snapshot.generation, ['stale-none', kind ?? '', outOfSupport], context, (cardContext) =>
        staleCard({ ...view, packages: [], matching: 0, filter: LIST_FILTER_STAND_IN }, cardContext),
      );
      return withListFilter(this.cards.jsonOf(noMatch) ?? JSON.stringify(noMatch), filter);
    }
    const chosen = new Set(selected);
    const packages = this.staleOf(snapshot).filter((pkg) => chosen.has(pkg) && (!outOfSupport || isOutOfSupport(pkg)));
    const shownPage = clampPage(page, packages.length, MAX_STALE_ROWS);
    return this.cards.get(snapshot.generation, ['stale', filter, kind ?? '', outOfSupport, shownPage], context, (cardContext) =>
      staleCard({ ...view, packages, matching: selected.length, filter, page: shownPage }, cardContext),
    );
  }

  /**
   * What a command means on this site, beyond what the parser can know: a full package name typed
   * on its own ("Windows 11 24H2 Enterprise x64") opens that package instead of the help card.
   */
  recognise(command: Command): Command {
    if (command.name !== 'unknown') return command;
    const named = this.indexOf(this.options.inventory.snapshot()).named(command.text);
    return named.length > 0 ? { name: 'show', query: command.text } : command;
  }

  /** What the card cache holds now, for tests and diagnostics. */
  cardCacheUsage(): { entries: number; bytes: number } {
    return { entries: this.cards.size, bytes: this.cards.byteCount };
  }

  /** The JSON text of a card these answers served from the cache, for replies that carry it. */
  cardJson(value: object): string | undefined {
    return this.cards.jsonOf(value);
  }

  /** A package opened by id from a card button; undefined when it has left the site since. */
  packageById(packageId: string): MediaPackage | undefined {
    const wanted = packageId.toUpperCase();
    return this.options.inventory.snapshot().packages.find((pkg) => pkg.id === wanted);
  }

  /**
   * The package a refresh request names: by id, else the longest run of leading words that names one
   * package exactly (the words after it are the reason), else what a lookup of all the words finds.
   */
  packageForRequest(words: readonly string[]): PackageLookup & { reason?: string } {
    const index = this.indexOf(this.options.inventory.snapshot());
    for (let end = words.length; end >= 1; end--) {
      const named = index.named(words.slice(0, end).join(' '));
      if (named.length === 1) return { match: 'one', pkg: named[0], reason: words.slice(end).join(' ') };
    }
    return index.find(words.join(' '));
  }

  /** The package's card; `from` is the list or stale page it was opened from, which "Back to list" returns to. */
  detailCard(pkg: MediaPackage, from?: ListPlace): AdaptiveCard {
    const card = this.packageCard('show', pkg, this.options.inventory.snapshot());
    return from ? withBackTo(card, from) : card;
  }

  editionsCard(pkg: MediaPackage, from?: ListPlace): AdaptiveCard {
    const card = this.packageCard('editions', pkg, this.options.inventory.snapshot());
    return from ? withBackTo(card, from) : card;
  }

  private packageCard(command: 'show' | 'editions', pkg: MediaPackage, snapshot: InventorySnapshot): AdaptiveCard {
    const render = command === 'show' ? mediaDetailCard : editionsCard;
    return this.cards.get(snapshot.generation, [command, pkg.id], this.cardContext(snapshot), (context) => render(pkg, context));
  }

  /** The lookup index of this snapshot, rebuilt only when the inventory changed. */
  private indexOf(snapshot: InventorySnapshot): PackageIndex {
    if (this.index.packages !== snapshot.packages) this.index = new PackageIndex(snapshot.packages);
    return this.index;
  }

  /** The packages of this snapshot that need attention, worst first, sorted once per inventory. */
  private staleOf(snapshot: InventorySnapshot): MediaPackage[] {
    if (this.staleOfIndex.packages !== snapshot.packages) this.staleOfIndex = { packages: snapshot.packages, stale: staleMedia(snapshot.packages) };
    return this.staleOfIndex.stale;
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
    const lookup = this.indexOf(snapshot).find(query);
    switch (lookup.match) {
      case 'one':
        return this.packageCard(command, lookup.pkg, snapshot);
      case 'many':
        return choiceCard({ query, command, candidates: lookup.candidates }, context);
      case 'none':
        return noPackageMatchesCard({ query, suggestions: lookup.nearest }, context);
    }
  }

  private notReadyMessage(): string {
    const state = this.options.inventory.syncState();
    return state.lastError
      ? 'The bot has not been able to read the media from ConfigMgr yet; type "status" to see why.'
      : 'The bot is still reading the media from ConfigMgr; try again in a minute.';
  }

  /** What every card says of the site now (demo, last sync, ConfigMgr not answering), for cards drawn elsewhere. */
  currentCardContext(): CardContext {
    return this.cardContext(this.options.inventory.snapshot());
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
      skippedRows: { count: state.skippedRows, examples: state.skippedRowExamples },
      syncIntervalMinutes: this.options.syncIntervalMinutes,
      releaseData: this.releaseDataStatus(),
    };
  }

  private releaseDataStatus(): SiteStatus['releaseData'] {
    if (!this.options.releases) return undefined;
    const { source, asOf, lastError, siteCatalog } = this.options.releases.status();
    const warning = releaseDataWarning(asOf, (this.options.now ?? (() => new Date()))());
    return { source, asOf, ...(lastError ? { lastError } : {}), ...(warning ? { warning } : {}), ...(siteCatalog ? { siteCatalog } : {}) };
  }
}

/** Page buttons carry the filter cut to this length: cut it here too, so that pages agree. */
function cutFilter(filter: string): string {
  return cutListFilter(filter.replace(/\s+/g, ' '));
}

/** The page a card really shows: a page past the end (the inventory shrank since) shows the last. */
function clampPage(page: number, count: number, pageSize: number): number {
  const lastPage = Math.max(0, Math.ceil(count / pageSize) - 1);
  return Number.isFinite(page) ? Math.min(Math.max(Math.floor(page), 0), lastPage) : 0;
}
