/**
 * A PostgreSQL database made for one bench run and dropped after it, on the server the tests use
 * (BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test). The bot under test migrates it.
 */
import pg from 'pg';

export interface ThrowawayDatabase {
  /** DATABASE_URL for the bot. */
  url: string;
  drop(): Promise<void>;
}

/** Creates the database, or answers why it could not (no server, no rights): the bench then skips PostgreSQL. */
export async function createThrowawayDatabase(serverUrl: string): Promise<ThrowawayDatabase | { unavailable: string }> {
  const name = `bench_approvals_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 3_000 });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    return { unavailable: error instanceof Error ? error.message : String(error) };
  } finally {
    await admin.end().catch(() => undefined);
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const dropper = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 3_000 });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
