import assert from 'node:assert/strict';
import { editDistanceWithin, MAX_EDIT_WORD_LENGTH } from '../../../src/services/shared/edit-distance';

describe('editDistanceWithin', () => {
  const cases: Array<{ a: string; b: string; limit: number; distance: number; why: string }> = [
    { a: 'list', b: 'list', limit: 2, distance: 0, why: 'the same word' },
    { a: 'lsit', b: 'list', limit: 2, distance: 1, why: 'two neighbours swapped are one slip' },
    { a: 'staus', b: 'status', limit: 2, distance: 1, why: 'a letter missing' },
    { a: 'shwo', b: 'show', limit: 2, distance: 1, why: 'a swap at the end' },
    { a: 'editons', b: 'editions', limit: 2, distance: 1, why: 'a letter missing in a long word' },
    { a: 'PS10012', b: 'PS100012', limit: 2, distance: 1, why: 'a digit missing from an id' },
    { a: 'list', b: 'status', limit: 1, distance: 2, why: 'beyond the limit: limit + 1' },
    { a: 'a', b: 'abcdef', limit: 2, distance: 3, why: 'lengths too far apart are not compared' },
    { a: 'x'.repeat(MAX_EDIT_WORD_LENGTH + 1), b: 'x'.repeat(MAX_EDIT_WORD_LENGTH + 1), limit: 2, distance: 3, why: 'words longer than the cap are not compared' },
  ];
  for (const { a, b, limit, distance, why } of cases) {
    it(`${JSON.stringify(a)} → ${JSON.stringify(b)} within ${limit} is ${distance}: ${why}`, () => {
      assert.equal(editDistanceWithin(a, b, limit), distance);
    });
  }
});
