/**
 * Every migration, by name, in the order they run. In code rather than read from a folder at run
 * time, so that the compiled bot (dist/) and ts-node see the same list and a missing file is a
 * compile error. A new migration gets the next number and is added here; never edit a shipped one.
 */
import type { Migration, MigrationProvider } from 'kysely';
import { jobsMigration } from './001-jobs';
import { notificationsMigration } from './002-notifications';

export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '001-jobs': jobsMigration,
  '002-notifications': notificationsMigration,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return { ...MIGRATIONS };
  },
};
