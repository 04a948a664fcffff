/**
 * The path a fresh machine takes when nothing answers on 127.0.0.1:5432: the tests start their own
 * cluster. Exercised here for real even when a server does answer, so that it cannot rot unseen.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createLogger } from '../../../src/logger';
import { getJob, insertJob } from '../../../src/services/jobs/job-repository';
import { openDatabase } from '../../../src/services/store/database';
import { answers, createScratchDatabase, findPostgres, startThrowAwayCluster } from '../../support/postgres-server';
import { sampleJob } from '../../support/sample-jobs';

describe('a throw-away PostgreSQL cluster for the tests', function () {
  this.timeout(120_000);

  it('starts on a free port, serves a migrated scratch database, and is stopped and removed by stop()', async () => {
    const server = await startThrowAwayCluster();
    try {
      assert.equal(server.source, 'throw-away cluster');
      assert.notEqual(new URL(server.adminUrl).port, '5432');
      assert.ok(server.directory !== undefined && existsSync(server.directory));
      const scratch = await createScratchDatabase(server);
      const database = await openDatabase(scratch.url, { logger: createLogger({ level: 'silent' }) });
      try {
        const job = sampleJob({ id: 'TMP22' });
        assert.deepEqual(await insertJob(database.db, job), { inserted: true });
        assert.deepEqual(await getJob(database.db, 'tmp22'), job);
      } finally {
        await database.close();
        await scratch.drop();
      }
    } finally {
      await server.stop();
    }
    assert.equal(await answers(server.adminUrl, 1000), false, 'the server is stopped');
    assert.equal(existsSync(server.directory!), false, 'its directory is removed');
  });

  it('uses TEST_DATABASE_URL first, and fails with the command to run when it does not answer', async () => {
    const error = await findPostgres({ TEST_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' }).then(
      () => assert.fail('found'),
      (caught: unknown) => caught as Error,
    );
    assert.match(error.message, /TEST_DATABASE_URL is set but its server does not answer/);
    assert.match(error.message, /apt-get install -y postgresql/);
  });
});
