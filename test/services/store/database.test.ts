import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Migrator, sql } from 'kysely';
import { createLogger } from '../../../src/logger';
import { UserFacingError } from '../../../src/services/errors';
import { openDatabase, describeDatabaseUrl } from '../../../src/services/store/database';
import { DatabaseUnavailable, DatabaseUrlInvalid } from '../../../src/services/store/database-errors';
import { MIGRATIONS, migrationProvider } from '../../../src/services/store/migrations';
import { freeTcpPortForTest, sharedPostgres, withDatabase } from '../../support/postgres-server';
import { forEachDatabase } from '../../support/test-databases';

const silent = createLogger({ level: 'silent' });

function capturingLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: createLogger({ level: 'trace' }, destination), text: () => lines.join('') };
}

const TABLES = [
  'approvals',
  'conversations',
  'deliveries',
  'job_events',
  'job_leases',
  'job_messages',
  'job_steps',
  'jobs',
  'notifications',
  'notify_marks',
  'settings',
  'status_cards',
  'subscriptions',
  'webhook_receipts',
];

forEachDatabase('openDatabase', ({ dialect, url, open, fresh }) => {
  it('creates every table of the schema in a new database and records the migrations it ran', async () => {
    const { db, dialect: opened } = await open(await fresh());
    assert.equal(opened, dialect);
    const tables = (await db.introspection.getTables()).map((table) => table.name).sort();
    assert.deepEqual(tables, TABLES);
    const ran = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
    assert.deepEqual(ran.rows.map((row) => row.name), Object.keys(MIGRATIONS));
  });

  it('upgrades a database of the first schema to notifications, keeping its conversations (enabled, kind unknown)', async () => {
    const { db } = await open(await fresh());
    const migrator = new Migrator({ db, provider: migrationProvider });
    const down = await migrator.migrateTo('001-jobs');
    assert.equal(down.error, undefined);
    assert.deepEqual((await db.introspection.getTables()).map((table) => table.name).filter((name) => name === 'subscriptions'), []);
    await sql`insert into conversations (conversation_id, reference, updated_at) values ('a:1', '{"serviceUrl":"https://smba.example.test/"}', '2026-12-01T00:00:00.000Z')`.execute(db);
    const up = await migrator.migrateToLatest();
    assert.equal(up.error, undefined);
    const row = await db.selectFrom('conversations').selectAll().executeTakeFirstOrThrow();
    assert.equal(row.kind, 'unknown');
    assert.equal(Number(row.enabled), 1);
    assert.equal(row.disabled_reason, null);
  });

  it('opens an up-to-date database again without migrating twice (migrations are idempotent)', async () => {
    const at = await fresh();
    const first = await open(at);
    await first.db.insertInto('settings').values({ key: 'k', value: '{}', updated_at: new Date().toISOString(), updated_by: null }).execute();
    await first.close();
    const second = await open(at);
    const ran = await sql<{ name: string }>`select name from kysely_migration`.execute(second.db);
    assert.equal(ran.rows.length, Object.keys(MIGRATIONS).length);
    assert.equal((await second.db.selectFrom('settings').selectAll().execute()).length, 1, 'the data survived the second open');
  });

  it('lets two instances open the same fresh database at the same moment (the migrator takes turns)', async () => {
    const at = await fresh();
    const [a, b, c, d] = await Promise.all([open(at), open(at), open(at), open(at)]);
    for (const database of [a!, b!, c!, d!]) {
      const tables = (await database.db.introspection.getTables()).map((table) => table.name);
      assert.equal(tables.filter((name) => TABLES.includes(name)).length, TABLES.length);
    }
    const ran = await sql<{ name: string }>`select name from kysely_migration`.execute(a!.db);
    assert.equal(ran.rows.length, Object.keys(MIGRATIONS).length, 'each migration ran once');
  });

  it('hands back job event ids as numbers', async () => {
    const { db } = await open();
    const now = new Date().toISOString();
    await db.insertInto('jobs').values(jobRow('AAAAA', 'PS100001', now)).execute();
    const row = await db.insertInto('job_events').values({ job_id: 'AAAAA', at: now, actor_id: null, actor_name: null, kind: 'requested', message: 'm', detail: null }).returning('id').executeTakeFirstOrThrow();
    assert.equal(typeof row.id, 'number');
  });

  it('enforces foreign keys from a job step to its job', async () => {
    const { db } = await open();
    await assert.rejects(
      db.insertInto('job_steps').values({ job_id: 'NOJOB', stage: 'verify_source', state: 'pending', intent: null, result: null, message: null, started_at: null, finished_at: null }).execute(),
    );
  });

  it('closes twice without complaint', async () => {
    const database = await open();
    await database.close();
    await database.close();
    assert.ok(url().length > 0);
  });
});

