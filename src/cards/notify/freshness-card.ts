/**
 * "A release got a newer revision while this package is behind": the package, the build it carries, the
 * new latest revision and how many it is behind, and the `refresh <id>` to type.
 */
import { calendarDate } from '../card-formatting';
import type { AdaptiveCard, CardContext } from '../kit/adaptive-card';
import { noticeCard, type NoticeFact } from './notice-card';
import { packageLabel, quoted, typedId } from './package-words';

export interface NewerRevisionView {
  packageId: string;
  packageName: string;
  release: string;
  /** The build the package carries (the share's when read), e.g. "26100.4349"; null when unknown. */
  build: string | null;
  /** The release's new latest revision, e.g. "26100.4652". */
  latest: string;
  latestKb?: string;
  latestDate?: Date;
  revisionsBehind: number;
  monthsBehind?: number;
}

const MAX_BUILD = 40;

export function newerRevisionCard(view: NewerRevisionView, context: CardContext): AdaptiveCard {
  const release = quoted(view.release, 100, 'its release');
  const latest = quoted(view.latest, MAX_BUILD, 'a newer revision');
  const facts: NoticeFact[] = [
    { title: 'Package', value: packageLabel(view.packageId, view.packageName) },
    { title: 'Its build', value: quoted(view.build, MAX_BUILD, 'not known') },
    { title: 'New latest', value: latestWithKb(latest, view) },
    { title: 'Behind by', value: behindBy(view) },
  ];
  return noticeCard(
    {
      title: `${release}: ${latest} is out`,
      titleColor: 'Warning',
      subtitle: `Freshness · ${packageLabel(view.packageId, view.packageName)}`,
      lines: [{ text: `${packageLabel(view.packageId, view.packageName)} is ${behindBy(view)} behind the latest revision of ${release}.`, color: 'Default', weight: 'Bolder' }],
      facts,
      hint: `Type "refresh ${typedId(view.packageId)}" to ask for its refresh, or "stale" for all media that is behind.`,
    },
    context,
  );
}

/** One sentence for the message beside the card (and for clients that show no cards). */
export function newerRevisionText(view: NewerRevisionView): string {
  return `${quoted(view.release, 100, 'A release')} has a newer revision, ${quoted(view.latest, MAX_BUILD, 'a new one')}; ${packageLabel(view.packageId, view.packageName)} is ${behindBy(view)} behind.`;
}

/** "26100.4652 (KB5060842, 2025-06-10)", with what is known of the two. */
function latestWithKb(latest: string, view: NewerRevisionView): string {
  const about = [view.latestKb ? quoted(view.latestKb, 20, '') : '', view.latestDate ? calendarDate(view.latestDate) : ''].filter((part) => part !== '');
  return about.length > 0 ? `${latest} (${about.join(', ')})` : latest;
}

function behindBy(view: NewerRevisionView): string {
  const revisions = `${view.revisionsBehind} revision${view.revisionsBehind === 1 ? '' : 's'}`;
  return view.monthsBehind !== undefined && view.monthsBehind > 0 ? `${revisions} (${view.monthsBehind} month${view.monthsBehind === 1 ? '' : 's'})` : revisions;
}
