/**
 * Distribution points of the demo site and how a refresh moves across them, so that `npm start` and the tests can
 * watch a whole "Update Distribution Points": RefreshPkgSource is accepted, SourceVersion increments a little later
 * (DistMgr's snapshot), then every DP goes install pending → content updating → installed at the new version, each
 * at its own pace. Faults make a named DP fail (State 3) or never finish. Times are offsets from the call, so an
 * injected clock makes the whole sequence deterministic.
 */

/** A distribution point of the demo site. */
export interface DemoDistributionPoint {
  /** e.g. DP01.contoso.com */
  host: string;
  siteCode: string;
}

/** One package on one DP, as SMS_PackageStatusDistPointsSummarizer shows it. */
export interface DemoDistributionStatus {
  host: string;
  siteCode: string;
  /** SMS_PackageStatusDistPointsSummarizer.State: 0 installed, 1 pending, 3 failed, 7 updating, … */
  state: number;
  sourceVersion: number;
  /** ISO date-times, UTC. */
  lastCopied: string | null;
  summaryDate: string;
}

/** How long each step of a refresh takes, in milliseconds from the RefreshPkgSource call. */
export interface RefreshTiming {
  /** SourceVersion increments this long after the call; every DP turns "install pending" then. */
  sourceVersionDelayMs: number;
  /** After the increment, the first DP turns "content updating" after this… */
  dpUpdatingAfterMs: number;
  /** …and is installed at the new version after this. */
  dpInstalledAfterMs: number;
  /** DP number i (in the package's order) takes i × this longer than the first. */
  dpStaggerMs: number;
}

/** The demo's pace: the version moves after 1.5 s, the four DPs finish between 5.5 s and 13 s. */
export const DEMO_REFRESH_TIMING: Readonly<RefreshTiming> = {
  sourceVersionDelayMs: 1500,
  dpUpdatingAfterMs: 1000,
  dpInstalledAfterMs: 4000,
  dpStaggerMs: 2500,
};

/** What a DP does with a refresh instead of installing it. */
export interface DistributionFault {
  /** The DP's host name, case-insensitive. */
  host: string;
  /** Only this package; every package when absent. */
  packageId?: string;
  /** `failed`: ends in State 3 at the old version; `stuck`: stays "content updating" for ever. */
  outcome: 'failed' | 'stuck';
}

/** ServerNALPath as ConfigMgr writes it: `["Display=\\DP01.contoso.com\"]MSWNET:["SMS_SITE=PS1"]\\DP01.contoso.com\`. */
export function nalPath(point: DemoDistributionPoint): string {
  return `["Display=\\\\${point.host}\\"]MSWNET:["SMS_SITE=${point.siteCode}"]\\\\${point.host}\\`;
}

/** The package installed at `sourceVersion` on every given DP, as a settled site shows it. */
export function installedEverywhere(points: readonly DemoDistributionPoint[], sourceVersion: number, at: string): DemoDistributionStatus[] {
  return points.map((point) => ({ host: point.host, siteCode: point.siteCode, state: 0, sourceVersion, lastCopied: at, summaryDate: at }));
}

/** A change to the site due at a time (ms since the epoch). */
export interface ScheduledChange {
  at: number;
  apply(stamp: string): void;
}

/**
 * The DP changes of one refresh, from the moment SourceVersion became `newVersion` (`bumpedAt`). The caller applies
 * each when its time has come.
 */
export function distributionChanges(
  statuses: readonly DemoDistributionStatus[],
  newVersion: number,
  bumpedAt: number,
  timing: RefreshTiming,
  faultFor: (host: string) => DistributionFault['outcome'] | undefined,
): ScheduledChange[] {
  const changes: ScheduledChange[] = [];
  statuses.forEach((status, index) => {
    const fault = faultFor(status.host);
    const stagger = index * timing.dpStaggerMs;
    changes.push({
      at: bumpedAt + Math.min(timing.dpUpdatingAfterMs, timing.dpInstalledAfterMs) + stagger,
      apply: (stamp) => {
        status.state = 7;
        status.summaryDate = stamp;
      },
    });
    if (fault === 'stuck') return;
    changes.push({
      at: bumpedAt + timing.dpInstalledAfterMs + stagger,
      apply: (stamp) => {
        status.summaryDate = stamp;
        if (fault === 'failed') {
          status.state = 3;
          return;
        }
        status.state = 0;
        status.sourceVersion = newVersion;
        status.lastCopied = stamp;
      },
    });
  });
  return changes;
}

export function checkRefreshTiming(timing: RefreshTiming): RefreshTiming {
  for (const [name, value] of Object.entries(timing)) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`refreshTiming.${name} must be a number of milliseconds ≥ 0, not ${value}`);
  }
  return { ...timing };
}
