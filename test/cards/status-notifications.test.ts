/**
 * The status card's Notifications section and /healthz's notification fields: what waits and since
 * when, which conversations stopped and why (named by kind and name, never by id, at most a few), and
 * a sentence instead of figures when the store is slow or failing, so that `status` stays fast.
 */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { MediaAnswers } from '../../src/bot/media-answers';
import { MAX_STOPPED_SHOWN, statusCard } from '../../src/cards/media/status-card';
import { notifyHealthFields } from '../../src/http/notify-health-fields';
import type { ConversationRecord } from '../../src/services/notify/conversation-repository';
import type { NotifyHealth } from '../../src/services/notify/notify-health';
import type { SiteStatus } from '../../src/services/site-status';
import { assertValidCard, cardTexts } from '../support/assert-valid-card';

const NOW = new Date('2026-12-03T12:00:00Z');
const SITE: SiteStatus = {
  demo: false,
  adminServiceUrl: 'https://cm01.contoso.com/AdminService',
  configMgrReachable: true,
  lastSyncAttemptAt: NOW,
  lastSuccessfulSyncAt: NOW,
  lastSyncDurationMs: 1200,
  packageCounts: { upgrade: 3, image: 2 },
  syncIntervalMinutes: 15,
};

function stopped(index: number, overrides: Partial<ConversationRecord> = {}): ConversationRecord {
  return {
    conversationId: `19:secret-conversation-${index}@thread.tacv2`,
    reference: { serviceUrl: 'https://smba.trafficmanager.net/emea/' },
    kind: 'channel',
    name: `Team ${index}`,
    enabled: false,
    disabledReason: 'the bot was removed from this conversation',
    disabledAt: NOW,
    updatedAt: NOW,
    ...overrides,
  };
}

function health(overrides: Partial<NotifyHealth> = {}): NotifyHealth {
  return { outboxDepth: 0, oldestUndeliveredAt: null, stoppedConversations: 0, stopped: [], ...overrides };
}

function textOf(notify?: Parameters<typeof statusCard>[2]): string {
  const card = statusCard(SITE, { demo: false, syncedAt: NOW }, notify);
  assertValidCard(card);
  return cardTexts(card).join('\n');
}

