/**
 * Kysely's SQLite dialect with one change: a transaction starts with BEGIN IMMEDIATE instead of a
 * deferred BEGIN. Why: a deferred transaction that reads and then writes cannot wait for another
 * process's write lock (SQLite answers SQLITE_BUSY at once, busy_timeout or not), and a claim or a
 * fenced write re-checks state before writing. Taking the write lock at BEGIN makes every
 * transaction a write transaction that waits its turn (up to busy_timeout) and sees the latest rows.
 */
import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDialectConfig } from 'kysely';

class SqliteWriteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

export class SqliteWriteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new SqliteWriteDriver(this.#config);
  }
}
