import assert from 'node:assert/strict';
import { CardVerbs } from '../../src/cards/card-verbs';
import { JobVerbs } from '../../src/cards/jobs/job-verbs';
import { assertValidCard } from '../support/assert-valid-card';

const card = (overrides: Record<string, unknown> = {}) => ({
  type: 'AdaptiveCard',
  version: '1.5',
  body: [{ type: 'TextBlock', text: 'Hello', wrap: true }],
  ...overrides,
});
const execute = (verb: string, data: unknown) => ({ actions: [{ type: 'Action.Execute', title: 'Go', verb, data }] });

describe('assertValidCard', () => {
  it('accepts a plain 1.5 card with a well-formed button', () => {
    assertValidCard(card(execute(CardVerbs.listPage, { filter: '', page: 0 })));
  });
  it('accepts job buttons that carry the job id only, and a Refresh button that carries the package id', () => {
    for (const verb of [JobVerbs.approve, JobVerbs.reject, JobVerbs.view, JobVerbs.timeline, JobVerbs.cancel]) assertValidCard(card(execute(verb, { jobId: 'K7P2Q' })));
    assertValidCard(card(execute(JobVerbs.refresh, { packageId: 'PS100012' })));
  });
  const bad: Array<[string, unknown, RegExp]> = [
    ['a card above schema 1.5', card({ version: '1.6' }), /above 1\.5/],
    ['a version that is not major.minor', card({ version: 'latest' }), /major\.minor/],
    ['something that is not a card', { type: 'Message' }, /AdaptiveCard/],
    ['an element the library does not know', card({ body: [{ type: 'Bogus' }] }), /Unknown element type "Bogus"/],
    ['a card over 28 KB', card({ body: [{ type: 'TextBlock', text: 'x'.repeat(29_000) }] }), /Teams takes under/],
    ['a template expression left behind', card({ body: [{ type: 'TextBlock', text: 'Hi ${name}' }] }), /template expression/],
    ['a loose DATE()', card({ body: [{ type: 'TextBlock', text: '{{DATE(2025-06-14T10:42:07.123Z)}}' }] }), /RFC 3339/],
    ['an unknown verb', card(execute('media.delete', { packageId: 'PS1' })), /one of CardVerbs/],
    ['a show button without a package id', card(execute(CardVerbs.show, { packageId: '' })), /packageId/],
    ['a list button with extra data', card(execute(CardVerbs.listPage, { filter: '', page: 0, x: 1 })), /keys/],
    ['a list button with a negative page', card(execute(CardVerbs.listPage, { filter: '', page: -1 })), /page/],
    ['a command button without text', card(execute(CardVerbs.command, {})), /keys/],
    ['an approve button that carries the verdict', card(execute(JobVerbs.approve, { jobId: 'K7P2Q', verdict: 'approve' })), /keys/],
    ['a job button whose id is no job id', card(execute(JobVerbs.view, { jobId: 'K7P2Q0' })), /job id/],
    ['a refresh block with a foreign verb', card({ refresh: { action: { type: 'Action.Execute', verb: 'job.delete', data: { jobId: 'K7P2Q' } }, userIds: [] } }), /one of CardVerbs/],
    ['an Action.Submit', card({ actions: [{ type: 'Action.Submit', title: 'Go', data: {} }] }), /Action\.Execute/],
  ];
  for (const [name, input, message] of bad) {
    it(`rejects ${name}`, () => assert.throws(() => assertValidCard(input), message));
  }
  it('allows literal data texts that look like templates when told', () => {
    assertValidCard(card({ body: [{ type: 'TextBlock', text: 'Lab ${name}' }] }), { literalTexts: ['Lab ${name}'] });
  });
});
