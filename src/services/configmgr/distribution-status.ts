/**
 * Where a package's content stands on each distribution point, read from SMS_PackageStatusDistPointsSummarizer
 * (one row per package × DP), and the one rule that says when a refresh has reached every DP. Why here and pure:
 * the job's watch loop, its card and its notifications must all agree on "done" and "failed", so the row reading
 * and the rule live once, with no I/O, and are table-tested.
 */

/** SMS_PackageStatusDistPointsSummarizer.State, as documented (reference/configmgr-adminservice.md). */
export const DISTRIBUTION_STATE_NAMES: Readonly<Record<number, string>> = {
  0: 'installed',
  1: 'install pending',
  2: 'install retrying',
  3: 'install failed',
  4: 'removal pending',
  5: 'removal retrying',
  6: 'removal failed',
  7: 'content updating',
  8: 'content monitoring',
};

export const DISTRIBUTION_STATE = {
  installed: 0,
  installPending: 1,
  installRetrying: 2,
  installFailed: 3,
  removalPending: 4,
  removalRetrying: 5,
  removalFailed: 6,
  contentUpdating: 7,
  contentMonitoring: 8,
} as const;

/** One distribution point's view of one package. */
export interface DistributionPoint {
  /** The DP's host name (from ServerNALPath), e.g. DP01.contoso.com. */
  server: string;
  siteCode: string;
  state: number;
  /** DISTRIBUTION_STATE_NAMES[state], or "unknown state 12". */
  stateName: string;
  /** The package source version installed on this DP. */
  sourceVersion: number;
  lastCopied?: Date;
  summaryDate?: Date;
}

/** What the site answered for one package: the rows the bot could read, and how many it could not. */
export interface DistributionReading {
  points: DistributionPoint[];
  /** Rows without a usable server, State or SourceVersion; they are logged, and keep the summary from "done". */
  skipped: number;
}

export interface DistributionSummary {
  total: number;
  /** State 0 at the target source version or newer. */
  installed: number;
  /** States 1, 2, 7, 8 and states the bot does not know: the site is still working on them. */
  inProgress: number;
  /** State 3 (install failed). */
  failed: number;
  /** State 0 at an older source version: DistMgr has not reached this DP yet. */
  waiting: number;
  /** States 4–6: the DP is losing the package; it neither blocks nor counts toward done. */
  removing: number;
  /** Rows the client could not read (DistributionReading.skipped). */
  unreadable: number;
  /** Every DP that keeps the package is installed at the target version, and every row was readable. */
  done: boolean;
  /** Nothing is left to wait for: every row is installed, failed or leaving, (done, or done but for failures). */
  settled: boolean;
  /** Host names of the DPs in State 3, sorted. */
  failedServers: string[];
}

export function distributionStateName(state: number): string {
  return DISTRIBUTION_STATE_NAMES[state] ?? `unknown state ${state}`;
}

/**
 * The DP's host name from a NAL path such as
 * `["Display=\\DP01.contoso.com\"]MSWNET:["SMS_SITE=PS1"]\\DP01.contoso.com\`: the Display part when present,
 * else the last `\\host\` in it. Undefined when neither names a host.
 */
export function hostFromNalPath(nalPath: string): string | undefined {
  const display = /Display=\\\\([^\\"\]]+)/i.exec(nalPath);
  const candidate = display?.[1] ?? [...nalPath.matchAll(/\\\\([^\\"\]]+)/g)].pop()?.[1];
  if (candidate === undefined) return undefined;
  const host = candidate.trim();
  return HOST_NAME.test(host) ? host : undefined;
}

/** A DNS or NetBIOS name (letters, digits, hyphens, dots); nothing else from a hostile row reaches a card. */
const HOST_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9-]{1,63}){0,10}$/;
const SITE_CODE = /^[A-Za-z0-9]{3}$/;
const INTEGER_TEXT = /^\s*\d{1,15}\s*$/;

export type DistributionRowReading = { ok: true; point: DistributionPoint } | { ok: false; reason: string };

/**
 * One raw row (anything JSON can hold). Server, State and SourceVersion must be right or the row is skipped;
 * a site code or date that cannot be read is left out.
 */
export function readDistributionRow(raw: unknown): DistributionRowReading {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, reason: 'the row is not an object' };
  const row = raw as Record<string, unknown>;
  if (typeof row.ServerNALPath !== 'string') return { ok: false, reason: 'ServerNALPath missing or not text' };
  const server = hostFromNalPath(row.ServerNALPath);
  if (server === undefined) return { ok: false, reason: 'ServerNALPath names no server' };
  const state = wholeNumber(row.State);
  if (state === undefined) return { ok: false, reason: 'State missing or not a whole number' };
  const sourceVersion = wholeNumber(row.SourceVersion);
  if (sourceVersion === undefined) return { ok: false, reason: 'SourceVersion missing or not a whole number' };
  const point: DistributionPoint = {
    server,
    siteCode: typeof row.SiteCode === 'string' && SITE_CODE.test(row.SiteCode) ? row.SiteCode.toUpperCase() : '',
    state,
    stateName: distributionStateName(state),
    sourceVersion,
  };
  const lastCopied = dateOf(row.LastCopied);
  if (lastCopied) point.lastCopied = lastCopied;
  const summaryDate = dateOf(row.SummaryDate);
  if (summaryDate) point.summaryDate = summaryDate;
  return { ok: true, point };
}

function wholeNumber(value: unknown): number | undefined {
  const number = typeof value === 'number' ? value : typeof value === 'string' && INTEGER_TEXT.test(value) ? Number(value) : undefined;
  return number !== undefined && Number.isSafeInteger(number) && number >= 0 ? number : undefined;
}

function dateOf(value: unknown): Date | undefined {
  if (typeof value !== 'string' || value.length > 40) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** How far a refresh to `targetSourceVersion` has reached the DPs. Pure. */
export function summarizeDistribution(
  points: readonly DistributionPoint[],
  targetSourceVersion: number,
  options: { unreadable?: number } = {},
): DistributionSummary {
  const summary: DistributionSummary = {
    total: points.length,
    installed: 0,
    inProgress: 0,
    failed: 0,
    waiting: 0,
    removing: 0,
    unreadable: options.unreadable ?? 0,
    done: false,
    settled: false,
    failedServers: [],
  };
  for (const point of points) {
    switch (point.state) {
      case DISTRIBUTION_STATE.installed:
        if (point.sourceVersion >= targetSourceVersion) summary.installed++;
        else summary.waiting++;
        break;
      case DISTRIBUTION_STATE.installFailed:
        summary.failed++;
        summary.failedServers.push(point.server);
        break;
      case DISTRIBUTION_STATE.removalPending:
      case DISTRIBUTION_STATE.removalRetrying:
      case DISTRIBUTION_STATE.removalFailed:
        summary.removing++;
        break;
      default:
        // 1, 2, 7, 8, and states no document names: the site is still at work, the job's timeout bounds the wait.
        summary.inProgress++;
    }
  }
  summary.failedServers.sort((a, b) => a.localeCompare(b));
  const keeping = summary.total - summary.removing;
  summary.settled = summary.inProgress === 0 && summary.waiting === 0;
  summary.done = keeping > 0 && summary.installed === keeping && summary.unreadable === 0;
  return summary;
}
