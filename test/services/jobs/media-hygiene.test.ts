import assert from 'node:assert/strict';
import { hygieneFor, MediaHygieneError, parseMediaHygiene } from '../../../src/services/jobs/media-hygiene';

describe('MEDIA_HYGIENE', () => {
  it('reads a policy for every package and one for a package', () => {
    const policy = parseMediaHygiene('remove-autorun; PS100012=keep:3,1,build-file');
    assert.deepEqual(policy, { everyPackage: { removeAutorun: true }, perPackage: { PS100012: { keepEditionIndexes: [3, 1], writeBuildFile: true } } });
    assert.deepEqual(hygieneFor(policy, 'ps100012', {}), { removeAutorun: true, keepEditionIndexes: [1, 3], writeBuildFile: true });
    assert.deepEqual(hygieneFor(policy, 'PS100013', { writeBuildFile: true }), { removeAutorun: true, writeBuildFile: true });
  });

  it('is empty when unset', () => assert.deepEqual(parseMediaHygiene(undefined), { everyPackage: {}, perPackage: {} }));

  for (const [text, why] of [
    ['scrub', 'an unknown habit'],
    ['C:\\=build-file', 'a scope that is not a package id'],
    ['keep:0', 'index 0'],
    ['keep:x', 'an index that is not a number'],
  ] as const) {
    it(`refuses ${why}`, () => assert.throws(() => parseMediaHygiene(text), MediaHygieneError));
  }

  it('lets a request add to the policy, never remove from it', () => {
    const policy = parseMediaHygiene('build-file');
    assert.deepEqual(hygieneFor(policy, 'PS100012', { removeAutorun: true }), { writeBuildFile: true, removeAutorun: true });
  });
});
