import assert from 'node:assert/strict';
import { ODataFilterError, parseODataFilter, type PropertyType } from '../../../src/services/demo/odata-filter';

const properties = new Map<string, PropertyType>([
  ['PackageID', 'string'],
  ['Name', 'string'],
  ['Version', 'string'],
  ['SourceVersion', 'number'],
]);

const records = [
  { PackageID: 'PS100001', Name: 'Windows 11 24H2 Enterprise x64', Version: '26100.4349', SourceVersion: 7 },
  { PackageID: 'PS100002', Name: 'Windows 11 24H2 Pro – O\'Brien\'s "lab" media', Version: '26100.7462', SourceVersion: 1 },
  { PackageID: 'PS100003', Name: 'Windows Server 2025 Datacenter', Version: null, SourceVersion: 3 },
  { PackageID: 'PS100004', Name: 'Windows 10 Enterprise 22H2 x64', Version: '19045.6575', SourceVersion: 9 },
];

function matching(filter: string): string[] {
  const predicate = parseODataFilter(filter, properties);
  return records.filter((record) => predicate(record)).map((record) => record.PackageID);
}

describe('parseODataFilter (the simulator $filter subset)', () => {
  const cases: [string, string[]][] = [
    ["PackageID eq 'PS100003'", ['PS100003']],
    ["PackageID eq 'ps100003'", ['PS100003']],
    ['SourceVersion eq 7', ['PS100001']],
    ['SourceVersion ne 7', ['PS100002', 'PS100003', 'PS100004']],
    ["'PS100004' eq PackageID", ['PS100004']],
    ["contains(Name,'24H2')", ['PS100001', 'PS100002']],
    ["contains(Name, 'enterprise')", ['PS100001', 'PS100004']],
    ["startswith(Name,'Windows 11') eq true", ['PS100001', 'PS100002']],
    ["startswith(Name,'Windows 11') eq false", ['PS100003', 'PS100004']],
    ["endswith(Name,'x64')", ['PS100001', 'PS100004']],
    ["contains(Name,'O''Brien')", ['PS100002']],
    ["Name eq 'Windows 11 24H2 Pro – O''Brien''s \"lab\" media'", ['PS100002']],
    ["contains(Name,'–')", ['PS100002']],
    ["contains(Name,'24H2') and SourceVersion eq 7", ['PS100001']],
    ["contains(Name,'Server') or SourceVersion eq 9", ['PS100003', 'PS100004']],
    ["(contains(Name,'Server') or SourceVersion eq 9) and contains(Name,'x64')", ['PS100004']],
    ["not contains(Name,'Windows 11')", ['PS100003', 'PS100004']],
    ['Version eq null', ['PS100003']],
    ["  PackageID   eq   'PS100001'  ", ['PS100001']],
    ["Name eq ''", []],
  ];
  for (const [filter, expected] of cases) {
    it(`selects ${JSON.stringify(expected)} for ${filter}`, () => {
      assert.deepEqual(matching(filter), expected);
    });
  }

  const rejected: [string, RegExp][] = [
    ['', /empty/],
    ["Name eq 'Windows", /not closed/],
    ["Name eq 'O'Brien", /unexpected "Brien"/],
    ["Name eq 'O'Brien'", /not closed/],
    ["Size eq 3", /"Size" does not exist/],
    ["Name gt 'a'", /expected "eq" or "ne"/],
    ['Name eq', /ends where a value was expected/],
    ["SourceVersion eq '7'", /SourceVersion is a number/],
    ['Name eq 7', /Name is a string/],
    ["contains(SourceVersion,'7')", /needs a string property/],
    ["substringof('a',Name)", /"substringof" is not supported/],
    ['contains(Name,24)', /needs a quoted string/],
    ["contains(Name,'a') eq 'yes'", /only be compared with true or false/],
    ["Name eq Version", /property on one side and a value on the other/],
    ["(Name eq 'a'", /expected "\)"/],
    ["Name eq 'a' and", /ends where a value was expected|expected a property/],
    ["Name eq 'a'; drop table", /unexpected ";"/],
    ["Name eq 'a' 'b'", /unexpected/],
    ['name eq \'a\'', /"name" does not exist/],
  ];
  for (const [filter, reason] of rejected) {
    it(`rejects ${JSON.stringify(filter)} with a reason`, () => {
      assert.throws(
        () => parseODataFilter(filter, properties),
        (error: unknown) => error instanceof ODataFilterError && reason.test(error.message),
      );
    });
  }
});

describe('parseODataFilter on boolean properties (SMS_SoftwareUpdate)', () => {
  const properties = new Map([['IsExpired', 'boolean'], ['LocalizedDisplayName', 'string']] as const);
  const cases: Array<[string, string, Record<string, unknown>, boolean]> = [
    ['eq false keeps a row that is false', 'IsExpired eq false', { IsExpired: false }, true],
    ['eq false drops a row that is true', 'IsExpired eq false', { IsExpired: true }, false],
    ['combines with contains', "IsExpired eq false and contains(LocalizedDisplayName,'Cumulative')", { IsExpired: false, LocalizedDisplayName: 'Cumulative Update' }, true],
  ];
  for (const [why, filter, record, expected] of cases) {
    it(why, () => assert.equal(parseODataFilter(filter, properties)(record), expected));
  }
  it('refuses a quoted boolean, as the real service does', () => {
    assert.throws(() => parseODataFilter("IsExpired eq 'false'", properties), /boolean/);
  });
});
