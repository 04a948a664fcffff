/**
 * Generates hostile HTTP requests for the bot's edge: bodies, activities, invokes and headers of every odd
 * shape the issue tracker has seen, plus seeded random ones. Deterministic for a seed, so that a failing
 * case can be replayed with FUZZ_SEED. Every serviceUrl it writes is either the loopback sink the test runs
 * or not an http URL at all: the bot must never be sent anywhere else.
 */
import { gzipSync, deflateSync } from 'node:zlib';
import { seededRandom } from '../../src/services/shared/seeded-random';

export interface FuzzRequest {
  /** What kind of case this is, for the failure message and the tally. */
  family: string;
  headers: Record<string, string>;
  body: Buffer;
}

const KNOWN_INVOKES = [
  'adaptiveCard/action',
  'composeExtension/submitAction',
  'composeExtension/query',
  'composeExtension/fetchTask',
  'composeExtension/queryLink',
  'composeExtension/selectItem',
  'composeExtension/setting',
  'task/fetch',
  'task/submit',
  'signin/verifyState',
  'signin/tokenExchange',
  'fileConsent/invoke',
  'actionableMessage/executeAction',
  'config/fetch',
  'config/submit',
  'tab/fetch',
  'healthCheck',
  'handoff/action',
];

const ACTIVITY_TYPES = [
  'message',
  'invoke',
  'conversationUpdate',
  'installationUpdate',
  'messageReaction',
  'messageUpdate',
  'messageDelete',
  'event',
  'typing',
  'endOfConversation',
  'contactRelationUpdate',
  'deleteUserData',
  'trace',
  'handoff',
  'suggestion',
  'x-unknown',
];

const CHAT_TEXTS = [
  'list',
  'show PS100012',
  'editions PS100015',
  'stale',
  'status',
  'help',
  'what build is 24H2',
  'show **x** [y](http://evil)',
  'list [Reset your password](https://evil.example/login)',
  '<at>Upgrade Media</at> list',
  '<at>',
  '<at><at><at></at>',
  'show "quoted" \'name\' `tick`',
  'show Windows 11 ✨ 👩‍👩‍👧‍👦 🇳🇱',
  'list \u202e\u200b\ufeff',
  'show \ud800',
  'show PS1000\u0000',
  '\\\\cm01\\OSD$\\..\\..\\etc\\passwd',
  '${{ 1 + 1 }} {{DATE(2026-01-01T00:00:00Z)}} ${$root}',
  "list zz$' $& $`",
];

const VERBS = ['show', 'editions', 'listPage', 'command', 'refresh', 'approve', '', 'x'.repeat(300)];

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=UTF-8',
  'application/json; charset=latin1',
  'application/json;charset=utf-16',
  'text/json',
  'text/plain',
  'text/csv',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----fuzz',
  'application/octet-stream',
  'application/xml',
  '',
  'application/json, text/plain',
  '*/*',
];

export class EdgeFuzzCases {
  private readonly random: () => number;

  constructor(
    seed: number,
    /** Where an activity may ask the bot to send its replies: the test's loopback sink. */
    private readonly sinkUrl: string,
  ) {
    this.random = seededRandom(seed);
  }

