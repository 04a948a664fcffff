/** "A DP failed for a package": which DP, which source version, which job saw it, and where to look in the console. */
import { localisedDateTime } from '../card-formatting';
import type { AdaptiveCard, CardContext } from '../kit/adaptive-card';
import { noticeCard, type NoticeFact } from './notice-card';
import { packageLabel, quoted } from './package-words';

export interface DpFailureView {
  packageId: string;
  packageName: string;
  server: string;
  siteCode?: string;
  sourceVersion: number;
  jobId?: string;
  /** When the DP's state was last summarised. */
  since?: Date;
}

export function dpFailureCard(view: DpFailureView, context: CardContext): AdaptiveCard {
  const server = quoted(view.server, 80, 'a distribution point');
  const facts: NoticeFact[] = [
    { title: 'Package', value: packageLabel(view.packageId, view.packageName) },
    { title: 'Distribution point', value: `${server}${view.siteCode ? ` (site ${quoted(view.siteCode, 3, '')})` : ''}` },
    { title: 'Source version', value: String(view.sourceVersion) },
  ];
  if (view.jobId) facts.push({ title: 'Job', value: quoted(view.jobId, 5, '') });
  if (view.since) facts.push({ title: 'Failed as of', value: localisedDateTime(view.since, 'an unknown time') });
  return noticeCard(
    {
      title: `Distribution failed on ${server}`,
      titleColor: 'Attention',
      subtitle: `Distribution · ${packageLabel(view.packageId, view.packageName)}`,
      lines: [{ text: `${server} could not install source version ${view.sourceVersion} of ${packageLabel(view.packageId, view.packageName)}.`, color: 'Default', weight: 'Bolder' }],
      facts,
      hint: `See Monitoring › Distribution Status › Content Status in the console (distmgr.log, PkgXferMgr.log)${view.jobId ? `; type "job ${quoted(view.jobId, 5, '')}" for the job's timeline` : ''}.`,
    },
    context,
  );
}

export function dpFailureText(view: DpFailureView): string {
  return `Distribution of ${packageLabel(view.packageId, view.packageName)} failed on ${quoted(view.server, 80, 'a distribution point')} (source version ${view.sourceVersion}).`;
}
