/**
 * What /healthz says about notifications. /healthz answers anyone, so it carries numbers only: how
 * many notifications wait, how old the oldest is, how many conversations stopped receiving; which
 * conversations and why is for `status`, inside Teams.
 */
import type { NotifyHealth } from '../services/notify/notify-health';

export interface NotifyHealthFields {
  notifications: {
    /** Notifications not yet fanned out plus deliveries not yet made. */
    outboxDepth: number;
    /** Whole seconds since the oldest of them was created; 0 when nothing waits. */
    oldestUndeliveredAgeSeconds: number;
    stoppedConversations: number;
  };
}

export function notifyHealthFields(health: Pick<NotifyHealth, 'outboxDepth' | 'oldestUndeliveredAt' | 'stoppedConversations'>, now: Date): NotifyHealthFields {
  const oldest = health.oldestUndeliveredAt?.getTime();
  // A clock behind the database's (another instance wrote it) is no negative age.
  const age = oldest === undefined || Number.isNaN(oldest) ? 0 : Math.max(0, Math.floor((now.getTime() - oldest) / 1000));
  return {
    notifications: {
      outboxDepth: wholeNumber(health.outboxDepth),
      oldestUndeliveredAgeSeconds: age,
      stoppedConversations: wholeNumber(health.stoppedConversations),
    },
  };
}

function wholeNumber(value: number): number {
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}
