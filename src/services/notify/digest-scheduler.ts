/**
 * Puts the weekly digest into the outbox when it is due, once per week whatever the number of restarts
 * or instances (its dedupe key is the occurrence's local date). A bot that was down at the time sends it
 * at its next start on the same day (within `catchUpMs`), rather than skipping a week silently; a bot
 * that starts days later does not send a stale one.
 *
 * The timer is re-armed at least hourly, so that a machine that slept or a clock that jumped still
 * finds the occurrence it passed.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Schema } from '../store/schema';
import { localDateKey, nextOccurrence, previousOccurrence, type WeeklyMoment } from './digest-schedule';
import { enqueueNotification } from './outbox-repository';

/** What the digest card shows; built by the function app.ts gives (packages from the inventory, jobs from the store). */
export interface DigestPayload {
  /** The week summarised (ISO times). */
  from: string;
  to: string;
  packagesBehind: Array<{ id: string; name: string; build: string | null; latest: string; revisionsBehind: number }>;
  jobs: Array<{ id: string; packageId: string; packageName: string; outcome: string }>;
  /** Packages in the inventory, to say "3 of 120 are behind". */
  packageCount?: number;
}

export interface DigestSchedulerOptions {
  db: Kysely<Schema>;
  logger: Logger;
  /** config.notifications.digest; undefined = no digest (start() does nothing). */
  schedule: WeeklyMoment | undefined;
  /** The week's summary: called only when a digest is really enqueued. */
  buildPayload: (week: { from: Date; to: Date }) => Promise<DigestPayload | Record<string, unknown>>;
  now?: () => Date;
  /** A missed digest is still sent when the bot starts within this long after its time; default 24 h. */
  catchUpMs?: number;
  /** Told after a digest was enqueued (the dispatcher's poke). */
  onEnqueued?: () => void;
}

const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;

export class DigestScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  /** The occurrence the timer waits for. */
  private due: Date | undefined;
  private readonly now: () => Date;

  constructor(private readonly options: DigestSchedulerOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** Sends a digest missed earlier today, then waits for the next one. */
  start(): void {
    const schedule = this.options.schedule;
    if (schedule === undefined || !this.stopped) return;
    this.stopped = false;
    const now = this.now();
    const last = previousOccurrence(schedule, now);
    if (now.getTime() - last.getTime() <= (this.options.catchUpMs ?? 24 * HOUR)) this.fire(last);
    this.due = nextOccurrence(schedule, now);
    this.arm();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Resolves when the digest being written (if any) is written (tests). */
  async settled(): Promise<void> {
    await this.running;
  }

  private arm(): void {
    if (this.stopped || this.due === undefined) return;
    const wait = Math.max(0, Math.min(this.due.getTime() - this.now().getTime(), HOUR));
    this.timer = setTimeout(() => this.tick(), wait);
    this.timer.unref?.();
  }

  private tick(): void {
    const schedule = this.options.schedule;
    if (this.stopped || schedule === undefined || this.due === undefined) return;
    const now = this.now();
    if (now.getTime() >= this.due.getTime()) {
      this.fire(this.due);
      this.due = nextOccurrence(schedule, now);
    }
    this.arm();
  }

  /** Enqueues the digest of the week that ends at `occurrence`; serialised, errors logged. */
  private fire(occurrence: Date): void {
    const previous = this.running ?? Promise.resolve();
    this.running = previous.then(() => this.enqueue(occurrence)).catch((error: unknown) => {
      this.options.logger.error({ err: error, occurrence }, 'could not put the weekly digest into the outbox; it is tried again at the next start on the same day');
    });
  }

  private async enqueue(occurrence: Date): Promise<void> {
    const dedupeKey = `digest:${localDateKey(occurrence)}`;
    const { db } = this.options;
    const already = await db.selectFrom('notifications').select('id').where('dedupe_key', '=', dedupeKey).executeTakeFirst();
    if (already !== undefined) return;
    const payload = await this.options.buildPayload({ from: new Date(occurrence.getTime() - WEEK), to: occurrence });
    const id = await enqueueNotification(db, { kind: 'digest.weekly', payload: { ...payload }, dedupeKey, createdAt: this.now() });
    if (id === undefined) return;
    this.options.logger.info({ notificationId: id, occurrence }, 'weekly digest queued');
    this.options.onEnqueued?.();
  }
}
