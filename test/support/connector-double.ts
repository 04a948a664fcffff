/**
 * A Bot Connector that behaves like Teams' for the three calls the bot makes (send, reply, update),
 * and that holds the bot to Teams' limits: a real HTTP server on port 0 that keeps every
 * conversation's messages and their versions, answers with Teams-like ids and errors, and refuses
 * with 429 whatever goes over the per-thread windows (7/1 s, 8/2 s, 60/30 s, 1800/1 h) or the
 * app-wide requests per second. A sender that breaks a limit is caught: the message is not created,
 * `throttledByLimit` counts it, and the test fails on it.
 *
 * Faults are switched on and off while a test runs (random 429s and 5xx, refusals per conversation,
 * garbage answers, hangs, "hold after N") so that the dispatcher's retries, stops and crash recovery
 * are exercised over real sockets. Requests held without an answer are recorded as in flight, so a
 * crash test can tell a repeat that was allowed (the post's answer was lost) from one that was not.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface WindowLimit {
  count: number;
  perMs: number;
}

/** Teams' limits for sends per bot per conversation thread. */
export const TEAMS_THREAD_LIMITS: readonly WindowLimit[] = [
  { count: 7, perMs: 1_000 },
  { count: 8, perMs: 2_000 },
  { count: 60, perMs: 30_000 },
  { count: 1_800, perMs: 3_600_000 },
];

export type Operation = 'post' | 'reply' | 'update';

/** A refusal Teams gives for good: 403 (blocked, removed) or 404 (the conversation is gone). */
export interface Refusal {
  status: 403 | 404;
  code: 'MessageWritesBlocked' | 'ConversationBlockedByUser' | 'BotDisabledByAdmin' | 'ConversationNotFound' | string;
}

/** What a conversation does to every request addressed to it, until changed. */
export type ConversationFault = Refusal | 'hang' | 'garbage-text' | 'garbage-no-id';

export interface Faults {
  /** Share (0..1) of requests answered 429 at random, before anything is created. */
  throttleShare: number;
  /** The Retry-After of those random 429s, in seconds. */
  throttleRetryAfterSeconds: number;
  /** When set, the Retry-After header of random 429s as given (an HTTP date, or something unreadable). */
  throttleRetryAfterHeader?: string;
  /** Share (0..1) of requests answered 502/503/504 at random, before anything is created. */
  serverErrorShare: number;
  /** Share (0..1) of successful requests answered 200 with a body that is not JSON (the message is created). */
  garbageShare: number;
  /** Share (0..1) of requests received and never answered (nothing created). */
  hangShare: number;
  /** Faults of single conversations (by the id in the path, without `;messageid=`). */
  conversations: Map<string, ConversationFault>;
}

/** One version of a message: the activity body the bot sent. */
export type ActivityBody = Record<string, unknown>;

export interface StoredMessage {
  id: string;
  /** The conversation (a channel's id without `;messageid=`). */
  conversationId: string;
  /** In a channel, the thread the message is a reply in; undefined for a thread's first message or a chat message. */
  threadId?: string;
  /** The activity it was posted as a reply to (POST …/activities/{id}). */
  replyToId?: string;
  /** The current body. */
  activity: ActivityBody;
  /** Every body it had, oldest first (the post, then each update). */
  versions: ActivityBody[];
  /** The mention entities of the current body. */
  mentions: Array<{ id?: string; name?: string; text?: string }>;
}

/** An accepted write, in the order the double accepted it. */
export interface AcceptedWrite {
  operation: Operation;
  conversationId: string;
  messageId: string;
  /** The body's text (or '' when it has none). */
  text: string;
  at: number;
}

/** A request received and never answered (hang, hold): its client never learns what happened. */
export interface InFlightRequest {
  operation: Operation;
  conversationId: string;
  /** The message it created, when the hold was told to create. */
  messageId?: string;
  text: string;
  /** Whether the message exists (a post held with `create: true`, or an update applied). */
  created: boolean;
}

