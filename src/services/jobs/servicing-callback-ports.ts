/**
 * What the callback route needs from the rest of the bot, as ports: the job service that acts on a
 * servicing host's event, and a ledger of signatures already received. The ledger lives in the
 * shared store (job-repository.ts recordWebhookReceipt) so that with several bot instances behind a
 * load balancer a replayed callback is refused by every instance, not only by the one that saw it.
 */
import type { ServicingEvent } from './servicing-callback';

export type ServicingEventAnswer = { status: 202 } | { status: 404 | 409; message: string };

/**
 * Applies one verified, parsed callback to the job. 404 = no such job; 409 = the job is not in a
 * state that takes this event (e.g. `stage_done` for a cancelled job). `message` is one sentence the
 * servicing host's log will show.
 */
export type ServicingEventPort = (jobId: string, event: ServicingEvent) => Promise<ServicingEventAnswer>;

export interface ReceiptLedger {
  /**
   * Records a callback's signature once. Resolves true the first time, false when the signature was
   * already recorded (a replay). Entries older than twice the signature tolerance may be forgotten:
   * the timestamp check refuses such requests before the ledger is asked.
   */
  record(signature: string, jobId: string, at: Date): Promise<boolean>;
}
