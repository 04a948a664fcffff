/**
 * How many single-character edits (insert, delete, replace, swap two neighbours) turn one short word
 * into another: "lsit" is one from "list", "PS10012" one from "PS100012". Used for "did you mean" on
 * text people type, so the work is bounded twice: words longer than MAX_EDIT_WORD_LENGTH are not
 * compared, and a comparison stops as soon as every row exceeds the largest distance wanted.
 */

/** Commands and package ids are far shorter; longer text is not a typo of either. */
export const MAX_EDIT_WORD_LENGTH = 32;

/**
 * The optimal-string-alignment distance of `a` and `b` when it is at most `limit`, else `limit + 1`.
 * At most (MAX_EDIT_WORD_LENGTH + 1)² cells, whatever the input.
 */
export function editDistanceWithin(a: string, b: string, limit: number): number {
  const over = limit + 1;
  if (a.length > MAX_EDIT_WORD_LENGTH || b.length > MAX_EDIT_WORD_LENGTH) return over;
  if (Math.abs(a.length - b.length) > limit) return over;
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowBest = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, beforePrevious[j - 2] + 1);
      current.push(value);
      rowBest = Math.min(rowBest, value);
    }
    if (rowBest > limit) return over;
    beforePrevious = previous;
    previous = current;
  }
  return Math.min(previous[b.length], over);
}
