import assert from 'node:assert/strict';
import { defuseLinks, escapeMarkdown, escapeText, shorten } from '../../../src/cards/kit/text';
import { displayed } from '../../support/displayed-text';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const graphemes = (text: string) => Array.from(new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text), (s) => s.segment);

describe('shorten', () => {
  const texts: Array<{ text: string; why: string }> = [
    { text: '👨‍👩‍👧‍👦👩🏽‍💻🏳️‍🌈🇩🇪🇯🇵👍🏿'.repeat(6), why: 'ZWJ families, skin tones, a rainbow flag and regional-indicator flags' },
    { text: 'Windows 11 24H2 🚀 Enterprise 🇺🇸 x64 👨‍💻'.repeat(3), why: 'emoji inside an ordinary name' },
    { text: 'e\u0301a\u0308o\u0302 Ünïcödé 日本語 한국어 '.repeat(4), why: 'combining accents, CJK and Hangul' },
    { text: `x${'\u0301'.repeat(300)}yz`, why: 'one grapheme of 301 code units: longer than any cut' },
  ];
  for (const { text, why } of texts) {
    it(`never breaks a grapheme, at any length: ${why}`, () => {
      const whole = graphemes(text);
      for (let max = 0; max <= text.length + 1; max++) {
        const cut = shorten(text, max);
        assert.ok(cut.length <= max, `at most ${max} code units, got ${cut.length}`);
        assert.ok(!LONE_SURROGATE.test(cut), `no lone surrogate at ${max}`);
        assert.doesNotThrow(() => encodeURIComponent(cut), 'valid UTF-16');
        if (cut === text) continue;
        const kept = cut.endsWith('…') ? cut.slice(0, -1) : cut;
        const keptGraphemes = graphemes(kept);
        assert.deepEqual(keptGraphemes, whole.slice(0, keptGraphemes.length), `whole graphemes, a prefix of the text, at ${max}`);
      }
    });
  }

  it('leaves text within the limit as it is, and cuts without an ellipsis when asked', () => {
    assert.equal(shorten('24H2', 4), '24H2');
    assert.equal(shorten('Windows 11', 5), 'Wind…');
    assert.equal(shorten('Windows 11', 5, { ellipsis: '' }), 'Windo');
    assert.equal(shorten('🇩🇪🇩🇪', 5, { ellipsis: '' }), '🇩🇪', 'a flag is 4 code units: the second does not fit');
  });

  it('is what the old cuts were not: slice and Array.from split these', () => {
    const family = 'ab👨‍👩‍👧';
    assert.ok(LONE_SURROGATE.test(family.slice(0, 3)), 'slice(0, 3) splits the man emoji');
    assert.notDeepEqual(graphemes(Array.from(family).slice(0, 4).join('')).at(-1), '👨‍👩‍👧', 'a code-point cut splits the ZWJ family');
    assert.equal(shorten(family, 4), 'ab…');
  });
});

describe('escapeMarkdown and defuseLinks', () => {
  it('escapes every character with a markdown meaning, and line-start markers only at line start', () => {
    const cases: Array<[string, string, string]> = [
      ['*b* _i_ `c` [l](u) <h> # | ~ & ! {x} \\', '\\*b\\* \\_i\\_ \\`c\\` \\[l\\]\\(u\\) \\<h\\> \\# \\| \\~ \\& \\! \\{x\\} \\\\', 'inline markers anywhere'],
      ['- item', '\\- item', 'a bullet at line start'],
      ['+ item', '\\+ item', 'a plus bullet'],
      ['1. item', '1\\. item', 'a numbered item'],
      ['12. item\n - two', '12\\. item\n \\- two', 'on every line, after leading spaces'],
      ['a - b + c 1. d', 'a - b + c 1. d', 'the same characters inside a line mean nothing'],
      ['10.0.26100.4349', '10.0.26100.4349', 'a build number is not a list'],
      ['> quote', '\\> quote', 'a quote'],
      ['===', '\\===', 'a setext underline'],
      ['Plain – ünïcode 🚀', 'Plain – ünïcode 🚀', 'nothing to escape'],
    ];
    for (const [text, expected, why] of cases) assert.equal(escapeMarkdown(text), expected, why);
  });

  it('breaks schemes and domains with an invisible joiner, and nothing else', () => {
    const cases: Array<[string, string, string]> = [
      ['https://evil.example/login', 'https:\u200D//evil\u200D.\u200Dexample/login', 'a scheme and a domain'],
      ['www.evil.com', 'www\u200D.\u200Devil\u200D.\u200Dcom', 'www. and a domain'],
      ['mail a@evil.com', 'mail a@evil\u200D.\u200Dcom', 'an e-mail address'],
      ['26100.4349 and v1.2', '26100.4349 and v1.2', 'numbers keep their dots'],
      ['end. Next', 'end. Next', 'a sentence end is not a domain'],
    ];
    for (const [text, expected, why] of cases) assert.equal(defuseLinks(text), expected, why);
  });

  it('keeps the text readable: what Teams displays is what was written', () => {
    for (const text of ['[Reset your password](https://evil.example/login)', '**x** [y](http://evil)', '1. a\n- b\n> c', 'C:\\Windows\\*']) {
      assert.equal(displayed(escapeText(text)), text);
    }
  });
});
