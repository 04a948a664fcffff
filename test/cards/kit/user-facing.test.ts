import assert from 'node:assert/strict';
import { LOCAL_PATH_WORDING, userFacingSentence } from '../../../src/cards/kit/user-facing';
import { editionsCard } from '../../../src/cards/media/editions-card';
import { mediaDetailCard } from '../../../src/cards/media/detail-card';
import type { CardContext } from '../../../src/cards/kit/adaptive-card';
import { UNREADABLE_IMAGE } from '../../../src/cards/share-facts';
import { assertValidCard } from '../../support/assert-valid-card';
import { cardText } from '../../support/bot-client';
import { displayed } from '../../support/displayed-text';
import { makeInspection, makePackage } from '../../support/media-fixtures';

const FALLBACK = 'It could not be read; the log has the details.';
const live: CardContext = { demo: false, syncedAt: new Date('2026-11-25T10:00:00Z') };

describe('userFacingSentence', () => {
  const cases: Array<{ text: string | undefined; expected: string; why: string }> = [
    { text: 'install.wim is truncated: copy it again.', expected: 'install.wim is truncated: copy it again.', why: 'a sentence stays as it is' },
    { text: 'install.wim cannot be read (EIO).', expected: 'install.wim cannot be read.', why: 'an errno code goes to the log' },
    { text: 'could not be read (ENOENT, lstat).', expected: 'could not be read.', why: 'an errno note with its syscall' },
    {
      text: 'The share for \\\\cm01\\OSD$ is not mounted at /mnt/osd; mount it there to see the files.',
      expected: `The share for \\\\cm01\\OSD$ is not mounted at ${LOCAL_PATH_WORDING}; mount it there to see the files.`,
      why: 'a local mount path is named, not shown',
    },
    { text: "sources/install.wim in '/srv/media/W11' is empty.", expected: `sources/install.wim in '${LOCAL_PATH_WORDING}' is empty.`, why: 'a quoted local path; relative paths stay' },
    { text: "EACCES: permission denied, open '/mnt/osd/x/install.wim'", expected: FALLBACK, why: "Node's raw error message" },
    { text: 'TypeError: Cannot read properties of undefined', expected: FALLBACK, why: 'an exception message' },
    { text: 'Error: boom\n    at Object.<anonymous> (/app/dist/x.js:1:2)', expected: FALLBACK, why: 'a stack' },
    { text: 'install.wim cannot be read.\n    at readWim (/app/dist/src/services/media/wim-reader.js:10:5)', expected: 'install.wim cannot be read.', why: 'the first line only' },
    { text: 'read failed, errno -5', expected: FALLBACK, why: 'an errno number' },
    { text: '', expected: FALLBACK, why: 'nothing to say' },
    { text: undefined, expected: FALLBACK, why: 'no text at all' },
    { text: '22H2/23H2 media and sources/install.wim', expected: '22H2/23H2 media and sources/install.wim', why: 'slashes inside words are not paths' },
  ];
  for (const { text, expected, why } of cases) {
    it(`${why}: ${JSON.stringify(text)}`, () => assert.equal(userFacingSentence(text, FALLBACK), expected));
  }
});

describe('cards show no local path and no raw error', () => {
  const inspected = makeInspection({
    localPath: '/mnt/osd/Upgrade/W11-24H2-x64',
    installImage: {
      relativePath: 'sources/install.wim',
      error: "EIO: i/o error, read\n    at async FileHandle.read (node:internal/fs/promises:1:1)",
      sizeBytes: 1024,
      modifiedAt: new Date('2025-06-11T08:00:00Z'),
    },
    buildFile: { name: 'BuildNumber.txt', present: true, problem: 'could not be read (EIO)' },
  });
  const pkg = makePackage({ sourcePath: '\\\\cm01.contoso.com\\Sources$\\OSD\\W11', inspection: inspected });
  const cards = [
    ['detail', mediaDetailCard(pkg, live)],
    ['editions', editionsCard(pkg, live)],
    ['detail, not inspected', mediaDetailCard(makePackage({ inspection: { state: 'not-inspected', reason: 'The share for \\\\cm01\\OSD$ is not mounted at /mnt/osd; mount it there to see the files.' } }), live)],
    ['detail, unreadable editions', mediaDetailCard(makePackage({ editionsState: { state: 'unreadable', reason: 'SyntaxError: Unexpected token < in JSON at position 0' }, editions: [] }), live)],
  ] as const;
  for (const [name, card] of cards) {
    it(`on the ${name} card`, () => {
      assertValidCard(card);
      const text = displayed(cardText(card));
      assert.doesNotMatch(text, /\/mnt\/osd/, 'no local mount path');
      assert.doesNotMatch(text, /\bE(IO|ACCES|NOENT)\b|node:internal|\bat async\b|SyntaxError/, 'no errno code, stack or exception');
    });
  }
  it('says where the files were read from with the UNC path ConfigMgr knows', () => {
    assert.match(displayed(cardText(cards[0][1])), /Read from\n\\\\cm01\.contoso\.com\\Sources\$\\OSD\\W11/);
  });
  it('says in a sentence that the install image could not be read', () => {
    assert.ok(displayed(cardText(cards[0][1])).includes(UNREADABLE_IMAGE));
  });
});
