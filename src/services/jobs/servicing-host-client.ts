/**
 * Hands a job to the servicing host (RUNNER=webhook): one signed JSON POST to RUNNER_WEBHOOK_URL.
 * A 2xx means the host took the job and will report through signed callbacks; anything else is a
 * typed error whose sentence names the host and what to check. The POST is bounded both ways (a
 * timeout over the whole exchange, a cap on the answer read) and never follows a redirect, which
 * would hand the signed job to another address.
 *
 * A timeout after the request was sent is ambiguous (the host may have the job): the error says so
 * (`maybeDelivered`), and the host is asked to treat a second job with the same `jobId` as the same job.
 */
import type { Logger } from 'pino';
import { UserFacingError } from '../errors';
import type { PackageKind } from '../media/media-package';
import { describeOutsideValue } from '../shared/outside-value';
import type { Job, JobOptions, Person, StageName } from './job';
import { signatureHeaders } from './webhook-signature';

export const SERVICING_JOB_CONTRACT = 1;

/** The body the bot POSTs; versioned by `contract`, documented in the README's servicing host section. */
export interface ServicingJobPayload {
  contract: typeof SERVICING_JOB_CONTRACT;
  jobId: string;
  package: { id: string; name: string; kind: PackageKind; sourcePath: string };
  /** The media's build when the job was asked for, e.g. `26100.4349`; null when unknown. */
  fromBuild: string | null;
  /** The latest revision of its release, the build the host should reach; null when unknown. */
  latestBuild: string | null;
  /** Every stage the job runs, the host's and the bot's, in order. */
  stages: StageName[];
  options: JobOptions;
  /** Where the host POSTs its signed callbacks. */
  callbackUrl: string;
  requestedBy: Person;
  reason: string;
}

/** The payload for a job; `sourcePath` is the package's PkgSourcePath (UNC), which the job does not carry. */
export function buildServicingJobPayload(job: Job, sourcePath: string, publicUrl: string): ServicingJobPayload {
  const options: JobOptions = {};
  if (job.options.keepEditionIndexes !== undefined) options.keepEditionIndexes = [...job.options.keepEditionIndexes];
  if (job.options.removeAutorun !== undefined) options.removeAutorun = job.options.removeAutorun;
  if (job.options.writeBuildFile !== undefined) options.writeBuildFile = job.options.writeBuildFile;
  return {
    contract: SERVICING_JOB_CONTRACT,
    jobId: job.id,
    package: { id: job.packageId, name: job.packageName, kind: job.packageKind, sourcePath },
    fromBuild: job.fromBuild,
    latestBuild: job.latestBuild,
    stages: [...job.stages],
    options,
    callbackUrl: `${publicUrl.replace(/\/+$/, '')}/api/jobs/${encodeURIComponent(job.id)}/events`,
    requestedBy: { id: job.requester.id, name: job.requester.name },
    reason: job.reason,
  };
}

/** The host answered, but not with a 2xx (a 3xx included: redirects are not followed). */
export class ServicingHostRefused extends UserFacingError {
  constructor(
    readonly hostOrigin: string,
    readonly status: number,
    detail: string,
  ) {
    super(
      `The servicing host at ${hostOrigin} did not accept the job (HTTP ${status}); check its log and that it shares RUNNER_SECRET with the bot, then ask for the refresh again.`,
      { detail },
    );
  }
}

/** No answer: refused connection, DNS, TLS, timeout, or bytes that are not HTTP. */
export class ServicingHostUnavailable extends UserFacingError {
  constructor(
    readonly hostOrigin: string,
    /** True when the request may have reached the host (a timeout after sending): it may hold the job. */
    readonly maybeDelivered: boolean,
    detail: string,
    cause?: unknown,
  ) {
    super(
      `The servicing host at ${hostOrigin} did not answer; check that it is running and reachable from the bot at RUNNER_WEBHOOK_URL, then ask for the refresh again.`,
      { detail, cause },
    );
  }
}

export interface ServicingSubmission {
  status: number;
  /** The host's own id for the run, when it answered JSON with a short `reference` string. */
  reference?: string;
}

