import assert from 'node:assert/strict';
import type { Command } from '../../../src/bot/commands/command';
import { MAX_COMMAND_LENGTH, MAX_RAW_TEXT_LENGTH, parseCommand } from '../../../src/bot/commands/command-parser';
import { stripMentions } from '../../../src/bot/commands/mentions';

describe('parseCommand', () => {
  // What each phrasing answers, and why: one package → its detail card (show); how current the media
  // is across the site → the stale view, narrowed by what the question names; a release or "what do
  // we have" → the list, narrowed; a kind word ("images") narrows either by kind.
  const cases: Array<{ say: string | undefined | null; means: Command; why: string }> = [
    // Commands as documented.
    { say: 'help', means: { name: 'help' }, why: 'the command' },
    { say: 'HELP', means: { name: 'help' }, why: 'any case' },
    { say: '/help', means: { name: 'help' }, why: 'a slash, as Teams command menus type it' },
    { say: '?', means: { name: 'help' }, why: 'a lone question mark asks what the bot does' },
    { say: 'list', means: { name: 'list', filter: '' }, why: 'the command' },
    { say: 'media', means: { name: 'list', filter: '' }, why: 'an alias' },
    { say: 'List 24H2', means: { name: 'list', filter: '24H2' }, why: 'a filter, as typed' },
    { say: 'media server 2025', means: { name: 'list', filter: 'server 2025' }, why: 'an alias with a filter' },
    { say: 'show PS100012', means: { name: 'show', query: 'PS100012' }, why: 'the command' },
    { say: 'build ps100012', means: { name: 'show', query: 'ps100012' }, why: 'an alias; the lookup ignores case' },
    { say: 'show', means: { name: 'list', filter: '' }, why: 'show of nothing: the list to pick from' },
    { say: 'editions PS100012', means: { name: 'editions', query: 'PS100012' }, why: 'the command' },
    { say: 'status', means: { name: 'status' }, why: 'the command' },
    { say: 'health', means: { name: 'status' }, why: 'an alias' },
    { say: 'state', means: { name: 'status' }, why: 'one letter from "stale", but people mean the state of the bot' },
    { say: '<at>Upgrade Media</at> list', means: { name: 'list', filter: '' }, why: 'a channel mention is dropped' },
    { say: '<at id="28:abc">Upgrade Media</at>   show   PS100012  ', means: { name: 'show', query: 'PS100012' }, why: 'mention and runs of spaces' },
    { say: 'show O\'Brien\'s "lab" media', means: { name: 'show', query: 'O\'Brien\'s "lab" media' }, why: 'quotes stay in the query' },
    { say: 'show Windows 11 24H2 Enterprise – Ünïcödé', means: { name: 'show', query: 'Windows 11 24H2 Enterprise – Ünïcödé' }, why: 'unicode stays' },
    { say: "show Name eq 'x' or 1 eq 1", means: { name: 'show', query: "Name eq 'x' or 1 eq 1" }, why: 'OData syntax is a query like any other' },
    { say: 'stale', means: { name: 'stale', filter: '' }, why: 'the command' },
    { say: 'behind', means: { name: 'stale', filter: '' }, why: 'an alias' },
    { say: '<at>Upgrade Media</at> Stale', means: { name: 'stale', filter: '' }, why: 'mention and case' },
    { say: 'stale 24H2', means: { name: 'stale', filter: '24H2' }, why: 'stale narrows by text like list (it ignored the text)' },
    { say: 'stale server 2022', means: { name: 'stale', filter: 'server 2022' }, why: 'a release as the filter' },
    { say: 'stale images', means: { name: 'stale', filter: '', kind: 'image' }, why: 'a kind word narrows by kind' },
    { say: 'stale out of support', means: { name: 'stale', filter: '', outOfSupport: true }, why: 'support words ask for media out of support' },
    { say: 'stale unsupported 24H2 images', means: { name: 'stale', filter: '24H2', kind: 'image', outOfSupport: true }, why: 'all three at once' },

    // Listing by kind (the issue: "list images" listed everything).
    { say: 'list images', means: { name: 'list', filter: '', kind: 'image' }, why: 'the issue' },
    { say: 'list upgrade packages', means: { name: 'list', filter: '', kind: 'upgrade' }, why: 'the issue' },
    { say: 'list os images 24H2', means: { name: 'list', filter: '24H2', kind: 'image' }, why: 'a kind and a filter' },
    { say: 'list 24H2 upgrades', means: { name: 'list', filter: '24H2', kind: 'upgrade' }, why: 'the kind word after the filter' },
    { say: 'list wims', means: { name: 'list', filter: '', kind: 'image' }, why: 'admins call images WIMs' },
    { say: 'show images', means: { name: 'list', filter: '', kind: 'image' }, why: 'show of a kind names no package: the list of that kind' },
    { say: 'show os image PS100012', means: { name: 'show', query: 'os image PS100012' }, why: 'an id wins over a kind word' },
    { say: 'show me the images 24H2', means: { name: 'list', filter: '24H2', kind: 'image' }, why: 'a list request in words' },
    { say: 'list packages', means: { name: 'list', filter: '' }, why: '"packages" are both kinds' },
    { say: 'what images do we have', means: { name: 'list', filter: '', kind: 'image' }, why: 'a question about what exists' },
    { say: 'which upgrade packages do we have for 24H2', means: { name: 'list', filter: '24H2', kind: 'upgrade' }, why: 'kind, "do we have" and a release' },
    { say: 'show me all media', means: { name: 'list', filter: '' }, why: 'everything' },
    { say: 'show me the packages 24H2', means: { name: 'list', filter: '24H2' }, why: 'the noun is dropped from the filter' },

    // "Show all" (the issue: "show all" searched for a package named "all").
    { say: 'show all', means: { name: 'list', filter: '' }, why: 'the issue' },
    { say: 'list everything', means: { name: 'list', filter: '' }, why: 'the issue' },
    { say: 'show everything', means: { name: 'list', filter: '' }, why: 'like "show all"' },
    { say: 'everything', means: { name: 'list', filter: '' }, why: 'one word for the whole list' },
    { say: 'all media', means: { name: 'list', filter: '' }, why: 'no verb, still the whole list' },

    // Releases on their own: the list narrowed to them.
    { say: 'Server 2022', means: { name: 'list', filter: 'Server 2022' }, why: 'the issue: a release alone' },
    { say: '24h2', means: { name: 'list', filter: '24h2' }, why: 'a release alone lists its media (it opened a choice of packages)' },
    { say: 'win11', means: { name: 'list', filter: 'win11' }, why: 'the short name; the lookup reads it as Windows 11' },
    { say: 'windows 11', means: { name: 'list', filter: 'windows 11' }, why: 'the release family' },
    { say: 'w11 24h2', means: { name: 'list', filter: 'w11 24h2' }, why: 'short name and version' },
    { say: 'win 10', means: { name: 'list', filter: 'win 10' }, why: 'short name with a space' },
    { say: 'Windows Server 2025', means: { name: 'list', filter: 'Windows Server 2025' }, why: 'a server release' },
    { say: 'ltsc 2021', means: { name: 'list', filter: 'ltsc 2021' }, why: 'an LTSC release' },
    { say: "what's the latest 24H2 media?", means: { name: 'list', filter: '24H2' }, why: 'the issue: the list of a release shows each build and how current it is' },
    { say: 'what is the newest win11 image', means: { name: 'list', filter: 'win11', kind: 'image' }, why: 'newest of a kind' },
    { say: 'what do we have for 25H2', means: { name: 'list', filter: '25H2' }, why: 'the issue: what exists for a release' },
    { say: 'what do we have', means: { name: 'list', filter: '' }, why: 'what exists at all' },
    { say: "what's available for server 2025", means: { name: 'list', filter: 'server 2025' }, why: 'another way to ask what exists' },

    // Is one package current? Its detail card says how far behind it is.
    { say: 'is PS100013 up to date?', means: { name: 'show', query: 'PS100013' }, why: 'the issue: one package' },
    { say: 'how far behind is PS100019', means: { name: 'show', query: 'PS100019' }, why: 'the issue: one package' },
    { say: 'PS100013 up to date?', means: { name: 'show', query: 'PS100013' }, why: 'no question word' },
    { say: 'is PS100012 current', means: { name: 'show', query: 'PS100012' }, why: 'current' },
    { say: 'how many updates behind is PS100012 now', means: { name: 'show', query: 'PS100012' }, why: 'a count of updates; "now" changes nothing' },
    { say: 'does PS100012 need updating', means: { name: 'show', query: 'PS100012' }, why: 'need for one package' },
    { say: 'is PS100012 still supported', means: { name: 'show', query: 'PS100012' }, why: 'its card says when its release ends' },
    { say: "what's the latest build of PS100012", means: { name: 'show', query: 'PS100012' }, why: 'the build of one package' },
    { say: 'is PS10012 up to date', means: { name: 'show', query: 'PS10012' }, why: 'a mistyped id: the lookup offers the nearest ids' },

    // Is a release current? The stale view, narrowed to it.
    { say: 'is win10 current?', means: { name: 'stale', filter: 'win10' }, why: 'the issue: a release across the media' },
    { say: 'win10 current?', means: { name: 'stale', filter: 'win10' }, why: 'no question word' },
    { say: 'is windows 11 24h2 up to date', means: { name: 'stale', filter: 'windows 11 24h2' }, why: 'a full release name' },
    { say: 'are our 24H2 images patched', means: { name: 'stale', filter: '24H2', kind: 'image' }, why: 'a release and a kind' },
    { say: 'how old are our images', means: { name: 'stale', filter: '', kind: 'image' }, why: 'a kind only' },
    { say: 'how far behind are we', means: { name: 'stale', filter: '' }, why: '"we" means the site' },
    { say: 'any stale 24H2 media?', means: { name: 'stale', filter: '24H2' }, why: 'the state before the subject' },
    { say: 'do our images need updating', means: { name: 'stale', filter: '', kind: 'image' }, why: 'need of a kind' },

    // Is anything out of date? The whole stale view.
    { say: 'which media needs updating', means: { name: 'stale', filter: '' }, why: 'the issue' },
    { say: 'show me everything that is out of date', means: { name: 'stale', filter: '' }, why: 'the issue' },
    { say: 'what media is behind?', means: { name: 'stale', filter: '' }, why: 'the media at large' },
    { say: 'which packages are out of date', means: { name: 'stale', filter: '' }, why: 'the media at large' },
    { say: 'is our media current?', means: { name: 'stale', filter: '' }, why: 'the media at large' },
    { say: 'is everything up to date', means: { name: 'stale', filter: '' }, why: 'everything' },
    { say: 'what needs updating', means: { name: 'stale', filter: '' }, why: 'no subject at all' },
    { say: 'what needs attention', means: { name: 'stale', filter: '' }, why: 'what the stale card is about' },
    { say: 'which images are stale', means: { name: 'stale', filter: '', kind: 'image' }, why: 'a kind' },
    { say: 'show me out of date images', means: { name: 'stale', filter: '', kind: 'image' }, why: 'the state before the noun' },
    { say: 'is it current', means: { name: 'stale', filter: '' }, why: '"it" without a conversation to refer to: the whole site' },

    // Out of support and ESU: the stale view, out of support only.
    { say: 'anything out of support?', means: { name: 'stale', filter: '', outOfSupport: true }, why: 'the issue' },
    { say: 'list unsupported media', means: { name: 'stale', filter: '', outOfSupport: true }, why: 'unsupported' },
    { say: 'is anything end of life', means: { name: 'stale', filter: '', outOfSupport: true }, why: 'end of life' },
    { say: 'which media needs ESU?', means: { name: 'stale', filter: '', outOfSupport: true }, why: 'ESU is for media whose servicing ended' },
    { say: 'what is on ESU', means: { name: 'stale', filter: '', outOfSupport: true }, why: 'ESU' },
    { say: 'do we have anything under ESU', means: { name: 'stale', filter: '', outOfSupport: true }, why: 'ESU, asked as "do we have"' },
    { say: 'is w10 still supported', means: { name: 'stale', filter: 'w10', outOfSupport: true }, why: 'a release; its media out of support, if any' },
    { say: 'is Server 2022 supported', means: { name: 'stale', filter: 'Server 2022', outOfSupport: true }, why: 'a server release' },
    { say: 'when does win10 go out of support', means: { name: 'stale', filter: 'win10', outOfSupport: true }, why: 'a date question; the rows give the end date' },
    { say: 'does windows 10 need ESU', means: { name: 'stale', filter: 'windows 10', outOfSupport: true }, why: 'ESU need of a release' },

    // Natural phrasings kept from before.
    { say: 'what build is 24H2', means: { name: 'show', query: '24H2' }, why: 'a build question: a choice when several match' },
    { say: 'What build is our 24H2 media?', means: { name: 'show', query: 'our 24H2 media' }, why: 'filler words are ignored by the lookup' },
    { say: "what's the build of PS100012", means: { name: 'show', query: 'PS100012' }, why: 'the build of one package' },
    { say: 'what is the build and revision of 24H2', means: { name: 'show', query: '24H2' }, why: 'build and revision' },
    { say: 'which editions are in PS100012', means: { name: 'editions', query: 'PS100012' }, why: 'editions question' },
    { say: 'which editions does PS100012 carry', means: { name: 'editions', query: 'PS100012 carry' }, why: '"carry" is a filler word of the lookup' },
    { say: 'editions of PS100012', means: { name: 'editions', query: 'of PS100012' }, why: '"of" is a filler word of the lookup' },
    { say: 'what editions are in the 24H2 media?', means: { name: 'editions', query: 'the 24H2 media' }, why: 'editions of a release' },
    { say: 'show me the editions of 25H2', means: { name: 'editions', query: '25H2' }, why: 'editions, asked with show' },
    { say: 'tell me about Server 2025', means: { name: 'show', query: 'Server 2025' }, why: 'about something' },
    { say: 'PS100012', means: { name: 'show', query: 'PS100012' }, why: 'an id alone' },
    { say: 'is configmgr up?', means: { name: 'status' }, why: 'a health question' },

    // Mistyped ids and command words.
    { say: 'PS10012', means: { name: 'show', query: 'PS10012' }, why: 'the issue: a digit missing; the lookup offers the nearest ids' },
    { say: 'ps1000l2', means: { name: 'show', query: 'ps1000l2' }, why: 'the issue: a letter l for a one' },
    { say: 'lsit', means: { name: 'did-you-mean', typed: 'lsit', suggestion: 'list' }, why: 'the issue: two letters swapped' },
    { say: 'staus', means: { name: 'did-you-mean', typed: 'staus', suggestion: 'status' }, why: 'the issue: a letter missing' },
    { say: 'shwo PS100012', means: { name: 'did-you-mean', typed: 'shwo PS100012', suggestion: 'show PS100012' }, why: 'the issue: the rest is kept' },
    { say: 'editons PS100012', means: { name: 'did-you-mean', typed: 'editons PS100012', suggestion: 'editions PS100012' }, why: 'the issue' },
    { say: 'lsit 24H2', means: { name: 'did-you-mean', typed: 'lsit 24H2', suggestion: 'list 24H2' }, why: 'with a filter' },
    { say: 'hlep', means: { name: 'did-you-mean', typed: 'hlep', suggestion: 'help' }, why: 'help' },
    { say: 'stael', means: { name: 'did-you-mean', typed: 'stael', suggestion: 'stale' }, why: 'stale' },
    { say: 'edtions of PS100012', means: { name: 'did-you-mean', typed: 'edtions of PS100012', suggestion: 'editions of PS100012' }, why: 'a letter missing in a long word' },
    { say: 'last update', means: { name: 'unknown', text: 'last update' }, why: '"last" is a word, not a typo of "list"' },
    { say: 'KB5083769', means: { name: 'unknown', text: 'KB5083769' }, why: 'a KB number is not a package id' },

    // Nothing to parse.
    { say: '', means: { name: 'empty' }, why: 'empty' },
    { say: '   ', means: { name: 'empty' }, why: 'blank' },
    { say: undefined, means: { name: 'empty' }, why: 'no text at all' },
    { say: null, means: { name: 'empty' }, why: 'null text' },
    { say: '<at>Upgrade Media</at>', means: { name: 'empty' }, why: 'a bare mention' },
    { say: '\u200B', means: { name: 'empty' }, why: 'a zero-width space' },
    { say: 'what is this?', means: { name: 'unknown', text: 'what is this' }, why: 'a question about no package' },
    { say: 'what about it', means: { name: 'unknown', text: 'what about it' }, why: 'filler only' },
    { say: 'deploy everything now', means: { name: 'unknown', text: 'deploy everything now' }, why: 'not a command; no typo of one' },
    { say: 'Windows 11 24H2 Enterprise x64', means: { name: 'unknown', text: 'Windows 11 24H2 Enterprise x64' }, why: 'a full name: the answers open it when the site has it' },
    { say: '🚀', means: { name: 'unknown', text: '🚀' }, why: 'an emoji' },
  ];
  for (const { say, means, why } of cases) {
    it(`reads ${JSON.stringify(say)} as ${JSON.stringify(means)} (${why})`, () => {
      assert.deepEqual(parseCommand(say), means);
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
      { text: `is ${'is '.repeat(160)}current`, why: 'a question head repeated (word-level reading)' },
      { text: `how far behind is ${'now '.repeat(120)}`, why: 'closing words repeated' },
      { text: `which ${'media that is '.repeat(37)}behind`, why: 'links between subject and state repeated' },
      { text: `does ${'need '.repeat(120)}updating`, why: 'need words repeated' },
      { text: `show me ${'out of '.repeat(70)}date`, why: 'a state phrase begun over and over' },
      { text: `lsit ${'lsit '.repeat(98)}`, why: 'a typo and its corrected text, re-parsed once' },
      { text: 'x'.repeat(MAX_COMMAND_LENGTH), why: 'one word as long as a command may be (edit distance is capped)' },
      { text: `${'win10 '.repeat(83)}`, why: 'release words repeated' },
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
