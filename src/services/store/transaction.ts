/**
 * Runs fn in one transaction and returns its result; rolls back when it throws. Inside a transaction
 * already, runs fn in that one (so repositories compose). On SQLite the transaction holds the write
 * lock from its start.
 */
import type { Kysely } from 'kysely';
import type { Schema } from './schema';

export async function withTransaction<T>(db: Kysely<Schema>, fn: (tx: Kysely<Schema>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db);
  return db.transaction().execute(fn);
}
