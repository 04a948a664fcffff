/**
 * "Is this card fine for Teams?" in one call, for card tests and for bot tests on every reply:
 * schema ≤ 1.5, under 28 KB, parsed by the Adaptive Cards library without complaints, no template
 * expression left unexpanded, DATE()/TIME() in the strict form Teams needs, and every button one of
 * our verbs with the data its handler expects.
 */
import assert from 'node:assert/strict';
import { CardVerbs, type CardVerb } from '../../src/cards/card-verbs';
import { JobVerbs, type JobVerb } from '../../src/cards/jobs/job-verbs';
import { isJobId } from '../../src/services/jobs/job';
import { SubscriptionVerbs } from '../../src/cards/notify/subscriptions-card';
import { TOPICS } from '../../src/services/notify/notification';

type SubscriptionVerb = (typeof SubscriptionVerbs)[keyof typeof SubscriptionVerbs];

// The package's `lib/` is ESM that Node cannot load; its bundled build works without a DOM for parsing.
const AC = require('adaptivecards/dist/adaptivecards.js') as {
  AdaptiveCard: new () => { parse(json: unknown, context: unknown): void };
  SerializationContext: new () => { eventCount: number; getEventAt(i: number): { message: string } };
};

export const TEAMS_MAX_CARD_BYTES = 28 * 1024;
const MAX_SCHEMA = { major: 1, minor: 5 };

export interface CardAction {
  type: string;
  title?: string;
  verb?: string;
  data?: Record<string, unknown>;
  [key: string]: unknown;
}

/** What each verb's data must hold (src/cards/card-verbs.ts); extra keys are a bug too. */
const dataChecks: Record<CardVerb | JobVerb | SubscriptionVerb, (data: Record<string, unknown>) => string | undefined> = {
  [CardVerbs.show]: (data) => packageData(data),
  [CardVerbs.editions]: (data) => packageData(data),
  [CardVerbs.listPage]: (data) =>
    (exactKeys(data, ['filter', 'page']) === undefined ? undefined : exactKeys(data, ['filter', 'kind', 'page'])) ?? pageData(data),
  [CardVerbs.stalePage]: (data) => exactKeys(data, ['filter', 'kind', 'support', 'page']) ?? pageData(data) ?? oneOf(data.support, ['', 'ended'], 'support'),
  [CardVerbs.command]: (data) => exactKeys(data, ['text']) ?? nonEmptyString(data.text, 'text'),
  // Job buttons name the job and nothing else: the server decides from the stored job, the verdict is the verb.
  [JobVerbs.approve]: (data) => jobData(data),
  [JobVerbs.reject]: (data) => jobData(data),
  [JobVerbs.view]: (data) => jobData(data),
  [JobVerbs.approvalView]: (data) => jobData(data),
  [JobVerbs.timeline]: (data) => jobData(data),
  [JobVerbs.cancel]: (data) => jobData(data),
  [JobVerbs.refresh]: (data) => exactKeys(data, ['packageId']) ?? nonEmptyString(data.packageId, 'packageId'),
  // The subscriptions card's row: the conversation, the topic and a digest of the stored filter.
  [SubscriptionVerbs.unsubscribe]: (data) =>
    exactKeys(data, ['conversationId', 'topic', 'filterKey']) ??
    nonEmptyString(data.conversationId, 'conversationId') ??
    oneOf(data.topic, TOPICS, 'topic') ??
    (typeof data.filterKey === 'string' && /^[0-9a-f]{16}$/.test(data.filterKey) ? undefined : 'filterKey must be 16 hex digits'),
};

function jobData(data: Record<string, unknown>): string | undefined {
  return exactKeys(data, ['jobId']) ?? (typeof data.jobId === 'string' && isJobId(data.jobId) ? undefined : 'jobId must be a job id');
}

/** A package button: its id, and where it was opened from when a list or stale page opened it. */
function packageData(data: Record<string, unknown>): string | undefined {
  const idOnly = exactKeys(data, ['packageId']) === undefined;
  const fromList = exactKeys(data, ['packageId', 'view', 'filter', 'kind', 'page']) === undefined && data.view === 'list';
  const fromStale = exactKeys(data, ['packageId', 'view', 'filter', 'kind', 'support', 'page']) === undefined && data.view === 'stale';
  if (!idOnly && !fromList && !fromStale) return `keys are ${Object.keys(data).sort().join(', ')}: not a package button's`;
  return nonEmptyString(data.packageId, 'packageId') ?? (idOnly ? undefined : pageData(data));
}

function pageData(data: Record<string, unknown>): string | undefined {
  return (
    (typeof data.filter !== 'string' ? 'filter must be a string' : undefined) ??
    ('kind' in data ? oneOf(data.kind, ['', 'upgrade', 'image'], 'kind') : undefined) ??
    (Number.isInteger(data.page) && (data.page as number) >= 0 ? undefined : 'page must be a whole number ≥ 0')
  );
}