describe('the status card Notifications section', () => {
  it('is absent when notifications are not wired in', () => {
    assert.doesNotMatch(textOf(), /Notifications|Waiting to be delivered/);
  });

  const cases: Array<{ why: string; health: NotifyHealth; says: RegExp[] }> = [
    {
      why: 'all well',
      health: health(),
      says: [/Nothing waiting: every notification has been delivered\./, /None: every conversation with the bot receives\./],
    },
    {
      why: 'one waiting for 2 hours',
      health: health({ outboxDepth: 1, oldestUndeliveredAt: new Date(NOW.getTime() - 2 * 3_600_000) }),
      says: [/1 notification waiting; the oldest has waited 2 h/],
    },
    {
      why: 'stopped conversations of every kind, with and without names',
      health: health({
        stoppedConversations: 3,
        stopped: [
          stopped(1),
          stopped(2, { kind: 'personal', name: null, disabledReason: 'Teams answered 403 (MessageWritesBlocked): the user blocked the bot.' }),
          stopped(3, { kind: 'groupChat', name: 'Imaging', disabledReason: null }),
        ],
      }),
      says: [/3 conversations: channel "Team 1" \(the bot was removed from this conversation\); personal chat \(Teams answered 403 \\\(MessageWritesBlocked\\\): the user blocked the bot\); group chat "Imaging" \(Teams refused the notifications\)\./],
    },
    {
      why: `more stopped than the ${MAX_STOPPED_SHOWN} named`,
      health: health({ stoppedConversations: 12, stopped: Array.from({ length: 10 }, (_, i) => stopped(i)) }),
      says: [/12 conversations: channel "Team 0" .*; channel "Team 2" \(the bot was removed from this conversation\); and 9 more\./],
    },
    {
      why: 'a hostile conversation name and reason',
      health: health({ stoppedConversations: 1, stopped: [stopped(1, { name: '[Ops](https://evil.example) **now**', disabledReason: 'at Object.<anonymous> (/srv/bot/x.js:1:2)' })] }),
      says: [/channel "\\\[Ops\\\]\\\(https:‍\/\/evil‍\.‍example\\\) \\\*\\\*now\\\*\\\*"/, /\(Teams refused the notifications\)/],
    },
  ];
  for (const { why, health: given, says } of cases) {
    it(`says what is true: ${why}`, () => {
      const text = textOf({ health: given, now: NOW });
      for (const pattern of says) assert.match(text, pattern);
      assert.doesNotMatch(text, /secret-conversation/, 'no conversation ids');
    });
  }

  it('says the figures could not be read, in one sentence, when the store fails or is slow', async () => {
    const snapshot = { packages: [], generation: 1, syncedAt: NOW, demo: false };
    const state = { lastAttemptAt: NOW, lastSuccessAt: NOW, lastDurationMs: 100, reachable: true, skippedRows: 0, skippedRowExamples: [] };
    const answersWith = (notifyHealth: () => Promise<NotifyHealth>) =>
      new MediaAnswers({ inventory: { snapshot: () => snapshot, syncState: () => state }, adminServiceUrl: '', syncIntervalMinutes: 15, notifyHealth, notifyHealthTimeoutMs: 50, now: () => NOW });

    const failing = cardTexts(await answersWith(() => Promise.reject(new Error('SQLITE_BUSY: database is locked'))).statusAnswer()).join('\n');
    assert.match(failing, /The notification figures could not be read from the store; see the bot log, then try again\./);
    assert.doesNotMatch(failing, /SQLITE/);

    const clock = sinon.useFakeTimers({ now: NOW, toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const pending = answersWith(() => new Promise(() => undefined)).statusAnswer();
      await clock.tickAsync(50);
      assert.match(cardTexts(await pending).join('\n'), /could not be read in time; try "status" again in a moment\./);
    } finally {
      clock.restore();
    }

    const fine = cardTexts(await answersWith(async () => health({ outboxDepth: 4, oldestUndeliveredAt: new Date(NOW.getTime() - 30_000) })).statusAnswer()).join('\n');
    assert.match(fine, /4 notifications waiting; the oldest has waited 30 s\./);
  });
});

describe('notifyHealthFields (/healthz)', () => {
  const cases: Array<{ why: string; health: Pick<NotifyHealth, 'outboxDepth' | 'oldestUndeliveredAt' | 'stoppedConversations'>; fields: object }> = [
    { why: 'nothing waits', health: health(), fields: { outboxDepth: 0, oldestUndeliveredAgeSeconds: 0, stoppedConversations: 0 } },
    {
      why: 'whole seconds since the oldest',
      health: health({ outboxDepth: 7, oldestUndeliveredAt: new Date(NOW.getTime() - 90_900), stoppedConversations: 2 }),
      fields: { outboxDepth: 7, oldestUndeliveredAgeSeconds: 90, stoppedConversations: 2 },
    },
    { why: 'a clock behind the store gives no negative age', health: health({ outboxDepth: 1, oldestUndeliveredAt: new Date(NOW.getTime() + 5_000) }), fields: { outboxDepth: 1, oldestUndeliveredAgeSeconds: 0, stoppedConversations: 0 } },
    { why: 'an invalid date gives 0', health: health({ outboxDepth: 1, oldestUndeliveredAt: new Date('nonsense') }), fields: { outboxDepth: 1, oldestUndeliveredAgeSeconds: 0, stoppedConversations: 0 } },
    { why: 'odd counts become whole non-negative numbers', health: health({ outboxDepth: Number.NaN, stoppedConversations: -3 }), fields: { outboxDepth: 0, oldestUndeliveredAgeSeconds: 0, stoppedConversations: 0 } },
  ];
  for (const { why, health: given, fields } of cases) {
    it(`carries numbers only: ${why}`, () => {
      const result = notifyHealthFields(given, NOW);
      assert.deepEqual(result, { notifications: fields });
    });
  }

  it('leaves out the stopped conversations\' names, ids and reasons', () => {
    const text = JSON.stringify(notifyHealthFields(health({ stoppedConversations: 1, stopped: [stopped(1)] } as NotifyHealth), NOW));
    assert.doesNotMatch(text, /secret|Team 1|removed/);
  });
});
