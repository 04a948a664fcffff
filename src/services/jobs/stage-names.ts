/**
 * What each stage is called in a sentence: the timeline, the runner's events, failures ("Failed at
 * Update distribution points") and the cards' headlines all use these words. The cards add a longer
 * label for the plan and a running form (src/cards/jobs/stage-labels.ts).
 */
import type { StageName } from './job';

const NAMES: Record<StageName, string> = {
  service_media: 'Service the media',
  keep_editions: 'Keep editions',
  verify_source: 'Verify the install image',
  remove_autorun: 'Remove autorun.inf',
  write_build_file: 'Write the build file',
  reload_image_properties: 'Reload image properties',
  refresh_distribution_points: 'Update distribution points',
  watch_distribution: 'Watch distribution',
};

export function stageLabel(stage: StageName): string {
  return NAMES[stage];
}
