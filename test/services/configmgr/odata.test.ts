import assert from 'node:assert/strict';
import type { PackageFilter } from '../../../src/services/configmgr/admin-service';
import {
  InvalidODataInput,
  buildFilterExpression,
  buildQueryString,
  buildSelect,
  keySegment,
  methodResultSchema,
  packageEnvelopeSchema,
  quoteODataString,
} from '../../../src/services/configmgr/odata';

describe('OData escaping', () => {
  const filters: Array<{ name: string; filter: PackageFilter; expression: string }> = [
    { name: 'a plain string', filter: { property: 'Name', op: 'eq', value: 'Win11' }, expression: "Name eq 'Win11'" },
    { name: 'a quote doubled', filter: { property: 'Name', op: 'eq', value: "O'Brien" }, expression: "Name eq 'O''Brien'" },
    {
      name: 'an injection attempt kept inside the literal',
      filter: { property: 'Name', op: 'eq', value: "' or 1 eq 1" },
      expression: "Name eq ''' or 1 eq 1'",
    },
    { name: 'unicode', filter: { property: 'Name', op: 'contains', value: 'Ünïcødé 日本 🚀' }, expression: "contains(Name,'Ünïcødé 日本 🚀')" },
    { name: 'slashes and backslashes', filter: { property: 'PkgSourcePath', op: 'startswith', value: '\\\\cm01\\src/os' }, expression: "startswith(PkgSourcePath,'\\\\cm01\\src/os')" },
    { name: 'parentheses', filter: { property: 'Name', op: 'contains', value: "x') or (1 eq 1" }, expression: "contains(Name,'x'') or (1 eq 1')" },
    { name: 'percent, hash and ampersand', filter: { property: 'Name', op: 'eq', value: '50% #1 & more' }, expression: "Name eq '50% #1 & more'" },
    { name: 'an integer', filter: { property: 'SourceVersion', op: 'eq', value: 7 }, expression: 'SourceVersion eq 7' },
    { name: 'a negative decimal', filter: { property: 'PackageSize', op: 'eq', value: -1.5 }, expression: 'PackageSize eq -1.5' },
    { name: 'an empty string', filter: { property: 'Name', op: 'eq', value: '' }, expression: "Name eq ''" },
  ];
  for (const { name, filter, expression } of filters) {
    it(`writes ${name} as ${expression}`, () => {
      assert.equal(buildFilterExpression(filter), expression);
    });
  }

  const badFilters: Array<{ name: string; filter: unknown }> = [
    { name: 'a property with a space', filter: { property: 'Name eq 1 or Name', op: 'eq', value: 'x' } },
    { name: 'a property with a quote', filter: { property: "Name'", op: 'eq', value: 'x' } },
    { name: 'a property starting with a digit', filter: { property: '1Name', op: 'eq', value: 'x' } },
    { name: 'an empty property', filter: { property: '', op: 'eq', value: 'x' } },
    { name: 'a property with a slash', filter: { property: 'a/b', op: 'eq', value: 'x' } },
    { name: 'an unknown operator', filter: { property: 'Name', op: 'ne', value: 'x' } },
    { name: 'NaN', filter: { property: 'SourceVersion', op: 'eq', value: Number.NaN } },
    { name: 'Infinity', filter: { property: 'SourceVersion', op: 'eq', value: Number.POSITIVE_INFINITY } },
    { name: 'a number for contains', filter: { property: 'Name', op: 'contains', value: 5 } },
    { name: 'an object value', filter: { property: 'Name', op: 'eq', value: { toString: () => "' or 1 eq 1" } } },
  ];
  for (const { name, filter } of badFilters) {
    it(`refuses ${name}`, () => {
      assert.throws(() => buildFilterExpression(filter as PackageFilter), InvalidODataInput);
    });
  }

  const keys: Array<[string, string]> = [
    ['PS100012', "('PS100012')"],
    ["PS1'00", "('PS1''00')"],
    ['a/b', "('a%2Fb')"],
    ['50%#&?', "('50%25%23%26%3F')"],
    ['Ü ü', "('%C3%9C%20%C3%BC')"],
    ["') or ('1", "(''')%20or%20(''1')"],
  ];
  for (const [key, segment] of keys) {
    it(`writes the key ${JSON.stringify(key)} as the path segment ${segment}`, () => {
      assert.equal(keySegment(key), segment);
      assert.equal(decodeURIComponent(segment), `(${quoteODataString(key)})`);
    });
  }

  it('percent-encodes option values but keeps option names literal, leaving out absent options', () => {
    assert.equal(
      buildQueryString({ $select: 'PackageID,Name', $filter: "Name eq 'a&b=c #1 50%'", $top: undefined }),
      "?$select=PackageID%2CName&$filter=Name%20eq%20'a%26b%3Dc%20%231%2050%25'",
    );
    assert.equal(buildQueryString({ $filter: undefined }), '');
  });

  it('validates $select property names', () => {
    assert.equal(buildSelect(['PackageID', 'Name']), 'PackageID,Name');
    assert.throws(() => buildSelect(['PackageID', 'Name,ImageProperty)']), InvalidODataInput);
  });
});

describe('OData envelopes', () => {
  it('reads the value array and the next link, leaving the rows for package-row.ts to read one by one', () => {
    const rows = [{ PackageID: 'PS100012', Name: 'Win 11' }, { PackageID: 12 }, null];
    const envelope = packageEnvelopeSchema.parse({ '@odata.context': 'x', value: rows, '@odata.nextLink': 'SMS_ImagePackage?page=2' });
    assert.deepEqual(envelope, { value: rows, '@odata.nextLink': 'SMS_ImagePackage?page=2' });
    assert.equal(packageEnvelopeSchema.parse({ value: [], '@odata.nextLink': null })['@odata.nextLink'], undefined);
  });

  const wrongShapes: Array<[string, unknown]> = [
    ['no value', { '@odata.context': 'x' }],
    ['value not an array', { value: { PackageID: 'a', Name: 'b' } }],
    ['value null', { value: null }],
    ['a next link that is a number', { value: [], '@odata.nextLink': 2 }],
    ['an array', [{ PackageID: 'PS1', Name: 'b' }]],
    ['null', null],
  ];
  for (const [name, body] of wrongShapes) {
    it(`rejects an envelope with ${name}`, () => {
      assert.equal(packageEnvelopeSchema.safeParse(body).success, false);
    });
  }

  const methodAnswers: Array<[string, unknown]> = [
    ['the result object itself', { '@odata.context': 'x', ReturnValue: 0, Extra: 'y' }],
    ['a value object', { value: { ReturnValue: 0, Extra: 'y' } }],
    ['a one-element value array', { value: [{ ReturnValue: 0, Extra: 'y' }] }],
  ];
  for (const [name, body] of methodAnswers) {
    it(`reads a method result given as ${name}`, () => {
      assert.deepEqual(methodResultSchema.parse(body), { ReturnValue: 0, Extra: 'y' });
    });
  }

  it('rejects a method result without a numeric ReturnValue', () => {
    assert.equal(methodResultSchema.safeParse({ ReturnValue: '0' }).success, false);
    assert.equal(methodResultSchema.safeParse({ value: [] }).success, false);
  });
});
