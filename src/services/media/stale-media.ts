/**
 * Which media needs attention, worst first: what `stale` (alias `behind`) answers. Out of support
 * beats errors on the share, which beat being behind, which beats warnings. "Anything out of
 * support?" asks for the first group alone.
 */
import type { MediaPackage } from './media-package';

function severityScore(pkg: MediaPackage): number {
  const verdict = pkg.freshness?.verdict;
  const errors = pkg.findings.filter((finding) => finding.severity === 'error').length;
  const warnings = pkg.findings.filter((finding) => finding.severity === 'warning').length;
  const outOfSupport = verdict?.state === 'out-of-support' ? 1 : 0;
  const revisionsBehind = verdict?.state === 'behind' ? verdict.revisionsBehind : 0;
  return outOfSupport * 1e9 + errors * 1e6 + Math.min(revisionsBehind, 999) * 1e3 + Math.min(warnings, 999);
}

/** True when the package is behind, out of support, or disagrees with its files. */
export function needsAttention(pkg: MediaPackage): boolean {
  return severityScore(pkg) > 0;
}

/** The packages that need attention, worst first (ties keep inventory order). */
export function staleMedia(packages: readonly MediaPackage[]): MediaPackage[] {
  return packages
    .map((pkg, order) => ({ pkg, order, score: severityScore(pkg) }))
    .filter((entry) => entry.score > 0)
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .map((entry) => entry.pkg);
}

/** True when the release of the package's media is past its end of servicing (ESU updates at most). */
export function isOutOfSupport(pkg: MediaPackage): boolean {
  return pkg.freshness?.verdict.state === 'out-of-support';
}