/** A request refused because the sender went over a limit: which one, and by how much. */
export interface LimitBreak {
  /** 'app', or the thread's conversation id. */
  scope: string;
  limit: WindowLimit;
  /** Accepted requests already in the window when this one came. */
  inWindow: number;
  /** How long after the oldest request in the window this one came: perMs minus this is how early it was. */
  sinceOldestMs: number;
  at: number;
}

export interface DoubleCounters {
  requests: number;
  accepted: number;
  /** 429s because the sender went over a Teams limit: a correct sender never gets one. */
  throttledByLimit: number;
  /** 429s injected at random. */
  throttledAtRandom: number;
  serverErrors: number;
  refused: number;
  garbage: number;
  hung: number;
  /** Posts whose text equals an earlier post's in the same conversation thread. */
  duplicates: number;
  /** The most requests received within any 1-s window. */
  peakRequestsPerSecond: number;
  /** The most requests accepted within any 1-s window. */
  peakAcceptedPerSecond: number;
}

export interface ConnectorDoubleOptions {
  /** App-wide requests per second (all conversations), a strict sliding 1-s window. Default 50. */
  appRatePerSecond?: number;
  /** Per-thread windows; default Teams' own. */
  threadLimits?: readonly WindowLimit[];
  /** Milliseconds now; default Date.now. */
  now?: () => number;
  /** 0..1; default Math.random. */
  random?: () => number;
}

export interface ConnectorDouble {
  /** The serviceUrl to put in conversation references. */
  url: string;
  /** Switch faults on and off at any time. */
  faults: Faults;
  counters: DoubleCounters;
  /** Messages of a conversation (a channel's thread replies included), in creation order. */
  messages(conversationId: string): StoredMessage[];
  /** Every conversation that has at least one message. */
  conversationIds(): string[];
  /** Accepted writes of a conversation (posts, replies, updates) in the order accepted. */
  acceptedOrder(conversationId: string): AcceptedWrite[];
  /** Every accepted write, oldest first. */
  accepted: AcceptedWrite[];
  /** Every request refused for going over a limit. */
  limitBreaks: LimitBreak[];
  /** Requests received and never answered. */
  inFlight: InFlightRequest[];
  /** After `afterAccepted` accepted requests in all, stop answering; `create` says whether held writes take effect. */
  holdAfter(afterAccepted: number, options: { create: boolean }): void;
  /** Answer again (requests already held stay unanswered). */
  stopHolding(): void;
  /** Deletes a message, as a user deleting it in Teams does; later updates of it answer 404. */
  remove(conversationId: string, messageId: string): boolean;
  /** A message created by the test itself (e.g. a card someone else posted). */
  seed(conversationId: string, activity: ActivityBody): StoredMessage;
  stop(): Promise<void>;
}

const CREATE_CONVERSATION = /^\/v3\/conversations\/?(?:\?.*)?$/;
const PATH = /\/v3\/conversations\/([^/?]+)\/activities(?:\/([^/?]+))?\/?(?:\?.*)?$/;

interface Thread {
  /** Times of accepted writes, oldest first, kept for the longest window. */
  times: number[];
  /** Texts posted, to count duplicates. */
  posted: Set<string>;
}

function baseOf(conversationId: string): { base: string; threadId?: string } {
  const at = conversationId.indexOf(';messageid=');
  if (at < 0) return { base: conversationId };
  return { base: conversationId.slice(0, at), threadId: conversationId.slice(at + ';messageid='.length) };
}

function textOf(activity: ActivityBody): string {
  if (typeof activity.text === 'string' && activity.text !== '') return activity.text;
  if (typeof activity.summary === 'string' && activity.summary !== '') return activity.summary;
  if (Array.isArray(activity.attachments) && activity.attachments.length > 0) return JSON.stringify(activity.attachments);
  return '';
}

