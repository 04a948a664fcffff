/**
 * Copies an incoming activity with only the known fields of the accounts in it. The SDK copies
 * `conversation`, `from` and `recipient` into every reply: unknown fields, or a 3,000-deep array
 * hidden in one, went back to the caller and through the serializer. The lists that event handlers
 * iterate (`membersAdded`, reactions) are arrays of such accounts or are dropped.
 */

type Json = Record<string, unknown>;

/** Longer than any id or name Teams sends; a longer value is not an identity, it is a payload. */
const MAX_IDENTITY_CHARACTERS = 1_024;

const CHANNEL_ACCOUNT_TEXT = ['id', 'name', 'aadObjectId', 'role'] as const;
const CONVERSATION_ACCOUNT_TEXT = [...CHANNEL_ACCOUNT_TEXT, 'conversationType', 'tenantId'] as const;
const REFERENCE_TEXT = ['id', 'channelId', 'locale', 'replyToId', 'serviceUrl'] as const;

export function sanitizeActivity(activity: Json): Json {
  const copy: Json = { ...activity };
  for (const field of REFERENCE_TEXT) {
    if (field in copy && !isIdentityText(copy[field])) delete copy[field];
  }
  // A non-object account is left as it is: the routing check refuses it with a 400.
  if (isPlainObject(copy.from)) copy.from = pick(copy.from, CHANNEL_ACCOUNT_TEXT);
  if (isPlainObject(copy.recipient)) copy.recipient = pick(copy.recipient, CHANNEL_ACCOUNT_TEXT);
  if (isPlainObject(copy.conversation)) {
    const conversation = pick(copy.conversation, CONVERSATION_ACCOUNT_TEXT);
    if (typeof copy.conversation.isGroup === 'boolean') conversation.isGroup = copy.conversation.isGroup;
    copy.conversation = conversation;
  }
  for (const field of ['membersAdded', 'membersRemoved'] as const) {
    if (field in copy) copy[field] = accounts(copy[field]);
  }
  for (const field of ['reactionsAdded', 'reactionsRemoved'] as const) {
    if (field in copy) copy[field] = reactions(copy[field]);
  }
  for (const field of ['entities', 'attachments'] as const) {
    if (field in copy && !Array.isArray(copy[field])) delete copy[field];
  }
  if ('channelData' in copy && !isPlainObject(copy.channelData)) delete copy.channelData;
  return copy;
}

function accounts(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isPlainObject).map((account) => pick(account, CHANNEL_ACCOUNT_TEXT)) : [];
}

function reactions(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isPlainObject).map((reaction) => pick(reaction, ['type'])) : [];
}

function pick(source: Json, fields: readonly string[]): Json {
  const copy: Json = {};
  for (const field of fields) {
    if (Object.prototype.hasOwnProperty.call(source, field) && isIdentityText(source[field])) copy[field] = source[field];
  }
  return copy;
}

function isIdentityText(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_IDENTITY_CHARACTERS;
}

function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
