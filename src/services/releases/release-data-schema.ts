import { z } from 'zod';
import type { ReleaseData, ReleaseLine, ReleaseUpdate } from './freshness';

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

/**
 * A page a person can open to check an entry. Cards may show it as a link, so only http(s), no spaces or
 * control characters, and short enough to print.
 */
const sourceUrl = z
  .string()
  .max(300, 'must be at most 300 characters')
  .regex(/^https?:\/\/[^\s\u0000-\u001f\u007f]+$/i, 'must be an http(s) URL without spaces')
  .refine((text) => URL.canParse(text), 'must be an http(s) URL');

const updateSchema = z.object({
  revision: z.number().int().min(0).max(999_999),
  /** Optional: a CVE record can confirm a revision without naming its KB. */
  kb: z.string().regex(/^KB\d{6,8}$/, 'must read like KB5083769').optional(),
  date: calendarDate,
  outOfBand: z.boolean().optional(),
  /** Where the entry can be checked (the KB's update-history page, a CVE record). */
  source: sourceUrl.optional(),
});

const releaseName = z.string().trim().min(1).max(100);

const lineSchema = z
  .object({
    release: releaseName,
    product: z.enum(['client', 'server']),
    build: z.number().int().min(1000).max(99_999),
    updates: z.array(updateSchema).min(1).max(1000).optional(),
    /**
     * Another line whose updates this line receives too (Enterprise LTSC 2021 gets Windows 10 22H2's
     * cumulative updates, same KB and revision): written once in the document, copied when parsed.
     */
    updatesFrom: releaseName.optional(),
    endOfServicing: calendarDate.optional(),
    mainstreamEnd: calendarDate.optional(),
    homeProEnd: calendarDate.optional(),
    lifecycleSource: sourceUrl.optional(),
    supportNote: z.string().trim().min(1).max(200).optional(),
  })
  .superRefine((line, context) => {
    if ((line.updates === undefined) === (line.updatesFrom === undefined)) {
      context.addIssue({ code: 'custom', path: ['updates'], message: `${line.release} needs either updates or updatesFrom, not both` });
      return;
    }
    const revisions = (line.updates ?? []).map((update) => update.revision);
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
    data.lines.forEach((line, index) => {
      if (line.updatesFrom === undefined) return;
      const wanted = line.updatesFrom.toLowerCase();
      const donors = data.lines.filter((other) => other.release.toLowerCase() === wanted);
      // One step only: a line that lends its updates must list them itself, so no chain or loop can form.
      if (donors.length !== 1 || donors[0].updates === undefined) {
        context.addIssue({
          code: 'custom',
          path: ['lines', index, 'updatesFrom'],
          message: `${line.release} takes its updates from "${line.updatesFrom}", which must be exactly one line that lists its own updates`,
        });
      }
    });
  });

type ParsedLine = z.infer<typeof lineSchema>;
type ParsedUpdate = z.infer<typeof updateSchema>;

/** Thrown when release data does not have the documented shape; says where, in one line. */
export class ReleaseDataInvalid extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReleaseDataInvalid';
  }
}

/**
 * Validates parsed JSON and returns ReleaseData with each line's updates sorted oldest revision first.
 * A line written with `updatesFrom` gets its own copy of the other line's updates, so everything after
 * parsing sees one plain updates array per line.
 */
export function parseReleaseData(json: unknown, source: ReleaseData['source']): ReleaseData {
  const result = releaseDataSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue.path.length === 0 ? 'the document' : issue.path.join('.');
    throw new ReleaseDataInvalid(`release data has the wrong shape at ${where}: ${issue.message}`, { cause: result.error });
  }
  const parsed = result.data.lines;
  const updatesOf = (line: ParsedLine): readonly ParsedUpdate[] => {
    if (line.updates !== undefined) return line.updates;
    const wanted = line.updatesFrom?.toLowerCase();
    // The schema proved the donor exists once and lists its own updates.
    return parsed.find((other) => other.release.toLowerCase() === wanted)?.updates ?? [];
  };
  const lines: ReleaseLine[] = parsed.map((line) => ({
    release: line.release,
    product: line.product,
    build: line.build,
    updates: updatesOf(line).map(toReleaseUpdate).sort((a, b) => a.revision - b.revision),
    ...(line.endOfServicing === undefined ? {} : { endOfServicing: line.endOfServicing }),
    ...(line.supportNote === undefined ? {} : { supportNote: line.supportNote }),
    ...(line.mainstreamEnd === undefined ? {} : { mainstreamEnd: line.mainstreamEnd }),
    ...(line.homeProEnd === undefined ? {} : { homeProEnd: line.homeProEnd }),
    ...(line.lifecycleSource === undefined ? {} : { lifecycleCitation: line.lifecycleSource }),
  }));
  return { asOf: result.data.asOf, source, lines };
}

/** A fresh object per line, so that lines sharing updates in the document never share them in memory. */
function toReleaseUpdate(update: ParsedUpdate): ReleaseUpdate {
  return {
    revision: update.revision,
    ...(update.kb === undefined ? {} : { kb: update.kb }),
    date: new Date(update.date.getTime()),
    ...(update.outOfBand === undefined ? {} : { outOfBand: update.outOfBand }),
    ...(update.source === undefined ? {} : { citation: update.source }),
  };
}
