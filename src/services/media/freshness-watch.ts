/**
 * After each successful inventory sync, tells freshness subscribers what became news: a newer revision
 * of a release a package is behind, a drift finding that appeared (rules in freshness-signals.ts). The
 * comparison with what was told, the notifications and the new marks are one transaction, so a crash
 * neither loses a signal nor tells it twice, and two bot instances that sync at once take turns on the
 * watch's own mark row (a row lock on PostgreSQL; SQLite's write transaction excludes the other).
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { enqueueNotification } from '../notify/outbox-repository';
import type { Schema } from '../store/schema';
import { withTransaction } from '../store/transaction';
import { compareWithMarks, type FreshnessMarks } from './freshness-signals';
import type { InventorySnapshot } from './media-package';

/** Written first in every watch transaction: its presence says "marks were recorded", its lock orders the instances. */
export const WATCH_MARK = 'freshness:watched-at';
const RELEASE_MARK = 'freshness:release:';
const DRIFT_MARK = 'freshness:drift:';

export interface FreshnessWatchOptions {
  db: Kysely<Schema>;
  logger: Logger;
  /** Told after a transaction that enqueued something (the dispatcher's poke). */
  onEnqueued?: () => void;
}

export class FreshnessWatch {
  constructor(private readonly options: FreshnessWatchOptions) {}

  /** For MediaInventory's onSynced: compares, enqueues and marks; resolves to how many notifications were written. */
  async synced(snapshot: InventorySnapshot): Promise<number> {
    const at = snapshot.syncedAt ?? new Date();
    const told = await withTransaction(this.options.db, async (tx) => {
      const first = await tx.selectFrom('notify_marks').select('key').where('key', '=', WATCH_MARK).executeTakeFirst();
      // Locks the watch's row before the marks are read: a second instance's watch waits here for this one to commit.
      await tx
        .insertInto('notify_marks')
        .values({ key: WATCH_MARK, value: at.toISOString(), seen_at: at.toISOString() })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: at.toISOString(), seen_at: at.toISOString() }))
        .execute();
      const previous = first === undefined ? undefined : await readMarks(tx);
      const { signals, marks } = compareWithMarks(snapshot.packages, previous, at);
      let written = 0;
      for (const signal of signals) {
        const id = await enqueueNotification(tx, {
          kind: signal.kind,
          packageId: signal.packageId,
          packageName: signal.packageName,
          ...(signal.release ? { packageWords: signal.release } : {}),
          payload: signal.payload,
          dedupeKey: signal.key,
          createdAt: at,
        });
        if (id !== undefined) written++;
      }
      await writeMarks(tx, marks, previous, at);
      return written;
    });
    if (told > 0) {
      this.options.logger.info({ notifications: told, syncedAt: at }, 'freshness watch: told subscribers what changed');
      this.options.onEnqueued?.();
    }
    return told;
  }
}

async function readMarks(db: Kysely<Schema>): Promise<FreshnessMarks> {
  const rows = await db.selectFrom('notify_marks').selectAll().where('key', 'like', 'freshness:%').execute();
  const releases = new Map<string, number>();
  const drift = new Map<string, string[]>();
  for (const row of rows) {
    if (row.key.startsWith(RELEASE_MARK)) {
      const revision = Number(row.value);
      if (Number.isSafeInteger(revision)) releases.set(row.key.slice(RELEASE_MARK.length), revision);
    } else if (row.key.startsWith(DRIFT_MARK)) {
      drift.set(row.key.slice(DRIFT_MARK.length), parseIdentities(row.value));
    }
  }
  return { releases, drift };
}

/** A mark that cannot be read counts as empty: its findings are told again rather than never. */
function parseIdentities(value: string): string[] {
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * Stores the snapshot's marks, writing only what changed since `previous` (most syncs change nothing, and on
 * SQLite the watch holds the write lock while it writes): a finding gone from a package is forgotten.
 */
async function writeMarks(db: Kysely<Schema>, marks: FreshnessMarks, previous: FreshnessMarks | undefined, at: Date): Promise<void> {
  const seenAt = at.toISOString();
  const wanted = new Map<string, string>([
    ...[...marks.releases].map(([release, revision]): [string, string] => [`${RELEASE_MARK}${release}`, String(revision)]),
    ...[...marks.drift].map(([packageId, identities]): [string, string] => [`${DRIFT_MARK}${packageId}`, JSON.stringify(identities)]),
  ]);
  const stored = new Map<string, string>(
    previous === undefined
      ? []
      : [
          ...[...previous.releases].map(([release, revision]): [string, string] => [`${RELEASE_MARK}${release}`, String(revision)]),
          ...[...previous.drift].map(([packageId, identities]): [string, string] => [`${DRIFT_MARK}${packageId}`, JSON.stringify(identities)]),
        ],
  );
  if (previous === undefined) {
    // The first watch: whatever an older version left under these keys goes.
    await db.deleteFrom('notify_marks').where('key', 'like', `${RELEASE_MARK}%`).execute();
    await db.deleteFrom('notify_marks').where('key', 'like', `${DRIFT_MARK}%`).execute();
  }
  const gone = [...stored.keys()].filter((key) => !wanted.has(key));
  const changed = [...wanted].filter(([key, value]) => stored.get(key) !== value).map(([key, value]) => ({ key, value, seen_at: seenAt }));
  // Chunks keep each statement within SQLite's and PostgreSQL's bound-parameter limits on a site of thousands.
  for (let start = 0; start < gone.length; start += 500) {
    await db.deleteFrom('notify_marks').where('key', 'in', gone.slice(start, start + 500)).execute();
  }
  for (let start = 0; start < changed.length; start += 300) {
    await db
      .insertInto('notify_marks')
      .values(changed.slice(start, start + 300))
      .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ value: eb.ref('excluded.value'), seen_at: eb.ref('excluded.seen_at') })))
      .execute();
  }
}