function mentionsOf(activity: ActivityBody): StoredMessage['mentions'] {
  const entities = Array.isArray(activity.entities) ? (activity.entities as Array<Record<string, unknown>>) : [];
  return entities
    .filter((entity) => entity?.type === 'mention')
    .map((entity) => {
      const mentioned = (entity.mentioned ?? {}) as { id?: string; name?: string };
      return { id: mentioned.id, name: mentioned.name, text: typeof entity.text === 'string' ? entity.text : undefined };
    });
}

/** Requests are timed on arrival but handled when their body is in: keep each list in time order. */
function insertSorted(times: number[], at: number): void {
  let index = times.length;
  while (index > 0 && times[index - 1] > at) index -= 1;
  times.splice(index, 0, at);
}

/** Counts times within (now - perMs, now]. `times` is sorted. */
function countWithin(times: readonly number[], now: number, perMs: number): { count: number; oldest?: number } {
  let index = times.length;
  while (index > 0 && times[index - 1] > now - perMs) index -= 1;
  return { count: times.length - index, oldest: times[index] };
}

export async function startConnectorDouble(options: ConnectorDoubleOptions = {}): Promise<ConnectorDouble> {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const appRate = options.appRatePerSecond ?? 50;
  const threadLimits = options.threadLimits ?? TEAMS_THREAD_LIMITS;
  const longestWindow = Math.max(...threadLimits.map((limit) => limit.perMs), 1_000);

  const faults: Faults = {
    throttleShare: 0,
    throttleRetryAfterSeconds: 1,
    serverErrorShare: 0,
    garbageShare: 0,
    hangShare: 0,
    conversations: new Map(),
  };
  const counters: DoubleCounters = {
    requests: 0,
    accepted: 0,
    throttledByLimit: 0,
    throttledAtRandom: 0,
    serverErrors: 0,
    refused: 0,
    garbage: 0,
    hung: 0,
    duplicates: 0,
    peakRequestsPerSecond: 0,
    peakAcceptedPerSecond: 0,
  };
  const conversations = new Map<string, StoredMessage[]>();
  const byId = new Map<string, StoredMessage>();
  const threads = new Map<string, Thread>();
  const accepted: AcceptedWrite[] = [];
  const limitBreaks: LimitBreak[] = [];
  const inFlight: InFlightRequest[] = [];
  const requestTimes: number[] = [];
  const acceptedTimes: number[] = [];
  let hold: { afterAccepted: number; create: boolean } | undefined;
  let lastId = 0;

  /** Teams' message ids are the creation time in ms; unique and increasing here. */
  const newId = (): string => {
    lastId = Math.max(lastId + 1, now());
    return String(lastId);
  };

  const threadOf = (key: string): Thread => {
    let thread = threads.get(key);
    if (!thread) {
      thread = { times: [], posted: new Set() };
      threads.set(key, thread);
    }
    return thread;
  };

  const trim = (times: number[], at: number, keepMs: number): void => {
    let drop = 0;
    while (drop < times.length && times[drop] <= at - keepMs) drop += 1;
    if (drop > 0) times.splice(0, drop);
  };

  /** The seconds until a write would fit, or undefined when it fits now. */
  const overLimit = (threadKey: string, thread: Thread, at: number): number | undefined => {
    let waitMs: number | undefined;
    const app = countWithin(acceptedTimes, at, 1_000);
    if (app.count >= appRate) {
      waitMs = (app.oldest ?? at) + 1_000 - at;
      limitBreaks.push({ scope: 'app', limit: { count: appRate, perMs: 1_000 }, inWindow: app.count, sinceOldestMs: at - (app.oldest ?? at), at });
    }
    for (const limit of threadLimits) {
      const within = countWithin(thread.times, at, limit.perMs);
      if (within.count >= limit.count) {
        waitMs = Math.max(waitMs ?? 0, (within.oldest ?? at) + limit.perMs - at);
        limitBreaks.push({ scope: threadKey, limit, inWindow: within.count, sinceOldestMs: at - (within.oldest ?? at), at });
      }
    }
    return waitMs === undefined ? undefined : Math.max(1, Math.ceil(waitMs / 1_000));
  };

  const conversationList = (id: string): StoredMessage[] => {
    let list = conversations.get(id);
    if (!list) {
      list = [];
      conversations.set(id, list);
    }
    return list;
  };

  const createMessage = (conversationId: string, activity: ActivityBody, threadId?: string, replyToId?: string): StoredMessage => {
    const message: StoredMessage = { id: newId(), conversationId, threadId, replyToId, activity, versions: [activity], mentions: mentionsOf(activity) };
    conversationList(conversationId).push(message);
    byId.set(`${conversationId}\n${message.id}`, message);
    return message;
  };

  const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
    res.end(text);
  };
  const teamsError = (res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void =>
    sendJson(res, status, { error: { code, message } }, headers);

  const handle = (req: IncomingMessage, res: ServerResponse, body: string, at: number): void => {
    counters.requests += 1;
    insertSorted(requestTimes, at);
    trim(requestTimes, at, 1_000);
    counters.peakRequestsPerSecond = Math.max(counters.peakRequestsPerSecond, requestTimes.length);

    const method = req.method ?? '';
    // POST /v3/conversations with channelData.channel.id: a new thread in a channel (Teams' createConversation).
    const newThread = method === 'POST' && CREATE_CONVERSATION.test(req.url ?? '');
    const match = newThread ? null : PATH.exec(req.url ?? '');
    if (!newThread && (!match || (method !== 'POST' && method !== 'PUT') || (method === 'PUT' && match[2] === undefined))) {
      teamsError(res, 404, 'NotFound', 'No such operation on this connector.');
      return;
    }
    let activity: ActivityBody;
    let addressed: string;
    try {
      const parsed = JSON.parse(body) as ActivityBody;
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      if (newThread) {
        const channel = ((parsed.channelData as { channel?: { id?: unknown } } | undefined)?.channel?.id);
        if (typeof channel !== 'string' || channel === '' || typeof parsed.activity !== 'object' || parsed.activity === null) throw new Error('no channel or activity');
        addressed = channel;
        activity = parsed.activity as ActivityBody;
      } else {
        addressed = decodeURIComponent(match![1]);
        activity = parsed;
      }
    } catch {
      teamsError(res, 400, 'BadArgument', 'The request body is not an activity.');
      return;
    }
    const pathActivityId = match?.[2] === undefined ? undefined : decodeURIComponent(match[2]);
    const { base, threadId: pathThread } = baseOf(addressed);
    // botbuilder sends every proactive message as a reply to its continuation activity's made-up id:
    // like Teams, a reply to an activity the conversation does not have is a new message.
    const repliedTo = method === 'POST' && pathActivityId !== undefined ? byId.get(`${base}\n${pathActivityId}`) : undefined;
    const threadId = pathThread ?? repliedTo?.threadId;
    const operation: Operation = method === 'PUT' ? 'update' : threadId !== undefined || repliedTo !== undefined ? 'reply' : 'post';
    const text = textOf(activity);
    // Sends and updates count against the thread they land in (a channel's root posts: the channel).
    const threadKey = operation !== 'update' && threadId !== undefined ? `${base};messageid=${threadId}` : base;
    const thread = threadOf(threadKey);
    trim(thread.times, at, longestWindow);
    trim(acceptedTimes, at, 1_000);

    const retryAfter = overLimit(threadKey, thread, at);
    if (retryAfter !== undefined) {
      counters.throttledByLimit += 1;
      teamsError(res, 429, 'ThrottledRequest', 'Too many requests.', { 'retry-after': String(retryAfter) });
      return;
    }
    const fault = faults.conversations.get(base);
    if (fault !== undefined && typeof fault === 'object') {
      counters.refused += 1;
      teamsError(res, fault.status, fault.code, fault.status === 404 ? 'Conversation not found.' : 'The bot cannot write to this conversation.');
      return;
    }
    if (fault === 'hang' || (faults.hangShare > 0 && random() < faults.hangShare)) {
      counters.hung += 1;
      inFlight.push({ operation, conversationId: addressed, text, created: false });
      return;
    }
    if (faults.throttleShare > 0 && random() < faults.throttleShare) {
      counters.throttledAtRandom += 1;
      teamsError(res, 429, 'ThrottledRequest', 'Too many requests.', { 'retry-after': faults.throttleRetryAfterHeader ?? String(faults.throttleRetryAfterSeconds) });
      return;
    }
    if (faults.serverErrorShare > 0 && random() < faults.serverErrorShare) {
      counters.serverErrors += 1;
      const status = [502, 503, 504][Math.floor(random() * 3) % 3];
      teamsError(res, status, 'ServiceError', 'The service is unavailable.');
      return;
    }

    let message: StoredMessage | undefined;
    if (operation === 'update') {
      message = byId.get(`${base}\n${pathActivityId}`);
      if (!message) {
        teamsError(res, 404, 'ActivityNotFoundInConversation', 'The activity was not found in the conversation.');
        return;
      }
    }

    const holding = hold !== undefined && counters.accepted >= hold.afterAccepted;
    if (holding && !hold!.create) {
      inFlight.push({ operation, conversationId: addressed, text, created: false });
      return;
    }

    counters.accepted += 1;
    insertSorted(thread.times, at);
    insertSorted(acceptedTimes, at);
    counters.peakAcceptedPerSecond = Math.max(counters.peakAcceptedPerSecond, acceptedTimes.length);
    if (message) {
      message.activity = activity;
      message.versions.push(activity);
      message.mentions = mentionsOf(activity);
    } else {
      if (thread.posted.has(text)) counters.duplicates += 1;
      thread.posted.add(text);
      message = createMessage(base, activity, threadId, repliedTo?.id);
    }
    accepted.push({ operation, conversationId: base, messageId: message.id, text, at });

    if (holding) {
      inFlight.push({ operation, conversationId: addressed, messageId: message.id, text, created: true });
      return;
    }
    if (fault === 'garbage-text' || (fault === undefined && faults.garbageShare > 0 && random() < faults.garbageShare)) {
      counters.garbage += 1;
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>Service temporarily unavailable</body></html>');
      return;
    }
    if (fault === 'garbage-no-id') {
      counters.garbage += 1;
      sendJson(res, 200, { ok: true });
      return;
    }
    if (newThread) {
      sendJson(res, 201, { id: `${base};messageid=${message.id}`, activityId: message.id });
      return;
    }
    sendJson(res, operation === 'update' ? 200 : 201, { id: message.id });
  };

  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    // Counted when the request arrives, not when its body has been read.
    const at = now();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8'), at));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/`,
    faults,
    counters,
    messages: (conversationId) => [...(conversations.get(baseOf(conversationId).base) ?? [])],
    conversationIds: () => [...conversations.keys()].filter((id) => (conversations.get(id) ?? []).length > 0),
    acceptedOrder: (conversationId) => accepted.filter((write) => write.conversationId === baseOf(conversationId).base),
    accepted,
    limitBreaks,
    inFlight,
    holdAfter: (afterAccepted, { create }) => {
      hold = { afterAccepted, create };
    },
    stopHolding: () => {
      hold = undefined;
    },
    remove: (conversationId, messageId) => {
      const { base } = baseOf(conversationId);
      const list = conversations.get(base) ?? [];
      const index = list.findIndex((message) => message.id === messageId);
      if (index < 0) return false;
      list.splice(index, 1);
      byId.delete(`${base}\n${messageId}`);
      return true;
    },
    seed: (conversationId, activity) => createMessage(baseOf(conversationId).base, activity),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
