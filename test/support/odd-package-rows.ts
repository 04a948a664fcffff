/**
 * A collection answer as a careless or newer AdminService might give it: good rows among rows whose
 * fields have other JSON types than expected. Shared by the inventory test and the end-to-end status test.
 */
import type { ServerResponse } from 'node:http';
import { json, type ReceivedRequest } from '../services/configmgr/scripted-server';

export const GOOD_IMAGE = { PackageID: 'PS100100', Name: 'Windows 11 24H2 Enterprise', Version: '10.0.26100.1742', SourceVersion: 3 };
export const GOOD_UPGRADE = { PackageID: 'PS100200', Name: 'Windows 11 24H2 upgrade', ImageOSVersion: '10.0.26100.4061', SourceVersion: 2 };

export interface OddRow {
  why: string;
  row: unknown;
  /** Kept: the package id and what the inventory shows for the odd field. */
  kept?: { id: string; check: Record<string, unknown> };
  /** Skipped: how status names it. */
  skipped?: string;
}

/** Each row goes into the image list after GOOD_IMAGE, in this order (positions count from 1). */
export const ODD_ROWS: readonly OddRow[] = [
  { why: 'Name, a key field, is a number', row: { PackageID: 'PS100101', Name: 2024 }, skipped: 'PS100101 (Name is a number, not text)' },
  { why: 'Name is missing', row: { PackageID: 'PS100102' }, skipped: 'PS100102 (Name missing)' },
  { why: 'PackageID is missing', row: { Name: 'No id' }, skipped: 'OS image row 4 (PackageID missing)' },
  { why: 'PackageID is a number', row: { PackageID: 123, Name: 'Numbered' }, skipped: 'OS image row 5 (PackageID is a number, not text)' },
  {
    why: 'PackageID is not a package id (never echoed: it could be anything)',
    row: { PackageID: '[click](https://evil.example)', Name: 'Linked' },
    skipped: 'OS image row 6 (PackageID is not a package id such as PS100012)',
  },
  { why: 'the row itself is null', row: null, skipped: 'OS image row 7 (the row is null, not an object)' },
  { why: 'the same package is listed again', row: { ...GOOD_IMAGE, Name: 'A repeat' }, skipped: 'PS100100 (listed twice; the first is kept)' },
  {
    why: 'a 64-bit "unknown" comes as a string: it cannot be held exactly, so only that field is dropped',
    row: { PackageID: 'PS100103', Name: 'Huge source version', SourceVersion: '18446744073709551615' },
    kept: { id: 'PS100103', check: { sourceVersion: 0 } },
  },
  { why: 'a number comes as a string: it is read as the number', row: { PackageID: 'PS100104', Name: 'Stringly', SourceVersion: '7', PackageSize: '4194304' }, kept: { id: 'PS100104', check: { sourceVersion: 7, packageSizeKb: 4194304 } } },
  { why: 'a number comes where text was expected: it is read as that text', row: { PackageID: 'PS100105', Name: 'Numeric text', Version: 10, Language: 1033 }, kept: { id: 'PS100105', check: { version: '10', language: '1033' } } },
  {
    why: 'every field but the key fields is null',
    row: {
      PackageID: 'PS100106',
      Name: 'Nulls',
      Description: null,
      Version: null,
      Language: null,
      Manufacturer: null,
      PkgSourcePath: null,
      ImageOSVersion: null,
      SourceVersion: null,
      SourceDate: null,
      LastRefreshTime: null,
      PackageSize: null,
      ActionInProgress: null,
      SourceSite: null,
    },
    kept: { id: 'PS100106', check: { description: '', version: '', sourcePath: '', sourceVersion: 0, actionInProgress: 0 } },
  },
  { why: 'an object comes where text was expected: that field is dropped', row: { PackageID: 'PS100107', Name: 'Object', Description: { text: 'x' } }, kept: { id: 'PS100107', check: { description: '' } } },
  { why: 'true/false comes where a number was expected: that field is dropped', row: { PackageID: 'PS100108', Name: 'Flag', ActionInProgress: true }, kept: { id: 'PS100108', check: { actionInProgress: 0 } } },
  { why: 'a number comes where a date was expected (no clear meaning): that field is dropped', row: { PackageID: 'PS100109', Name: 'Epoch', SourceDate: 1712345678 }, kept: { id: 'PS100109', check: { sourceDate: undefined } } },
];

/** Answers both lists and the key lookups from the rows above, as an AdminService would. */
export function oddSite(request: ReceivedRequest, response: ServerResponse): void {
  const imageRows = [GOOD_IMAGE, ...ODD_ROWS.map(({ row }) => row)];
  const key = /\('([^']*)'\)/.exec(decodeURIComponent(request.url))?.[1];
  if (key !== undefined) {
    const found = [GOOD_UPGRADE, ...imageRows].find((row) => (row as { PackageID?: unknown } | null)?.PackageID === key);
    json(response, found ? 200 : 404, found ? { value: [{ ...found, ImageProperty: null }] } : { error: 'not found' });
    return;
  }
  json(response, 200, { value: request.url.includes('SMS_OperatingSystemInstallPackage') ? [GOOD_UPGRADE] : imageRows });
}
