/**
 * Finds a PostgreSQL server for the tests, in this order: TEST_DATABASE_URL when set; the server on
 * 127.0.0.1:5432 (user postgres, database test) when it answers; else a throw-away cluster started
 * for this run (initdb and pg_ctl from Debian's postgresql package, as the postgres user when running
 * as root, on a free port, in a temporary directory), stopped by the root hook at the end of the run.
 * No test skips for want of PostgreSQL: if none can be found or started, the error says what to run.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export const LOCAL_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface PostgresServer {
  /** A URL of a database on the server from which the tests may CREATE and DROP databases. */
  adminUrl: string;
  /** Where it came from, for the failure messages. */
  source: 'TEST_DATABASE_URL' | '127.0.0.1:5432' | 'throw-away cluster';
  /** The throw-away cluster's temporary directory (data, socket, log). */
  directory?: string;
  stop(): Promise<void>;
}

const HOW_TO_FIX =
  'Install PostgreSQL (bash scripts/test-prerequisites.sh, or: sudo apt-get install -y postgresql), start a server on 127.0.0.1:5432 with trust auth for user postgres and a database named test, or set TEST_DATABASE_URL=postgres://user:password@host:5432/database';

/** True when a SELECT 1 on url succeeds within timeoutMs. */
export async function answers(url: string, timeoutMs = 2000): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The newest /usr/lib/postgresql/<version>/bin that has initdb. */
export function postgresBinDirectory(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((version) => existsSync(join(root, version, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length === 0 ? undefined : join(root, versions[0]!, 'bin');
}

export async function freeTcpPortForTest(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** uid and gid of the postgres account, which initdb and postgres need when we are root (they refuse to run as root). */
function postgresAccount(): { uid: number; gid: number } | undefined {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  if (line === undefined) return undefined;
  const fields = line.split(':');
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

/** Starts a new cluster in a temporary directory on a free loopback port; stop() ends it and removes the directory. */
export async function startThrowAwayCluster(): Promise<PostgresServer> {
  const bin = postgresBinDirectory();
  if (bin === undefined) throw new Error(`PostgreSQL's initdb was not found in /usr/lib/postgresql/*/bin. ${HOW_TO_FIX}`);
  const asRoot = process.getuid?.() === 0;
  const account = asRoot ? postgresAccount() : undefined;
  if (asRoot && account === undefined) throw new Error(`Running as root but there is no postgres account to run initdb as. ${HOW_TO_FIX}`);
  const directory = mkdtempSync(join(tmpdir(), 'umb-postgres-'));
  if (account !== undefined) chownSync(directory, account.uid, account.gid);
  const data = join(directory, 'data');
  const log = join(directory, 'server.log');
  const tool = (name: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, name), ...args], { cwd: directory }) : run(join(bin, name), args, { cwd: directory });
  const port = await freeTcpPortForTest();
  try {
    await tool('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    await tool('pg_ctl', [
      '-D', data, '-l', log, '-w', '-t', '60',
      '-o', `-p ${port} -k ${directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`,
      'start',
    ]);
  } catch (error) {
    const serverLog = existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '';
    rmSync(directory, { recursive: true, force: true });
    throw new Error(`Could not start a throw-away PostgreSQL cluster (${(error as Error).message.trim()}) ${serverLog}\n${HOW_TO_FIX}`);
  }
  let stopped = false;
  return {
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    source: 'throw-away cluster',
    directory,
    async stop() {
      if (stopped) return;
      stopped = true;
      await tool('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** Finds (or starts) the server; see the top of this file for the order. */
export async function findPostgres(environment: NodeJS.ProcessEnv = process.env): Promise<PostgresServer> {
  const configured = environment.TEST_DATABASE_URL;
  if (configured !== undefined && configured !== '') {
    if (!(await answers(configured, 5000))) throw new Error(`TEST_DATABASE_URL is set but its server does not answer. ${HOW_TO_FIX}`);
    return { adminUrl: configured, source: 'TEST_DATABASE_URL', stop: async () => undefined };
  }
  if (await answers(LOCAL_POSTGRES_URL)) return { adminUrl: LOCAL_POSTGRES_URL, source: '127.0.0.1:5432', stop: async () => undefined };
  return startThrowAwayCluster();
}

/** The one server of this test run: found on first use, stopped by the root hook (test/support/root-hooks.ts). */
let shared: Promise<PostgresServer> | undefined;

export function sharedPostgres(): Promise<PostgresServer> {
  shared ??= findPostgres().catch((error: unknown) => {
    shared = undefined;
    throw error;
  });
  return shared;
}

export async function stopSharedPostgres(): Promise<void> {
  const server = shared;
  shared = undefined;
  if (server !== undefined) await (await server.catch(() => undefined))?.stop();
}

/** A URL for another database on the same server as url. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Creates an empty database umb_<random> on the server; drop() removes it (closing what is still connected). */
export async function createScratchDatabase(server: PostgresServer): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `umb_${Math.random().toString(36).slice(2, 12)}`;
  await adminQuery(server.adminUrl, `create database ${name}`);
  return {
    url: withDatabase(server.adminUrl, name),
    drop: () => adminQuery(server.adminUrl, `drop database if exists ${name} with (force)`),
  };
}

async function adminQuery(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
