/**
 * The weekly digest enqueued once per week on a fake clock (sinon), on both databases: at its time, after
 * a restart the same day, not after a restart days later, and never twice for one week.
 */
import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import pino from 'pino';
import sinon from 'sinon';
import { DigestScheduler } from '../../../src/services/notify/digest-scheduler';
import type { Schema } from '../../../src/services/store/schema';
import { forEachDatabase } from '../../support/test-databases';

const logger = pino({ level: 'silent' });
const MONDAY_8 = { day: 1, hour: 8, minute: 0 };
const HOUR = 3_600_000;

forEachDatabase('digest scheduler', ({ open }) => {
  let db: Kysely<Schema>;
  let clock: sinon.SinonFakeTimers;
  let savedTz: string | undefined;
  const schedulers: DigestScheduler[] = [];

  beforeEach(async () => {
    db = (await open()).db;
    savedTz = process.env.TZ;
    process.env.TZ = 'Europe/Berlin';
  });
  afterEach(async () => {
    for (const scheduler of schedulers.splice(0)) await scheduler.stop();
    clock?.restore();
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  /** Fakes only the timers: the databases' own I/O keeps real time. */
  function startAt(iso: string, schedule: typeof MONDAY_8 | 'off' = MONDAY_8, build = async () => ({ packagesBehind: [], jobs: [] })) {
    clock = sinon.useFakeTimers({ now: new Date(iso), toFake: ['setTimeout', 'clearTimeout'], shouldClearNativeTimers: true });
    const weeks: Array<{ from: Date; to: Date }> = [];
    let pokes = 0;
    const scheduler = new DigestScheduler({
      db,
      logger,
      schedule: schedule === 'off' ? undefined : schedule,
      now: () => new Date(clock.now),
      buildPayload: async (week) => {
        weeks.push(week);
        return { ...(await build()), from: week.from.toISOString(), to: week.to.toISOString() };
      },
      onEnqueued: () => pokes++,
    });
    schedulers.push(scheduler);
    scheduler.start();
    return { scheduler, weeks, pokes: () => pokes };
  }

  const digests = async () => (await db.selectFrom('notifications').selectAll().where('kind', '=', 'digest.weekly').orderBy('id').execute()).map((row) => row.dedupe_key);

  it('enqueues the digest at its time, once, then the next week across the spring change', async () => {
    const { scheduler, weeks, pokes } = startAt('2026-03-20T12:00:00Z');
    await scheduler.settled();
    assert.deepEqual(await digests(), [], 'Friday: nothing due yet');
    await clock.tickAsync(new Date('2026-03-23T06:59:00Z').getTime() - clock.now);
    await scheduler.settled();
    assert.deepEqual(await digests(), []);
    await clock.tickAsync(60_000);
    await scheduler.settled();
    assert.deepEqual(await digests(), ['digest:2026-03-23']);
    assert.equal(weeks[0].to.toISOString(), '2026-03-23T07:00:00.000Z');
    assert.equal(weeks[0].to.getTime() - weeks[0].from.getTime(), 7 * 24 * HOUR);
    await clock.tickAsync(3 * HOUR);
    await scheduler.settled();
    assert.deepEqual(await digests(), ['digest:2026-03-23'], 'the hourly re-arm does not send it again');
    await clock.tickAsync(new Date('2026-03-30T06:00:00Z').getTime() - clock.now);
    await scheduler.settled();
    assert.deepEqual(await digests(), ['digest:2026-03-23', 'digest:2026-03-30'], '08:00 local after the change');
    assert.equal(pokes(), 2);
  });

  it('a bot down at the time sends it at its next start the same day, and a second start does not repeat it', async () => {
    const first = startAt('2026-03-23T15:00:00Z');
    await first.scheduler.settled();
    assert.deepEqual(await digests(), ['digest:2026-03-23']);
    await first.scheduler.stop();
    clock.restore();
    const second = startAt('2026-03-23T16:00:00Z');
    await second.scheduler.settled();
    assert.deepEqual(await digests(), ['digest:2026-03-23']);
    assert.equal(second.weeks.length, 0, 'the payload is not even built');
  });

  it('a bot that starts days later does not send a stale digest', async () => {
    const { scheduler } = startAt('2026-03-25T09:00:00Z');
    await scheduler.settled();
    assert.deepEqual(await digests(), []);
  });

  it('two instances on one database make one digest', async () => {
    const a = startAt('2026-03-23T07:30:00Z');
    const b = new DigestScheduler({ db, logger, schedule: MONDAY_8, now: () => new Date(clock.now), buildPayload: async () => ({ packagesBehind: [], jobs: [] }) });
    schedulers.push(b);
    b.start();
    await Promise.all([a.scheduler.settled(), b.settled()]);
    assert.deepEqual(await digests(), ['digest:2026-03-23']);
  });

  it('DIGEST=off: start() does nothing', async () => {
    const { scheduler } = startAt('2026-03-23T07:00:00Z', 'off');
    await scheduler.settled();
    await clock.tickAsync(14 * 24 * HOUR);
    assert.deepEqual(await digests(), []);
  });

  it('a payload that cannot be built is logged, and the next start that day tries again', async () => {
    const failing = startAt('2026-03-23T07:30:00Z', MONDAY_8, async () => {
      throw new Error('the store is away');
    });
    await failing.scheduler.settled();
    assert.deepEqual(await digests(), []);
    await failing.scheduler.stop();
    clock.restore();
    const again = startAt('2026-03-23T09:00:00Z');
    await again.scheduler.settled();
    assert.deepEqual(await digests(), ['digest:2026-03-23']);
  });
});
