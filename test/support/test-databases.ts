/**
 * Runs the same suite on both databases the bot supports: SQLite (a file in a temporary directory)
 * and PostgreSQL (a fresh database on the server postgres-server.ts finds). Every test gets its own
 * empty database, so tests never see each other's rows. Neither run skips: when PostgreSQL cannot be
 * found or started, its tests fail with the command to run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/logger';
import { openDatabase, type Database } from '../../src/services/store/database';
import type { DialectName } from '../../src/services/store/dialect';
import { createScratchDatabase, sharedPostgres } from './postgres-server';

export interface TestDatabase {
  dialect: DialectName;
  /** DATABASE_URL of this test's empty database (valid inside a test or hook). */
  url(): string;
  /** Opens it (migrating it); closed after the test. */
  open(): Promise<Database>;
}

export const DIALECTS: readonly DialectName[] = ['sqlite', 'postgres'];

export async function createFreshDatabase(dialect: DialectName): Promise<{ url: string; drop(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const directory = mkdtempSync(join(tmpdir(), 'umb-sqlite-'));
    return { url: `sqlite:${join(directory, 'bot.db')}`, drop: async () => rmSync(directory, { recursive: true, force: true }) };
  }
  return createScratchDatabase(await sharedPostgres());
}

export function forEachDatabase(title: string, body: (database: TestDatabase) => void): void {
  for (const dialect of DIALECTS) {
    describe(`${title} (${dialect})`, function () {
      this.timeout(60_000);
      const logger = createLogger({ level: 'silent' });
      let fresh: { url: string; drop(): Promise<void> } | undefined;
      const opened: Database[] = [];

      beforeEach(async function () {
        fresh = await createFreshDatabase(dialect);
      });

      afterEach(async function () {
        for (const database of opened.splice(0)) await database.close();
        await fresh?.drop();
        fresh = undefined;
      });

      const url = (): string => {
        if (fresh === undefined) throw new Error('url() is only valid inside a test or hook');
        return fresh.url;
      };
      const open = async (): Promise<Database> => {
        const database = await openDatabase(url(), { logger });
        opened.push(database);
        return database;
      };
      body({ dialect, url, open });
    });
  }
}
