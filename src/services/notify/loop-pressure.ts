/**
 * How busy this process's event loop is, so that notification work gives way to chat: the bot's turns
 * and its dispatcher share one loop, and a person waiting for an answer matters more than a card that
 * arrives a few seconds later. Measured as the loop's utilisation (time not idle) over the last window.
 */
import { performance, type EventLoopUtilization } from 'node:perf_hooks';

export interface LoopPressureOptions {
  /** Utilisation (0..1) from which the loop counts as busy; default 0.85. */
  busyAt?: number;
  /** Length of the window measured; default 250 ms. */
  windowMs?: number;
  /** For tests: the utilisation source and the clock. */
  utilization?: (previous?: EventLoopUtilization) => EventLoopUtilization;
  nowMs?: () => number;
}

export class LoopPressure {
  private readonly busyAt: number;
  private readonly windowMs: number;
  private readonly utilization: (previous?: EventLoopUtilization) => EventLoopUtilization;
  private readonly nowMs: () => number;
  private mark: { at: number; reading: EventLoopUtilization };
  private busy = false;

  constructor(options: LoopPressureOptions = {}) {
    this.busyAt = options.busyAt ?? 0.85;
    this.windowMs = options.windowMs ?? 250;
    this.utilization = options.utilization ?? ((previous) => performance.eventLoopUtilization(previous));
    this.nowMs = options.nowMs ?? (() => performance.now());
    this.mark = { at: this.nowMs(), reading: this.utilization() };
  }

  /** Whether the loop was busy over the last complete window (read again once a window has passed). */
  isBusy(): boolean {
    const now = this.nowMs();
    if (now - this.mark.at >= this.windowMs) {
      const reading = this.utilization();
      this.busy = this.utilization(this.mark.reading).utilization >= this.busyAt;
      // The delta is taken against the mark before the mark moves: `utilization(previous)` compares with it.
      this.mark = { at: now, reading };
    }
    return this.busy;
  }
}
