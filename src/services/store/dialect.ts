/**
 * Which database a Kysely instance talks to. The repository takes only a `Kysely` (or a transaction,
 * which is one), so the few statements that differ by dialect (row locks, write transactions) ask
 * the instance itself rather than carrying the dialect through every call.
 */
import { PostgresAdapter, SqliteAdapter, type Kysely } from 'kysely';

export type DialectName = 'sqlite' | 'postgres';

export function dialectOf(db: Kysely<any>): DialectName {
  const adapter = db.getExecutor().adapter;
  if (adapter instanceof PostgresAdapter) return 'postgres';
  if (adapter instanceof SqliteAdapter) return 'sqlite';
  throw new Error(`Unsupported Kysely adapter ${adapter.constructor.name}`);
}
