import assert from 'node:assert/strict';
import { MAX_RAW_TEXT_LENGTH, parseCommand, stripMentions, type Command } from '../../src/bot/command-parser';

describe('parseCommand', () => {
  const cases: Array<[string | undefined | null, Command]> = [
    ['help', { name: 'help' }],
    ['HELP', { name: 'help' }],
    ['/help', { name: 'help' }],
    ['?', { name: 'help' }],
    ['list', { name: 'list', filter: '' }],
    ['media', { name: 'list', filter: '' }],
    ['List 24H2', { name: 'list', filter: '24H2' }],
    ['media server 2025', { name: 'list', filter: 'server 2025' }],
    ['show PS100012', { name: 'show', query: 'PS100012' }],
    ['build ps100012', { name: 'show', query: 'ps100012' }],
    ['show', { name: 'list', filter: '' }],
    ['editions PS100012', { name: 'editions', query: 'PS100012' }],
    ['status', { name: 'status' }],
    ['health', { name: 'status' }],
    ['<at>Upgrade Media</at> list', { name: 'list', filter: '' }],
    ['<at id="28:abc">Upgrade Media</at>   show   PS100012  ', { name: 'show', query: 'PS100012' }],
    ['show O\'Brien\'s "lab" media', { name: 'show', query: 'O\'Brien\'s "lab" media' }],
    ['show Windows 11 24H2 Enterprise – Ünïcödé', { name: 'show', query: 'Windows 11 24H2 Enterprise – Ünïcödé' }],
    ["show Name eq 'x' or 1 eq 1", { name: 'show', query: "Name eq 'x' or 1 eq 1" }],
    // Natural phrasings admins type.
    ['what build is 24H2', { name: 'show', query: '24H2' }],
    ['What build is our 24H2 media?', { name: 'show', query: 'our 24H2 media' }],
    ["what's the build of PS100012", { name: 'show', query: 'PS100012' }],
    ['what is the build and revision of 24H2', { name: 'show', query: '24H2' }],
    ['which editions are in PS100012', { name: 'editions', query: 'PS100012' }],
    ['which editions does PS100012 carry', { name: 'editions', query: 'PS100012 carry' }],
    ['editions of PS100012', { name: 'editions', query: 'of PS100012' }],
    ['what editions are in the 24H2 media?', { name: 'editions', query: 'the 24H2 media' }],
    ['show me the editions of 25H2', { name: 'editions', query: '25H2' }],
    ['show me all media', { name: 'list', filter: '' }],
    ['show me the packages 24H2', { name: 'list', filter: '24H2' }],
    ['tell me about Server 2025', { name: 'show', query: 'Server 2025' }],
    ['PS100012', { name: 'show', query: 'PS100012' }],
    ['24h2', { name: 'show', query: '24h2' }],
    ['is configmgr up?', { name: 'status' }],
    ['stale', { name: 'stale' }],
    ['behind', { name: 'stale' }],
    ['<at>Upgrade Media</at> Stale', { name: 'stale' }],
    ['what media is behind?', { name: 'stale' }],
    ['which packages are out of date', { name: 'stale' }],
    ['is our media current?', { name: 'stale' }],
    // Nothing to parse.
    ['', { name: 'empty' }],
    ['   ', { name: 'empty' }],
    [undefined, { name: 'empty' }],
    [null, { name: 'empty' }],
    ['<at>Upgrade Media</at>', { name: 'empty' }],
    ['\u200B', { name: 'empty' }],
    ['what is this?', { name: 'unknown', text: 'what is this' }],
    ['what about it', { name: 'unknown', text: 'what about it' }],
    ['deploy everything now', { name: 'unknown', text: 'deploy everything now' }],
    ['🚀', { name: 'unknown', text: '🚀' }],
  ];
  for (const [text, expected] of cases) {
    it(`reads ${JSON.stringify(text)} as ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(parseCommand(text), expected);
    });
  }

  it('refuses 10 KB of text without parsing it', () => {
    const text = `show ${'x'.repeat(10 * 1024)}`;
    assert.deepEqual(parseCommand(text), { name: 'too-long', length: text.length });
  });

  it('strips mentions like the regex it replaces, case-insensitively', () => {
    const cases: Array<[string, string, string]> = [
      ['<at>Bot</at> list', '  list', 'a plain mention'],
      ['<AT id="28:x">Bot</AT>list', ' list', 'upper case with attributes'],
      ['<at>A</at> and <at>B</at>', '  and  ', 'two mentions'],
      ['<atx>no</atx> list', '<atx>no</atx> list', '"<atx" is not a mention tag'],
      ['<at>open but never closed', '<at>open but never closed', 'no "</at>": nothing to strip'],
      ['<at no end', '<at no end', 'no ">": nothing to strip'],
      ['<at>a</at><at>b', ' <at>b', 'the second mention is not closed'],
      ['<at>x</at', '<at>x</at', 'a close tag without ">"'],
    ];
    for (const [text, expected, why] of cases) assert.equal(stripMentions(text), expected, why);
  });

  describe('a turn has a bounded cost, whatever the text (it took seconds before)', () => {
    // Generous bound for a noisy 2-core machine; the mention regex took 6 to 19 s on these 250 KB texts.
    const BOUND_MS = 100;
    const shapes: Array<{ text: string; why: string }> = [
      { text: '<at>'.repeat(62_500), why: '250 KB of "<at>": 7 s before' },
      { text: '<at '.repeat(62_500), why: '250 KB of "<at ": 19 s before' },
      { text: '<at>x'.repeat(50_000), why: '250 KB of "<at>x" never closed: 6 s before' },
      { text: '<at>'.repeat(MAX_RAW_TEXT_LENGTH / 4), why: '"<at>" up to the raw cap goes through mention stripping' },
      { text: '<at '.repeat(MAX_RAW_TEXT_LENGTH / 4), why: '"<at " up to the raw cap' },
      { text: `${'<at>x</at>'.repeat(400)}list`, why: 'hundreds of closed mentions under the raw cap' },
      { text: `what is ${'?'.repeat(490)} x`, why: 'a run of punctuation that is not at the end (tidy)' },
      { text: `list${'.'.repeat(490)}`, why: 'a run of trailing punctuation' },
      { text: `which editions ${'of '.repeat(160)}`, why: 'a phrase pattern with repeated optional words' },
      { text: `is ${' '.repeat(4000)}media current`, why: 'whitespace runs collapse before the phrases' },
      { text: `show ${'a.'.repeat(240)}`, why: 'a query of dots for the package lookup' },
    ];
    for (const { text, why } of shapes) {
      it(`parses ${why} in under ${BOUND_MS} ms`, () => {
        const started = process.hrtime.bigint();
        const command = parseCommand(text);
        const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
        assert.ok(elapsedMs < BOUND_MS, `${elapsedMs.toFixed(1)} ms for ${why} (${command.name})`);
        if (text.length > MAX_RAW_TEXT_LENGTH) assert.deepEqual(command, { name: 'too-long', length: text.length });
      });
    }
  });
});
