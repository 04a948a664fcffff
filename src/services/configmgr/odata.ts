/**
 * OData v4 pieces of the AdminService protocol: query and key escaping, and the shapes of the
 * JSON envelopes it answers with. Everything that comes from chat passes through here before it
 * reaches a URL, so nothing typed by a user can change the meaning of a query.
 */
import { z } from 'zod';
import type { MethodResult, PackageFilter } from './admin-service';

/** A programming error: a filter or key the client must never send (not a user-facing error). */
export class InvalidODataInput extends Error {
  override readonly name = 'InvalidODataInput';
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `'O''Brien'`: OData string literals are single-quoted and a quote inside is doubled. */
export function quoteODataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function propertyName(name: string): string {
  if (typeof name !== 'string' || !IDENTIFIER.test(name)) {
    throw new InvalidODataInput(`Not an OData property name: ${JSON.stringify(name)}`);
  }
  return name;
}

function literal(value: string | number): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvalidODataInput(`Not a finite number: ${value}`);
    return String(value);
  }
  if (typeof value === 'string') return quoteODataString(value);
  throw new InvalidODataInput(`Not a string or number: ${JSON.stringify(value)}`);
}

/** The `$filter` expression (not yet URL-encoded) for one condition. */
export function buildFilterExpression(filter: PackageFilter): string {
  const property = propertyName(filter.property);
  switch (filter.op) {
    case 'eq':
      return `${property} eq ${literal(filter.value)}`;
    case 'contains':
    case 'startswith':
      if (typeof filter.value !== 'string') {
        throw new InvalidODataInput(`${filter.op} needs a string value, got ${JSON.stringify(filter.value)}`);
      }
      return `${filter.op}(${property},${quoteODataString(filter.value)})`;
    default: {
      const unknown: never = filter;
      throw new InvalidODataInput(`Unknown filter operator: ${JSON.stringify((unknown as { op?: unknown }).op)}`);
    }
  }
}

/** `('PS100012')`, URL-encoded as one path segment: the key of an instance. */
export function keySegment(key: string): string {
  return encodeURIComponent(`(${quoteODataString(key)})`);
}

/** `?$select=A,B&$filter=…`: option names stay literal, values are percent-encoded. */
export function buildQueryString(options: Readonly<Record<string, string | undefined>>): string {
  const parts = Object.entries(options)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`);
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

/** `$select` for the given properties, each validated as an identifier. */
export function buildSelect(properties: readonly string[]): string {
  return properties.map(propertyName).join(',');
}

/**
 * A collection or key answer: `{ value: [...], "@odata.nextLink"?: "..." }`. Only the envelope is
 * checked here; each row is read on its own (package-row.ts), so that one odd row costs only itself.
 */
export const packageEnvelopeSchema = z.object({
  value: z.array(z.unknown()),
  '@odata.nextLink': z
    .string()
    .min(1)
    .nullish()
    .transform((link) => link ?? undefined),
});

export type PackageEnvelope = z.infer<typeof packageEnvelopeSchema>;

const methodResultObject = z.looseObject({ ReturnValue: z.number() });

/**
 * A method answer. Sites answer with the result object itself (plus `@odata.context`); the
 * collection form `{ value: {...} }` or `{ value: [{...}] }` is accepted too because the exact
 * shape is unverified on live sites.
 */
export const methodResultSchema = z
  .union([
    methodResultObject,
    z.object({ value: methodResultObject }).transform((envelope) => envelope.value),
    z.object({ value: z.tuple([methodResultObject]) }).transform((envelope) => envelope.value[0]),
  ])
  .transform((result): MethodResult => {
    const clean: MethodResult = { ReturnValue: result.ReturnValue };
    for (const [name, value] of Object.entries(result)) {
      if (!name.startsWith('@odata.')) clean[name] = value;
    }
    return clean;
  });

/** A short, single-line description of what failed validation, for the error detail. */
export function describeSchemaError(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

/** A 2xx answer to a method call, read as far as it can be: `unreadable` says why the rest could not. */
export interface MethodResultReading {
  result: MethodResult;
  unreadable?: string;
}

/**
 * The body of a 2xx method answer. Whether a live site sends ReturnValue is unconfirmed, so an empty body or an
 * object without one is an accepted call; ReturnValue as integer text ("5") is read as the number. A body that is
 * not JSON, or a ReturnValue of another kind, leaves the result empty and says why (the caller logs it).
 */
export function readMethodResult(body: unknown, contentType: string): MethodResultReading {
  const text = typeof body === 'string' ? body : '';
  if (text.trim() === '') return { result: {} };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { result: {}, unreadable: `not JSON (content-type ${contentType || 'missing'})` };
  }
  const parsed = methodResultSchema.safeParse(json);
  if (parsed.success) return { result: parsed.data };
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return { result: {}, unreadable: 'not a JSON object' };
  const object = json as Record<string, unknown>;
  const inner = object.value;
  const holder =
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? (inner as Record<string, unknown>)
      : Array.isArray(inner) && inner.length === 1 && inner[0] !== null && typeof inner[0] === 'object'
        ? (inner[0] as Record<string, unknown>)
        : object;
  const result: MethodResult = {};
  for (const [name, value] of Object.entries(holder)) {
    if (!name.startsWith('@odata.') && name !== 'ReturnValue') result[name] = value;
  }
  const returnValue = holder.ReturnValue;
  if (returnValue === undefined || returnValue === null) return { result };
  if (typeof returnValue === 'string' && /^\s*-?\d{1,10}\s*$/.test(returnValue)) return { result: { ...result, ReturnValue: Number(returnValue) } };
  return { result, unreadable: 'ReturnValue is not a whole number' };
}
