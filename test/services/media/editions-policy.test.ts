import assert from 'node:assert/strict';
import { editionsInUseFor, EditionsPolicyError, isInUse, parseEditionsPolicy } from '../../../src/services/media/editions-policy';
import type { PackageKind } from '../../../src/services/media/media-package';
import { makeEdition, makeWimImage } from '../../support/media-fixtures';

describe('the editions policy (EDITIONS_IN_USE)', () => {
  const policy = parseEditionsPolicy('Enterprise; image=Enterprise, Education; Windows Server=ServerStandard; Windows Server 2025=*; Windows 10=Enterprise, EnterpriseS');
  const cases: Array<{ why: string; kind: PackageKind; release?: string; expected: string[] | undefined }> = [
    { why: 'the default applies to media no scope names', kind: 'upgrade', release: 'Windows 11 24H2', expected: ['Enterprise'] },
    { why: 'media of unknown release takes its kind\'s entry', kind: 'image', expected: ['Enterprise', 'Education'] },
    { why: 'a release prefix beats the kind', kind: 'image', release: 'Windows Server 2022', expected: ['ServerStandard'] },
    { why: 'the longest release prefix wins, and * makes no claim', kind: 'image', release: 'Windows Server 2025', expected: undefined },
    { why: 'a prefix matches whole words only ("Windows 10" is not "Windows 100")', kind: 'upgrade', release: 'Windows 100 Preview', expected: ['Enterprise'] },
    { why: 'release names match whatever their case', kind: 'upgrade', release: 'windows 10 22H2', expected: ['Enterprise', 'EnterpriseS'] },
  ];
  for (const { why, kind, release, expected } of cases) {
    it(why, () => {
      assert.deepEqual(editionsInUseFor(policy, { kind, release }), expected);
    });
  }

  it('makes no claim without a policy, or with an empty one', () => {
    assert.equal(parseEditionsPolicy(''), undefined);
    assert.equal(parseEditionsPolicy('   '), undefined);
    assert.equal(editionsInUseFor(undefined, { kind: 'upgrade', release: 'Windows 11 24H2' }), undefined);
    assert.equal(editionsInUseFor(parseEditionsPolicy('Windows 11=Enterprise'), { kind: 'upgrade', release: 'Windows 10 22H2' }), undefined);
  });

  const matches: Array<{ why: string; name: string; edition: Parameters<typeof isInUse>[1]; inUse: boolean }> = [
    { why: 'an EditionID names a WIM image', name: 'enterprise', edition: makeWimImage(), inUse: true },
    { why: 'an image name names a WIM image by NAME', name: 'Windows Server 2025 Standard (Desktop Experience)', edition: makeWimImage({ name: 'Windows Server 2025 Standard (Desktop Experience)', displayName: undefined, editionId: 'ServerStandard' }), inUse: true },
    { why: 'an image name does not name the core image that shares its EditionID', name: 'Windows Server 2025 Standard (Desktop Experience)', edition: makeWimImage({ name: 'Windows Server 2025 Standard', displayName: undefined, editionId: 'ServerStandard' }), inUse: false },
    { why: 'a DISPLAYNAME names a WIM image', name: 'Windows 11 Enterprise', edition: makeWimImage({ name: 'Win11 Ent', displayName: 'Windows 11 Enterprise' }), inUse: true },
    { why: 'ConfigMgr\'s edition is named by its EditionID', name: 'Education', edition: makeEdition(), inUse: true },
    { why: 'a part of a name is not the name', name: 'Enterprise', edition: makeWimImage({ name: 'Windows 11 Enterprise N', displayName: undefined, editionId: 'EnterpriseN' }), inUse: false },
  ];
  for (const { why, name, edition, inUse } of matches) {
    it(why, () => {
      assert.equal(isInUse([name], edition), inUse);
    });
  }

  const refused: Array<[string, RegExp]> = [
    ['Enterprise;;Windows Server=', /names no edition/],
    ['upgrade=Enterprise; UPGRADE=Education', /twice/],
    [Array.from({ length: 21 }, (_, i) => `Windows 1${i}=Enterprise`).join(';'), /at most 20 entries/],
    [`${'E'.repeat(101)}`, /not an EditionID or image name/],
    ['Windows Server=Standard"; DROP', /not an EditionID or image name/],
  ];
  for (const [text, problem] of refused) {
    it(`refuses ${JSON.stringify(text.slice(0, 40))} with a sentence saying why`, () => {
      assert.throws(() => parseEditionsPolicy(text), (error: unknown) => error instanceof EditionsPolicyError && problem.test(error.message));
    });
  }
});