function oneOf(value: unknown, allowed: readonly string[], name: string): string | undefined {
  return typeof value === 'string' && allowed.includes(value) ? undefined : `${name} must be one of ${allowed.join(', ')}`;
}

export interface CardCheckOptions {
  /**
   * Data texts that may legitimately contain `${` (a package named `Lab ${name}`): removed before
   * looking for template expressions the templating left behind.
   */
  literalTexts?: readonly string[];
}

export function assertValidCard(card: unknown, options: CardCheckOptions = {}): void {
  assert.ok(card && typeof card === 'object' && !Array.isArray(card), 'a card is a JSON object');
  const json = card as Record<string, unknown>;
  assert.equal(json.type, 'AdaptiveCard', 'type is AdaptiveCard');

  assert.equal(typeof json.version, 'string', 'version is a string');
  const version = /^(\d+)\.(\d+)$/.exec(json.version as string);
  assert.ok(version, `version "${String(json.version)}" reads as major.minor`);
  const [major, minor] = [Number(version[1]), Number(version[2])];
  assert.ok(
    major < MAX_SCHEMA.major || (major === MAX_SCHEMA.major && minor <= MAX_SCHEMA.minor),
    `version ${String(json.version)} is above 1.5, which Teams renders`,
  );

  const text = JSON.stringify(card);
  const bytes = Buffer.byteLength(text, 'utf8');
  assert.ok(bytes < TEAMS_MAX_CARD_BYTES, `card is ${bytes} bytes; Teams takes under ${TEAMS_MAX_CARD_BYTES}`);

  const parsed = new AC.AdaptiveCard();
  const context = new AC.SerializationContext();
  parsed.parse(json, context);
  const complaints = Array.from({ length: context.eventCount }, (_, i) => context.getEventAt(i).message);
  assert.deepEqual(complaints, [], 'the Adaptive Cards library parses the card without complaints');

  let scanned = text;
  for (const literal of options.literalTexts ?? []) {
    scanned = scanned.split(JSON.stringify(literal).slice(1, -1)).join('');
  }
  assert.ok(!scanned.includes('${'), `no template expression is left in the card: ${excerpt(scanned, '${')}`);
  assert.ok(!/"\$(data|when)"/.test(scanned), 'no $data/$when is left in the card');

  for (const call of text.matchAll(/\{\{(DATE|TIME)\([^)]*\)\}\}/g)) {
    assert.match(
      call[0],
      /^\{\{(DATE|TIME)\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z(, (SHORT|LONG|COMPACT))?\)\}\}$/,
      'DATE()/TIME() take strict RFC 3339, or Teams shows the raw text',
    );
  }

  const knownVerbs = [...Object.values(CardVerbs), ...Object.values(JobVerbs), ...Object.values(SubscriptionVerbs)] as string[];
  for (const action of findActions(card)) {
    assert.notEqual(action.type, 'Action.Submit', 'buttons are Universal Actions (Action.Execute), not Action.Submit');
    if (action.type !== 'Action.Execute') continue;
    assert.ok(knownVerbs.includes(action.verb ?? ''), `verb "${String(action.verb)}" is one of CardVerbs or JobVerbs`);
    assert.ok(action.data && typeof action.data === 'object' && !Array.isArray(action.data), `${action.verb} has data`);
    const problem = dataChecks[action.verb as CardVerb | JobVerb | SubscriptionVerb](action.data);
    assert.equal(problem, undefined, `${action.verb} data ${JSON.stringify(action.data)}: ${problem}`);
  }
}

/** Every action in the card: card actions, ActionSets and selectActions, in document order. */
export function findActions(card: unknown): CardAction[] {
  const found: CardAction[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
    } else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (typeof record.type === 'string' && record.type.startsWith('Action.')) found.push(record as CardAction);
      for (const [key, value] of Object.entries(record)) if (key !== 'data') visit(value);
    }
  };
  visit(card);
  return found;
}

/** Every TextBlock text, in document order: for asserting what a card says. */
export function cardTexts(card: unknown): string[] {
  const texts: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
    } else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (record.type === 'TextBlock' && typeof record.text === 'string') texts.push(record.text);
      for (const [key, value] of Object.entries(record)) if (key !== 'data') visit(value);
    }
  };
  visit(card);
  return texts;
}

function exactKeys(data: Record<string, unknown>, keys: readonly string[]): string | undefined {
  const actual = Object.keys(data).sort();
  const expected = [...keys].sort();
  return JSON.stringify(actual) === JSON.stringify(expected) ? undefined : `keys are ${actual.join(', ')}, not ${expected.join(', ')}`;
}

function nonEmptyString(value: unknown, name: string): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? undefined : `${name} must be a non-empty string`;
}

function excerpt(text: string, needle: string): string {
  const at = text.indexOf(needle);
  return at < 0 ? '' : text.slice(Math.max(0, at - 60), at + 60);
}
