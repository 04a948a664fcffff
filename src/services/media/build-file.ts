import type { BuildFileFacts } from './media-inspection';
import type { BuildNumber } from './media-package';

/**
 * The build-number file (BUILD_FILE_NAME, e.g. BuildNumber.txt) is a note admins leave in the media root
 * after servicing, written by hand or by a script, in Notepad (UTF-8, often with a BOM, or UTF-16 "Unicode")
 * or by PowerShell (`Out-File` writes UTF-16LE with a BOM on Windows PowerShell 5.1). Admins write things like
 * `26100.4349`, `10.0.26100.4349`, `Build 26100.4349` or `26100.4349 (2025-06)`, so the rule is: the first
 * non-empty line must name exactly one build, four-part (10.0.26100.4349) or two-part (26100.4349), anywhere
 * on the line; words and dates around it are allowed.
 */

/** A build-number file is one short line; anything larger is not one, and is not read further. */
export const MAX_BUILD_FILE_BYTES = 4096;

export type BuildFileReading = Pick<BuildFileFacts, 'text' | 'build' | 'problem'>;

/** Longest first line kept as `text`; enough for any note, short enough for a card. */
const MAX_TEXT_LENGTH = 200;

// Windows 10 and later builds have five digits (10240 and up); requiring them keeps dates such as
// 2025.06 from reading as builds. The look-arounds stop a match inside a longer dotted number.
const FOUR_PART = /(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{5})\.(\d{1,6})(?!\d|\.\d)/g;
const TWO_PART = /(?<![\d.])(\d{5})\.(\d{1,6})(?!\d|\.\d)/g;

/**
 * Reads the bytes of a build-number file. `problem` is a phrase that follows the file's name
 * ("BuildNumber.txt is empty"), so callers can put the name in front of it.
 */
export function parseBuildFile(bytes: Buffer): BuildFileReading {
  if (bytes.length > MAX_BUILD_FILE_BYTES) {
    return { problem: `is larger than ${MAX_BUILD_FILE_BYTES / 1024} KB, too large for a build-number file, so the bot did not read it` };
  }
  const decoded = decode(bytes);
  if (decoded === undefined) return { problem: 'holds binary data, not text' };
  const firstLine = decoded
    .split(/\r\n|\n|\r/)
    .map((line) => line.trim())
    .find((line) => line !== '');
  if (firstLine === undefined) return { problem: 'is empty' };
  const text = firstLine.length > MAX_TEXT_LENGTH ? `${firstLine.slice(0, MAX_TEXT_LENGTH - 3)}...` : firstLine;

  const builds = findBuilds(firstLine);
  if (builds.length === 0) return { text, problem: `says "${quote(firstLine)}", which is not a build number` };
  const distinct = [...new Map(builds.map((build) => [`${build.build}.${build.revision}`, build])).values()];
  if (distinct.length > 1) {
    const named = distinct.map((build) => `${build.build}.${build.revision}`);
    return { text, problem: `names ${distinct.length} builds (${named.join(', ')}) on one line, so it is not clear which the media is` };
  }
  return { text, build: builds[0] };
}

function findBuilds(line: string): BuildNumber[] {
  const builds: BuildNumber[] = [];
  const consumed: Array<[number, number]> = [];
  for (const match of line.matchAll(FOUR_PART)) {
    builds.push({ major: Number(match[1]), minor: Number(match[2]), build: Number(match[3]), revision: Number(match[4]) });
    consumed.push([match.index, match.index + match[0].length]);
  }
  for (const match of line.matchAll(TWO_PART)) {
    // Skip the tail of a four-part build already taken.
    if (consumed.some(([start, end]) => match.index >= start && match.index < end)) continue;
    builds.push({ major: 10, minor: 0, build: Number(match[1]), revision: Number(match[2]) });
  }
  return builds.filter((build) => build.build >= 10240);
}

/** UTF-8 (BOM or not), UTF-16LE/BE with a BOM or recognisably without one; ANSI text reads as Latin-1. */
function decode(bytes: Buffer): string | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return bytes.subarray(3).toString('utf8');
  }
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return swapBytes(bytes.subarray(2)).toString('utf16le');
  if (bytes.includes(0)) {
    // UTF-16 without a BOM: ASCII digits leave every other byte zero.
    if (bytes.length % 2 === 0 && everyOther(bytes, 1, 0)) return bytes.toString('utf16le');
    if (bytes.length % 2 === 0 && everyOther(bytes, 0, 0)) return swapBytes(bytes).toString('utf16le');
    return undefined;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Notepad's "ANSI": the digits are ASCII either way, and Latin-1 shows the rest close enough.
    return bytes.toString('latin1');
  }
}

function everyOther(bytes: Buffer, start: number, value: number): boolean {
  for (let i = start; i < bytes.length; i += 2) if (bytes[i] !== value) return false;
  return true;
}

function swapBytes(bytes: Buffer): Buffer {
  const swapped = Buffer.from(bytes.subarray(0, bytes.length - (bytes.length % 2)));
  return swapped.swap16();
}

/** The line inside quotes in a message: control characters made visible, length capped. */
function quote(line: string): string {
  const visible = line.replace(/[\u0000-\u001f\u007f]/g, '?').replace(/"/g, "'");
  return visible.length > 60 ? `${visible.slice(0, 57)}...` : visible;
}
