/**
 * The frame of the one-off notifications (a newer revision, a drift finding, a DP that failed): a
 * title, a line on whom it concerns, a few sentences, the facts, and what to type next. The notice
 * modules decide the words and escape them; this one lays them out and keeps the card within budget.
 */
import type { ToneLine } from '../freshness-text';
import { render, type AdaptiveCard, type CardContext } from '../kit/adaptive-card';
import noticeTemplate from './notice-card.template.json';

export interface NoticeFact {
  title: string;
  value: string;
}

/** Every text already escaped and cut by the notice module that made it. */
export interface Notice {
  title: string;
  titleColor: 'Default' | 'Attention' | 'Warning' | 'Good';
  subtitle: string;
  lines: ToneLine[];
  facts: NoticeFact[];
  hint: string;
}

export function noticeCard(notice: Notice, context: CardContext): AdaptiveCard {
  return render(noticeTemplate, context, { showFreshness: false }, { ...notice, hasFacts: notice.facts.length > 0 });
}