  /** The cases the issue reproduced, each once, before any random one. */
  knownCases(): FuzzRequest[] {
    const json = (family: string, value: unknown, headers: Record<string, string> = {}): FuzzRequest => ({
      family,
      headers: { 'content-type': 'application/json', ...headers },
      body: Buffer.from(JSON.stringify(value)),
    });
    const message = (text: string) => ({ ...this.activity('message'), text });
    const multipartBody = Buffer.concat([
      Buffer.from('------fuzz\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n\r\n'),
      Buffer.alloc(2 * 1024 * 1024, 0x41),
      Buffer.from('\r\n------fuzz--\r\n'),
    ]);
    let deep: unknown = [];
    for (let i = 0; i < 3000; i++) deep = [deep];
    return [
      { family: 'gzip header on a body that is not gzip', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: Buffer.from(JSON.stringify(message('list'))) },
      { family: 'gzip bomb (32 MB of zeros)', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: gzipSync(Buffer.alloc(32 * 1024 * 1024, 0x20)) },
      { family: 'deflate bomb (32 MB)', headers: { 'content-type': 'application/json', 'content-encoding': 'deflate' }, body: deflateSync(Buffer.alloc(32 * 1024 * 1024, 0x20)) },
      { family: 'multipart upload', headers: { 'content-type': 'multipart/form-data; boundary=----fuzz' }, body: multipartBody },
      { family: 'csv body', headers: { 'content-type': 'text/csv' }, body: Buffer.from('type,text\nmessage,list\n') },
      { family: 'form-encoded message', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from('type=message&text=list&conversation[id]=x&deliveryMode=expectReplies') },
      json('3,000-deep array in conversation', { ...message('list'), conversation: { id: 'a:deep', junk: deep } }),
      json('membersAdded not an array', { ...this.activity('conversationUpdate'), membersAdded: { id: 'x' } }),
      json('messageDelete without channelData', { ...this.activity('messageDelete'), channelData: undefined }),
      json('submitAction with a null value', { ...this.activity('invoke'), name: 'composeExtension/submitAction', value: null }),
      json('unknown invoke', { ...this.activity('invoke'), name: 'no/such-invoke', value: {} }),
      json('248 KB of <at>', message('<at>'.repeat(62_000))),
      json('250 KB action.verb', { ...this.activity('invoke'), name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'v'.repeat(250_000) } } }),
      json('markdown link in chat text', message('list [Reset your password](https://evil.example/login)')),
      json('body just over the limit', message('x'.repeat(262_200))),
      { family: 'gzip just over the limit', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: gzipSync(JSON.stringify(message('y'.repeat(300_000)))) },
      { family: 'truncated JSON', headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(message('list')).slice(0, 40)) },
    ];
  }

  /** One seeded random request. */
  next(): FuzzRequest {
    const roll = this.random();
    if (roll < 0.45) return this.withHeaders('activity', Buffer.from(JSON.stringify(this.randomActivity())));
    if (roll < 0.6) return this.withHeaders('card action', Buffer.from(JSON.stringify(this.randomCardAction())));
    if (roll < 0.7) return this.withHeaders('json value', Buffer.from(this.randomJsonText()));
    if (roll < 0.8) return this.withHeaders('random bytes', this.randomBytes(this.int(0, 4096)));
    if (roll < 0.9) return this.compressed(Buffer.from(JSON.stringify(this.randomActivity())));
    return this.withHeaders('nested activity', Buffer.from(this.nestedActivityText()));
  }

  private withHeaders(family: string, body: Buffer): FuzzRequest {
    const headers: Record<string, string> = {};
    const contentType = this.random() < 0.75 ? 'application/json' : this.pick(CONTENT_TYPES);
    if (contentType !== '') headers['content-type'] = contentType;
    if (this.random() < 0.1) headers.authorization = this.pick(['Bearer', 'Bearer x.y.z', 'Basic Zm9vOmJhcg==', 'Bearer ' + 'a'.repeat(4000), 'Negotiate YII=']);
    if (this.random() < 0.05) headers['content-encoding'] = this.pick(['br', 'identity', 'gzip, deflate', 'x-fuzz', 'compress', 'GZIP']);
    if (this.random() < 0.05) headers['x-fuzz'] = '\u00ff'.repeat(this.int(1, 200));
    return { family: `${family} (${headers['content-type'] ?? 'no content-type'}${headers['content-encoding'] ? `, ${headers['content-encoding']}` : ''})`, headers, body };
  }

  private compressed(plain: Buffer): FuzzRequest {
    const encoding = this.pick(['gzip', 'deflate', 'gzip']);
    let body = encoding === 'gzip' ? gzipSync(plain) : deflateSync(plain);
    const damage = this.random();
    if (damage < 0.3) body = body.subarray(0, this.int(0, body.length));
    else if (damage < 0.5) {
      body = Buffer.from(body);
      for (let i = 0; i < 4; i++) body[this.int(0, body.length - 1)] ^= 0xff;
    }
    return { family: `${encoding}${damage < 0.5 ? ' (damaged)' : ''}`, headers: { 'content-type': 'application/json', 'content-encoding': encoding }, body };
  }

  /** A plausible activity, then a few of its fields replaced by odd values. */
  private randomActivity(): Record<string, unknown> {
    const activity: Record<string, unknown> = this.activity(this.pick(ACTIVITY_TYPES));
    if (activity.type === 'message') activity.text = this.randomText();
    if (activity.type === 'invoke') {
      activity.name = this.random() < 0.8 ? this.pick(KNOWN_INVOKES) : this.randomString(40);
      activity.value = this.randomValue(3);
    }
    if (activity.type === 'conversationUpdate' || activity.type === 'installationUpdate') {
      activity.membersAdded = this.random() < 0.5 ? [{ id: '28:upgrade-media-bot' }, { id: 'u' }] : this.randomValue(2);
      activity.membersRemoved = this.random() < 0.3 ? this.randomValue(2) : undefined;
      activity.action = this.pick(['add', 'remove', 'add-upgrade', 7, null]);
    }
    if (activity.type === 'messageReaction') {
      activity.reactionsAdded = this.randomValue(2);
      activity.reactionsRemoved = this.randomValue(2);
    }
    const mutations = this.int(0, 4);
    const fields = ['from', 'recipient', 'conversation', 'channelData', 'entities', 'value', 'text', 'attachments', 'locale', 'id', 'replyToId', 'channelId', 'serviceUrl', 'deliveryMode', 'timestamp', 'name', 'type', 'membersAdded'];
    for (let i = 0; i < mutations; i++) {
      const field = this.pick(fields);
      activity[field] = field === 'serviceUrl' ? this.pick([this.sinkUrl, 'ftp://x', '', 'javascript:alert(1)', 12, null]) : this.randomValue(3);
    }
    return activity;
  }

  private randomCardAction(): Record<string, unknown> {
    const data = this.pick<unknown>([
      { packageId: this.pick(['PS100012', 'ps100015', 'PS1000ZZ', '', 'PS100012\u0000', 'x'.repeat(10_000)]) },
      { filter: this.randomText(), page: this.pick<unknown>([0, 1, -1, 1e9, '3', 'x', null, 2.5, Number.MAX_SAFE_INTEGER]) },
      { text: this.randomText() },
      this.randomValue(3),
    ]);
    const action = this.random() < 0.85 ? { type: this.pick(['Action.Execute', 'Action.Execute', 'Action.Submit', 7]), verb: this.pick(VERBS), data } : this.randomValue(3);
    return {
      ...this.activity('invoke'),
      name: 'adaptiveCard/action',
      value: this.random() < 0.9 ? { action, trigger: 'manual' } : this.randomValue(2),
    };
  }

  /** A message whose conversation, from or channelData nests deeply, as text (JSON.stringify would recurse). */
  private nestedActivityText(): string {
    const depth = this.int(20, 20_000);
    const open = this.random() < 0.5 ? '['.repeat(depth) : '{"a":'.repeat(depth);
    const close = open.startsWith('[') ? ']'.repeat(depth) : '}'.repeat(depth);
    const field = this.pick(['conversation', 'from', 'channelData', 'value', 'entities']);
    const activity = { ...this.activity('message'), text: 'list' };
    const text = JSON.stringify(activity);
    return `${text.slice(0, -1)},"${field}x":${open}1${close},"${field}":${open}1${close}}`;
  }

  private activity(type: string): Record<string, unknown> {
    return {
      type,
      id: `fuzz-${this.int(0, 1e9)}`,
      channelId: this.random() < 0.9 ? 'msteams' : this.randomString(10),
      serviceUrl: this.sinkUrl,
      deliveryMode: this.random() < 0.85 ? 'expectReplies' : undefined,
      timestamp: new Date().toISOString(),
      from: this.sender(),
      recipient: { id: '28:upgrade-media-bot', name: 'Upgrade Media' },
      conversation: { id: `a:fuzz-${this.int(0, 50)}`, conversationType: this.pick(['personal', 'channel', 'groupChat']) },
    };
  }

  /** One of many senders, so that the per-user rate limit leaves most requests to reach the commands. */
  private sender(): Record<string, string> {
    const user = this.int(0, 199);
    return { id: `29:fuzz-${user}`, name: 'Fuzz', aadObjectId: `00000000-0000-4000-8000-${String(user).padStart(12, '0')}` };
  }

  private randomText(): string {
    const roll = this.random();
    if (roll < 0.5) return this.pick(CHAT_TEXTS);
    if (roll < 0.7) return `${this.pick(['show', 'list', 'editions', 'build'])} ${this.randomString(this.int(0, 80))}`;
    if (roll < 0.85) return this.randomString(this.int(0, 2000));
    return this.pick(['<at>', '<at ', '**', '[a](', '\\', '👩‍👩‍👧‍👦', 'a ']).repeat(this.int(100, 40_000));
  }

  private randomValue(depth: number): unknown {
    const roll = this.random();
    if (depth <= 0 || roll < 0.35) {
      return this.pick<unknown>([null, true, false, 0, -1, 1.5, 1e308, Number.MAX_SAFE_INTEGER, '', this.randomString(this.int(0, 64)), 'PS100012', '__proto__', 'constructor']);
    }
    if (roll < 0.6) return Array.from({ length: this.int(0, 5) }, () => this.randomValue(depth - 1));
    const object: Record<string, unknown> = {};
    for (let i = this.int(0, 6); i > 0; i--) {
      object[this.pick(['id', 'name', 'type', 'text', 'value', 'action', 'verb', 'data', '__proto__', 'constructor', 'aadObjectId', this.randomString(8)])] = this.randomValue(depth - 1);
    }
    return object;
  }

  private randomJsonText(): string {
    const text = JSON.stringify(this.randomValue(4)) ?? 'null';
    return this.random() < 0.3 ? text.slice(0, this.int(0, text.length)) : text;
  }

  private randomString(length: number): string {
    const alphabets = [
      'abcdefghijklmnopqrstuvwxyz0123456789 ',
      '<>&"\'`*_[]()#!|~\\/{}$%@\n\r\t',
      '\u0000\u0001\u001f\u007f\u200b\u200d\u202e\ufeff\ud83d\ude00\ud800\udfff',
      'äöüßéñ日本語한국어العربية👍🏽🇳🇱',
    ];
    const alphabet = this.pick(alphabets);
    let text = '';
    for (let i = 0; i < length; i++) text += alphabet[this.int(0, alphabet.length - 1)];
    return text;
  }

  private randomBytes(length: number): Buffer {
    const bytes = Buffer.alloc(length);
    for (let i = 0; i < length; i++) bytes[i] = this.int(0, 255);
    return bytes;
  }

  private int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  private pick<T>(values: readonly T[]): T {
    return values[Math.floor(this.random() * values.length)];
  }
}
