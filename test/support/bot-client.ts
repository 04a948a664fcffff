/** Talks to a running bot over real HTTP the way the Bot Framework channel does, with expectReplies. */
import assert from 'node:assert/strict';
import axios from 'axios';
import { assertValidCard } from './assert-valid-card';

export interface ReplyActivity {
  type: string;
  text?: string;
  attachments?: Array<{ contentType: string; content: Record<string, unknown> }>;
  [key: string]: unknown;
}

export function baseActivity(client = 0): Record<string, unknown> {
  return {
    id: `activity-${client}-${Math.random().toString(36).slice(2)}`,
    channelId: 'msteams',
    serviceUrl: 'http://127.0.0.1:9/unused',
    deliveryMode: 'expectReplies',
    timestamp: new Date().toISOString(),
    from: { id: `29:user-${client}`, name: `Test user ${client}`, aadObjectId: '00000000-0000-4000-8000-00000000b00b' },
    recipient: { id: '28:upgrade-media-bot', name: 'Upgrade Media' },
    conversation: { id: `a:conversation-${client}`, conversationType: 'personal', tenantId: '00000000-0000-4000-8000-0000000000aa' },
  };
}

export function messageActivity(text: string, client = 0): Record<string, unknown> {
  return { ...baseActivity(client), type: 'message', text };
}

export function cardActionActivity(verb: string, data: unknown, client = 0): Record<string, unknown> {
  return {
    ...baseActivity(client),
    type: 'invoke',
    name: 'adaptiveCard/action',
    value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
  };
}

/** POSTs any body (an activity or garbage) and returns status and parsed body, never throwing on status. */
export async function postToBot(botUrl: string, body: unknown, contentType = 'application/json') {
  const response = await axios.post(`${botUrl}/api/messages`, typeof body === 'string' ? body : JSON.stringify(body), {
    headers: { 'content-type': contentType },
    validateStatus: () => true,
    transformResponse: (raw) => raw,
    timeout: 10_000,
  });
  let parsed: unknown = response.data;
  try {
    parsed = response.data ? JSON.parse(response.data) : undefined;
  } catch {
    // Leave non-JSON bodies as text for the assertion to show.
  }
  return { status: response.status, body: parsed };
}

/** Sends a message and returns the bot's replies (expectReplies). */
export async function say(botUrl: string, text: string, client = 0): Promise<ReplyActivity[]> {
  const { status, body } = await postToBot(botUrl, messageActivity(text, client));
  if (status !== 200) throw new Error(`bot answered HTTP ${status}: ${JSON.stringify(body)}`);
  return (body as { activities: ReplyActivity[] }).activities;
}

/** The Adaptive Card of a reply, or an error naming what came instead. */
export function cardOf(reply: ReplyActivity | undefined): Record<string, unknown> {
  const attachment = reply?.attachments?.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive');
  if (!attachment) throw new Error(`expected a card, got ${JSON.stringify(reply)}`);
  return attachment.content;
}

/** All text a person would read on a card (TextBlocks, facts, table cells, button titles), joined. */
export function cardText(card: unknown): string {
  const parts: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    for (const key of ['text', 'title', 'value']) if (typeof record[key] === 'string') parts.push(record[key] as string);
    for (const value of Object.values(record)) if (typeof value === 'object') visit(value);
  };
  visit(card);
  return parts.join('\n');
}

/** The one card of a single reply, checked against Teams' rules on the way. */
export function onlyCard(replies: ReplyActivity[]): Record<string, unknown> {
  assert.equal(replies.length, 1, `one reply expected, got ${JSON.stringify(replies)}`);
  const card = cardOf(replies[0]);
  assertValidCard(card);
  return card;
}

/** Says `text` to the bot and returns the text of the one valid card it answers with. */
export async function cardTextOf(botUrl: string, text: string): Promise<string> {
  return cardText(onlyCard(await say(botUrl, text)));
}
