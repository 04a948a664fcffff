import assert from 'node:assert/strict';
import { createReplySerializer } from '../../src/bot/reply-serializer';
import { CardCache } from '../../src/cards/card-cache';
import { mediaDetailCard } from '../../src/cards/media/detail-card';
import { makePackage, TRICKY_NAME } from '../support/media-fixtures';

describe('createReplySerializer', () => {
  const cache = new CardCache(10);
  const context = { demo: true, syncedAt: new Date('2026-11-25T10:00:00Z') };
  const card = cache.get(1, ['show'], context, (c) => mediaDetailCard(makePackage({ name: `${TRICKY_NAME} \u2028 \u0000` }), c));
  const serialize = createReplySerializer((value) => cache.jsonOf(value));

  it('writes exactly the JSON that JSON.stringify writes, with cached cards spliced in as text', () => {
    const body = {
      activities: [
        { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }] },
        { type: 'invokeResponse', value: { status: 200, body: { statusCode: 200, value: card } } },
      ],
    };
    assert.equal(serialize(body), JSON.stringify(body));
  });

  it('leaves text that imitates its marker alone', () => {
    const body = { activities: [{ text: '\u0000card-0000000000000000-0\u0000', attachments: [{ content: card }] }] };
    assert.deepEqual(JSON.parse(serialize(body)), JSON.parse(JSON.stringify(body)));
  });

  it('serializes bodies without cached cards as JSON.stringify does', () => {
    for (const body of [{ activities: [] }, { error: 'x' }, { statusCode: 400, value: { message: 'bad' } }, 'text', 42, null]) {
      assert.equal(serialize(body), JSON.stringify(body));
    }
  });
});
