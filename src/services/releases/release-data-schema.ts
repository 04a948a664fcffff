import { z } from 'zod';
import type { ReleaseData, ReleaseLine } from './freshness';

/**
 * The JSON shape of release data, shared by the bundled snapshot.json and the RELEASES_FEED_URL feed
 * (documented in FEED.md). Parsed at the edge into ReleaseData; everything inside trusts the result.
 */

/** "2026-04-14": a calendar date, read as UTC midnight. */
const calendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD')
  .transform((text, context) => {
    const date = new Date(`${text}T00:00:00Z`);
    // Date.parse accepts 2026-02-30 and rolls it over; a feed that says so is wrong, not creative.
    if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text) {
      context.addIssue({ code: 'custom', message: `${text} is not a calendar date` });
      return z.NEVER;
    }
    return date;
  });

const updateSchema = z.object({
  revision: z.number().int().min(0).max(999_999),
  kb: z.string().regex(/^KB\d{6,8}$/, 'must read like KB5083769'),
  date: calendarDate,
  outOfBand: z.boolean().optional(),
});

const lineSchema = z
  .object({
    release: z.string().trim().min(1).max(100),
    product: z.enum(['client', 'server']),
    build: z.number().int().min(1000).max(99_999),
    updates: z.array(updateSchema).min(1).max(1000),
    endOfServicing: calendarDate.optional(),
    supportNote: z.string().trim().min(1).max(200).optional(),
  })
  .superRefine((line, context) => {
    const revisions = line.updates.map((update) => update.revision);
    if (new Set(revisions).size !== revisions.length) {
      context.addIssue({ code: 'custom', path: ['updates'], message: `${line.release} lists a revision twice` });
    }
  });

export const releaseDataSchema = z
  .object({
    asOf: calendarDate,
    /** Free text for people (where the numbers came from, which months are missing); ignored by the bot. */
    notes: z.array(z.string()).optional(),
    lines: z.array(lineSchema).min(1).max(200),
  })
  .superRefine((data, context) => {
    const keys = data.lines.map((line) => `${line.release.toLowerCase()}|${line.product}`);
    if (new Set(keys).size !== keys.length) {
      context.addIssue({ code: 'custom', path: ['lines'], message: 'a release is listed twice for the same product' });
    }
  });

/** Thrown when release data does not have the documented shape; says where, in one line. */
export class ReleaseDataInvalid extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReleaseDataInvalid';
  }
}

/** Validates parsed JSON and returns ReleaseData with each line's updates sorted oldest revision first. */
export function parseReleaseData(json: unknown, source: ReleaseData['source']): ReleaseData {
  const result = releaseDataSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue.path.length === 0 ? 'the document' : issue.path.join('.');
    throw new ReleaseDataInvalid(`release data has the wrong shape at ${where}: ${issue.message}`, { cause: result.error });
  }
  const lines: ReleaseLine[] = result.data.lines.map((line) => ({
    release: line.release,
    product: line.product,
    build: line.build,
    updates: [...line.updates].sort((a, b) => a.revision - b.revision),
    ...(line.endOfServicing === undefined ? {} : { endOfServicing: line.endOfServicing }),
    ...(line.supportNote === undefined ? {} : { supportNote: line.supportNote }),
  }));
  return { asOf: result.data.asOf, source, lines };
}
