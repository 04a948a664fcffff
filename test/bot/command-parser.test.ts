import assert from 'node:assert/strict';
import { parseCommand, type Command } from '../../src/bot/command-parser';

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
});
