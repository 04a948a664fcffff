/**
 * Opens the bot's database from DATABASE_URL and brings its schema up to date. SQLite (one file, the
 * default) serves one instance; PostgreSQL serves several instances sharing jobs and leases. Both
 * go through Kysely with the same table shapes (schema.ts), so the repositories do not care which.
 *
 * Why migrations run here: an instance never works against a schema older than its code, and
 * Kysely's migrator takes a PostgreSQL advisory lock, so two instances starting together take turns.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import { DatabaseUnavailable, DatabaseUrlInvalid } from './database-errors';
import type { DialectName } from './dialect';
import { migrationProvider } from './migrations';
import { SqliteWriteDialect } from './sqlite-write-dialect';
import type { Schema } from './schema';

export interface Database {
  db: Kysely<Schema>;
  dialect: DialectName;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  logger: Logger;
  /** PostgreSQL pool size (default 10): enough for a few concurrent jobs and turns, small enough for a shared server. */
  poolSize?: number;
  /** How long a new PostgreSQL connection may take (default 5000 ms) before the open fails. */
  connectTimeoutMs?: number;
}

/** Milliseconds a SQLite statement waits for another writer (another process on the same file) before SQLITE_BUSY. */
const SQLITE_BUSY_TIMEOUT_MS = 5000;

type Target =
  | { dialect: 'sqlite'; path: string }
  | { dialect: 'postgres'; url: string; host: string; port: string; database: string; user: string };

/** Reads DATABASE_URL; throws DatabaseUrlInvalid for anything but sqlite: and postgres(ql)://. */
export function parseDatabaseUrl(url: string): Target {
  if (url.startsWith('sqlite:')) {
    let path = url.slice('sqlite:'.length);
    if (path.startsWith('//')) path = path.slice(2);
    if (path === '') throw new DatabaseUrlInvalid('sqlite: without a path');
    return { dialect: 'sqlite', path: path === ':memory:' ? path : resolve(path) };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new DatabaseUrlInvalid('a postgres URL that does not parse');
    }
    return {
      dialect: 'postgres',
      url,
      host: parsed.hostname || parsed.searchParams.get('host') || 'localhost',
      port: parsed.port || '5432',
      database: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || decodeURIComponent(parsed.username) || 'postgres',
      user: decodeURIComponent(parsed.username) || '(default user)',
    };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
  throw new DatabaseUrlInvalid(scheme ? `unsupported scheme ${scheme}:` : 'no scheme');
}

/** DATABASE_URL as it may be logged or shown: no password, no query string. */
export function describeDatabaseUrl(url: string): string {
  const target = parseDatabaseUrl(url);
  return target.dialect === 'sqlite' ? `sqlite:${target.path}` : `postgres://${target.user}@${target.host}:${target.port}/${target.database}`;
}

export async function openDatabase(url: string, options: OpenDatabaseOptions): Promise<Database> {
  const target = parseDatabaseUrl(url);
  const described = describeDatabaseUrl(url);
  const db = target.dialect === 'sqlite' ? openSqlite(target.path) : openPostgres(target, options);
  try {
    if (target.dialect === 'sqlite') await migrateSqlite(db);
    else await migrate(db);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    const failure = target.dialect === 'sqlite' ? sqliteFailure(target.path, error) : postgresFailure(target, error);
    options.logger.error({ err: error, database: described }, 'opening the database failed');
    throw failure;
  }
  options.logger.info({ database: described }, 'database ready');
  let closed = false;
  return {
    db,
    dialect: target.dialect,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}

function openSqlite(path: string): Kysely<Schema> {
  return new Kysely<Schema>({
    dialect: new SqliteWriteDialect({
      // Kysely calls this on first use, so a failure here surfaces in migrate() and is explained there.
      database: async () => {
        if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
        const sqlite = new BetterSqlite3(path, { timeout: SQLITE_BUSY_TIMEOUT_MS });
        try {
          if (path !== ':memory:') sqlite.pragma('journal_mode = WAL');
          sqlite.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
          sqlite.pragma('foreign_keys = ON');
          // WAL makes NORMAL safe against corruption; a power cut may lose the last commit only.
          sqlite.pragma('synchronous = NORMAL');
        } catch (error) {
          sqlite.close();
          throw error;
        }
        return sqlite;
      },
    }),
  });
}

function openPostgres(target: Extract<Target, { dialect: 'postgres' }>, options: OpenDatabaseOptions): Kysely<Schema> {
  const pool = new pg.Pool({
    connectionString: target.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    idleTimeoutMillis: 30_000,
    application_name: 'upgrade-media-bot',
  });
  // An idle client that loses its server emits 'error' on the pool; unhandled, that would end the process.
  pool.on('error', (error) => options.logger.warn({ err: error, database: describeDatabaseUrl(target.url) }, 'an idle PostgreSQL connection failed'));
  return new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
}

async function migrate(db: Kysely<Schema>): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) throw error;
  const failed = results?.find((result) => result.status === 'Error');
  if (failed) throw new Error(`migration ${failed.migrationName} failed`);
}

