/**
 * The stage executor the runner drives: each stage goes to the runner that does it (the servicing
 * host's or ConfigMgr's). When the servicing host says it already updated ConfigMgr itself, the
 * reload and the update are skipped: RefreshPkgSource must never run twice for one refresh.
 */
import type { Kysely } from 'kysely';
import type { Schema } from '../../store/schema';
import type { StageName } from '../job';
import { listEvents } from '../job-repository';
import type { StageContext, StageExecutor, StageOutcome } from '../runner';
import type { ConfigMgrStages } from './configmgr-stages';
import { hostUpdatedConfigMgr, type ServicingHostStages } from './servicing-host-stages';

/** Stages a servicing host that updates ConfigMgr itself has done, or made pointless. */
const HOST_MAY_HAVE_DONE = new Set<StageName>(['remove_autorun', 'write_build_file', 'reload_image_properties', 'refresh_distribution_points']);

export class RefreshExecutor implements StageExecutor {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly configMgr: ConfigMgrStages,
    private readonly servicingHost?: ServicingHostStages,
  ) {}

  async run(stage: StageName, context: StageContext): Promise<StageOutcome> {
    if (this.servicingHost?.handles(stage)) return this.servicingHost.run(stage, context);
    if (context.job.stages.includes('service_media') && HOST_MAY_HAVE_DONE.has(stage) && hostUpdatedConfigMgr(await listEvents(this.db, context.job.id))) {
      if (stage === 'remove_autorun' || stage === 'write_build_file') {
        // The distribution points already have the media: a file changed now would not reach them. The job told the
        // host these options; a host that updates ConfigMgr itself does them before it does.
        return { state: 'skipped', message: 'The servicing host already updated ConfigMgr, so the bot left the files alone; the host was asked to do this itself.' };
      }
      return { state: 'skipped', message: 'The servicing host already did this in ConfigMgr, so the bot did not do it again.' };
    }
    return this.configMgr.run(stage, context);
  }
}
