import assert from 'node:assert/strict';
import { MAX_ACTOR_NAME_LENGTH, readActionInvocation } from '../../../src/bot/actions/action-invocation';
import { cardActionActivity } from '../../support/bot-client';

const AAD = '00000000-0000-4000-8000-00000000b00b';

function activity(fields: Record<string, unknown>): Record<string, unknown> {
  return { ...cardActionActivity('media.show', { packageId: 'PS100012' }), ...fields };
}

describe('reading who pressed a card button', () => {
  it('names the actor by their Azure AD object id, and keeps the channel id proactive messages address', () => {
    const invocation = readActionInvocation(activity({ from: { id: '29:ada', name: 'Ada Lovelace', aadObjectId: AAD }, conversation: { id: 'a:1' }, replyToId: 'card-7' }));
    assert.deepEqual(invocation, {
      actor: { id: AAD, name: 'Ada Lovelace', aadObjectId: AAD, userId: '29:ada' },
      conversationId: 'a:1',
      trigger: 'manual',
      replyToId: 'card-7',
    });
  });

  const triggers: Array<{ value: unknown; trigger: 'manual' | 'automatic'; why: string }> = [
    { value: { action: {}, trigger: 'automatic' }, trigger: 'automatic', why: 'Teams refreshing the card by itself' },
    { value: { action: {}, trigger: 'manual' }, trigger: 'manual', why: 'a press' },
    { value: { action: {} }, trigger: 'manual', why: 'a client that names no trigger' },
    { value: { action: {}, trigger: ['automatic'] }, trigger: 'manual', why: 'a trigger that is no string' },
    { value: 'automatic', trigger: 'manual', why: 'a value that is no object' },
  ];
  for (const { value, trigger, why } of triggers) {
    it(`reads the trigger as ${trigger} for ${why}`, () => {
      assert.equal(readActionInvocation(activity({ value }))?.trigger, trigger);
    });
  }

  const hostile: Array<{ fields: Record<string, unknown>; expect: (invocation: ReturnType<typeof readActionInvocation>) => void; why: string }> = [
    { fields: { from: undefined }, expect: (i) => assert.equal(i, undefined), why: 'no sender: nobody to act as' },
    { fields: { from: 'mallory' }, expect: (i) => assert.equal(i, undefined), why: 'a sender that is a string' },
    { fields: { from: { name: 'Mallory', aadObjectId: AAD } }, expect: (i) => assert.equal(i, undefined), why: 'a sender with an object id but no channel id' },
    { fields: { from: { id: '' } }, expect: (i) => assert.equal(i, undefined), why: 'an empty sender id' },
    { fields: { from: { id: '2'.repeat(100_000) } }, expect: (i) => assert.equal(i, undefined), why: 'a 100 KB sender id' },
    { fields: { conversation: undefined }, expect: (i) => assert.equal(i, undefined), why: 'no conversation' },
    { fields: { conversation: { id: 7 } }, expect: (i) => assert.equal(i, undefined), why: 'a conversation id that is no string' },
    {
      fields: { from: { id: '29:m', name: 'M'.repeat(100_000) } },
      expect: (i) => {
        assert.equal(i?.actor.name.length, MAX_ACTOR_NAME_LENGTH);
        assert.ok(i?.actor.name.endsWith('…'));
      },
      why: 'a 100 KB name, shortened',
    },
    { fields: { from: { id: '29:m', name: '👩‍👩‍👧'.repeat(40) } }, expect: (i) => assert.doesNotThrow(() => encodeURIComponent(i?.actor.name ?? '')), why: 'a name of emoji, cut between whole graphemes' },
    { fields: { from: { id: '29:m', name: { first: 'M' } } }, expect: (i) => assert.equal(i?.actor.name, ''), why: 'a name that is no string' },
    {
      fields: { from: { id: '29:m', aadObjectId: { $ne: null } } },
      expect: (i) => assert.deepEqual(i?.actor, { id: '29:m', name: '', userId: '29:m' }),
      why: 'an object id that is no string: the channel id names them',
    },
    {
      fields: { from: { id: '29:m', aadObjectId: 'a'.repeat(5_000) } },
      expect: (i) => assert.deepEqual(i?.actor, { id: '29:m', name: '', userId: '29:m' }),
      why: 'a 5 KB object id',
    },
    {
      fields: { from: { id: '29:m', aadObjectId: '' } },
      expect: (i) => assert.equal(i?.actor.id, '29:m'),
      why: 'an empty object id',
    },
    { fields: { from: { id: ' 29:m' } }, expect: (i) => assert.equal(i?.actor.id, ' 29:m'), why: 'an id with a space, kept as sent: no two ids become one' },
    { fields: { replyToId: { id: 'card' } }, expect: (i) => assert.equal(i && 'replyToId' in i, false), why: 'a replyToId that is no string' },
    { fields: { replyToId: 'r'.repeat(10_000) }, expect: (i) => assert.equal(i && 'replyToId' in i, false), why: 'a 10 KB replyToId' },
  ];
  for (const { fields, expect, why } of hostile) {
    it(`is safe with ${why}`, () => {
      expect(readActionInvocation(activity(fields)));
    });
  }

  for (const [what, value] of [['null', null], ['a string', 'invoke'], ['an array', [1]], ['a number', 7]] as const) {
    it(`reads no invocation from ${what}`, () => {
      assert.equal(readActionInvocation(value), undefined);
    });
  }
});
