/**
 * The Action.Execute verbs of the job cards and the data each carries, in one place: the cards send
 * them, src/bot routes them. The data names the job (or the package) and nothing else: the server
 * decides who may do what from the stored job, never from what a card says; a verdict travels only
 * as the verb. The approval card's optional comment arrives beside it as the input `comment`.
 */
export const JobVerbs = {
  /** Approve a job: data { jobId }, input comment (optional, ≤ 500 characters). */
  approve: 'job.approve',
  /** Reject a job: data { jobId }, input comment (optional, ≤ 500 characters). */
  reject: 'job.reject',
  /** A job's card for whoever asks (the jobs list's rows): data { jobId }. */
  view: 'job.view',
  /** The approval card as the reader may see it (its per-user refresh): data { jobId }. */
  approvalView: 'job.approval',
  /** A job's audit trail: data { jobId }. */
  timeline: 'job.timeline',
  /** Cancel an active job: data { jobId }. */
  cancel: 'job.cancel',
  /** Ask for a refresh of one package, from the media detail card's Refresh button: data { packageId }. */
  refresh: 'job.refresh',
} as const;

export type JobVerb = (typeof JobVerbs)[keyof typeof JobVerbs];

/** The id of the approval card's comment box; its value reaches the bot beside the action's data. */
export const COMMENT_INPUT_ID = 'comment';
/** Longest comment the approval card accepts (Input.Text maxLength) and shows. */
export const MAX_COMMENT_LENGTH = 500;
