import assert from 'node:assert/strict';
import { judgeContentHeaders } from '../../src/http/content-headers';
import { nestsDeeperThan } from '../../src/http/json-nesting';
import { describeOutsideValue } from '../../src/services/shared/outside-value';

describe('judgeContentHeaders', () => {
  const cases: Array<{ why: string; type?: string; encoding?: string; expected: string }> = [
    { why: 'what the channel sends', type: 'application/json; charset=utf-8', expected: 'identity' },
    { why: 'no charset means UTF-8 for JSON', type: 'application/json', expected: 'identity' },
    { why: 'media types are case-insensitive', type: 'Application/JSON; Charset="UTF-8"', expected: 'identity' },
    { why: 'gzip is inflated under the limit', type: 'application/json', encoding: 'gzip', expected: 'gzip' },
    { why: 'x-gzip is the old name of gzip', type: 'application/json', encoding: 'x-gzip', expected: 'gzip' },
    { why: 'deflate is inflated under the limit', type: 'application/json', encoding: 'Deflate', expected: 'deflate' },
    { why: 'identity alongside one layer is one layer', type: 'application/json', encoding: 'identity, gzip', expected: 'gzip' },
    { why: 'no content type', expected: 'refused' },
    { why: 'forms reach no parser', type: 'application/x-www-form-urlencoded', expected: 'refused' },
    { why: 'uploads reach no parser', type: 'multipart/form-data; boundary=x', expected: 'refused' },
    { why: 'JSON-like types are not JSON', type: 'application/merge-patch+json', expected: 'refused' },
    { why: 'only UTF-8', type: 'application/json; charset=utf-16', expected: 'refused' },
    { why: 'brotli is not inflated', type: 'application/json', encoding: 'br', expected: 'refused' },
    { why: 'two layers would be two inflations', type: 'application/json', encoding: 'gzip, deflate', expected: 'refused' },
    { why: 'nothing inherited from Object.prototype is an encoding', type: 'application/json', encoding: 'constructor', expected: 'refused' },
  ];
  for (const { why, type, encoding, expected } of cases) {
    it(`${expected === 'refused' ? 'refuses' : `reads as ${expected}`}: ${why}`, () => {
      const verdict = judgeContentHeaders(type, encoding);
      assert.equal(verdict.accepted ? verdict.compression : 'refused', expected);
    });
  }
});

describe('nestsDeeperThan', () => {
  const cases: Array<{ why: string; text: string; max: number; deeper: boolean }> = [
    { why: 'flat object', text: '{"a":1}', max: 1, deeper: false },
    { why: 'exactly at the cap', text: '[[[]]]', max: 3, deeper: false },
    { why: 'one past the cap', text: '[[[[]]]]', max: 3, deeper: true },
    { why: 'brackets inside strings are text', text: '{"a":"[[[[[[[["}', max: 1, deeper: false },
    { why: 'an escaped quote does not end the string', text: '{"a":"\\"[[[[[["}', max: 1, deeper: false },
    { why: 'an escaped backslash does end it', text: '{"a":"\\\\","b":[[[]]]}', max: 3, deeper: true },
    { why: 'depth is the deepest point, not the count', text: '[[],[],[],[]]', max: 2, deeper: false },
    { why: '100,000 levels without recursion', text: '['.repeat(100_000), max: 64, deeper: true },
  ];
  for (const { why, text, max, deeper } of cases) {
    it(`${deeper ? 'finds' : 'does not find'} nesting past ${max}: ${why}`, () => {
      assert.equal(nestsDeeperThan(text, max), deeper);
    });
  }
});

describe('describeOutsideValue', () => {
  const cases: Array<{ why: string; value: unknown; expected: object }> = [
    { why: 'a long string is cut to a head', value: 'v'.repeat(250_000), expected: { type: 'string', length: 250_000, head: `${'v'.repeat(60)}…` } },
    { why: 'a short string is shown whole', value: 'showDetail', expected: { type: 'string', length: 10, head: 'showDetail' } },
    { why: 'line breaks cannot forge log lines', value: 'a\nb', expected: { type: 'string', length: 3, head: 'a\\u000ab' } },
    { why: 'an array is counted, not shown', value: ['x'.repeat(1000)], expected: { type: 'array', length: 1 } },
    { why: 'an object is counted, not shown', value: { a: 'x'.repeat(1000), b: 1 }, expected: { type: 'object', length: 2 } },
    { why: 'null is a type of its own', value: null, expected: { type: 'null' } },
    { why: 'absent', value: undefined, expected: { type: 'undefined' } },
    { why: 'a number is short', value: 42, expected: { type: 'number', head: '42' } },
  ];
  for (const { why, value, expected } of cases) {
    it(`describes ${why}`, () => {
      assert.deepEqual(describeOutsideValue(value), expected);
    });
  }
});