export interface ServicingHostClientOptions {
  /** RUNNER_WEBHOOK_URL. */
  url: string;
  /** RUNNER_SECRET. */
  secret: string;
  /** Over the whole exchange, answer body included; 15 s by default. */
  timeoutMs?: number;
  /** Bytes of the answer read at most; 64 KB by default (the rest is discarded). */
  maxResponseBytes?: number;
  now?: () => Date;
  logger: Logger;
}

export class ServicingHostClient {
  private readonly url: URL;
  private readonly origin: string;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly now: () => Date;

  constructor(private readonly options: ServicingHostClientOptions) {
    this.url = new URL(options.url);
    this.origin = this.url.origin;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.maxResponseBytes = options.maxResponseBytes ?? 64 * 1024;
    this.now = options.now ?? (() => new Date());
  }

  /** Resolves when the host accepted the job (2xx); throws ServicingHostRefused or ServicingHostUnavailable. */
  async submit(payload: ServicingJobPayload): Promise<ServicingSubmission> {
    const body = JSON.stringify(payload);
    const timestamp = Math.floor(this.now().getTime() / 1000);
    const log = this.options.logger.child({ jobId: payload.jobId, host: this.origin });
    const signal = AbortSignal.timeout(this.timeoutMs);
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        redirect: 'manual',
        signal,
        headers: {
          'content-type': 'application/json; charset=utf-8',
          accept: 'application/json',
          'user-agent': 'upgrade-media-bot',
          ...signatureHeaders(this.options.secret, timestamp, body),
        },
        body,
      });
    } catch (error) {
      const timedOut = signal.aborted;
      const maybeDelivered = timedOut || !failedBeforeSending(error);
      log.warn({ err: describeError(error), timedOut, maybeDelivered }, 'servicing host did not answer');
      throw new ServicingHostUnavailable(this.origin, maybeDelivered, timedOut ? `no answer within ${this.timeoutMs} ms` : describeError(error), error);
    }

    let text: string;
    try {
      text = await readBounded(response, this.maxResponseBytes);
    } catch (error) {
      log.warn({ status: response.status, err: describeError(error) }, 'servicing host answer broke off');
      // The status line arrived: a 2xx is an acceptance even if its body broke off or came too slowly.
      if (!response.ok) throw new ServicingHostRefused(this.origin, response.status, `HTTP ${response.status}, body unreadable`);
      return { status: response.status };
    }

    if (!response.ok) {
      log.warn({ status: response.status, body: describeOutsideValue(text) }, 'servicing host refused the job');
      throw new ServicingHostRefused(this.origin, response.status, `HTTP ${response.status}: ${describeOutsideValue(text).head ?? ''}`);
    }
    const reference = readReference(text);
    log.info({ status: response.status, reference }, 'servicing host accepted the job');
    return reference === undefined ? { status: response.status } : { status: response.status, reference };
  }
}

/** Reads at most `limit` bytes of the body as UTF-8 (lenient) and cancels the rest. */
async function readBounded(response: Response, limit: number): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      const room = limit - size;
      const kept = value.byteLength > room ? value.subarray(0, room) : value;
      chunks.push(kept);
      size += kept.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** `{ "reference": "<up to 100 printable characters>" }`, or nothing. */
function readReference(text: string): string | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const reference = (value as { reference?: unknown }).reference;
    return typeof reference === 'string' && /^[\x20-\x7e]{1,100}$/.test(reference) ? reference : undefined;
  } catch {
    return undefined;
  }
}

/** Errors of name resolution, connection and TLS set-up: the job never left the bot. */
const BEFORE_SENDING = /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|UND_ERR_CONNECT_TIMEOUT)$|CERT|TLS|SSL/;

function failedBeforeSending(error: unknown): boolean {
  const cause = error instanceof Error ? (error as { cause?: unknown }).cause : undefined;
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  return typeof code === 'string' && BEFORE_SENDING.test(code);
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const causeText = cause instanceof Error ? `: ${cause.message}` : '';
  return `${error.name}: ${error.message}${causeText}`.slice(0, 300);
}
