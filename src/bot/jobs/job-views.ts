/**
 * A job as its cards show it: the stored job, steps, approvals and events, the approval policy, and
 * the distribution progress of its watch step. One place builds the view, so the card answered to a
 * click and the card updated in every conversation always agree.
 */
import type { AdaptiveCard, CardContext } from '../../cards/kit/adaptive-card';
import { approvalCard } from '../../cards/jobs/approval-card';
import { jobCard } from '../../cards/jobs/job-card';
import type { DistributionView, JobView } from '../../cards/jobs/job-view';
import type { ApprovalPolicy, Decider } from '../../services/jobs/approvals';
import { isApprover } from '../../services/jobs/approvals';
import type { JobEvent } from '../../services/jobs/job';
import type { JobDetails, JobService } from '../../services/jobs/job-service';

export type ApprovalAudience = 'approver' | 'read-only';

export class JobViews {
  constructor(
    private readonly jobs: JobService,
    private readonly cardContext: () => CardContext,
    /** User MRIs (29:…) of the approvers, for the approval card's per-user refresh. */
    private readonly approverUserIds: () => Promise<string[]>,
    /** The package's editions by index, so that "keep 3" reads "keep Enterprise (index 3)". */
    private readonly editionNamesOf?: (packageId: string) => Array<{ index: number; name: string }> | undefined,
  ) {}

  get policy(): ApprovalPolicy {
    return this.jobs.policy;
  }

  async view(jobId: string): Promise<JobView> {
    return this.viewOf(await this.jobs.details(jobId));
  }

  /** The view and the audit trail, for the timeline. */
  async viewWithEvents(jobId: string): Promise<{ view: JobView; events: JobEvent[] }> {
    const details = await this.jobs.details(jobId);
    return { view: this.viewOf(details), events: details.events };
  }

  viewOf(details: JobDetails): JobView {
    const policy = this.jobs.policy;
    const cancelled = [...details.events].reverse().find((event) => (event.kind === 'cancel_requested' || event.kind === 'cancelled') && event.actor !== null);
    const editionNames = this.editionNamesOf?.(details.job.packageId);
    return {
      job: details.job,
      steps: details.steps,
      approvals: details.approvals,
      ...(cancelled?.actor ? { cancelledBy: cancelled.actor } : {}),
      ...(editionNames && editionNames.length > 0 ? { editionNames } : {}),
      policy: {
        requiredApprovals: policy.requiredApprovals,
        ttlHours: policy.ttlMs / 3_600_000,
        anyoneMayApprove: policy.anyoneMayApprove,
        approverCount: policy.approvers.length,
      },
      distribution: distributionOf(details),
      latestRevision: details.job.latestBuild ?? undefined,
      currentBuild: details.job.fromBuild ?? undefined,
    };
  }

  /** Who sees the buttons: approvers while the request waits (everyone on the demo without APPROVERS). */
  audienceOf(person: Decider | undefined): ApprovalAudience {
    return person !== undefined && isApprover(this.jobs.policy, person) ? 'approver' : 'read-only';
  }

  /** The approval card as everyone sees it in a posted message; approvers get their view through refresh. */
  async approvalForEveryone(view: JobView): Promise<AdaptiveCard> {
    const audience: ApprovalAudience = this.jobs.policy.anyoneMayApprove ? 'approver' : 'read-only';
    return approvalCard(view, this.cardContext(), audience, await this.approverUserIds());
  }

  /** The approval card for one person; `notice` is the sentence their click earned ("You approved job K7P2Q; it starts now."). */
  async approvalFor(view: JobView, person: Decider, notice?: string): Promise<AdaptiveCard> {
    return approvalCard(view, this.cardContext(), this.audienceOf(person), await this.approverUserIds(), notice);
  }

  jobCard(view: JobView): AdaptiveCard {
    return jobCard(view, this.cardContext());
  }
}

function distributionOf(details: JobDetails): DistributionView | undefined {
  const result = details.steps.find((step) => step.stage === 'watch_distribution')?.result;
  if (!result || typeof result.total !== 'number' || typeof result.installed !== 'number') return undefined;
  const names = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);
  return { installed: result.installed, total: result.total, failedServers: names(result.failedServers), waitingServers: names(result.waitingServers) };
}
