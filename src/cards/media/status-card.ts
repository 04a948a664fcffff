/**
 * The site's status: whether ConfigMgr answers, the syncs, what was skipped, and where the release data
 * comes from (snapshot, feed, the site's own update catalog) and how old it is.
 */
import type { SiteCatalogStatus } from '../../services/releases/release-catalog';
import type { SiteStatus } from '../../services/site-status';
import type { ConversationRecord } from '../../services/notify/conversation-repository';
import type { NotifyHealth } from '../../services/notify/notify-health';
import { jobDuration, recordedSentence } from '../jobs/job-text';
import { escapeText, shorten } from '../kit/text';
import { calendarDate, countOf, formatDuration, localisedDateTime } from '../card-formatting';
import { render, type AdaptiveCard, type CardContext } from '../kit/adaptive-card';
import { escapeMarkdown } from '../kit/text';
import { kindSingular } from './media-kinds';
import statusTemplate from './status-card.template.json';

/** The notifications' health as `status` shows it, or why it could not be read (one sentence of ours). */
export type NotificationsStatus = { health: NotifyHealth; now: Date } | { unavailable: string };

/** Stopped conversations named on the card; the rest are counted. */
export const MAX_STOPPED_SHOWN = 3;
const MAX_CONVERSATION_NAME_SHOWN = 60;

export function statusCard(status: SiteStatus, context: CardContext, notifications?: NotificationsStatus): AdaptiveCard {
  const headline =
    status.configMgrReachable === true
      ? { text: 'ConfigMgr is answering.', color: 'Good' }
      : status.configMgrReachable === false
        ? { text: 'ConfigMgr is not answering; the bot answers from the last inventory it read.', color: 'Attention' }
        : { text: 'The bot has not reached ConfigMgr yet; the first sync is under way.', color: 'Warning' };
  const interval = countOf(status.syncIntervalMinutes, 'minute');
  const nextSync =
    status.lastSyncAttemptAt instanceof Date && !Number.isNaN(status.lastSyncAttemptAt.getTime())
      ? `Every ${interval}; next around ${localisedDateTime(
          new Date(status.lastSyncAttemptAt.getTime() + status.syncIntervalMinutes * 60_000),
          'not known',
        )}`
      : `Every ${interval}`;
  const facts = [
    { title: 'Site', value: status.demo ? 'Demo site (sample data, no real ConfigMgr)' : 'ConfigMgr site' },
    { title: 'AdminService', value: status.adminServiceUrl || '(not set)' },
    ...(status.lastSyncError ? [{ title: 'Last error', value: escapeMarkdown(status.lastSyncError) }] : []),
    { title: 'Last sync attempt', value: localisedDateTime(status.lastSyncAttemptAt, 'None yet') },
    { title: 'Last successful sync', value: localisedDateTime(status.lastSuccessfulSyncAt, 'None yet') },
    { title: 'Sync took', value: formatDuration(status.lastSyncDurationMs) },
    { title: 'Next sync', value: nextSync },
    {
      title: 'Packages',
      value: `${countOf(status.packageCounts.upgrade, 'OS upgrade package')}, ${countOf(status.packageCounts.image, 'OS image')}`,
    },
    ...(status.skippedRows && status.skippedRows.count > 0 ? [{ title: 'Skipped rows', value: skippedRowsText(status.skippedRows) }] : []),
    ...(status.releaseData ? releaseDataFacts(status.releaseData) : []),
  ];
  return render(statusTemplate, { ...context, demo: context.demo || status.demo }, { showFreshness: false }, {
    headline: headline.text,
    headlineColor: headline.color,
    facts,
    hasNotifications: notifications !== undefined,
    notificationFacts: notifications === undefined ? [] : notificationFacts(notifications),
  });
}

/** Waiting notifications, the oldest one's age, and which conversations stopped receiving and why. */
function notificationFacts(notifications: NotificationsStatus): Array<{ title: string; value: string }> {
  if ('unavailable' in notifications) return [{ title: 'Notifications', value: notifications.unavailable }];
  const { health, now } = notifications;
  const waiting =
    health.outboxDepth === 0
      ? 'Nothing waiting: every notification has been delivered.'
      : `${countOf(health.outboxDepth, 'notification')} waiting; the oldest has waited ${jobDuration(Math.max(0, now.getTime() - (health.oldestUndeliveredAt ?? now).getTime()))}.`;
  const named = health.stopped.slice(0, MAX_STOPPED_SHOWN).map(stoppedConversationText);
  const more = health.stoppedConversations - named.length;
  const stopped =
    health.stoppedConversations === 0
      ? 'None: every conversation with the bot receives.'
      : `${countOf(health.stoppedConversations, 'conversation')}: ${named.join('; ')}${more > 0 ? `; and ${more} more` : ''}.`;
  return [
    { title: 'Waiting to be delivered', value: waiting },
    { title: 'Stopped receiving', value: stopped },
  ];
}