describe('openDatabase on SQLite', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'umb-open-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('creates the folder of the file and turns on WAL, a 5 s busy timeout and foreign keys', async () => {
    const database = await openDatabase(`sqlite:${join(directory, 'deep', 'er', 'bot.db')}`, { logger: silent });
    try {
      const pragma = async (name: string) => Object.values((await sql.raw<Record<string, unknown>>(`pragma ${name}`).execute(database.db)).rows[0]!)[0];
      assert.equal(pragma === undefined, false);
      assert.equal(await pragma('journal_mode'), 'wal');
      assert.equal(await pragma('busy_timeout'), 5000);
      assert.equal(await pragma('foreign_keys'), 1);
    } finally {
      await database.close();
    }
  });

  it('opens sqlite::memory: for throw-away use', async () => {
    const database = await openDatabase('sqlite::memory:', { logger: silent });
    try {
      assert.equal(database.dialect, 'sqlite');
      assert.deepEqual((await database.db.selectFrom('jobs').selectAll().execute()), []);
    } finally {
      await database.close();
    }
  });

  it('explains a file it cannot create in one sentence naming DATABASE_URL and the path', async () => {
    const blocker = join(directory, 'not-a-folder');
    writeFileSync(blocker, 'x');
    const path = join(blocker, 'bot.db');
    const error = await openDatabase(`sqlite:${path}`, { logger: silent }).then(
      () => assert.fail('opened'),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof DatabaseUnavailable);
    assert.ok(error instanceof UserFacingError);
    assert.match(error.userMessage, /DATABASE_URL/);
    assert.ok(error.userMessage.includes(path));
    assert.match(error.userMessage, /restart the bot\.$/);
  });
});

describe('openDatabase refuses', () => {
  const cases: Array<{ why: string; url: string }> = [
    { why: 'another database engine', url: 'mysql://root:hunter2@db/bot' },
    { why: 'a bare path', url: './data/bot.db' },
    { why: 'sqlite: without a path', url: 'sqlite:' },
    { why: 'an http URL', url: 'https://example.test/db' },
  ];
  for (const { why, url } of cases) {
    it(`refuses ${why} with a sentence that does not echo the URL`, async () => {
      const error = await openDatabase(url, { logger: silent }).then(
        () => assert.fail('opened'),
        (caught: unknown) => caught,
      );
      assert.ok(error instanceof DatabaseUrlInvalid);
      assert.match(error.userMessage, /^DATABASE_URL must be sqlite:/);
      assert.ok(!error.userMessage.includes('hunter2'));
      assert.ok(!error.message.includes('hunter2'));
    });
  }
});

describe('openDatabase on a PostgreSQL server that cannot be used', () => {
  const PASSWORD = 'pa55-W0rd-secret';

  it('says the server did not answer, names DATABASE_URL and keeps the password out of the sentence and the log', async () => {
    const port = await freeTcpPortForTest();
    const url = `postgres://bot:${PASSWORD}@127.0.0.1:${port}/media`;
    const { logger, text } = capturingLogger();
    const error = await openDatabase(url, { logger, connectTimeoutMs: 2000 }).then(
      () => assert.fail('opened'),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof DatabaseUnavailable);
    assert.equal(error.userMessage, `The PostgreSQL server at 127.0.0.1:${port} named by DATABASE_URL did not answer; start it or correct DATABASE_URL, then restart the bot.`);
    assert.ok(!error.message.includes(PASSWORD));
    assert.ok(text().includes('opening the database failed'), 'the failure is logged');
    assert.ok(!text().includes(PASSWORD), 'the log holds no password');
    assert.ok(text().includes(`postgres://bot@127.0.0.1:${port}/media`), 'the log names the database without the password');
  });

  it('says which database is missing and how to create it', async function () {
    const server = await sharedPostgres();
    const parsed = new URL(withDatabase(server.adminUrl, 'umb_does_not_exist'));
    parsed.password = PASSWORD;
    const { logger, text } = capturingLogger();
    const error = await openDatabase(parsed.toString(), { logger }).then(
      () => assert.fail('opened'),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof DatabaseUnavailable);
    assert.match(error.userMessage, /^The database umb_does_not_exist named by DATABASE_URL does not exist on .+; create it \(createdb umb_does_not_exist\) or correct DATABASE_URL, then restart the bot\.$/);
    assert.ok(!error.message.includes(PASSWORD));
    assert.ok(!text().includes(PASSWORD));
  });

  it('describes a URL for the logs without its password', () => {
    assert.equal(describeDatabaseUrl(`postgresql://bot:${PASSWORD}@db.contoso.test:6432/media?sslmode=require`), 'postgres://bot@db.contoso.test:6432/media');
  });
});

function jobRow(id: string, packageId: string, now: string) {
  return {
    id,
    package_id: packageId,
    package_name: 'Windows 11',
    package_kind: 'upgrade',
    requester_id: 'u1',
    requester_name: 'Ann',
    reason: 'r',
    state: 'awaiting_approval',
    stages: '[]',
    options: '{}',
    from_source_version: 1,
    from_build: null,
    latest_build: null,
    new_build: null,
    new_source_version: null,
    stage: null,
    cancel_requested: 0,
    outcome: null,
    created_at: now,
    updated_at: now,
    expires_at: now,
    finished_at: null,
    reminded_at: null,
    version: 1,
  };
}
