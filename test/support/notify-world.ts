/**
 * What the delivery integration tests and their child-process dispatcher share: conversations that
 * point at a connector double, a job's story of notifications on one subject, a renderer that draws a
 * notification from its payload alone (so that two processes draw it the same), and the real
 * TeamsDeliverer built the way the bot builds it (createChannelEdge).
 */
import { ActivityHandler } from 'botbuilder';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { createChannelEdge } from '../../src/bot/activity-processor';
import type { TeamsDeliverer } from '../../src/bot/teams-deliverer';
import { saveConversation, type ConversationKind } from '../../src/services/notify/conversation-repository';
import type { NotificationKind } from '../../src/services/notify/notification';
import type { NotificationRenderer } from '../../src/services/notify/notification-renderer';
import { enqueueNotification } from '../../src/services/notify/outbox-repository';
import { addSubscription } from '../../src/services/notify/subscription-repository';
import type { Schema } from '../../src/services/store/schema';

export const REQUESTER = { id: '29:ada', name: 'Ada' };

/** Draws the payload's text as a card; a payload with `reply` also gets a thread reply @mentioning the requester. */
export const payloadRenderer: NotificationRenderer = {
  async render(notification) {
    const text = String(notification.payload.text);
    const reply = notification.payload.reply;
    return {
      message: { text, card: { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text }] } },
      threadReply: typeof reply === 'string' ? { text: `<at>${REQUESTER.name}</at> ${reply}`, mentions: [REQUESTER] } : undefined,
    };
  },
};

export function teamsDeliverer(logger: Logger, connectorTimeoutMs: number): TeamsDeliverer {
  return createChannelEdge({
    identity: { appId: '', appPassword: '', appType: 'MultiTenant', tenantId: '' },
    bot: new ActivityHandler(),
    logger,
    channel: { connectorTimeoutMs },
  }).deliverer;
}

export interface SeededConversation {
  conversationId: string;
  kind: ConversationKind;
}

/** `count` conversations subscribed to everything; every `channelEvery`-th is a team channel, the rest personal chats. */
export async function seedConversations(db: Kysely<Schema>, serviceUrl: string, count: number, channelEvery = 4): Promise<SeededConversation[]> {
  const seeded: SeededConversation[] = [];
  const at = new Date();
  for (let index = 0; index < count; index += 1) {
    const kind: ConversationKind = index % channelEvery === 0 ? 'channel' : 'personal';
    const conversationId = kind === 'channel' ? `19:channel-${index}@thread.tacv2` : `a:personal-${index}`;
    await saveConversation(db, {
      conversationId,
      kind,
      at,
      reference: {
        serviceUrl,
        channelId: 'msteams',
        conversation: { id: conversationId, conversationType: kind },
        bot: { id: '28:media-bot', name: 'Media bot' },
        user: { id: `29:user-${index}` },
        activityId: `f:${index}`,
      },
    });
    await addSubscription(db, conversationId, { topic: 'all', packageFilter: '' }, `29:user-${index}`, at);
    seeded.push({ conversationId, kind });
  }
  return seeded;
}

const STORY: ReadonlyArray<{ kind: NotificationKind; step: string; reply?: string }> = [
  { kind: 'job.requested', step: 'requested' },
  { kind: 'job.approved', step: 'approved' },
  { kind: 'job.stage', step: 'copying' },
  { kind: 'job.succeeded', step: 'succeeded', reply: 'your job succeeded' },
];

/** A job's notifications on one subject, oldest first; returns the texts each conversation's card must show, in order. */
export async function enqueueJobStory(db: Kysely<Schema>, jobId: string, steps = STORY.length): Promise<string[]> {
  const texts: string[] = [];
  for (const { kind, step, reply } of STORY.slice(0, steps)) {
    const text = `Job ${jobId}: ${step}`;
    await enqueueNotification(db, {
      kind,
      subject: `job:${jobId}`,
      packageId: 'WIN11-24H2',
      packageName: 'Windows 11 24H2',
      payload: reply === undefined ? { text } : { text, reply },
      dedupeKey: `${jobId}:${kind}`,
      createdAt: new Date(),
    });
    texts.push(text);
  }
  return texts;
}

export interface DeliveryCounts {
  total: number;
  open: number;
  delivered: number;
  failed: number;
  stopped: number;
}

export async function countDeliveries(db: Kysely<Schema>): Promise<DeliveryCounts> {
  const rows = await db.selectFrom('deliveries').select(['state']).execute();
  const counts: DeliveryCounts = { total: rows.length, open: 0, delivered: 0, failed: 0, stopped: 0 };
  for (const { state } of rows) {
    if (state === 'delivered' || state === 'failed' || state === 'stopped') counts[state] += 1;
    else counts.open += 1;
  }
  return counts;
}

/** Waits until `expected` deliveries exist and none is open; returns the last counts seen. */
export async function waitUntilSettled(db: Kysely<Schema>, expected: number, withinMs: number): Promise<DeliveryCounts> {
  const until = Date.now() + withinMs;
  let counts = await countDeliveries(db);
  while ((counts.total < expected || counts.open > 0) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    counts = await countDeliveries(db);
  }
  return counts;
}
