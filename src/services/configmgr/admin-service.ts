/** What the rest of the core needs from ConfigMgr's AdminService; the axios client implements it. */
import type { DistributionReading } from './distribution-status';
import type { DroppedField, SkippedRow } from './package-row';

export type { DroppedField, SkippedRow } from './package-row';
export type { DistributionPoint, DistributionReading } from './distribution-status';

export type PackageClass = 'SMS_OperatingSystemInstallPackage' | 'SMS_ImagePackage';

export const PACKAGE_CLASSES: readonly PackageClass[] = ['SMS_OperatingSystemInstallPackage', 'SMS_ImagePackage'];

/**
 * One instance of SMS_OperatingSystemInstallPackage or SMS_ImagePackage as the AdminService returns
 * it (after shape validation). Lazy properties such as ImageProperty are null in collection queries.
 */
export interface PackageRecord {
  PackageID: string;
  Name: string;
  Description?: string | null;
  Version?: string | null;
  Language?: string | null;
  Manufacturer?: string | null;
  PkgSourcePath?: string | null;
  ImageOSVersion?: string | null;
  ImageProperty?: string | null;
  SourceVersion?: number | null;
  SourceDate?: string | null;
  LastRefreshTime?: string | null;
  PackageSize?: number | null;
  ActionInProgress?: number | null;
  SourceSite?: string | null;
}

/** A ConfigMgr package id: the 3-character site code and 5 hex digits, e.g. PS100012. */
const PACKAGE_ID = /^[A-Z0-9]{3}[0-9A-F]{5}$/i;

export function isPackageId(text: string): boolean {
  return PACKAGE_ID.test(text);
}

/** What a collection query gave: the usable rows, and those skipped or trimmed (for status and the log). */
export interface PackageListing {
  records: PackageRecord[];
  skipped: SkippedRow[];
  dropped: DroppedField[];
}

/** The properties a collection query asks for ($select); ImageProperty is lazy and fetched by key. */
export const PACKAGE_LIST_PROPERTIES = [
  'PackageID',
  'Name',
  'Description',
  'Version',
  'Language',
  'Manufacturer',
  'PkgSourcePath',
  'ImageOSVersion',
  'SourceVersion',
  'SourceDate',
  'LastRefreshTime',
  'PackageSize',
  'ActionInProgress',
  'SourceSite',
] as const;

/** A $filter condition; values are escaped by the client, never pasted. */
export type PackageFilter =
  | { property: string; op: 'eq'; value: string | number }
  | { property: string; op: 'contains' | 'startswith'; value: string };

/** The package methods a refresh job calls. */
export type PackageMethod = 'RefreshPkgSource' | 'ReloadImageProperties';

/**
 * A method call the site accepted (HTTP 200/201) with ReturnValue 0 or none: whether a body carries ReturnValue
 * is unconfirmed on live sites, so its absence is not a failure; confirm the effect by reading the package again.
 * Out-parameters, if any, are the other properties.
 */
export interface MethodResult {
  ReturnValue?: number;
  [key: string]: unknown;
}

/** What a refresh job reads before and after RefreshPkgSource / ReloadImageProperties. */
export interface SourceVersionReading {
  sourceVersion: number;
  sourceDate?: Date;
  /** e.g. "10.0.26100.4349", as the site has it (ReloadImageProperties rewrites it). */
  imageOsVersion?: string;
}

export interface AdminService {
  /** Every instance of the class, following @odata.nextLink; a row that cannot be used is skipped, not fatal. */
  listPackages(packageClass: PackageClass, options?: { filter?: PackageFilter }): Promise<PackageListing>;
  /** One instance by key, with its lazy properties filled. Throws PackageNotFound. */
  getPackage(packageClass: PackageClass, packageId: string): Promise<PackageRecord>;
  /**
   * An instance method such as RefreshPkgSource or ReloadImageProperties. Resolves when the site accepted it
   * (HTTP 200/201, ReturnValue 0 or absent). Throws ConfigMgrMethodFailed (ReturnValue ≠ 0: did not run),
   * PackageNotFound or ConfigMgrMethodUnavailable (404), ConfigMgrRequestRejected (other 4xx),
   * ConfigMgrAccessDenied, and ConfigMgrUnavailable / ConfigMgrBadResponse when it may or may not have run.
   */
  invokePackageMethod(
    packageClass: PackageClass,
    packageId: string,
    method: string,
    parameters?: Record<string, unknown>,
  ): Promise<MethodResult>;
  /** Whether the site's `wmi/$metadata` lists the instance method for the class (cached a few minutes). */
  methodExists(packageClass: PackageClass, method: string): Promise<boolean>;
  /** SourceVersion, SourceDate and ImageOSVersion of one package. Throws PackageNotFound. */
  getSourceVersion(packageClass: PackageClass, packageId: string): Promise<SourceVersionReading>;
  /** One row per DP from SMS_PackageStatusDistPointsSummarizer; unusable rows are skipped and counted. */
  distributionStatus(packageId: string): Promise<DistributionReading>;
}
