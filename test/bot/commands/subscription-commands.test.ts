import assert from 'node:assert/strict';
import type { Command } from '../../../src/bot/commands/command';
import { parseCommand } from '../../../src/bot/commands/command-parser';

describe('subscription commands', () => {
  const long = 'x'.repeat(101);
  const cases: Array<{ say: string; means: Command; why: string }> = [
    { say: 'subscribe', means: { name: 'subscribe', topic: 'all', filter: '' }, why: 'no topic is every topic' },
    { say: 'subscribe all', means: { name: 'subscribe', topic: 'all', filter: '' }, why: 'the topic all' },
    { say: 'subscribe failures 24H2', means: { name: 'subscribe', topic: 'failures', filter: '24H2' }, why: 'a topic and a filter, as typed' },
    { say: 'Subscribe APPROVALS', means: { name: 'subscribe', topic: 'approvals', filter: '' }, why: 'any case' },
    { say: '<at>Upgrade Media</at> subscribe freshness Windows 11', means: { name: 'subscribe', topic: 'freshness', filter: 'Windows 11' }, why: 'a mention is dropped; the filter may be several words' },
    { say: '/subscribe failures', means: { name: 'subscribe', topic: 'failures', filter: '' }, why: 'a slash, as the command menu types it' },
    { say: 'subscribe 24H2', means: { name: 'subscribe', topic: 'all', filter: '24H2' }, why: 'a release without a topic is a filter for every topic' },
    { say: 'subscribe PS100012', means: { name: 'subscribe', topic: 'all', filter: 'PS100012' }, why: 'a package id likewise' },
    { say: 'subscribe failures "Lab" Ünïcödé', means: { name: 'subscribe', topic: 'failures', filter: '"Lab" Ünïcödé' }, why: 'quotes and unicode stay in the filter' },
    { say: `subscribe failures ${'y'.repeat(100)}`, means: { name: 'subscribe', topic: 'failures', filter: 'y'.repeat(100) }, why: 'a filter of 100 characters is kept' },
    { say: `subscribe failures ${long}`, means: { name: 'subscription-words', verb: 'subscribe', typed: `failures ${long}`, reason: 'too-long' }, why: 'a longer filter is refused' },
    { say: 'subscribe to everything', means: { name: 'subscription-words', verb: 'subscribe', typed: 'to everything', reason: 'unknown' }, why: 'words that are no topic and no package' },
    { say: 'subscribe failrues 24H2', means: { name: 'subscription-words', verb: 'subscribe', typed: 'failrues 24H2', reason: 'unknown', suggestion: 'subscribe failures 24H2' }, why: 'a mistyped topic gets a "did you mean"' },
    { say: 'subscribe freshnes', means: { name: 'subscription-words', verb: 'subscribe', typed: 'freshnes', reason: 'unknown', suggestion: 'subscribe freshness' }, why: 'one letter short' },
    { say: 'subscribe list', means: { name: 'subscriptions' }, why: 'asks for the list' },
    { say: 'subscriptions', means: { name: 'subscriptions' }, why: 'the command' },
    { say: 'subscription', means: { name: 'subscriptions' }, why: 'singular' },
    { say: 'subscriptions list', means: { name: 'subscriptions' }, why: 'with "list"' },
    { say: 'unsubscribe', means: { name: 'unsubscribe', filter: '' }, why: 'no words: every subscription here' },
    { say: 'unsubscribe everything', means: { name: 'unsubscribe', filter: '' }, why: '"everything" likewise' },
    { say: 'unsubscribe all', means: { name: 'unsubscribe', topic: 'all', filter: '' }, why: 'the topic all, as "subscribe all" made it' },
    { say: 'unsubscribe failures 24H2', means: { name: 'unsubscribe', topic: 'failures', filter: '24H2' }, why: 'one topic and filter' },
    { say: 'unsubscribe 24H2', means: { name: 'unsubscribe', filter: '24H2' }, why: 'a filter of every topic' },
    { say: 'unsubscribe me please', means: { name: 'subscription-words', verb: 'unsubscribe', typed: 'me please', reason: 'unknown' }, why: 'unknown words' },
    { say: 'subcribe failures', means: { name: 'did-you-mean', typed: 'subcribe failures', suggestion: 'subscribe failures' }, why: 'a mistyped command word, as for list' },
    { say: 'unsubscibe', means: { name: 'did-you-mean', typed: 'unsubscibe', suggestion: 'unsubscribe' }, why: 'a long command word, two letters off at most' },
    { say: 'subscriptons', means: { name: 'did-you-mean', typed: 'subscriptons', suggestion: 'subscriptions' }, why: 'the list command mistyped' },
  ];
  for (const { say, means, why } of cases) it(`${why}: "${say.slice(0, 50)}"`, () => assert.deepEqual(parseCommand(say), means));
});
