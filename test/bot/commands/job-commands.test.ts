import assert from 'node:assert/strict';
import { parseCommand } from '../../../src/bot/commands/command-parser';
import { readRefreshRequest } from '../../../src/bot/commands/refresh-request';

describe('job commands', () => {
  const cases: Array<{ text: string; expect: unknown; why: string }> = [
    { text: 'refresh PS100012 June CU', expect: { name: 'refresh', text: 'PS100012 June CU' }, why: 'the command word starts a request' },
    { text: '<at>Upgrade Media</at> refresh PS100012', expect: { name: 'refresh', text: 'PS100012' }, why: 'mentions are stripped in channels' },
    { text: 'jobs', expect: { name: 'jobs', filter: '' }, why: 'recent jobs' },
    { text: 'jobs PS100012', expect: { name: 'jobs', filter: 'PS100012' }, why: 'jobs of one package' },
    { text: 'job K7P2Q', expect: { name: 'job', jobId: 'K7P2Q' }, why: 'one job' },
    { text: 'job', expect: { name: 'jobs', filter: '' }, why: 'a job without an id lists them' },
    { text: 'cancel k7p2q', expect: { name: 'cancel', jobId: 'k7p2q' }, why: 'ids are checked by the answer, any case' },
    { text: 'approvals here', expect: { name: 'approvals-here' }, why: 'an approver names this conversation' },
    { text: 'Approvals here!', expect: { name: 'approvals-here' }, why: 'case and punctuation do not matter' },
  ];
  for (const row of cases) it(`${row.why}: "${row.text}"`, () => assert.deepEqual(parseCommand(row.text), row.expect));

  it('leaves questions about refreshing to the media answers', () => {
    assert.notEqual(parseCommand('does PS100012 need a refresh?').name, 'refresh');
    assert.notEqual(parseCommand('which media needs a refresh').name, 'refresh');
  });
});

describe('refresh request text', () => {
  const cases: Array<{ text: string; expect: ReturnType<typeof readRefreshRequest>; why: string }> = [
    { text: 'PS100012 June CU', expect: { packageId: 'PS100012', words: [], reason: 'June CU', options: {} }, why: 'an id then the reason' },
    { text: 'ps100012', expect: { packageId: 'PS100012', words: [], reason: '', options: {} }, why: 'no reason' },
    { text: 'Windows 11 24H2 Enterprise x64: June CU', expect: { words: ['Windows', '11', '24H2', 'Enterprise', 'x64'], reason: 'June CU', options: {} }, why: 'a name, a colon, the reason' },
    { text: 'Windows 11 24H2 because June CU', expect: { words: ['Windows', '11', '24H2'], reason: 'June CU', options: {} }, why: '"because" starts the reason' },
    { text: 'Windows 11 24H2 June CU', expect: { words: ['Windows', '11', '24H2', 'June', 'CU'], options: {} }, why: 'without a separator the caller finds where the name ends' },
    { text: 'PS100012 keep 3 remove autorun build file June CU', expect: { packageId: 'PS100012', words: [], reason: 'June CU', options: { keepEditionIndexes: [3], removeAutorun: true, writeBuildFile: true } }, why: 'hygiene options anywhere' },
    { text: 'PS100012 keep indexes 3 and 1 write build file', expect: { packageId: 'PS100012', words: [], reason: '', options: { keepEditionIndexes: [1, 3], writeBuildFile: true } }, why: 'several indexes, sorted' },
    { text: 'PS100012 keep 1,3,3', expect: { packageId: 'PS100012', words: [], reason: '', options: { keepEditionIndexes: [1, 3] } }, why: 'comma lists, duplicates once' },
    { text: 'PS100012 keep calm', expect: { packageId: 'PS100012', words: [], reason: 'keep calm', options: {} }, why: '"keep" without an index is part of the reason' },
  ];
  for (const row of cases) it(`${row.why}: "${row.text}"`, () => assert.deepEqual(readRefreshRequest(row.text), row.expect));
});
