import assert from 'node:assert/strict';
import sinon from 'sinon';
import { z } from 'zod';
import type { ActionInvocation } from '../../../src/bot/actions/action-invocation';
import { createActionRegistry, NO_ACTION_MESSAGE, UNKNOWN_VERB_MESSAGE } from '../../../src/bot/actions/action-registry';
import { FAILED_ACTION_MESSAGE, messageResponse } from '../../../src/bot/actions/action-response';
import { route, type ActionRoute } from '../../../src/bot/actions/action-route';
import { PackageNotFound } from '../../../src/services/errors';

const invocation: ActionInvocation = {
  actor: { id: '00000000-0000-4000-8000-00000000b00b', name: 'Ada', aadObjectId: '00000000-0000-4000-8000-00000000b00b', userId: '29:ada' },
  conversationId: 'a:1',
  trigger: 'manual',
  replyToId: 'card-1',
};

function execute(verb: unknown, data?: unknown): unknown {
  return { action: { type: 'Action.Execute', verb, data } };
}

/** A route that echoes what it was handed, so a test sees what the registry passed. */
function echo(verb: string): ActionRoute {
  return route({
    verb,
    data: z.object({ count: z.coerce.number().int().min(1) }),
    invalidData: `This ${verb} button carries no count; type "help" to start again.`,
    handle: async (data, { actor }) => messageResponse(`${verb} ${data.count + 1} for ${actor.name}`),
  });
}

describe('the card action registry', () => {
  it('refuses two routes with one verb when it is built', () => {
    assert.throws(() => createActionRegistry([echo('job.approve'), echo('media.show'), echo('job.approve')]), /two card action routes declare the verb "job\.approve"/);
  });

  const unroutable: Array<{ verb: string; why: string }> = [
    { verb: '', why: 'no button can send an empty verb to a route' },
    { verb: 'v'.repeat(101), why: 'the envelope refuses verbs over 100 characters, so the route could never be reached' },
  ];
  for (const { verb, why } of unroutable) {
    it(`refuses a route whose verb is ${verb.length} characters long: ${why}`, () => {
      assert.throws(() => createActionRegistry([echo(verb)]), /must be 1 to 100 characters/);
    });
  }

  it('lists the verbs it routes in the order given', () => {
    assert.deepEqual(createActionRegistry([echo('b'), echo('a')]).verbs, ['b', 'a']);
  });

  it('hands the route its parsed data and the invocation', async () => {
    const registry = createActionRegistry([echo('media.count'), echo('job.count')]);
    assert.deepEqual(await registry.handle(execute('job.count', { count: '41' }), invocation), messageResponse('job.count 42 for Ada'));
  });

  const envelopes: Array<{ value: unknown; message: string; why: string }> = [
    { value: undefined, message: NO_ACTION_MESSAGE, why: 'no value at all' },
    { value: 'media.count', message: NO_ACTION_MESSAGE, why: 'a bare string' },
    { value: { action: { type: 'Action.Submit', verb: 'media.count' } }, message: NO_ACTION_MESSAGE, why: 'another action type' },
    { value: execute(42), message: NO_ACTION_MESSAGE, why: 'a verb that is no string' },
    { value: execute('media.count', [1]), message: NO_ACTION_MESSAGE, why: 'data that is no object' },
    { value: execute('m'.repeat(250_000)), message: NO_ACTION_MESSAGE, why: 'a 250 KB verb' },
    { value: execute('job.delete'), message: UNKNOWN_VERB_MESSAGE, why: 'a verb no route declares' },
    { value: execute('constructor'), message: UNKNOWN_VERB_MESSAGE, why: "a name every object's prototype has" },
    { value: execute('__proto__'), message: UNKNOWN_VERB_MESSAGE, why: 'the prototype itself' },
  ];
  for (const { value, message, why } of envelopes) {
    it(`answers 400 with "${message.slice(0, 30)}…" to ${why}`, async () => {
      const response = await createActionRegistry([echo('media.count')]).handle(value, invocation);
      assert.deepEqual(response, { statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest', message } });
    });
  }

  const badData: Array<{ data: unknown; why: string }> = [
    { data: undefined, why: 'no data' },
    { data: null, why: 'null data' },
    { data: { count: 0 }, why: 'a count the schema refuses' },
    { data: { count: 'many' }, why: 'a count that is no number' },
  ];
  for (const { data, why } of badData) {
    it(`answers 400 with the route's own sentence to ${why}`, async () => {
      const handler = sinon.spy();
      const strict = route({ verb: 'job.count', data: z.object({ count: z.number().int().min(1) }), invalidData: 'This button carries no count; type "jobs" to see them again.', handle: handler });
      const response = await createActionRegistry([echo('media.count'), strict]).handle(execute('job.count', data), invocation);
      assert.equal(response.statusCode, 400);
      assert.equal((response.value as { message: string }).message, 'This button carries no count; type "jobs" to see them again.');
      assert.equal(handler.callCount, 0, 'the handler never sees data its schema refused');
    });
  }

  it("answers a handler's UserFacingError with its sentence, as a message in place of the card", async () => {
    const onUnexpectedError = sinon.spy();
    const registry = createActionRegistry(
      [route({ verb: 'media.show', data: z.object({}), invalidData: 'x', handle: () => { throw new PackageNotFound('PS100099'); } })],
      { onUnexpectedError },
    );
    assert.deepEqual(await registry.handle(execute('media.show', {}), invocation), messageResponse(new PackageNotFound('PS100099').userMessage));
    assert.equal(onUnexpectedError.callCount, 0, 'a planned refusal is no failure');
  });

  const failures: Array<{ handle: () => never | Promise<never>; why: string }> = [
    { handle: () => { throw new TypeError("Cannot read properties of undefined (reading 'id')"); }, why: 'a handler that throws' },
    { handle: () => Promise.reject(new Error('database is locked')), why: 'a handler whose promise rejects' },
    { handle: () => { throw 'a string, not an Error'; }, why: 'a handler that throws a non-error' },
  ];
  for (const { handle, why } of failures) {
    it(`answers the generic failure and tells the caller about ${why}`, async () => {
      const onUnexpectedError = sinon.spy();
      const registry = createActionRegistry([route({ verb: 'job.approve', data: z.object({}), invalidData: 'x', handle })], { onUnexpectedError });
      const response = await registry.handle(execute('job.approve', {}), invocation);
      assert.deepEqual(response, { statusCode: 500, type: 'application/vnd.microsoft.error', value: { code: 'InternalError', message: FAILED_ACTION_MESSAGE } });
      assert.equal(onUnexpectedError.callCount, 1);
      assert.equal(onUnexpectedError.firstCall.args[1], 'job.approve');
      // The registry still answers afterwards.
      assert.equal((await registry.handle(execute('job.approve', {}), invocation)).statusCode, 500);
    });
  }
});