/** "channel "Ops" (the bot was removed from this conversation)": the kind and name, never its id. */
function stoppedConversationText(conversation: ConversationRecord): string {
  const kind = { personal: 'personal chat', groupChat: 'group chat', channel: 'channel', unknown: 'conversation' }[conversation.kind];
  const name = conversation.name?.trim() ? ` "${escapeText(shorten(conversation.name.trim(), MAX_CONVERSATION_NAME_SHOWN))}"` : '';
  const why = recordedSentence(conversation.disabledReason, 'Teams refused the notifications', 160).replace(/\.+$/, '');
  return `${kind}${name} (${why})`;
}

/** Rows named on the status card (the log names up to ten). */
const MAX_SKIPPED_ROWS_SHOWN = 5;

/** "2 rows from ConfigMgr were skipped: PS100099 (Name missing), OS image row 7 (PackageID missing)." */
function skippedRowsText(skipped: NonNullable<SiteStatus['skippedRows']>): string {
  const named = skipped.examples.slice(0, MAX_SKIPPED_ROWS_SHOWN).map((row) => {
    const which = row.packageId ?? `${kindSingular[row.kind]} row ${row.position ?? '?'}`;
    return `${which} (${row.reason})`;
  });
  const more = skipped.count - named.length;
  const lead = skipped.count === 1 ? '1 row from ConfigMgr was skipped' : `${skipped.count} rows from ConfigMgr were skipped`;
  return `${lead}: ${named.join(', ')}${more > 0 ? `, and ${more} more` : ''}. The other packages are shown as usual.`;
}

function releaseDataFacts(data: NonNullable<SiteStatus['releaseData']>): Array<{ title: string; value: string }> {
  const source = data.source === 'feed' ? 'from RELEASES_FEED_URL' : 'bundled snapshot';
  return [
    { title: 'Release data', value: `As of ${calendarDate(data.asOf)} (${source})${data.warning ? `. ${data.warning}` : ''}` },
    ...(data.lastError ? [{ title: 'Release feed error', value: escapeMarkdown(data.lastError) }] : []),
    ...(data.siteCatalog ? [{ title: 'Site update catalog', value: siteCatalogText(data.siteCatalog, data) }] : []),
  ];
}

/**
 * Only the site's own words (its error) are escaped: the rest is ours, and escaping all of it would break the
 * {{DATE()}} of the reading time, which Teams then shows as typed.
 *
 * What the site's update catalog gave: "2 Windows lines (Windows 11 24H2, Windows 11 25H2), newest KB5129195
 * of 2026-09-14 (Windows 11 24H2); read …", or why the other release data is used instead.
 */
function siteCatalogText(catalog: SiteCatalogStatus, data: NonNullable<SiteStatus['releaseData']>): string {
  const fallback = `${data.source === 'feed' ? 'the release feed' : 'the bundled snapshot'} as of ${calendarDate(data.asOf)}`;
  switch (catalog.state) {
    case 'not read':
      return 'Not read yet: the next sync reads it.';
    case 'failed':
      return `Could not be read (${escapeMarkdown(catalog.lastError)}); using ${fallback}.`;
    case 'no windows updates':
      return (
        `The site syncs no Windows cumulative updates (${countOf(catalog.rowsRead, 'update')} read ${localisedDateTime(catalog.readAt, 'not known')}); using ${fallback}.` +
        siteCatalogNotes(catalog)
      );
    case 'used': {
      const newest = catalog.newest ? `, newest ${catalog.newest.kb} of ${calendarDate(catalog.newest.date)} (${catalog.newest.release})` : '';
      return (
        `${countOf(catalog.lines.length, 'Windows line')} (${catalog.lines.join(', ')})${newest}; read ${localisedDateTime(catalog.readAt, 'not known')}; other lines from ${fallback}.` +
        siteCatalogNotes(catalog)
      );
    }
  }
}

function siteCatalogNotes(catalog: Extract<SiteCatalogStatus, { readAt: Date }>): string {
  const notes: string[] = [];
  const unnumbered = catalog.unnumbered.slice(0, 3);
  if (unnumbered.length > 0) {
    const named = unnumbered.map((entry) => `${entry.kb} of ${calendarDate(entry.date)} (${entry.release})`).join(', ');
    notes.push(`Not used for want of a build number in its title or the release data: ${named}.`);
  }
  if (catalog.rejectedRows > 0) notes.push(`${countOf(catalog.rejectedRows, 'row')} could not be trusted and ${catalog.rejectedRows === 1 ? 'was' : 'were'} left out (see the log).`);
  if (catalog.truncated) notes.push('The site listed more updates than the bot reads; the first ones were used.');
  if (catalog.titleFilterRefused) notes.push('The site refused the title filter; the bot read the catalog unfiltered.');
  if (catalog.lastError) notes.push(`The last read failed (${escapeMarkdown(catalog.lastError)}); this is the reading before it.`);
  return notes.length === 0 ? '' : ` ${notes.join(' ')}`;
}
