/**
 * How every card and message names a job's stages, one table so that the approval card's plan, the
 * job card's progress, the timeline and the final message use the same words: a full label for the
 * plan ("what will happen"), the short name for headlines ("Failed at Update distribution points", from
 * services/jobs/stage-names.ts, which the runner's sentences use too) and
 * a present participle for the running headline ("Running: Watching distribution").
 */
import type { JobOptions, StageName } from '../../services/jobs/job';
import { stageLabel as stageName } from '../../services/jobs/stage-names';
import { escapeText, shorten } from '../kit/text';

interface StageWords {
  /** What the stage does, as the plan lists it. */
  label: string;
  doing: string;
}

export const STAGE_WORDS: Readonly<Record<StageName, StageWords>> = {
  service_media: {
    label: 'Service the media on the servicing host (apply the latest updates)',
    doing: 'Servicing the media',
  },
  keep_editions: {
    label: 'Keep only the editions asked for',
    doing: 'Removing the other editions',
  },
  verify_source: {
    label: 'Verify the install image on the share',
    doing: 'Verifying the install image',
  },
  remove_autorun: {
    label: 'Remove autorun.inf from the media folder',
    doing: 'Removing autorun.inf',
  },
  write_build_file: {
    label: 'Write the build number file in the media folder',
    doing: 'Writing the build file',
  },
  reload_image_properties: {
    label: 'Reload the image properties in ConfigMgr (editions, version)',
    doing: 'Reloading image properties',
  },
  refresh_distribution_points: {
    label: 'Update distribution points (ConfigMgr copies the new source to each)',
    doing: 'Updating distribution points',
  },
  watch_distribution: {
    label: 'Watch distribution until every distribution point has the new version',
    doing: 'Watching distribution',
  },
};

/** Editions named in the keep_editions label; more are counted. */
const MAX_EDITIONS_NAMED = 8;
const MAX_EDITION_NAME = 60;

/**
 * The plan's label for a stage. keep_editions names what stays: "Keep only editions: index 3
 * (Enterprise), index 6 (Pro)". Edition names come from the WIM, so they are escaped.
 */
export function stageLabel(stage: StageName, options: JobOptions = {}, editionNames: ReadonlyArray<{ index: number; name: string }> = []): string {
  if (stage !== 'keep_editions') return STAGE_WORDS[stage].label;
  const indexes = [...new Set(options.keepEditionIndexes ?? [])].filter(Number.isInteger).sort((a, b) => a - b);
  if (indexes.length === 0) return STAGE_WORDS.keep_editions.label;
  const named = indexes.slice(0, MAX_EDITIONS_NAMED).map((index) => {
    const name = editionNames.find((edition) => edition.index === index)?.name;
    return name ? `index ${index} (${escapeText(shorten(name, MAX_EDITION_NAME))})` : `index ${index}`;
  });
  const more = indexes.length - named.length;
  return `Keep only editions: ${named.join(', ')}${more > 0 ? `, and ${more} more` : ''}`;
}

/** The stage's name in a sentence or headline, the same words the runner's events use. */
export function stageShort(stage: StageName): string {
  return stageName(stage);
}

export function stageDoing(stage: StageName): string {
  return STAGE_WORDS[stage].doing;
}
