/** Every stage a job can run has words on every card, and keep_editions names what stays. */
import assert from 'node:assert/strict';
import { STAGE_WORDS, stageDoing, stageLabel, stageShort } from '../../../src/cards/jobs/stage-labels';
import { STAGE_ORDER } from '../../../src/services/jobs/job';

describe('stage labels', () => {
  it('gives every stage a label, a short name and a running form, none shared with another stage', () => {
    for (const form of [stageLabel, stageShort, stageDoing] as const) {
      const words = STAGE_ORDER.map((stage) => form(stage));
      assert.equal(new Set(words).size, STAGE_ORDER.length, `${form.name} says each stage differently`);
      for (const word of words) assert.ok(word.trim().length > 0);
    }
    assert.deepEqual(Object.keys(STAGE_WORDS).sort(), [...STAGE_ORDER].sort());
  });

  const table: Array<{ indexes: number[]; names: Array<{ index: number; name: string }>; says: string; why: string }> = [
    { indexes: [3], names: [{ index: 3, name: 'Enterprise' }], says: 'Keep only editions: index 3 (Enterprise)', why: 'the issue\'s example' },
    { indexes: [6, 3, 3], names: [{ index: 3, name: 'Enterprise' }], says: 'Keep only editions: index 3 (Enterprise), index 6', why: 'sorted, once each, unnamed when the WIM did not say' },
    { indexes: [], names: [], says: 'Keep only the editions asked for', why: 'no indexes recorded' },
    { indexes: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], names: [], says: 'Keep only editions: index 1, index 2, index 3, index 4, index 5, index 6, index 7, index 8, and 2 more', why: 'a long list is counted' },
    { indexes: [1], names: [{ index: 1, name: '**Pro** [x](http://evil)' }], says: 'Keep only editions: index 1 (\\*\\*Pro\\*\\* \\[x\\]\\(http:\u200D//evil\\))', why: 'a name from the WIM is escaped' },
  ];
  for (const { indexes, names, says, why } of table) {
    it(`"${says}": ${why}`, () => assert.equal(stageLabel('keep_editions', { keepEditionIndexes: indexes }, names), says));
  }
});
