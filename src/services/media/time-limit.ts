/**
 * Waiting with a limit. A share or a ConfigMgr that stops answering must not hold a sync, the next sync or
 * shutdown: the inspector and the inventory stop waiting for such work after a time limit, or as soon as
 * their caller gives up, and let the work finish (or never finish) on its own.
 */

export type Settled<T> = { kind: 'done'; value: T } | { kind: 'timed-out' } | { kind: 'aborted' };

/**
 * Settles with the work's value, or `timed-out` once `limitMs` passed, or `aborted` once `signal` aborts,
 * whichever comes first; a rejection of the work is passed on. The work itself is not stopped: its owner
 * aborts its own signal for that.
 */
export async function settleWithin<T>(work: Promise<T>, limitMs: number, signal?: AbortSignal): Promise<Settled<T>> {
  if (signal?.aborted) return { kind: 'aborted' };
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const ended = new Promise<Settled<T>>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timed-out' }), limitMs);
    onAbort = () => resolve({ kind: 'aborted' });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work.then((value): Settled<T> => ({ kind: 'done', value })), ended]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

/** "60 seconds", "0.3 seconds", "1 second", "10 minutes": a time limit as users read it. */
export function describeDuration(ms: number): string {
  if (ms >= 120_000 && ms % 60_000 === 0) return `${ms / 60_000} minutes`;
  const value = Number((ms / 1000).toFixed(1));
  return `${value} second${value === 1 ? '' : 's'}`;
}
