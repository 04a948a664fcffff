/**
 * Issue 8, points 5 and 7: the ConfigMgr stages over real HTTP against the simulator, driven by the
 * real runner on a real SQLite store, failing the way a site fails, and the media hygiene on a
 * temporary share mapped with MEDIA_PATH_MAP. Every failure must end the job with the one sentence
 * that says what to do, and must not call ConfigMgr methods it was told are not there.
 */
import { strict as assert } from 'node:assert';
import { copyFileSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../../src/logger';
import { AdminServiceSimulator, type SimulatorOptions } from '../../../src/services/demo/admin-service-simulator';
import { createDemoSite } from '../../../src/services/demo/demo-site';
import { plannedStages, type Job, type JobStep, type StageName } from '../../../src/services/jobs/job';
import { getJob, listSteps } from '../../../src/services/jobs/job-repository';
import { openDatabase, type Database } from '../../../src/services/store/database';
import { FAST_REFRESH, REPO_ROOT, buildRunner, insertApprovedJob, makeShare, type RunnerParts } from '../../support/job-harness';

const logger = createLogger({ logLevel: 'silent' });
const FULL: StageName[] = ['verify_source', 'reload_image_properties', 'refresh_distribution_points', 'watch_distribution'];

describe('ConfigMgr stages against the simulator', function () {
  this.timeout(30_000);
  let simulator: AdminServiceSimulator;
  let share: ReturnType<typeof makeShare>;
  let database: Database;
  let dbDir: string;

  beforeEach(async function () {
    dbDir = mkdtempSync(join(tmpdir(), 'umb-stages-'));
    database = await openDatabase(`sqlite:${join(dbDir, 'bot.db')}`, { logger });
    share = makeShare();
  });

  afterEach(async function () {
    await simulator?.stop();
    await database.close();
    share.cleanup();
    rmSync(dbDir, { recursive: true, force: true });
  });

  async function run(
    stages: StageName[],
    options: { simulator?: Partial<SimulatorOptions>; runner?: Partial<RunnerParts>; job?: Partial<Job> } = {},
  ): Promise<{ job: Job; steps: JobStep[] }> {
    simulator = new AdminServiceSimulator({ site: createDemoSite(), refreshTiming: FAST_REFRESH, ...options.simulator });
    await simulator.start();
    const { runner, client } = buildRunner({ db: database.db, adminServiceUrl: simulator.baseUrl, shareRoot: share.root, logger, leaseMs: 10_000, ...options.runner });
    const job = await insertApprovedJob(database.db, { stages, ...options.job });
    assert.ok(await runner.claimOnce());
    await runner.idle();
    await client.close();
    return { job: (await getJob(database.db, job.id))!, steps: await listSteps(database.db, job.id) };
  }

  function failedAt(job: Job, stage: string, sentence: RegExp): void {
    if (process.env.SHOW_OUTCOMES) console.log(job.outcome);
    assert.equal(job.state, 'failed', job.outcome ?? '');
    assert.ok(job.outcome?.startsWith(`Failed at ${stage}: `), job.outcome ?? '');
    assert.match(job.outcome ?? '', sentence);
    assert.doesNotMatch(job.outcome ?? '', /unexpectedly|undefined|\[object/);
  }

  describe('a site without the method in $metadata', () => {
    const cases: Array<{ method: 'RefreshPkgSource' | 'ReloadImageProperties'; stage: string; why: string }> = [
      { method: 'ReloadImageProperties', stage: 'Reload image properties', why: 'some sites do not expose every WMI method through the AdminService' },
      { method: 'RefreshPkgSource', stage: 'Update distribution points', why: 'the update must then go through a servicing host' },
    ];
    for (const { method, stage, why } of cases) {
      it(`fails at "${stage}" when ${method} is missing, saying what to do, and calls no method (${why})`, async () => {
        const { job } = await run(FULL, { simulator: { omittedMethods: [{ method }] } });
        failedAt(job, stage, new RegExp(`does not offer ${method} on SMS_OperatingSystemInstallPackage; use RUNNER=webhook`));
        assert.equal(simulator.methodCallCount(method), 0);
        if (method === 'RefreshPkgSource') assert.equal(simulator.methodCallCount('ReloadImageProperties'), 1);
        else assert.equal(simulator.stats.methodCalls, 0);
      });
    }
  });

  describe('a method answered badly', () => {
    it('HTTP 500 to RefreshPkgSource: fails with the site error sentence, and the POST is not retried', async () => {
      const { job } = await run(FULL, { simulator: { methodFaults: [{ method: 'RefreshPkgSource', status: 500 }] }, runner: { distributionTimeoutMs: 3_000 } });
      failedAt(job, 'Update distribution points', /\S/);
      assert.equal(simulator.methodCallCount('RefreshPkgSource'), 1);
    });

    it('ReturnValue 5 from ReloadImageProperties: fails naming the return value', async () => {
      const { job } = await run(FULL, { simulator: { methodFaults: [{ method: 'ReloadImageProperties', returnValue: 5 }] } });
      failedAt(job, 'Reload image properties', /5/);
      assert.equal(simulator.methodCallCount('RefreshPkgSource'), 0, 'no update after a failed reload');
    });

    it('ReturnValue 5 from RefreshPkgSource: fails, called once', async () => {
      const { job } = await run(FULL, { simulator: { methodFaults: [{ method: 'RefreshPkgSource', returnValue: 5 }] } });
      failedAt(job, 'Update distribution points', /5/);
      assert.equal(simulator.methodCallCount('RefreshPkgSource'), 1);
    });

    it('a 201 with garbage: the call is taken as accepted and confirmed by SourceVersion, never sent again', async () => {
      const { job } = await run(FULL, { simulator: { methodFaults: [{ method: 'RefreshPkgSource', body: '<html>garbage' }] } });
      assert.equal(job.state, 'succeeded', job.outcome ?? '');
      assert.equal(simulator.methodCallCount('RefreshPkgSource'), 1);
      assert.equal(job.newSourceVersion, 8);
    });
  });

  describe('distribution', () => {
    it('a DP that fails: the job fails naming it', async () => {
      const { job } = await run(FULL, { simulator: { distributionFaults: [{ host: 'DP-BER01.contoso.com', outcome: 'failed' }] } });
      failedAt(job, 'Watch distribution', /Distribution failed on DP-BER01\.contoso\.com; see Monitoring/);
      assert.doesNotMatch(job.outcome ?? '', /DP01|DP02|NYC/);
    });

    it('a DP that never finishes: the job fails at the distribution timeout naming it', async () => {
      const started = Date.now();
      const { job } = await run(FULL, {
        simulator: { distributionFaults: [{ host: 'DP-NYC01.contoso.com', outcome: 'stuck' }] },
        runner: { distributionTimeoutMs: 3_000 },
      });
      failedAt(job, 'Watch distribution', /DP-NYC01\.contoso\.com still does not have source version 8; check its content status in the console\.$/);
      assert.ok(Date.now() - started >= 3_000);
    });
  });

  describe('verify_source', () => {
    it('an install image older than the package build: fails saying to copy the serviced media', async () => {
      const { job } = await run(FULL, { job: { fromBuild: '26100.9000' } });
      failedAt(job, 'Verify the install image', /The share holds 26100\.8246, older than the package's 26100\.9000; copy the serviced media to/);
      assert.equal(simulator.stats.methodCalls, 0);
    });

    for (const fixture of ['broken-truncated-header.wim', 'broken-truncated-xml.wim', 'broken-not-a-wim.wim']) {
      it(`an unreadable install image (${fixture}): fails saying to copy the media again`, async () => {
        copyFileSync(join(REPO_ROOT, 'test', 'fixtures', 'wim', fixture), join(share.mediaFolder, 'sources', 'install.wim'));
        const { job } = await run(FULL);
        failedAt(job, 'Verify the install image', /^Failed at Verify the install image: sources\/install\.wim on the share cannot be read \(.+[^.]\); copy the serviced media again, then ask again\.$/);
        assert.equal(simulator.stats.methodCalls, 0);
      });
    }

    it('an unmapped share: fails saying the media could not be read, and why', async () => {
      const { job } = await run(FULL, { runner: { mappings: [] } });
      failedAt(job, 'Verify the install image', /could not read the media on the share: .*MEDIA_PATH_MAP/);
      assert.equal(simulator.stats.methodCalls, 0);
    });
  });

  describe('media hygiene on a mapped share', () => {
    const HYGIENE: StageName[] = ['verify_source', 'remove_autorun', 'write_build_file'];

    for (const name of ['autorun.inf', 'AUTORUN.INF', 'AutoRun.Inf']) {
      it(`removes ${name}`, async () => {
        writeFileSync(join(share.mediaFolder, name), '[autorun]\r\nopen=setup.exe\r\n');
        const { job, steps } = await run(HYGIENE);
        assert.equal(job.state, 'succeeded', job.outcome ?? '');
        assert.equal(existsSync(join(share.mediaFolder, name)), false);
        assert.equal(steps.find((step) => step.stage === 'remove_autorun')?.state, 'done');
      });
    }

    it('skips remove_autorun when there is none', async () => {
      const { job, steps } = await run(HYGIENE);
      assert.equal(job.state, 'succeeded', job.outcome ?? '');
      const step = steps.find((candidate) => candidate.stage === 'remove_autorun');
      assert.equal(step?.state, 'skipped');
      assert.equal(step?.message, 'There was no autorun.inf to remove.');
    });

    it('writes the verified build to the build file, keeping the existing name\'s case, and leaves no temporary file', async () => {
      renameSync(join(share.mediaFolder, 'BuildNumber.txt'), join(share.mediaFolder, 'BUILDNUMBER.TXT'));
      writeFileSync(join(share.mediaFolder, 'BUILDNUMBER.TXT'), '26100.4349\r\n');
      const { job } = await run(HYGIENE);
      assert.equal(job.state, 'succeeded', job.outcome ?? '');
      assert.equal(readFileSync(join(share.mediaFolder, 'BUILDNUMBER.TXT'), 'utf8'), '26100.8246\r\n');
      assert.deepEqual(readdirSync(share.mediaFolder).filter((name) => /build/i.test(name)), ['BUILDNUMBER.TXT']);
    });

    it('creates the build file with BUILD_FILE_NAME when there is none', async () => {
      rmSync(join(share.mediaFolder, 'BuildNumber.txt'));
      const { job } = await run(HYGIENE);
      assert.equal(job.state, 'succeeded', job.outcome ?? '');
      assert.equal(readFileSync(join(share.mediaFolder, 'BuildNumber.txt'), 'utf8'), '26100.8246\r\n');
    });

    const links: Array<{ name: string; stage: string; why: string }> = [
      { name: 'autorun.inf', stage: 'Remove autorun.inf', why: 'unlinking a link is harmless, but the bot must not act on what it cannot see' },
      { name: 'BuildNumber.txt', stage: 'Write the build file', why: 'writing through a link would change a file outside the share' },
    ];
    for (const { name, stage, why } of links) {
      it(`refuses a symbolic link named ${name} (${why})`, async () => {
        const outside = mkdtempSync(join(tmpdir(), 'umb-outside-'));
        try {
          const target = join(outside, 'target.txt');
          writeFileSync(target, 'do not touch');
          rmSync(join(share.mediaFolder, name), { force: true });
          symlinkSync(target, join(share.mediaFolder, name));
          const { job } = await run(HYGIENE);
          failedAt(job, stage, new RegExp(`${name.replace('.', '\\.')} in the media folder is not a plain file, so the bot left it alone`));
          assert.equal(readFileSync(target, 'utf8'), 'do not touch');
          assert.ok(lstatSync(join(share.mediaFolder, name)).isSymbolicLink());
        } finally {
          rmSync(outside, { recursive: true, force: true });
        }
      });
    }
  });

  describe('plannedStages lists the hygiene the approval card shows', () => {
    const cases: Array<{ runner: 'configmgr' | 'webhook'; options: Parameters<typeof plannedStages>[1]; kind: 'upgrade' | 'image'; expected: StageName[]; why: string }> = [
      { runner: 'configmgr', options: { removeAutorun: true, writeBuildFile: true }, kind: 'upgrade', expected: ['verify_source', 'remove_autorun', 'write_build_file', 'reload_image_properties', 'refresh_distribution_points', 'watch_distribution'], why: 'both file stages after verification' },
      { runner: 'configmgr', options: { removeAutorun: true, writeBuildFile: true }, kind: 'image', expected: FULL, why: 'an OS image is one WIM: no media folder' },
      { runner: 'webhook', options: { keepEditionIndexes: [3], writeBuildFile: true }, kind: 'upgrade', expected: ['service_media', 'keep_editions', 'verify_source', 'write_build_file', 'reload_image_properties', 'refresh_distribution_points', 'watch_distribution'], why: 'the host keeps editions, the bot writes the file' },
    ];
    for (const { runner, options, kind, expected, why } of cases) {
      it(`${runner}, ${kind}, ${JSON.stringify(options)}: ${why}`, () => {
        assert.deepEqual(plannedStages(runner, options, kind), expected);
      });
    }
  });
});
