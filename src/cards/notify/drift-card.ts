/** "A new drift finding after a sync": the package, what disagrees (the finding's own sentence) and where to look. */
import type { AdaptiveCard, CardContext } from '../kit/adaptive-card';
import { noticeCard, type NoticeFact } from './notice-card';
import { MAX_FACT_SHOWN, packageLabel, quoted, typedId } from './package-words';

export interface DriftView {
  packageId: string;
  packageName: string;
  release?: string;
  /** FindingKind, e.g. "version-mismatch". */
  findingKind: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  sourcePath?: string;
}

const MAX_MESSAGE = 600;

const HEADINGS: Readonly<Record<string, string>> = {
  'version-mismatch': 'ConfigMgr and the share disagree on the build',
  'build-file-mismatch': 'The build file disagrees with the install image',
  'editions-mismatch': 'ConfigMgr and the share disagree on the editions',
  'extra-editions': 'The media carries editions the site does not deploy',
  'edition-moved': 'An edition moved to another index',
  'missing-editions-in-use': 'The media lacks editions the site deploys',
  'autorun-inf': 'autorun.inf is back in the media folder',
  'missing-build-file': 'The build file is missing',
  'unreadable-build-file': 'The build file cannot be read',
  'missing-install-image': 'The install image is missing',
  'unreadable-install-image': 'The install image cannot be read',
  'refused-path': 'The source path leads outside the mapped share',
};

export function driftCard(view: DriftView, context: CardContext): AdaptiveCard {
  const facts: NoticeFact[] = [{ title: 'Package', value: packageLabel(view.packageId, view.packageName) }];
  if (view.release) facts.push({ title: 'Release', value: quoted(view.release, 100, '') });
  if (view.sourcePath) facts.push({ title: 'Source', value: quoted(view.sourcePath, MAX_FACT_SHOWN, '') });
  return noticeCard(
    {
      title: HEADINGS[view.findingKind] ?? 'The media disagrees with ConfigMgr',
      titleColor: view.severity === 'error' ? 'Attention' : view.severity === 'warning' ? 'Warning' : 'Default',
      subtitle: `Drift found at the last sync · ${packageLabel(view.packageId, view.packageName)}`,
      lines: [{ text: quoted(view.message, MAX_MESSAGE, 'The bot found a disagreement; open the package for details.'), color: 'Default', weight: 'Default' }],
      facts,
      hint: `Type "show ${typedId(view.packageId)}" for the package's details.`,
    },
    context,
  );
}

export function driftText(view: DriftView): string {
  return `New drift on ${packageLabel(view.packageId, view.packageName)}: ${(HEADINGS[view.findingKind] ?? 'the media disagrees with ConfigMgr').replace(/^./, (c) => c.toLowerCase())}.`;
}
