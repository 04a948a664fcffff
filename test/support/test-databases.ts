/**
 * Runs the same suite on both databases the bot supports: SQLite (a file in a temporary directory)
 * and PostgreSQL (a database created for the suite on the server postgres-server.ts finds, dropped
 * after it). Every test starts from empty tables, so tests never see each other's rows; a test about
 * migrations asks for a brand-new database with fresh(). Neither run skips: when PostgreSQL cannot be
 * found or started, its tests fail with the command to run.
 *
 * Why a database per suite and emptied tables per test: creating and dropping a PostgreSQL database
 * costs about a second, emptying the tables a few milliseconds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createLogger } from '../../src/logger';
import { openDatabase, type Database } from '../../src/services/store/database';
import type { DialectName } from '../../src/services/store/dialect';
import { createScratchDatabase, sharedPostgres } from './postgres-server';

export interface TestDatabase {
  dialect: DialectName;
  /** DATABASE_URL of the suite's database (valid inside a test or hook). */
  url(): string;
  /** Opens the suite's database, or the one at url (e.g. from fresh()); closed after the test. */
  open(url?: string): Promise<Database>;
  /** DATABASE_URL of a brand-new, empty, unmigrated database, dropped after the test. */
  fresh(): Promise<string>;
}

export const DIALECTS: readonly DialectName[] = ['sqlite', 'postgres'];

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createFreshDatabase(dialect: DialectName): Promise<ScratchDatabase> {
  if (dialect === 'sqlite') {
    const directory = mkdtempSync(join(tmpdir(), 'umb-sqlite-'));
    return { url: `sqlite:${join(directory, 'bot.db')}`, drop: async () => rmSync(directory, { recursive: true, force: true }) };
  }
  return createScratchDatabase(await sharedPostgres());
}

/** Deletes every row of every table but the migrator's (children before jobs, for the foreign keys). */
async function emptyTables(database: Database): Promise<void> {
  const tables = (await database.db.introspection.getTables()).map((table) => table.name).filter((name) => name !== 'jobs');
  // DELETE rather than TRUNCATE on PostgreSQL too: on tables this small it is several times faster.
  for (const name of [...tables, 'jobs']) await sql`delete from ${sql.table(name)}`.execute(database.db);
}

export function forEachDatabase(title: string, body: (database: TestDatabase) => void): void {
  for (const dialect of DIALECTS) {
    describe(`${title} (${dialect})`, function () {
      this.timeout(60_000);
      const logger = createLogger({ level: 'silent' });
      let suite: ScratchDatabase | undefined;
      let keeper: Database | undefined;
      const opened: Database[] = [];
      const scratch: ScratchDatabase[] = [];

      before(async function () {
        suite = await createFreshDatabase(dialect);
        keeper = await openDatabase(suite.url, { logger });
      });

      beforeEach(async function () {
        await emptyTables(keeper!);
      });

      afterEach(async function () {
        for (const database of opened.splice(0)) await database.close();
        await Promise.all(scratch.splice(0).map((database) => database.drop()));
      });

      after(async function () {
        await keeper?.close();
        await suite?.drop();
      });

      const url = (): string => {
        if (suite === undefined) throw new Error('url() is only valid inside a test or hook');
        return suite.url;
      };
      const open = async (at?: string): Promise<Database> => {
        const database = await openDatabase(at ?? url(), { logger });
        opened.push(database);
        return database;
      };
      const fresh = async (): Promise<string> => {
        const database = await createFreshDatabase(dialect);
        scratch.push(database);
        return database.url;
      };
      body({ dialect, url, open, fresh });
    });
  }
}
