import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReleaseDataInvalid, parseReleaseData } from '../../../src/services/releases/release-data-schema';

const update = (revision: number, fields: Record<string, unknown> = {}) => ({ revision, kb: `KB50${revision}`.padEnd(9, '0'), date: '2026-08-11', ...fields });
const line = (release: string, fields: Record<string, unknown> = {}) => ({ release, product: 'client', build: 26100, ...fields });
const document = (...lines: unknown[]) => ({ asOf: '2026-08-11', lines });

describe('parseReleaseData', () => {
  describe('an update without a KB', () => {
    it('keeps a revision that a CVE record confirms without naming its KB', () => {
      const { kb: _kb, ...withoutKb } = update(5622, { source: 'https://github.com/CVEProject/cvelistV5/blob/main/cves/2026/85xxx/CVE-2026-85880.json' });
      const data = parseReleaseData(document(line('Windows Server 2022', { product: 'server', build: 20348, updates: [withoutKb] })), 'feed');
      assert.equal(data.lines[0].updates[0].revision, 5622);
      assert.equal('kb' in data.lines[0].updates[0], false);
    });

    it('still refuses a KB that does not read like one', () => {
      assert.throws(() => parseReleaseData(document(line('Windows 11 24H2', { updates: [update(9168, { kb: '5121003' })] })), 'feed'), /KB5083769/);
    });
  });

  describe('the source of each update', () => {
    const accepted: { why: string; source: string }[] = [
      { why: 'an https KB page', source: 'https://support.microsoft.com/help/5121003' },
      { why: 'a plain http page', source: 'http://example.org/kb' },
      { why: 'a CVE record with a path and query', source: 'https://github.com/CVEProject/cvelistV5/blob/main/cves/2026/85xxx/CVE-2026-85880.json?plain=1' },
      { why: 'exactly 300 characters', source: `https://example.org/${'a'.repeat(280)}` },
    ];
    for (const { why, source } of accepted) {
      it(`keeps ${why} as the update's citation`, () => {
        const data = parseReleaseData(document(line('Windows 11 24H2', { updates: [update(9168, { source })] })), 'feed');
        assert.equal(data.lines[0].updates[0].citation, source);
      });
    }

    const refused: { why: string; source: unknown; message: RegExp }[] = [
      { why: 'a javascript: link, which a card would make clickable', source: 'javascript:alert(1)', message: /http\(s\) URL/ },
      { why: 'a file path', source: 'file:///etc/passwd', message: /http\(s\) URL/ },
      { why: 'a URL with a space', source: 'https://example.org/a b', message: /without spaces/ },
      { why: 'a URL with a line break', source: 'https://example.org/a\nb', message: /without spaces/ },
      { why: 'more than 300 characters', source: `https://example.org/${'a'.repeat(281)}`, message: /at most 300/ },
      { why: 'a scheme without a host', source: 'https://', message: /http\(s\) URL/ },
      { why: 'a number', source: 5121003, message: /expected string/i },
    ];
    for (const { why, source, message } of refused) {
      it(`refuses ${why}`, () => {
        assert.throws(
          () => parseReleaseData(document(line('Windows 11 24H2', { updates: [update(9168, { source })] })), 'feed'),
          (error: unknown) => error instanceof ReleaseDataInvalid && /lines\.0\.updates\.0\.source/.test(error.message) && message.test(error.message),
        );
      });
    }

    it('leaves the citation out when the update names no source', () => {
      const data = parseReleaseData(document(line('Windows 11 24H2', { updates: [update(9168)] })), 'feed');
      assert.equal('citation' in data.lines[0].updates[0], false);
    });
  });

  describe('a line that takes its updates from another', () => {
    const donor = line('Windows 11 24H2', { updates: [update(9168, { source: 'https://support.microsoft.com/help/5121003' }), update(8875)] });

    it('gets its own sorted copy of the other line\'s updates', () => {
      const data = parseReleaseData(document(donor, line('Windows 11 Enterprise LTSC 2024', { updatesFrom: 'windows 11 24h2', endOfServicing: '2029-10-09' })), 'snapshot');
      const [general, ltsc] = data.lines;
      assert.deepEqual(ltsc.updates, general.updates);
      assert.deepEqual(ltsc.updates.map((u) => u.revision), [8875, 9168]);
      assert.notEqual(ltsc.updates, general.updates, 'an array of its own');
      assert.notEqual(ltsc.updates[1], general.updates[1], 'objects of its own, so that changing one line never changes another');
      assert.equal(ltsc.updates[1].citation, 'https://support.microsoft.com/help/5121003');
      assert.equal(ltsc.endOfServicing?.toISOString(), '2029-10-09T00:00:00.000Z');
      assert.equal('updatesFrom' in ltsc, false, 'the document\'s shorthand does not leak into ReleaseLine');
    });

    it('may borrow from a line of the other product (LTSC 2019 gets Server 2019\'s updates)', () => {
      const server = line('Windows Server 2019', { product: 'server', build: 17763, updates: [update(9121)] });
      const data = parseReleaseData(document(server, line('Windows 10 Enterprise LTSC 2019', { build: 17763, updatesFrom: 'Windows Server 2019' })), 'snapshot');
      assert.deepEqual(data.lines[1].updates.map((u) => u.revision), [9121]);
    });

    const refused: { why: string; lines: unknown[]; message: RegExp }[] = [
      { why: 'a line with neither updates nor updatesFrom', lines: [line('Windows 11 24H2')], message: /lines\.0\.updates: Windows 11 24H2 needs either updates or updatesFrom/ },
      { why: 'a line with both', lines: [donor, line('Windows 11 25H2', { updates: [update(9168)], updatesFrom: 'Windows 11 24H2' })], message: /lines\.1\.updates: .*not both/ },
      { why: 'an updatesFrom naming no line', lines: [donor, line('Windows 11 Enterprise LTSC 2024', { updatesFrom: 'Windows 11 24H3' })], message: /lines\.1\.updatesFrom: .*"Windows 11 24H3", which must be exactly one line/ },
      { why: 'a chain (borrowing from a line that borrows)', lines: [donor, line('Windows 11 Enterprise LTSC 2024', { updatesFrom: 'Windows 11 24H2' }), line('Windows 11 IoT Enterprise LTSC 2024', { updatesFrom: 'Windows 11 Enterprise LTSC 2024' })], message: /lines\.2\.updatesFrom/ },
      { why: 'a line borrowing from itself', lines: [line('Windows 11 24H2', { updatesFrom: 'Windows 11 24H2' })], message: /lines\.0\.updatesFrom/ },
      { why: 'a name shared by a client and a server line', lines: [donor, line('Windows 11 24H2', { product: 'server', updates: [update(1)] }), line('Windows 11 Enterprise LTSC 2024', { updatesFrom: 'Windows 11 24H2' })], message: /lines\.2\.updatesFrom/ },
    ];
    for (const { why, lines, message } of refused) {
      it(`refuses ${why}`, () => {
        assert.throws(() => parseReleaseData(document(...lines), 'feed'), (error: unknown) => error instanceof ReleaseDataInvalid && message.test(error.message));
      });
    }
  });

  it('reads the lifecycle dates and their source', () => {
    const data = parseReleaseData(
      document(line('Windows Server 2022', { product: 'server', build: 20348, updates: [update(5499)], endOfServicing: '2031-10-14', mainstreamEnd: '2026-10-13', lifecycleSource: 'https://learn.microsoft.com/lifecycle/products/windows-server-2022' }),
        line('Windows 11 24H2', { updates: [update(9168)], endOfServicing: '2027-10-12', homeProEnd: '2026-10-13' })),
      'feed',
    );
    const [server, client] = data.lines;
    assert.equal(server.endOfServicing?.toISOString().slice(0, 10), '2031-10-14');
    assert.equal(server.mainstreamEnd?.toISOString().slice(0, 10), '2026-10-13');
    assert.equal(server.lifecycleCitation, 'https://learn.microsoft.com/lifecycle/products/windows-server-2022');
    assert.equal(client.homeProEnd?.toISOString().slice(0, 10), '2026-10-13');
    assert.equal('mainstreamEnd' in client, false);
  });

  it('refuses a lifecycle date that is not a calendar date', () => {
    assert.throws(
      () => parseReleaseData(document(line('Windows 11 24H2', { updates: [update(9168)], homeProEnd: '2026-02-30' })), 'feed'),
      /lines\.0\.homeProEnd: 2026-02-30 is not a calendar date/,
    );
  });

  it('parses the example document of FEED.md', () => {
    const feedDoc = readFileSync(join(__dirname, '../../../src/services/releases/FEED.md'), 'utf8');
    const example = /## Document\n```json\n([\s\S]*?)\n```/.exec(feedDoc)?.[1];
    assert.ok(example, 'FEED.md has a JSON example under "## Document"');
    const data = parseReleaseData(JSON.parse(example), 'feed');
    const ltsc = data.lines.find((candidate) => candidate.release === 'Windows 11 Enterprise LTSC 2024');
    assert.deepEqual(ltsc?.updates.map((u) => u.revision), [9445, 9457]);
  });
});
