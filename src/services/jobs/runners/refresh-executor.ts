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

export class RefreshExecutor implements StageExecutor {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly configMgr: ConfigMgrStages,
    private readonly servicingHost?: ServicingHostStages,
  ) {}

  async run(stage: StageName, context: StageContext): Promise<StageOutcome> {
    if (this.servicingHost?.handles(stage)) return this.servicingHost.run(stage, context);
    if ((stage === 'reload_image_properties' || stage === 'refresh_distribution_points') && context.job.stages.includes('service_media')) {
      if (hostUpdatedConfigMgr(await listEvents(this.db, context.job.id))) {
        return { state: 'skipped', message: 'The servicing host already did this in ConfigMgr, so the bot did not do it again.' };
      }
    }
    return this.configMgr.run(stage, context);
  }
}
