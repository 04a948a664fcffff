/**
 * What the bot tells subscribed conversations, and which subscription hears what. Pure values and
 * functions: the outbox stores notifications, the dispatcher delivers them, renderers (given by
 * app.ts) draw them. Nothing here knows jobs, Teams or cards: a producer describes its change with a
 * kind, the package it concerns and a payload of its own.
 */

/** What a conversation can subscribe to. */
export const TOPICS = ['all', 'failures', 'approvals', 'freshness'] as const;
export type Topic = (typeof TOPICS)[number];

export const NOTIFICATION_KINDS = [
  'job.requested',
  'job.approved',
  'job.rejected',
  'job.expired',
  'job.stage',
  'job.succeeded',
  'job.failed',
  'job.cancelled',
  'freshness.newer_revision',
  'freshness.drift',
  'distribution.dp_failed',
  'digest.weekly',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** Which topics carry each kind ('all' carries every kind). */
const TOPICS_OF_KIND: Readonly<Record<NotificationKind, readonly Topic[]>> = {
  'job.requested': ['approvals'],
  'job.approved': ['approvals'],
  'job.rejected': ['approvals'],
  'job.expired': ['approvals'],
  'job.stage': [],
  'job.succeeded': [],
  'job.failed': ['failures'],
  'job.cancelled': [],
  'freshness.newer_revision': ['freshness'],
  'freshness.drift': ['freshness'],
  'distribution.dp_failed': ['failures'],
  'digest.weekly': ['freshness'],
};

/** A notification as a producer writes it into the outbox (in the transaction of its change). */
export interface NewNotification {
  kind: NotificationKind;
  /** What one status card follows, e.g. 'job:K7P2Q'; absent = every notification is a message of its own. */
  subject?: string;
  packageId?: string;
  packageName?: string;
  /** Extra words a package filter may match (e.g. the release, "Windows 11 24H2"). */
  packageWords?: string;
  payload: Record<string, unknown>;
  /** Made once whoever notices it first: a second insert with the key is ignored. */
  dedupeKey?: string;
  createdAt: Date;
}

/** A stored notification. */
export interface NotificationRecord extends Omit<NewNotification, 'dedupeKey'> {
  id: number;
}

export interface SubscriptionKey {
  topic: Topic;
  /** '' = every package. */
  packageFilter: string;
}

export function isTopic(word: string): word is Topic {
  return (TOPICS as readonly string[]).includes(word);
}

export function isNotificationKind(word: string): word is NotificationKind {
  return (NOTIFICATION_KINDS as readonly string[]).includes(word);
}

/** Whether a subscription's topic carries the kind. */
export function topicCarries(topic: Topic, kind: NotificationKind): boolean {
  return topic === 'all' || TOPICS_OF_KIND[kind].includes(topic);
}

/**
 * Whether a package filter names the notification's package: its id exactly, or every word of the filter
 * somewhere in the package's name or release (case-insensitive), so "24H2" and "win11 24h2 enterprise" both
 * work. A notification of no package (the digest) passes every filter.
 */
export function filterMatches(packageFilter: string, notification: Pick<NewNotification, 'packageId' | 'packageName' | 'packageWords'>): boolean {
  const filter = packageFilter.trim().toLowerCase();
  if (filter === '' || notification.packageId === undefined) return true;
  if (notification.packageId.toLowerCase() === filter) return true;
  const haystack = `${notification.packageName ?? ''} ${notification.packageWords ?? ''} ${notification.packageId}`.toLowerCase();
  return filter.split(/\s+/).every((word) => haystack.includes(word));
}

/** The subscriptions of one conversation that a notification answers; empty = the conversation does not get it. */
export function matchingSubscriptions<T extends SubscriptionKey>(subscriptions: readonly T[], notification: Pick<NewNotification, 'kind' | 'packageId' | 'packageName' | 'packageWords'>): T[] {
  return subscriptions.filter((subscription) => topicCarries(subscription.topic, notification.kind) && filterMatches(subscription.packageFilter, notification));
}
