import assert from 'node:assert/strict';
import { readPackageRow } from '../../../src/services/configmgr/package-row';

const IMAGE = 'SMS_ImagePackage';
const key = { PackageID: 'PS100012', Name: 'Windows 11' };

describe('readPackageRow', () => {
  const kept: Array<{ why: string; row: Record<string, unknown>; record: Record<string, unknown>; dropped?: string[] }> = [
    { why: 'the usual row', row: { ...key, Version: '10.0.26100.1', SourceVersion: 4, ImageProperty: null }, record: { ...key, Version: '10.0.26100.1', SourceVersion: 4, ImageProperty: null } },
    { why: '@odata and unknown properties are left out', row: { '@odata.etag': 'x', __CLASS: 'SMS_ImagePackage', ...key }, record: key },
    { why: 'a lower-case id is a valid id', row: { PackageID: 'ps10000c', Name: 'n' }, record: { PackageID: 'ps10000c', Name: 'n' } },
    { why: 'numbers as strings (OData IEEE754Compatible)', row: { ...key, SourceVersion: '4', PackageSize: ' 123 ', ActionInProgress: '0' }, record: { ...key, SourceVersion: 4, PackageSize: 123, ActionInProgress: 0 } },
    { why: 'a whole number written with .0', row: { ...key, SourceVersion: '4.0' }, record: { ...key, SourceVersion: 4 } },
    { why: 'numbers where text was expected', row: { ...key, Version: 10, Language: 1033, SourceSite: 0 }, record: { ...key, Version: '10', Language: '1033', SourceSite: '0' } },
    { why: 'null kept as null', row: { ...key, Description: null, SourceVersion: null, SourceDate: null }, record: { ...key, Description: null, SourceVersion: null, SourceDate: null } },
    {
      why: 'a 64-bit number beyond 2^53, as a string or a number',
      row: { ...key, SourceVersion: '18446744073709551615', PackageSize: 2 ** 60 },
      record: key,
      dropped: ['SourceVersion: a number too large to hold exactly', 'PackageSize: a number too large to hold exactly'],
    },
    { why: 'a fraction where a whole number was expected', row: { ...key, PackageSize: 1.5, SourceVersion: '2.5' }, record: key, dropped: ['SourceVersion: text, not a whole number', 'PackageSize: not a whole number'] },
    { why: 'words where a number was expected', row: { ...key, SourceVersion: 'four' }, record: key, dropped: ['SourceVersion: text, not a whole number'] },
    { why: 'an object, a list or true/false where text was expected', row: { ...key, Description: { a: 1 }, Version: ['1'], Language: true }, record: key, dropped: ['Description: an object, not text', 'Version: a list, not text', 'Language: true/false, not text'] },
    { why: 'a number where a date was expected', row: { ...key, LastRefreshTime: 1712345678 }, record: key, dropped: ['LastRefreshTime: a number, not a date'] },
  ];
  for (const { why, row, record, dropped = [] } of kept) {
    it(`keeps the row: ${why}`, () => {
      const reading = readPackageRow(row, IMAGE, 3);
      assert.ok(reading.ok, JSON.stringify(reading));
      assert.deepEqual(reading.record, record);
      assert.deepEqual(
        reading.dropped.map(({ field, reason }) => `${field}: ${reason}`),
        dropped,
      );
      for (const note of reading.dropped) assert.equal(note.packageId, row.PackageID);
    });
  }

  const skipped: Array<{ why: string; row: unknown; reason: string; named?: string }> = [
    { why: 'no PackageID', row: { Name: 'x' }, reason: 'PackageID missing' },
    { why: 'a null PackageID', row: { PackageID: null, Name: 'x' }, reason: 'PackageID missing' },
    { why: 'a numeric PackageID', row: { PackageID: 123, Name: 'x' }, reason: 'PackageID is a number, not text' },
    { why: 'an empty PackageID', row: { PackageID: '', Name: 'x' }, reason: 'PackageID is not a package id such as PS100012' },
    { why: 'a PackageID of another pattern (never named: it is server text)', row: { PackageID: 'PS1', Name: 'x' }, reason: 'PackageID is not a package id such as PS100012' },
    { why: 'no Name', row: { PackageID: 'PS100012' }, reason: 'Name missing', named: 'PS100012' },
    { why: 'a numeric Name', row: { PackageID: 'PS100012', Name: 7 }, reason: 'Name is a number, not text', named: 'PS100012' },
    { why: 'a blank Name', row: { PackageID: 'PS100012', Name: '  ' }, reason: 'Name is empty', named: 'PS100012' },
    { why: 'a row that is null', row: null, reason: 'the row is null, not an object' },
    { why: 'a row that is a list', row: [key], reason: 'the row is a list, not an object' },
    { why: 'a row that is text', row: 'PS100012', reason: 'the row is text, not an object' },
  ];
  for (const { why, row, reason, named } of skipped) {
    it(`skips the row: ${why}`, () => {
      const reading = readPackageRow(row, IMAGE, 3);
      assert.equal(reading.ok, false);
      if (reading.ok) return;
      assert.deepEqual(reading.skipped, { packageClass: IMAGE, position: 3, ...(named ? { packageId: named } : {}), reason });
    });
  }
});
