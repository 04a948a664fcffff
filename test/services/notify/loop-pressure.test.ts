import assert from 'node:assert/strict';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { LoopPressure } from '../../../src/services/notify/loop-pressure';

/** A loop whose busy time grows by `share` of each elapsed millisecond, read as perf_hooks reads it. */
function fakeLoop() {
  let now = 0;
  let active = 0;
  let share = 0;
  const reading = (): EventLoopUtilization => ({ idle: now - active, active, utilization: now === 0 ? 0 : active / now });
  return {
    nowMs: () => now,
    utilization: (previous?: EventLoopUtilization) => {
      const current = reading();
      if (!previous) return current;
      const elapsed = current.idle + current.active - (previous.idle + previous.active);
      const busy = current.active - previous.active;
      return { idle: current.idle - previous.idle, active: busy, utilization: elapsed === 0 ? 0 : busy / elapsed };
    },
    run(ms: number, busyShare: number) {
      share = busyShare;
      now += ms;
      active += ms * share;
    },
  };
}

describe('loop pressure (chat first)', () => {
  it('calls the loop busy once a window was at least 85% busy, and calm again after a calm window', () => {
    const loop = fakeLoop();
    const pressure = new LoopPressure({ utilization: loop.utilization, nowMs: loop.nowMs, windowMs: 250 });
    loop.run(250, 0.2);
    assert.equal(pressure.isBusy(), false, 'a dispatcher alone uses a fifth of the loop');
    loop.run(250, 0.95);
    assert.equal(pressure.isBusy(), true, 'fifty clients asking at once');
    loop.run(100, 0);
    assert.equal(pressure.isBusy(), true, 'judged on whole windows: a short lull changes nothing');
    loop.run(200, 0.1);
    assert.equal(pressure.isBusy(), false);
  });

  it('reads the real event loop without failing', () => {
    assert.equal(typeof new LoopPressure().isBusy(), 'boolean');
  });
});
