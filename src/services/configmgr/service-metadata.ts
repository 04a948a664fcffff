/**
 * The AdminService's `wmi/$metadata` (OData CSDL XML) read into what the bot asks of it: which instance methods a
 * package class offers. Why: RefreshPkgSource and ReloadImageProperties have no public AdminService example and
 * some WMI methods are not exposed, so a job checks before it relies on one. The document comes from outside and
 * can be large: no DOCTYPE, no entity expansion, and the reading is tolerant of the several ways CSDL can bind an
 * action (bound to the class or a base class, named `<Class>.<Method>`, or a Function instead of an Action).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { NO_ENTITY_EXPANSION, hasDoctype } from '../media/untrusted-xml';

/** The metadata cannot be read; `reason` is for the log and the error detail. */
export class ServiceMetadataUnreadable extends Error {
  constructor(readonly reason: string) {
    super(`the AdminService $metadata is unreadable: ${reason}`);
    this.name = 'ServiceMetadataUnreadable';
  }
}

interface Operation {
  /** As declared, lower-cased: "refreshpkgsource" or "sms_imagepackage.refreshpkgsource". */
  name: string;
  /** The first parameter's type, unqualified and lower-cased, when the operation is bound. */
  bindingType?: string;
}

/** What the bot knows of a site's $metadata. */
export interface ServiceMetadata {
  /** Entity type name (unqualified, lower-cased) → its base type (same form), if any. */
  readonly baseTypes: ReadonlyMap<string, string | undefined>;
  readonly operations: readonly Operation[];
}

const ARRAY_TAGS = new Set(['Schema', 'EntityType', 'ComplexType', 'Action', 'Function', 'Parameter']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  ...NO_ENTITY_EXPANSION,
  isArray: (tagName) => ARRAY_TAGS.has(tagName),
});

type Element = Record<string, unknown>;

function elements(value: unknown): Element[] {
  return Array.isArray(value) ? value.filter((item): item is Element => item !== null && typeof item === 'object') : [];
}

function attribute(element: Element, name: string): string | undefined {
  const value = element[`@_${name}`];
  return typeof value === 'string' ? value : undefined;
}

/** "AdminService.SMS_ImagePackage" → "sms_imagepackage"; a Collection(...) binding is not an instance binding. */
function unqualified(typeName: string): string | undefined {
  const trimmed = typeName.trim();
  if (/^Collection\(/i.test(trimmed)) return undefined;
  const last = trimmed.split('.').pop();
  return last ? last.toLowerCase() : undefined;
}

/** Parses a CSDL document. Throws ServiceMetadataUnreadable. */
export function parseServiceMetadata(xml: string): ServiceMetadata {
  if (xml.trim() === '') throw new ServiceMetadataUnreadable('it is empty');
  if (hasDoctype(xml)) throw new ServiceMetadataUnreadable('it carries a document type declaration (DOCTYPE)');
  const validation = XMLValidator.validate(xml);
  if (validation !== true) {
    throw new ServiceMetadataUnreadable(`not well-formed XML (${validation.err.code}: line ${validation.err.line})`);
  }
  const document = parser.parse(xml) as Element;
  const edmx = document.Edmx as Element | undefined;
  const dataServices = edmx && typeof edmx === 'object' ? (edmx.DataServices as Element | undefined) : undefined;
  const schemas = dataServices && typeof dataServices === 'object' ? elements(dataServices.Schema) : [];
  if (schemas.length === 0) throw new ServiceMetadataUnreadable('no edmx:Edmx/edmx:DataServices/Schema element');

  const baseTypes = new Map<string, string | undefined>();
  const operations: Operation[] = [];
  for (const schema of schemas) {
    for (const type of [...elements(schema.EntityType), ...elements(schema.ComplexType)]) {
      const name = attribute(type, 'Name');
      if (!name) continue;
      const base = attribute(type, 'BaseType');
      baseTypes.set(name.toLowerCase(), base === undefined ? undefined : unqualified(base));
    }
    for (const operation of [...elements(schema.Action), ...elements(schema.Function)]) {
      const name = attribute(operation, 'Name');
      if (!name) continue;
      const bound = attribute(operation, 'IsBound')?.toLowerCase() === 'true';
      const first = elements(operation.Parameter)[0];
      const bindingTypeName = bound && first ? attribute(first, 'Type') : undefined;
      const bindingType = bindingTypeName === undefined ? undefined : unqualified(bindingTypeName);
      operations.push({ name: name.toLowerCase(), ...(bindingType ? { bindingType } : {}) });
    }
  }
  return { baseTypes, operations };
}

/** The class and its base classes, nearest first (a loop in BaseType ends the walk). */
function lineage(metadata: ServiceMetadata, className: string): string[] {
  const seen: string[] = [];
  let current: string | undefined = className.toLowerCase();
  while (current !== undefined && !seen.includes(current)) {
    seen.push(current);
    current = metadata.baseTypes.get(current);
  }
  return seen;
}

/**
 * Whether `packageClass` offers the instance method `method`: an Action or Function named `<Method>` bound to the
 * class or one of its base classes, or named `<Class>.<Method>` (bound or not). Names compare case-insensitively,
 * as class names do on the AdminService.
 */
export function exposesMethod(metadata: ServiceMetadata, packageClass: string, method: string): boolean {
  const classes = lineage(metadata, packageClass);
  const wanted = method.toLowerCase();
  return metadata.operations.some((operation) => {
    if (operation.name === wanted) return operation.bindingType !== undefined && classes.includes(operation.bindingType);
    const dot = operation.name.lastIndexOf('.');
    return dot > 0 && operation.name.slice(dot + 1) === wanted && classes.includes(operation.name.slice(0, dot));
  });
}
