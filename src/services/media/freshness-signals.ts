/**
 * What a sync tells freshness subscribers, decided by comparing the snapshot with what was told before
 * (the marks). Pure, so the two rules are table-tested without a database:
 *
 * - "a release gets a newer revision while a package of it is behind": the release's latest revision
 *   is above its mark, and the package is behind it → one signal per such package;
 * - "a new drift finding appears after a sync": a finding (its kind and the sentence that states its
 *   facts) that the package's mark does not hold → one signal; a finding that disappears leaves the
 *   mark, so that it is told again if it comes back.
 *
 * With no marks at all (the first sync after install) nothing is told: the marks are only recorded.
 */
import { createHash } from 'node:crypto';
import type { Finding, FindingKind } from './media-inspection';
import { formatBuild, type MediaPackage } from './media-package';

export type FreshnessSignalKind = 'freshness.newer_revision' | 'freshness.drift';

export interface FreshnessSignal {
  /** Names the signal once: the outbox's dedupe key. */
  key: string;
  kind: FreshnessSignalKind;
  packageId: string;
  packageName: string;
  release?: string;
  payload: Record<string, unknown>;
}

/** What was told: the latest revision per release line, the drift findings per package (their identities). */
export interface FreshnessMarks {
  releases: ReadonlyMap<string, number>;
  drift: ReadonlyMap<string, readonly string[]>;
}

/** Findings that are no disagreement (what each index costs, without EDITIONS_IN_USE): never told. */
const UNTOLD_FINDINGS: ReadonlySet<FindingKind> = new Set(['edition-sizes']);

/** A finding's identity: its kind and the sentence that carries its facts (both values, the file, the editions). */
export function findingIdentity(finding: Pick<Finding, 'kind' | 'message'>): string {
  return `${finding.kind}:${createHash('sha256').update(finding.message).digest('hex').slice(0, 16)}`;
}

/** The marks a snapshot leaves: every release line's latest revision seen, every package's told findings. */
export function marksOf(packages: readonly MediaPackage[]): FreshnessMarks {
  const releases = new Map<string, number>();
  const drift = new Map<string, string[]>();
  for (const pkg of packages) {
    const latest = latestOf(pkg);
    if (latest) releases.set(latest.release, Math.max(releases.get(latest.release) ?? 0, latest.revision));
    const findings = toldFindings(pkg).map(findingIdentity);
    if (findings.length > 0) drift.set(pkg.id, [...new Set(findings)].sort());
  }
  return { releases, drift };
}

/**
 * The signals of a snapshot against the previous marks, and the marks to store instead. `previous`
 * undefined = nothing was ever recorded: no signal. `at` names a drift finding's appearance, so that a
 * finding that went and came back is a new notification (its dedupe key differs).
 */
export function compareWithMarks(packages: readonly MediaPackage[], previous: FreshnessMarks | undefined, at: Date): { signals: FreshnessSignal[]; marks: FreshnessMarks } {
  const marks = marksOf(packages);
  if (previous === undefined) return { signals: [], marks };
  const signals: FreshnessSignal[] = [];
  for (const pkg of packages) {
    const latest = latestOf(pkg);
    const marked = latest ? previous.releases.get(latest.release) : undefined;
    // A release line seen for the first time (its first package added) got no newer revision: it is only marked.
    if (latest && marked !== undefined && latest.revision > marked && latest.behind > 0) {
      signals.push(newerRevisionSignal(pkg, latest));
    }
    const told = new Set(previous.drift.get(pkg.id) ?? []);
    const seen = new Set<string>();
    for (const finding of toldFindings(pkg)) {
      const identity = findingIdentity(finding);
      if (told.has(identity) || seen.has(identity)) continue;
      seen.add(identity);
      signals.push(driftSignal(pkg, finding, identity, at));
    }
  }
  return { signals, marks };
}

interface LatestRevision {
  release: string;
  releaseBuild: number;
  revision: number;
  kb?: string;
  date: Date;
  /** Revisions the package is behind it (0 = has it). */
  behind: number;
  monthsBehind?: number;
}

/** The latest revision of the package's release line, when its verdict names one. */
function latestOf(pkg: MediaPackage): LatestRevision | undefined {
  const verdict = pkg.freshness?.verdict;
  if (!verdict || verdict.state === 'unknown' || verdict.latest === undefined) return undefined;
  const behind = verdict.state === 'behind' ? verdict.revisionsBehind : verdict.state === 'out-of-support' ? (verdict.revisionsBehind ?? 0) : 0;
  const monthsBehind = verdict.state === 'current' ? undefined : verdict.monthsBehind;
  return {
    release: verdict.release,
    releaseBuild: verdict.releaseBuild,
    revision: verdict.latest.revision,
    ...(verdict.latest.kb ? { kb: verdict.latest.kb } : {}),
    date: verdict.latest.date,
    behind,
    ...(monthsBehind !== undefined ? { monthsBehind } : {}),
  };
}

function toldFindings(pkg: MediaPackage): Finding[] {
  return pkg.findings.filter((finding) => !UNTOLD_FINDINGS.has(finding.kind));
}

function newerRevisionSignal(pkg: MediaPackage, latest: LatestRevision): FreshnessSignal {
  const judged = pkg.freshness?.judged;
  const latestBuild = `${latest.releaseBuild}.${latest.revision}`;
  return {
    key: `freshness:newer:${pkg.id}:${latestBuild}`,
    kind: 'freshness.newer_revision',
    packageId: pkg.id,
    packageName: pkg.name,
    release: latest.release,
    payload: {
      packageKind: pkg.kind,
      release: latest.release,
      build: judged ? formatBuild(judged.build) : pkg.build ? formatBuild(pkg.build) : null,
      buildFrom: judged?.source ?? null,
      latest: latestBuild,
      latestKb: latest.kb ?? null,
      latestDate: latest.date.toISOString(),
      revisionsBehind: latest.behind,
      monthsBehind: latest.monthsBehind ?? null,
    },
  };
}

function driftSignal(pkg: MediaPackage, finding: Finding, identity: string, at: Date): FreshnessSignal {
  return {
    key: `freshness:drift:${pkg.id}:${identity}:${at.toISOString()}`,
    kind: 'freshness.drift',
    packageId: pkg.id,
    packageName: pkg.name,
    ...(pkg.release ? { release: pkg.release } : {}),
    payload: {
      packageKind: pkg.kind,
      release: pkg.release ?? null,
      findingKind: finding.kind,
      severity: finding.severity,
      message: finding.message,
      sourcePath: pkg.sourcePath,
    },
  };
}
