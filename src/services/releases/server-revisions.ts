/**
 * Server 2025 shares build 26100 with client 24H2 but left its revisions in January 2026 (26100.32230); no
 * client revision comes near. The naming, the catalog titles and the catalog lines all tell them apart by it.
 */
export const FIRST_SERVER_ONLY_REVISION_26100 = 32_000;

/** A 26100 build at a server-only revision: Windows Server 2025, whatever else the media or title says. */
export function isServerOnlyRevision(build: number, revision: number): boolean {
  return build === 26100 && revision >= FIRST_SERVER_ONLY_REVISION_26100;
}
