/**
 * What the job cards are drawn from: a job with its steps and decisions, the approval policy as the
 * reader should understand it, and what the job saw of the distribution points. Plain data, put
 * together by the job service or the bot; the cards only read it.
 */
import type { Approval, Job, JobStep, Person } from '../../services/jobs/job';

export interface ApprovalPolicyView {
  requiredApprovals: number;
  ttlHours: number;
  /** No APPROVERS configured: demo, anyone may approve, self-approval included. */
  anyoneMayApprove: boolean;
  approverCount: number;
  /** The approvers' display names, when known: the read-only card says whom the job waits for. */
  approverNames?: string[];
}

export interface DistributionView {
  installed: number;
  total: number;
  /** Distribution points whose copy failed (names as ConfigMgr gives them). */
  failedServers: string[];
  /** Distribution points not yet at the new version. */
  waitingServers: string[];
}

export interface JobView {
  job: Job;
  steps: JobStep[];
  approvals: Approval[];
  policy: ApprovalPolicyView;
  distribution?: DistributionView;
  /** Latest revision of the release, from freshness data, e.g. "26100.4652 (KB5060842, 2025-06-10)"; else job.latestBuild. */
  latestRevision?: string;
  /** The package's build as the card is drawn; else job.fromBuild. */
  currentBuild?: string;
  /** Names of the package's editions by WIM index, for the keep_editions stage ("index 3 (Enterprise)"). */
  editionNames?: Array<{ index: number; name: string }>;
  /** Who asked to cancel, when the job was cancelled (from the cancel_requested event). */
  cancelledBy?: Person;
}
