/** The few statistics the bench reports: percentiles of one measurement, the median of rounds. */

/** The value at `fraction` of a sorted list (nearest rank, rounded down); NaN when empty. */
export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

/** The middle value (the upper one of an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** The round whose `key` is the median, so that its other figures go with it. */
export function medianRound<T>(rounds: readonly T[], key: (round: T) => number): T {
  const middle = median(rounds.map(key));
  return rounds.find((round) => key(round) === middle) ?? rounds[0];
}