/** How long an opening instance waits for another process that is migrating the same SQLite file. */
const SQLITE_MIGRATION_WAIT_MS = 30_000;

/**
 * Kysely's migrator takes no lock on SQLite (it assumes one connection), so two processes opening a
 * new file together would both create the tables. Run it inside BEGIN IMMEDIATE instead: SQLite's
 * DDL is transactional, and the second opener waits, then finds the migrations done. The wait polls
 * with busy_timeout 0 rather than blocking, because better-sqlite3 blocks the whole event loop while
 * SQLite waits for a lock.
 */
async function migrateSqlite(db: Kysely<Schema>): Promise<void> {
  await db.connection().execute(async (connection) => {
    await sql`pragma busy_timeout = 0`.execute(connection);
    try {
      const deadline = Date.now() + SQLITE_MIGRATION_WAIT_MS;
      for (;;) {
        try {
          await sql`begin immediate`.execute(connection);
          break;
        } catch (error) {
          if ((error as { code?: unknown }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      }
    } finally {
      await sql.raw(`pragma busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`).execute(connection);
    }
    try {
      await migrate(connection);
      await sql`commit`.execute(connection);
    } catch (error) {
      await sql`rollback`.execute(connection).catch(() => undefined);
      throw error;
    }
  });
}

function sqliteFailure(path: string, error: unknown): DatabaseUnavailable {
  return new DatabaseUnavailable(
    `The bot cannot open the SQLite file ${path} named by DATABASE_URL; make sure its folder exists or can be created and the bot's account may write there (or point DATABASE_URL elsewhere), then restart the bot.`,
    error,
  );
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', '57P03']);

function postgresFailure(target: Extract<Target, { dialect: 'postgres' }>, error: unknown): DatabaseUnavailable {
  const where = `${target.host}:${target.port}`;
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : '';
  if ((code !== undefined && UNREACHABLE_CODES.has(code)) || /timeout|terminated unexpectedly/i.test(message)) {
    return new DatabaseUnavailable(
      `The PostgreSQL server at ${where} named by DATABASE_URL did not answer; start it or correct DATABASE_URL, then restart the bot.`,
      error,
    );
  }
  if (code === '28P01' || code === '28000') {
    return new DatabaseUnavailable(
      `PostgreSQL at ${where} refused the user ${target.user} named by DATABASE_URL; check the user and password in DATABASE_URL, then restart the bot.`,
      error,
    );
  }
  if (code === '3D000') {
    return new DatabaseUnavailable(
      `The database ${target.database} named by DATABASE_URL does not exist on ${where}; create it (createdb ${target.database}) or correct DATABASE_URL, then restart the bot.`,
      error,
    );
  }
  if (code === '42501') {
    return new DatabaseUnavailable(
      `The user ${target.user} named by DATABASE_URL may not create tables in ${target.database} on ${where}; grant it CREATE on the database's public schema, then restart the bot.`,
      error,
    );
  }
  return new DatabaseUnavailable(
    `The bot could not prepare the PostgreSQL database ${target.database} at ${where} named by DATABASE_URL; the log has the cause, fix it and restart the bot.`,
    error,
  );
}

function errorCode(error: unknown): string | undefined {
  // A refused connection to a host with several addresses (localhost: ::1 and 127.0.0.1) is an AggregateError.
  if (error instanceof AggregateError && error.errors.length > 0) return errorCode(error.errors[0]);
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
