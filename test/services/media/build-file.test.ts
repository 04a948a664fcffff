import assert from 'node:assert/strict';
import { MAX_BUILD_FILE_BYTES, parseBuildFile } from '../../../src/services/media/build-file';

const utf8Bom = (text: string): Buffer => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
const utf16le = (text: string): Buffer => Buffer.from(text, 'utf16le');
const utf16leBom = (text: string): Buffer => Buffer.concat([Buffer.from([0xff, 0xfe]), utf16le(text)]);
const utf16beBom = (text: string): Buffer => Buffer.concat([Buffer.from([0xfe, 0xff]), utf16le(text).swap16()]);

const build = (b: number, revision: number, major = 10, minor = 0) => ({ major, minor, build: b, revision });

describe('parseBuildFile', () => {
  const readable: Array<{ behaviour: string; bytes: Buffer; text: string; build: ReturnType<typeof build> }> = [
    { behaviour: 'reads a two-part build', bytes: Buffer.from('26100.4349'), text: '26100.4349', build: build(26100, 4349) },
    { behaviour: 'reads a four-part build', bytes: Buffer.from('10.0.26100.4349'), text: '10.0.26100.4349', build: build(26100, 4349) },
    { behaviour: 'reads a build after a word', bytes: Buffer.from('Build 26100.4349'), text: 'Build 26100.4349', build: build(26100, 4349) },
    { behaviour: 'reads a build followed by a date', bytes: Buffer.from('26100.4349 (2025-06)'), text: '26100.4349 (2025-06)', build: build(26100, 4349) },
    { behaviour: 'reads a build in a sentence that ends with a full stop', bytes: Buffer.from('Serviced to 26100.6584.'), text: 'Serviced to 26100.6584.', build: build(26100, 6584) },
    { behaviour: 'does not take a dotted date for a build', bytes: Buffer.from('2025.06.10 26100.6584'), text: '2025.06.10 26100.6584', build: build(26100, 6584) },
    { behaviour: 'reads UTF-8 with a BOM', bytes: utf8Bom('26100.4349\r\n'), text: '26100.4349', build: build(26100, 4349) },
    { behaviour: 'reads CRLF line ends', bytes: Buffer.from('26100.4349\r\nserviced by OSDBuilder\r\n'), text: '26100.4349', build: build(26100, 4349) },
    { behaviour: 'reads old Mac CR line ends', bytes: Buffer.from('22631.6936\rnotes'), text: '22631.6936', build: build(22631, 6936) },
    { behaviour: 'skips leading blank lines and whitespace', bytes: Buffer.from('\n\n  \t 19045.7184  \n'), text: '19045.7184', build: build(19045, 7184) },
    { behaviour: 'reads UTF-16LE with a BOM (PowerShell Out-File)', bytes: utf16leBom('10.0.26100.4349\r\n'), text: '10.0.26100.4349', build: build(26100, 4349) },
    { behaviour: 'reads UTF-16BE with a BOM', bytes: utf16beBom('26100.4349\r\n'), text: '26100.4349', build: build(26100, 4349) },
    { behaviour: 'reads UTF-16LE without a BOM', bytes: utf16le('26200.6584'), text: '26200.6584', build: build(26200, 6584) },
    { behaviour: 'reads ANSI text with an accented word', bytes: Buffer.from('Révision 26100.4349', 'latin1'), text: 'Révision 26100.4349', build: build(26100, 4349) },
    { behaviour: 'reads a Server 2025 revision of five digits', bytes: Buffer.from('26100.32522'), text: '26100.32522', build: build(26100, 32522) },
    { behaviour: 'accepts the same build written twice', bytes: Buffer.from('10.0.26100.4349 (26100.4349)'), text: '10.0.26100.4349 (26100.4349)', build: build(26100, 4349) },
  ];
  for (const { behaviour, bytes, text, build: expected } of readable) {
    it(behaviour, () => {
      assert.deepEqual(parseBuildFile(bytes), { text, build: expected });
    });
  }

  const problems: Array<{ behaviour: string; bytes: Buffer; problem: string; text?: string }> = [
    { behaviour: 'says garbage is not a build number', bytes: Buffer.from('hello\r\n'), text: 'hello', problem: 'says "hello", which is not a build number' },
    { behaviour: 'says a release name alone is not a build number', bytes: Buffer.from('24H2'), text: '24H2', problem: 'says "24H2", which is not a build number' },
    { behaviour: 'does not read a build on the second line', bytes: Buffer.from('Windows 11\n26100.4349'), text: 'Windows 11', problem: 'says "Windows 11", which is not a build number' },
    { behaviour: 'does not read a four-digit pre-Windows 10 build', bytes: Buffer.from('7601.24544'), text: '7601.24544', problem: 'says "7601.24544", which is not a build number' },
    { behaviour: 'does not read a number inside a longer dotted number', bytes: Buffer.from('1.2.3.26100.4349'), text: '1.2.3.26100.4349', problem: 'says "1.2.3.26100.4349", which is not a build number' },
    { behaviour: 'refuses two different builds on one line', bytes: Buffer.from('26100.4349 -> 26100.6584'), text: '26100.4349 -> 26100.6584', problem: 'names 2 builds (26100.4349, 26100.6584) on one line, so it is not clear which the media is' },
    { behaviour: 'says an empty file is empty', bytes: Buffer.alloc(0), problem: 'is empty' },
    { behaviour: 'says a file of blank lines is empty', bytes: Buffer.from(' \r\n\t\r\n'), problem: 'is empty' },
    { behaviour: 'says a BOM alone is empty', bytes: utf8Bom(''), problem: 'is empty' },
    { behaviour: 'says binary data is not text', bytes: Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04]), problem: 'holds binary data, not text' },
    {
      behaviour: 'does not read a file larger than 4 KB',
      bytes: Buffer.concat([Buffer.from('26100.4349\n'), Buffer.alloc(MAX_BUILD_FILE_BYTES, 0x20)]),
      problem: 'is larger than 4 KB, too large for a build-number file, so the bot did not read it',
    },
  ];
  for (const { behaviour, bytes, problem, text } of problems) {
    it(behaviour, () => {
      assert.deepEqual(parseBuildFile(bytes), text === undefined ? { problem } : { text, problem });
    });
  }

  it('reads a file of exactly 4 KB', () => {
    const bytes = Buffer.concat([Buffer.from('26100.4349\n'), Buffer.alloc(MAX_BUILD_FILE_BYTES - 11, 0x20)]);
    assert.equal(bytes.length, MAX_BUILD_FILE_BYTES);
    assert.deepEqual(parseBuildFile(bytes).build, build(26100, 4349));
  });

  it('quotes a long garbage line shortened, with quotes and control characters made harmless', () => {
    const line = `"${'x'.repeat(100)}\u0007`;
    const result = parseBuildFile(Buffer.from(line));
    assert.equal(result.build, undefined);
    assert.equal(result.problem, `says "'${'x'.repeat(56)}...", which is not a build number`);
  });

  it('keeps at most 200 characters of the first line as its text', () => {
    const result = parseBuildFile(Buffer.from(`26100.4349 ${'n'.repeat(400)}`));
    assert.equal(result.text?.length, 200);
    assert.deepEqual(result.build, build(26100, 4349));
  });
});
