/**
 * One package row of an AdminService answer, read on its own. Why per row: one field of another JSON
 * type than expected (a number where text was expected, a 64-bit number as a string, null, an
 * object) used to make the whole answer refused, and every package disappeared from the bot. Now only
 * the key fields must be right (the row is skipped otherwise, and named); every other field is taken
 * over where its meaning is clear and left out, with a note, where it is not.
 */
import { isPackageId, type PackageClass, type PackageRecord } from './admin-service';

/** A row the bot could not use: why, and which one (its PackageID when that is a real one, else its position). */
export interface SkippedRow {
  packageClass: PackageClass;
  /** 1-based position in the class's list, counted across pages. */
  position: number;
  /** Only when the row carries a valid package id (never arbitrary server text). */
  packageId?: string;
  reason: string;
}

/** A field left out of a row that was kept. */
export interface DroppedField {
  packageId: string;
  field: string;
  reason: string;
}

export type RowReading = { ok: true; record: PackageRecord; dropped: DroppedField[] } | { ok: false; skipped: SkippedRow };

type TextField = 'Description' | 'Version' | 'Language' | 'Manufacturer' | 'PkgSourcePath' | 'ImageOSVersion' | 'ImageProperty' | 'SourceSite';
type DateField = 'SourceDate' | 'LastRefreshTime';
type IntegerField = 'SourceVersion' | 'PackageSize' | 'ActionInProgress';

/** Text whose meaning survives a number written without quotes (a version 10, a language 1033). */
const TEXT_FIELDS: readonly TextField[] = ['Description', 'Version', 'Language', 'Manufacturer', 'PkgSourcePath', 'ImageOSVersion', 'ImageProperty', 'SourceSite'];
/** Dates are text only: a bare number has no agreed meaning (seconds? milliseconds? WMI's yyyymmdd…?). */
const DATE_FIELDS: readonly DateField[] = ['SourceDate', 'LastRefreshTime'];
/** WMI integers; 64-bit ones may come as strings (OData IEEE754Compatible). */
const INTEGER_FIELDS: readonly IntegerField[] = ['SourceVersion', 'PackageSize', 'ActionInProgress'];

const INTEGER_TEXT = /^\s*-?\d+(\.0+)?\s*$/;

/** "a number", "null", "an object": for reasons a reader understands. */
function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return 'text';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true/false';
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

/** Reads one raw row (anything JSON can hold) of `packageClass` at `position`. */
export function readPackageRow(raw: unknown, packageClass: PackageClass, position: number): RowReading {
  const skip = (reason: string, packageId?: string): RowReading => ({
    ok: false,
    skipped: { packageClass, position, ...(packageId !== undefined ? { packageId } : {}), reason },
  });
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return skip(`the row is ${jsonKind(raw)}, not an object`);
  const row = raw as Record<string, unknown>;

  const id = row.PackageID;
  if (id === undefined || id === null) return skip('PackageID missing');
  if (typeof id !== 'string') return skip(`PackageID is ${jsonKind(id)}, not text`);
  if (!isPackageId(id)) return skip('PackageID is not a package id such as PS100012');
  const name = row.Name;
  if (name === undefined || name === null) return skip('Name missing', id);
  if (typeof name !== 'string') return skip(`Name is ${jsonKind(name)}, not text`, id);
  if (name.trim() === '') return skip('Name is empty', id);

  const record: PackageRecord = { PackageID: id, Name: name };
  const dropped: DroppedField[] = [];
  const drop = (field: string, reason: string): void => {
    dropped.push({ packageId: id, field, reason });
  };

  for (const field of TEXT_FIELDS) {
    const value = row[field];
    if (value === undefined) continue;
    if (value === null || typeof value === 'string') record[field] = value;
    else if (typeof value === 'number' && Number.isFinite(value)) record[field] = String(value);
    else drop(field, `${jsonKind(value)}, not text`);
  }
  for (const field of DATE_FIELDS) {
    const value = row[field];
    if (value === undefined) continue;
    if (value === null || typeof value === 'string') record[field] = value;
    else drop(field, `${jsonKind(value)}, not a date`);
  }
  for (const field of INTEGER_FIELDS) {
    const value = row[field];
    if (value === undefined) continue;
    if (value === null) {
      record[field] = null;
      continue;
    }
    const number = typeof value === 'number' ? value : typeof value === 'string' && INTEGER_TEXT.test(value) ? Number(value) : undefined;
    if (number === undefined) drop(field, `${jsonKind(value)}, not a whole number`);
    // 18446744073709551615 (a 64-bit "unknown") and the like cannot be held exactly: better absent than wrong.
    else if (!Number.isSafeInteger(number)) drop(field, Number.isInteger(number) ? 'a number too large to hold exactly' : 'not a whole number');
    else record[field] = number;
  }
  return { ok: true, record, dropped };
}
