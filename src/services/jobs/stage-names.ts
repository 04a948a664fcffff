/** What each stage is called where people read it: cards, the timeline, the final message. */
import type { StageName } from './job';

const LABELS: Record<StageName, string> = {
  service_media: 'Service the media (servicing host)',
  keep_editions: 'Keep only the chosen editions (servicing host)',
  verify_source: 'Verify the install image on the share',
  remove_autorun: 'Remove autorun.inf',
  write_build_file: 'Write the build-number file',
  reload_image_properties: 'Reload image properties',
  refresh_distribution_points: 'Update distribution points',
  watch_distribution: 'Watch distribution',
};

export function stageLabel(stage: StageName): string {
  return LABELS[stage] ?? stage;
}
