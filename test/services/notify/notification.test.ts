import assert from 'node:assert/strict';
import { filterMatches, matchingSubscriptions, topicCarries, TOPICS, NOTIFICATION_KINDS, type NotificationKind, type Topic } from '../../../src/services/notify/notification';

describe('notification topics and package filters', () => {
  const carried: Array<{ topic: Topic; kinds: NotificationKind[]; why: string }> = [
    { topic: 'all', kinds: [...NOTIFICATION_KINDS], why: 'all carries every kind' },
    { topic: 'failures', kinds: ['job.failed', 'distribution.dp_failed'], why: 'a failed job and a failed distribution point' },
    { topic: 'approvals', kinds: ['job.requested', 'job.approved', 'job.rejected', 'job.expired'], why: 'the life of a request until it is decided' },
    { topic: 'freshness', kinds: ['freshness.newer_revision', 'freshness.drift', 'digest.weekly'], why: 'media falling behind, drift and the digest' },
  ];
  for (const { topic, kinds, why } of carried) {
    it(`"${topic}" carries exactly ${why}`, () => {
      assert.deepEqual(NOTIFICATION_KINDS.filter((kind) => topicCarries(topic, kind)), kinds);
    });
  }

  it('has the four topics the subscribe command names', () => {
    assert.deepEqual([...TOPICS], ['all', 'failures', 'approvals', 'freshness']);
  });

  const pkg = { packageId: 'PS100012', packageName: 'Windows 11 24H2 Enterprise "Gold" ✓', packageWords: 'Windows 11 24H2' };
  const filters: Array<{ filter: string; matches: boolean; why: string }> = [
    { filter: '', matches: true, why: 'no filter' },
    { filter: 'ps100012', matches: true, why: 'the package id, any case' },
    { filter: '24h2', matches: true, why: 'a word of the name' },
    { filter: 'windows 11   enterprise', matches: true, why: 'every word, spaces collapsed' },
    { filter: '"gold"', matches: true, why: 'quotes are plain characters' },
    { filter: '✓', matches: true, why: 'unicode' },
    { filter: '23h2', matches: false, why: 'a word the package lacks' },
    { filter: '24H2 server', matches: false, why: 'one of the words missing' },
    { filter: 'PS10001', matches: true, why: 'a prefix of the id is a word inside it' },
  ];
  for (const { filter, matches, why } of filters) {
    it(`filter "${filter}" ${matches ? 'matches' : 'does not match'} (${why})`, () => {
      assert.equal(filterMatches(filter, pkg), matches);
    });
  }

  it('lets a notification of no package (the digest) through every filter', () => {
    assert.equal(filterMatches('24H2', {}), true);
  });

  it('returns every subscription of a conversation that a notification answers, and none for a kind none carries', () => {
    const subscriptions = [
      { topic: 'all' as const, packageFilter: '' },
      { topic: 'failures' as const, packageFilter: '24h2' },
      { topic: 'failures' as const, packageFilter: '23h2' },
      { topic: 'approvals' as const, packageFilter: '' },
    ];
    assert.deepEqual(matchingSubscriptions(subscriptions, { kind: 'job.failed', ...pkg }), [subscriptions[0], subscriptions[1]]);
    assert.deepEqual(matchingSubscriptions(subscriptions.slice(1), { kind: 'job.stage', ...pkg }), []);
  });
});
