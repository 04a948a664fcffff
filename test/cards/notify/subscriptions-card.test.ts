import assert from 'node:assert/strict';
import { CARD_BUDGET_BYTES } from '../../../src/cards/jobs/job-text';
import { filterKeyOf, subscriptionsCard, type SubscriptionsView } from '../../../src/cards/notify/subscriptions-card';
import type { Subscription } from '../../../src/services/notify/subscription-repository';
import { TOPICS } from '../../../src/services/notify/notification';
import { assertValidCard, cardTexts } from '../../support/assert-valid-card';

const NOW = new Date('2026-12-03T12:00:00Z');

function subscription(overrides: Partial<Subscription> = {}): Subscription {
  return {
    conversationId: '19:ops@thread.tacv2',
    topic: 'failures',
    packageFilter: '24h2',
    createdAt: NOW,
    createdBy: 'Alice Ashby',
    lastDeliveredAt: null,
    lastFailureAt: null,
    lastFailureReason: null,
    ...overrides,
  };
}

function view(overrides: Partial<SubscriptionsView> = {}): SubscriptionsView {
  return { conversationId: '19:ops@thread.tacv2', subscriptions: [subscription()], mayChange: true, ...overrides };
}

describe('the subscriptions card', () => {
  it('says at the top that the conversation stopped receiving, and why', () => {
    const card = subscriptionsCard(
      view({
        conversation: {
          conversationId: '19:ops@thread.tacv2',
          reference: {},
          kind: 'channel',
          name: 'Ops',
          enabled: false,
          disabledReason: 'Teams answered 403: the bot was blocked.',
          disabledAt: NOW,
          updatedAt: NOW,
        },
      }),
      { demo: false, syncedAt: NOW },
    );
    assertValidCard(card);
    assert.match(cardTexts(card).join('\n'), /This conversation stopped receiving notifications \{\{DATE\(2026-12-03T12:00:00Z, SHORT\)\}\} \{\{TIME\(2026-12-03T12:00:00Z\)\}\}: Teams answered 403: the bot was blocked\. They resume when the bot is added back\./);
  });

  it('gives each row an Unsubscribe button naming its filter by digest, and none to a reader who may not change them', () => {
    const rows = [subscription(), subscription({ topic: 'all', packageFilter: '' })];
    const buttons = (card: object) => JSON.stringify(card).match(/"verb":"notify\.unsubscribe"/g)?.length ?? 0;
    const card = subscriptionsCard(view({ subscriptions: rows }), { demo: false, syncedAt: NOW });
    assertValidCard(card);
    assert.equal(buttons(card), 2);
    assert.ok(JSON.stringify(card).includes(filterKeyOf('24h2')));
    assert.equal(buttons(subscriptionsCard(view({ subscriptions: rows, mayChange: false }), { demo: false, syncedAt: NOW })), 0);
  });

  it('drops rows rather than outgrowing a Teams message when every filter and reason is as long as allowed', () => {
    const rows = Array.from({ length: 50 }, (_, i) =>
      subscription({
        topic: TOPICS[i % TOPICS.length],
        packageFilter: `${i} ${'é🇺🇦['.repeat(24)}`,
        createdBy: 'N'.repeat(100),
        lastDeliveredAt: NOW,
        lastFailureAt: NOW,
        lastFailureReason: `${'Teams answered 502 and then some [x](y) '.repeat(20)}.`,
      }),
    );
    const card = subscriptionsCard(view({ subscriptions: rows }), { demo: false, syncedAt: NOW });
    assertValidCard(card);
    assert.ok(Buffer.byteLength(JSON.stringify(card)) <= CARD_BUDGET_BYTES);
    assert.match(cardTexts(card).join('\n'), /Notifications in this conversation \(50\)[\s\S]*… and \d+ more, not shown for want of room\./);
  });
});
