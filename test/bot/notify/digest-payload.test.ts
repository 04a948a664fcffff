/** The digest's content: what is behind and the week's jobs, read from a real store on both databases. */
import assert from 'node:assert/strict';
import { digestPayload, digestPayloadBuilder } from '../../../src/bot/notify/digest-payload';
import { insertJob } from '../../../src/services/jobs/job-repository';
import { makeBuild, makeFreshness, makePackage, verdictExamples } from '../../support/media-fixtures';
import { at, sampleJob } from '../../support/sample-jobs';
import { forEachDatabase } from '../../support/test-databases';

const week = { from: at(0), to: at(7 * 24 * 60) };
const packages = [
  makePackage({ id: 'PS1', name: 'Behind', build: makeBuild(26100, 1), freshness: makeFreshness(verdictExamples.behind, { judged: { source: 'share', build: makeBuild(26100, 2) } }) }),
  makePackage({ id: 'PS2', name: 'Current', freshness: makeFreshness(verdictExamples.current) }),
  makePackage({ id: 'PS3', name: 'Out of support, has every update', freshness: makeFreshness(verdictExamples['out-of-support']) }),
  makePackage({ id: 'PS4', name: 'Out of support and behind', build: makeBuild(22631, 6000), freshness: makeFreshness({ ...verdictExamples['out-of-support'], revisionsBehind: 5 }) }),
  makePackage({ id: 'PS5', name: 'Unknown', freshness: makeFreshness(verdictExamples.unknown) }),
  makePackage({ id: 'PS6', name: 'No data' }),
];

describe('digest payload (pure)', () => {
  it('lists the packages behind with the build that deploys (the share’s when read), the latest and how far', () => {
    assert.deepEqual(digestPayload(packages, [], week).packagesBehind, [
      { id: 'PS1', name: 'Behind', build: '26100.2', latest: '26100.8246', revisionsBehind: 3 },
      { id: 'PS4', name: 'Out of support and behind', build: '22631.6000', latest: '22631.6936', revisionsBehind: 5 },
    ]);
    assert.equal(digestPayload(packages, [], week).packageCount, 6);
  });
});

forEachDatabase('digest payload builder', ({ open }) => {
  it('takes the jobs created in the week, with their state as the outcome', async () => {
    const { db } = await open();
    await insertJob(db, sampleJob({ id: 'AAAAA', packageId: 'PS1', state: 'succeeded', createdAt: at(60) }));
    await insertJob(db, sampleJob({ id: 'BBBBB', packageId: 'PS2', state: 'awaiting_approval', createdAt: at(120) }));
    await insertJob(db, sampleJob({ id: 'CCCCC', packageId: 'PS3', state: 'failed', createdAt: at(-60) }));
    await insertJob(db, sampleJob({ id: 'DDDDD', packageId: 'PS4', state: 'failed', createdAt: week.to }));
    const payload = await digestPayloadBuilder({ db, snapshot: () => ({ packages, generation: 1, syncedAt: at(0), demo: false }) })(week);
    assert.deepEqual(payload.jobs.map((job) => `${job.id} ${job.outcome}`).sort(), ['AAAAA succeeded', 'BBBBB awaiting approval']);
    assert.equal(payload.from, week.from.toISOString());
    assert.equal(payload.packagesBehind.length, 2);
  });
});
