import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { PACKAGE_CLASSES, type PackageClass } from '../configmgr/admin-service';
import { applyMediaToRecord, findDemoPackage, type DemoPackage, type DemoPackageRecord, type DemoSite } from './demo-media';
import {
  DEMO_REFRESH_TIMING,
  checkRefreshTiming,
  distributionChanges,
  nalPath,
  type DistributionFault,
  type RefreshTiming,
  type ScheduledChange,
} from './demo-distribution';
import type { DemoSoftwareUpdate } from './demo-site';
import { ODataFilterError, parseODataFilter, type FilterPredicate, type PropertyType } from './odata-filter';

/**
 * An in-process ConfigMgr AdminService: the `wmi/` routes the bot uses, over real HTTP on loopback, serving a
 * DemoSite. `npm start` uses it as the demo site and tests use it as the far end of the real client. It
 * answers like the reference describes a real site: OData envelopes even for key lookups, lazy ImageProperty
 * null in collections, OData error bodies, instance methods answering 201. Faults can be injected to play
 * a slow, failing or confused site.
 *
 * A refresh plays out over time (demo-distribution.ts): RefreshPkgSource answers 201 at once, SourceVersion
 * increments a little later and each DP of the package moves to the new version at its own pace, visible in
 * SMS_PackageStatusDistPointsSummarizer. Changes fall due by the `now` clock and are applied before each answer,
 * so a test that injects a clock decides exactly what the next request sees.
 */

export interface SimulatorFault {
  /** Answer with this status instead of the real response (an OData error body unless `body` is given). */
  status?: number;
  body?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** Seconds, sent as Retry-After (for 429 and 503). */
  retryAfter?: number;
  /** Extra delay before answering (or before failing). */
  delayMs?: number;
  /** Drop the connection: at once (`true`), or after sending the headers and half of the real body. */
  destroySocket?: boolean | 'mid-body';
  /** How many matching requests the fault applies to; unlimited when absent. */
  times?: number;
  /** Only requests whose decoded path and query match (a string matches as a case-insensitive substring). */
  pathPattern?: RegExp | string;
}

export interface SimulatorOptions {
  site: DemoSite;
  /** Delay added to every request; it never blocks other requests. */
  latencyMs?: number;
  /** When set, collections answer at most this many records per page, with an absolute @odata.nextLink. */
  pageSize?: number;
  logger?: Logger;
  now?: () => Date;
  /** SMS_SoftwareUpdate rows (the site's update catalog); none when absent, like a site that syncs no updates. */
  softwareUpdates?: DemoSoftwareUpdate[];
  /** How a refresh moves over time; DEMO_REFRESH_TIMING when absent. */
  refreshTiming?: RefreshTiming;
  /** Told of every package method call as it arrives, before it is answered (tests kill a client there). */
  onMethodCall?: (call: RecordedMethodCall) => void;
  /** Method calls that misbehave (see MethodFault). */
  methodFaults?: MethodFault[];
  /** DPs that fail or never finish a refresh. */
  distributionFaults?: DistributionFault[];
  /** Methods the site does not expose: left out of $metadata, and their route answers 404. */
  omittedMethods?: OmittedMethod[];
}

/** The package methods the demo site runs. */
export const SIMULATED_METHODS = ['RefreshPkgSource', 'ReloadImageProperties'] as const;
export type SimulatedMethod = (typeof SIMULATED_METHODS)[number];

/** A method call that answers otherwise than 201 { ReturnValue: 0 }. */
export interface MethodFault {
  method: SimulatedMethod;
  /** Only this package; every package when absent. */
  packageId?: string;
  /** Answer this status with an OData error body (or `body`); the method does not run. */
  status?: number;
  /** Answer 201 with this ReturnValue; the method does not run. */
  returnValue?: number;
  /** Answer 201 with this body (e.g. garbage); the method does run, so the answer is the only thing wrong. */
  body?: string;
  /** How many matching calls it applies to; unlimited when absent. */
  times?: number;
}

/** A method the site does not expose, for one class or (absent) both. */
export interface OmittedMethod {
  method: SimulatedMethod;
  packageClass?: PackageClass;
}

/** One call to a package method, as received (whatever it was answered). */
export interface RecordedMethodCall {
  /** ISO date-time by the simulator's clock. */
  at: string;
  packageClass: PackageClass;
  packageId: string;
  method: string;
}

export interface SimulatorStats {
  requests: number;
  listRequests: number;
  keyRequests: number;
  methodCalls: number;
  metadataRequests: number;
  faultsInjected: number;
  /** Key requests received and not yet answered, and the most at once since the last reset. */
  keyRequestsInFlight: number;
  maxKeyRequestsInFlight: number;
  /** "GET /AdminService/wmi/…" of recent requests (the last 1000), oldest first. */
  recent: string[];
  reset(): void;
}

interface SimResponse {
  status: number;
  body: string;
  contentType: string;
  headers?: Record<string, string>;
}

type Route =
  | { kind: 'metadata' }
  | { kind: 'list'; packageClass: PackageClass }
  | { kind: 'updates' }
  | { kind: 'distribution' }
  | { kind: 'key'; packageClass: PackageClass; key: string }
  | { kind: 'method'; packageClass: PackageClass; key: string; method: string }
  | { kind: 'error'; response: SimResponse };

const RECORD_PROPERTIES: ReadonlyMap<string, PropertyType> = new Map<string, PropertyType>([
  ['PackageID', 'string'],
  ['Name', 'string'],
  ['Description', 'string'],
  ['Version', 'string'],
  ['Language', 'string'],
  ['Manufacturer', 'string'],
  ['PkgSourcePath', 'string'],
  ['ImageOSVersion', 'string'],
  ['SourceVersion', 'number'],
  ['SourceDate', 'string'],
  ['LastRefreshTime', 'string'],
  ['PackageSize', 'number'],
  ['ActionInProgress', 'number'],
  ['SourceSite', 'string'],
  ['PackageType', 'number'],
]);

const SOFTWARE_UPDATE_CLASS = 'SMS_SoftwareUpdate';
/** The SMS_SoftwareUpdate properties the demo serves; the category array can be selected, not filtered. */
const SOFTWARE_UPDATE_PROPERTIES: ReadonlyMap<string, PropertyType> = new Map<string, PropertyType>([
  ['CI_ID', 'number'],
  ['ArticleID', 'string'],
  ['LocalizedDisplayName', 'string'],
  ['DatePosted', 'string'],
  ['IsSuperseded', 'boolean'],
  ['IsExpired', 'boolean'],
]);
const SOFTWARE_UPDATE_SELECTABLE = new Set<string>([...SOFTWARE_UPDATE_PROPERTIES.keys(), 'LocalizedCategoryInstanceNames']);

/** Lazy properties: null in collections, filled by key, not filterable. */
const LAZY_PROPERTIES = ['ImageProperty'] as const;
const SELECTABLE = new Set<string>([...RECORD_PROPERTIES.keys(), ...LAZY_PROPERTIES]);
const SUPPORTED_QUERY_OPTIONS = new Set(['$select', '$filter', '$top', '$skip']);
const CLASS_BY_LOWER_NAME = new Map(PACKAGE_CLASSES.map((name) => [name.toLowerCase(), name] as const));
const DISTRIBUTION_CLASS = 'SMS_PackageStatusDistPointsSummarizer';
const DISTRIBUTION_PROPERTIES: ReadonlyMap<string, PropertyType> = new Map<string, PropertyType>([
  ['PackageID', 'string'],
  ['ServerNALPath', 'string'],
  ['SiteCode', 'string'],
  ['State', 'number'],
  ['SourceVersion', 'number'],
  ['LastCopied', 'string'],
  ['SummaryDate', 'string'],
]);
const DISTRIBUTION_SELECTABLE = new Set<string>(DISTRIBUTION_PROPERTIES.keys());
const RECENT_LIMIT = 1000;

export class AdminServiceSimulator {
  readonly site: DemoSite;
  readonly stats: SimulatorStats & { readonly generation: number };
  private latencyMs: number;
  private readonly pageSize?: number;
  private readonly logger?: Logger;
  private readonly now: () => Date;
  /** The site's update catalog; tests may replace it. */
  softwareUpdates: DemoSoftwareUpdate[];
  /** The fields below may be changed by tests between requests. */
  refreshTiming: RefreshTiming;
  methodFaults: MethodFault[];
  distributionFaults: DistributionFault[];
  omittedMethods: OmittedMethod[];
  onMethodCall: ((call: RecordedMethodCall) => void) | undefined;
  /** Every call to a package method, oldest first. */
  readonly methodCallLog: RecordedMethodCall[] = [];
  /** Site changes of refreshes under way, by due time. */
  private scheduled: ScheduledChange[] = [];
  private readonly methodFaultUses = new Map<MethodFault, number>();
  private fault: SimulatorFault | null = null;
  private faultUsesLeft = Infinity;
  private server?: http.Server;
  private base?: string;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(options: SimulatorOptions) {
    if (options.pageSize !== undefined && (!Number.isInteger(options.pageSize) || options.pageSize < 1)) {
      throw new RangeError(`pageSize must be a positive integer, not ${options.pageSize}`);
    }
    this.site = options.site;
    this.latencyMs = checkDelay('latencyMs', options.latencyMs ?? 0);
    this.pageSize = options.pageSize;
    this.logger = options.logger;
    this.now = options.now ?? (() => new Date());
    this.softwareUpdates = options.softwareUpdates ?? [];
    this.refreshTiming = checkRefreshTiming(options.refreshTiming ?? DEMO_REFRESH_TIMING);
    this.methodFaults = options.methodFaults ?? [];
    this.distributionFaults = options.distributionFaults ?? [];
    this.omittedMethods = options.omittedMethods ?? [];
    this.onMethodCall = options.onMethodCall;
    this.stats = createStats();
  }

  /** How many calls of `method` (on `packageId`, when given) the site received. */
  methodCallCount(method: string, packageId?: string): number {
    return this.methodCallLog.filter(
      (call) =>
        call.method.toLowerCase() === method.toLowerCase() &&
        (packageId === undefined || call.packageId.toUpperCase() === packageId.toUpperCase()),
    ).length;
  }

  /** Applies every scheduled change whose time has come by the clock; requests do it before answering. */
  advance(): void {
    const now = this.now().getTime();
    // One at a time, earliest first: a change may schedule others (the DP steps after the version bump), and those
    // already due apply in this same call, in time order.
    for (;;) {
      let next = -1;
      this.scheduled.forEach((change, index) => {
        if (change.at <= now && (next === -1 || change.at < this.scheduled[next]!.at)) next = index;
      });
      if (next === -1) return;
      const [change] = this.scheduled.splice(next, 1);
      change!.apply(isoSeconds(new Date(change!.at)));
    }
  }

  /** Whether changes of a refresh are still to come. */
  get refreshesUnderWay(): boolean {
    return this.scheduled.length > 0;
  }

  /** Starts listening; resolves the base URL, e.g. "http://127.0.0.1:41234/AdminService". */
  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    if (this.server) throw new Error('The AdminService simulator is already running.');
    const server = http.createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        this.logger?.error({ err: error }, 'simulator failed to answer');
        if (!response.headersSent && !response.destroyed) {
          send(response, odataError(500, 'InternalError', 'The simulator failed to answer.'));
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const address = server.address() as AddressInfo;
    const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.base = `http://${hostPart}:${address.port}/AdminService`;
    this.logger?.info({ url: this.base, packages: this.site.packages.length }, 'demo AdminService listening');
    return this.base;
  }

  /** The base URL while running. */
  get baseUrl(): string {
    if (!this.base) throw new Error('The AdminService simulator is not running.');
    return this.base;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  setLatency(latencyMs: number): void {
    this.latencyMs = checkDelay('latencyMs', latencyMs);
  }

  /** Makes the next matching requests misbehave; `null` clears the fault. */
  injectFault(fault: SimulatorFault | null): void {
    if (fault?.times !== undefined && (!Number.isInteger(fault.times) || fault.times < 1)) {
      throw new RangeError(`fault.times must be a positive integer, not ${fault.times}`);
    }
    if (fault?.delayMs !== undefined) checkDelay('fault.delayMs', fault.delayMs);
    this.fault = fault;
    this.faultUsesLeft = fault?.times ?? Infinity;
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const rawUrl = request.url ?? '/';
    const stats = this.stats;
    stats.requests++;
    stats.recent.push(`${method} ${rawUrl}`);
    if (stats.recent.length > RECENT_LIMIT) stats.recent.splice(0, stats.recent.length - RECENT_LIMIT);

    const requestBody = await readBody(request);
    const questionMark = rawUrl.indexOf('?');
    const rawPath = questionMark === -1 ? rawUrl : rawUrl.slice(0, questionMark);
    const query = new URLSearchParams(questionMark === -1 ? '' : rawUrl.slice(questionMark + 1));
    const route = parseRoute(method, rawPath);
    if (route.kind === 'list' || route.kind === 'updates') stats.listRequests++;
    if (route.kind === 'method') {
      stats.methodCalls++;
      const call = { at: isoSeconds(this.now()), packageClass: route.packageClass, packageId: route.key, method: route.method };
      this.methodCallLog.push(call);
      this.onMethodCall?.(call);
    }
    if (route.kind === 'metadata') stats.metadataRequests++;
    const isKey = route.kind === 'key';
    if (isKey) {
      stats.keyRequests++;
      stats.keyRequestsInFlight++;
      stats.maxKeyRequestsInFlight = Math.max(stats.maxKeyRequestsInFlight, stats.keyRequestsInFlight);
      const generation = stats.generation;
      // Counted down when the exchange ends however it ends (answered, dropped, simulator stopped).
      response.once('close', () => {
        if (stats.generation === generation) stats.keyRequestsInFlight--;
      });
    }

    const fault = this.takeFault(rawUrl);
    await this.delay(this.latencyMs + (fault?.delayMs ?? 0));
    if (response.destroyed) return;

    if (fault?.destroySocket === true) {
      request.socket.destroy();
      return;
    }
    if (fault?.status !== undefined) {
      const headers: Record<string, string> = { ...fault.headers };
      if (fault.retryAfter !== undefined) headers['Retry-After'] = String(fault.retryAfter);
      const faulted =
        fault.body !== undefined
          ? { status: fault.status, body: fault.body, contentType: fault.contentType ?? 'application/json; charset=utf-8', headers }
          : { ...odataError(fault.status, String(fault.status), `Injected fault: HTTP ${fault.status}.`), headers };
      send(response, faulted);
      return;
    }

    this.advance();
    const answer = this.answer(route, query, requestBody);
    if (fault?.destroySocket === 'mid-body') {
      const bytes = Buffer.from(answer.body, 'utf8');
      response.writeHead(answer.status, { 'Content-Type': answer.contentType, 'Content-Length': bytes.length });
      response.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => request.socket.destroy());
      return;
    }
    if (fault?.body !== undefined) {
      send(response, { ...answer, body: fault.body, contentType: fault.contentType ?? answer.contentType });
      return;
    }
    send(response, fault?.contentType !== undefined ? { ...answer, contentType: fault.contentType } : answer);
  }

  private takeFault(rawUrl: string): SimulatorFault | null {
    const fault = this.fault;
    if (!fault) return null;
    if (fault.pathPattern !== undefined) {
      let target: string;
      try {
        target = decodeURIComponent(rawUrl.replace(/\+/g, ' '));
      } catch {
        target = rawUrl;
      }
      const matches =
        typeof fault.pathPattern === 'string'
          ? target.toLowerCase().includes(fault.pathPattern.toLowerCase())
          : fault.pathPattern.test(target);
      if (!matches) return null;
    }
    this.faultUsesLeft--;
    if (this.faultUsesLeft <= 0) this.fault = null;
    this.stats.faultsInjected++;
    return fault;
  }

  private delay(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private answer(route: Route, query: URLSearchParams, requestBody: string): SimResponse {
    switch (route.kind) {
      case 'error':
        return route.response;
      case 'metadata':
        return { status: 200, body: metadataDocument(this.omittedMethods), contentType: 'application/xml' };
      case 'list':
        return this.answerList(route.packageClass, query);
      case 'updates':
        return this.answerUpdates(query);
      case 'distribution':
        return this.answerDistribution(query);
      case 'key':
        return this.answerKey(route.packageClass, route.key, query);
      case 'method':
        return this.answerMethod(route.packageClass, route.key, route.method, requestBody);
    }
  }

  private context(packageClass: PackageClass): string {
    return `${this.baseUrl}/wmi/$metadata#${packageClass}`;
  }

  private answerList(packageClass: PackageClass, query: URLSearchParams): SimResponse {
    const options = readQueryOptions(query, true);
    if ('response' in options) return options.response;
    const matching = this.packagesOf(packageClass).filter((pkg) => options.filter(pkg.record as unknown as Record<string, unknown>));
    const { selected, nextLink } = this.page(matching, query, options, packageClass);
    const envelope: Record<string, unknown> = {
      '@odata.context': this.context(packageClass),
      value: selected.map((pkg) => project(pkg, options.select, false)),
    };
    if (nextLink) envelope['@odata.nextLink'] = nextLink;
    return json(200, envelope);
  }

  /** $skip and $top over the matching rows, cut to the page size with an @odata.nextLink as the AdminService pages. */
  private page<T>(
    matching: readonly T[],
    query: URLSearchParams,
    options: { skip?: number; top?: number },
    className: string,
  ): { selected: T[]; nextLink?: string } {
    const skip = options.skip ?? 0;
    const selected = matching.slice(skip, options.top === undefined ? undefined : skip + options.top);
    if (this.pageSize === undefined || selected.length <= this.pageSize) return { selected };
    const next = new URLSearchParams();
    for (const name of ['$select', '$filter'] as const) {
      const value = query.get(name);
      if (value !== null) next.set(name, value);
    }
    next.set('$skip', String(skip + this.pageSize));
    if (options.top !== undefined) next.set('$top', String(options.top - this.pageSize));
    return { selected: selected.slice(0, this.pageSize), nextLink: `${this.baseUrl}/wmi/${className}?${next.toString()}` };
  }

  /** SMS_SoftwareUpdate as a collection: $select, $filter, $top, $skip and paging like the package classes. */
  private answerUpdates(query: URLSearchParams): SimResponse {
    const options = readQueryOptions(query, true, SOFTWARE_UPDATE_PROPERTIES, SOFTWARE_UPDATE_SELECTABLE);
    if ('response' in options) return options.response;
    const matching = this.softwareUpdates.filter((update) => options.filter(update as unknown as Record<string, unknown>));
    const { selected, nextLink } = this.page(matching, query, options, SOFTWARE_UPDATE_CLASS);
    const names = options.select ?? [...SOFTWARE_UPDATE_SELECTABLE];
    const envelope: Record<string, unknown> = {
      '@odata.context': `${this.baseUrl}/wmi/$metadata#${SOFTWARE_UPDATE_CLASS}`,
      value: selected.map((update) => {
        const row: Record<string, unknown> = options.select ? {} : { __CLASS: SOFTWARE_UPDATE_CLASS };
        for (const name of names) row[name] = (update as unknown as Record<string, unknown>)[name] ?? null;
        return row;
      }),
    };
    if (nextLink) envelope['@odata.nextLink'] = nextLink;
    return json(200, envelope);
  }

  private answerKey(packageClass: PackageClass, key: string, query: URLSearchParams): SimResponse {
    const options = readQueryOptions(query, false);
    if ('response' in options) return options.response;
    const pkg = this.findPackage(packageClass, key);
    if (!pkg) return notFound(packageClass, key);
    return json(200, { '@odata.context': this.context(packageClass), value: [project(pkg, options.select, true)] });
  }

  private answerMethod(packageClass: PackageClass, key: string, method: string, requestBody: string): SimResponse {
    const pkg = this.findPackage(packageClass, key);
    if (!pkg) return notFound(packageClass, key);
    if (requestBody.trim() !== '') {
      let parameters: unknown;
      try {
        parameters = JSON.parse(requestBody);
      } catch {
        return odataError(400, 'BadRequest', 'The request body is not valid JSON.');
      }
      if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) {
        return odataError(400, 'BadRequest', 'The request body must be a JSON object of parameters.');
      }
    }
    const known = SIMULATED_METHODS.find((name) => name.toLowerCase() === method.toLowerCase());
    if (!known) {
      return odataError(400, 'BadRequest', `The method ${method} is not supported on ${packageClass}.`);
    }
    if (this.isOmitted(known, packageClass)) {
      return odataError(404, 'NotFound', `No action ${known} is bound to ${packageClass}.`);
    }
    const fault = this.takeMethodFault(known, pkg.record.PackageID);
    if (fault?.status !== undefined) {
      return fault.body !== undefined
        ? { status: fault.status, body: fault.body, contentType: 'application/json; charset=utf-8' }
        : odataError(fault.status, String(fault.status), `Injected fault: ${known} answers HTTP ${fault.status}.`);
    }
    if (fault?.returnValue !== undefined) {
      return json(201, { '@odata.context': `${this.baseUrl}/wmi/$metadata#Edm.Int32`, ReturnValue: fault.returnValue });
    }
    if (known === 'RefreshPkgSource') this.refreshPackageSource(pkg);
    else this.reloadImageProperties(pkg);
    this.logger?.info({ packageId: pkg.record.PackageID, method: known }, 'demo site ran a package method');
    if (fault?.body !== undefined) return { status: 201, body: fault.body, contentType: 'application/json; charset=utf-8' };
    return json(201, { '@odata.context': `${this.baseUrl}/wmi/$metadata#Edm.Int32`, ReturnValue: 0 });
  }

  /**
   * "Update Distribution Points": DistMgr snapshots the source and increments SourceVersion a little later, then
   * each DP of the package installs the new version at its own pace (or fails, or never finishes, by fault).
   */
  private refreshPackageSource(pkg: DemoPackage): void {
    const timing = this.refreshTiming;
    const calledAt = this.now().getTime();
    const bumpedAt = calledAt + timing.sourceVersionDelayMs;
    const record = pkg.record;
    this.schedule({
      at: bumpedAt,
      apply: (stamp) => {
        record.SourceVersion += 1;
        record.SourceDate = stamp;
        record.LastRefreshTime = stamp;
        const statuses = pkg.distribution ?? [];
        for (const status of statuses) {
          status.state = 1;
          status.summaryDate = stamp;
        }
        const faultFor = (host: string): DistributionFault['outcome'] | undefined =>
          this.distributionFaults.find(
            (fault) =>
              fault.host.toLowerCase() === host.toLowerCase() &&
              (fault.packageId === undefined || fault.packageId.toUpperCase() === record.PackageID.toUpperCase()),
          )?.outcome;
        for (const change of distributionChanges(statuses, record.SourceVersion, bumpedAt, timing, faultFor)) this.schedule(change);
      },
    });
    this.advance();
  }

  /** Re-reads the WIM: the serviced media when the package has one waiting, else the media as it is. */
  private reloadImageProperties(pkg: DemoPackage): void {
    if (pkg.servicedMedia) {
      pkg.media = pkg.servicedMedia;
      delete pkg.servicedMedia;
    }
    if (pkg.media) applyMediaToRecord(pkg.record, pkg.media);
  }

  private schedule(change: ScheduledChange): void {
    this.scheduled.push(change);
  }

  private isOmitted(method: SimulatedMethod, packageClass: PackageClass): boolean {
    return this.omittedMethods.some((omitted) => omitted.method === method && (omitted.packageClass ?? packageClass) === packageClass);
  }

  private takeMethodFault(method: SimulatedMethod, packageId: string): MethodFault | undefined {
    const fault = this.methodFaults.find(
      (candidate) =>
        candidate.method === method &&
        (candidate.packageId === undefined || candidate.packageId.toUpperCase() === packageId.toUpperCase()) &&
        (candidate.times === undefined || (this.methodFaultUses.get(candidate) ?? 0) < candidate.times),
    );
    if (fault) {
      this.methodFaultUses.set(fault, (this.methodFaultUses.get(fault) ?? 0) + 1);
      this.stats.faultsInjected++;
    }
    return fault;
  }

  /** SMS_PackageStatusDistPointsSummarizer: one row per package × DP, with $filter, $select, $top, $skip and paging. */
  private answerDistribution(query: URLSearchParams): SimResponse {
    const options = readQueryOptions(query, true, DISTRIBUTION_PROPERTIES, DISTRIBUTION_SELECTABLE);
    if ('response' in options) return options.response;
    const rows = this.site.packages.flatMap((pkg) =>
      (pkg.distribution ?? []).map((status) => ({
        PackageID: pkg.record.PackageID,
        ServerNALPath: nalPath(status),
        SiteCode: status.siteCode,
        State: status.state,
        SourceVersion: status.sourceVersion,
        LastCopied: status.lastCopied,
        SummaryDate: status.summaryDate,
      })),
    );
    const matching = rows.filter((row) => options.filter(row));
    const { selected, nextLink } = this.page(matching, query, options, DISTRIBUTION_CLASS);
    const names = options.select ?? [...DISTRIBUTION_SELECTABLE];
    const envelope: Record<string, unknown> = {
      '@odata.context': `${this.baseUrl}/wmi/$metadata#${DISTRIBUTION_CLASS}`,
      value: selected.map((row) => {
        const output: Record<string, unknown> = options.select ? {} : { __CLASS: DISTRIBUTION_CLASS };
        for (const name of names) output[name] = (row as Record<string, unknown>)[name] ?? null;
        return output;
      }),
    };
    if (nextLink) envelope['@odata.nextLink'] = nextLink;
    return json(200, envelope);
  }

  private packagesOf(packageClass: PackageClass): DemoPackage[] {
    return this.site.packages.filter((pkg) => pkg.packageClass === packageClass);
  }

  private findPackage(packageClass: PackageClass, key: string): DemoPackage | undefined {
    const pkg = findDemoPackage(this.site, key);
    return pkg?.packageClass === packageClass ? pkg : undefined;
  }
}

function checkDelay(name: string, ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`${name} must be a number of milliseconds ≥ 0, not ${ms}`);
  return ms;
}

function createStats(): SimulatorStats & { generation: number } {
  const stats = {
    requests: 0,
    listRequests: 0,
    keyRequests: 0,
    methodCalls: 0,
    metadataRequests: 0,
    faultsInjected: 0,
    keyRequestsInFlight: 0,
    maxKeyRequestsInFlight: 0,
    recent: [] as string[],
    /** Bumped by reset, so that exchanges begun before it do not count down the new in-flight figure. */
    generation: 0,
    reset(): void {
      stats.requests = 0;
      stats.listRequests = 0;
      stats.keyRequests = 0;
      stats.methodCalls = 0;
      stats.metadataRequests = 0;
      stats.faultsInjected = 0;
      stats.keyRequestsInFlight = 0;
      stats.maxKeyRequestsInFlight = 0;
      stats.recent = [];
      stats.generation++;
    },
  };
  return stats;
}

/** wmi/<Class>, wmi/<Class>('<key>'), wmi/<Class>('<key>')/AdminService.<Method>, v1.0/$metadata. */
function parseRoute(method: string, rawPath: string): Route {
  let segments: string[];
  try {
    // Split before decoding, so that an encoded "/" inside a key stays part of the key.
    segments = rawPath.split('/').filter((segment) => segment !== '').map((segment) => decodeURIComponent(segment));
  } catch {
    return { kind: 'error', response: odataError(400, 'BadRequest', 'The URL is not correctly percent-encoded.') };
  }
  if (segments[0]?.toLowerCase() !== 'adminservice') return notFoundRoute(rawPath);
  const [area, resource, action, ...rest] = segments.slice(1);
  if (resource === '$metadata' && action === undefined && (area === 'v1.0' || area?.toLowerCase() === 'wmi')) {
    return method === 'GET' ? { kind: 'metadata' } : methodNotAllowed(method);
  }
  if (area?.toLowerCase() !== 'wmi' || resource === undefined || rest.length > 0) return notFoundRoute(rawPath);

  const match = /^([A-Za-z_][A-Za-z0-9_.]*)(?:\((.*)\))?$/s.exec(resource);
  if (!match) return notFoundRoute(rawPath);
  const [, className, keyText] = match;
  if (className.includes('.')) {
    return { kind: 'error', response: odataError(404, 'NotFound', `Static methods (${className}) are not available on the demo site.`) };
  }
  if (className.toLowerCase() === SOFTWARE_UPDATE_CLASS.toLowerCase() && keyText === undefined && action === undefined) {
    return method === 'GET' ? { kind: 'updates' } : methodNotAllowed(method);
  }
  if (className.toLowerCase() === DISTRIBUTION_CLASS.toLowerCase() && keyText === undefined && action === undefined) {
    return method === 'GET' ? { kind: 'distribution' } : methodNotAllowed(method);
  }
  const packageClass = CLASS_BY_LOWER_NAME.get(className.toLowerCase());
  if (!packageClass) {
    return { kind: 'error', response: odataError(404, 'NotFound', `The class ${className} was not found.`) };
  }
  if (keyText === undefined) {
    if (action !== undefined) return notFoundRoute(rawPath);
    return method === 'GET' ? { kind: 'list', packageClass } : methodNotAllowed(method);
  }
  const key = parseKey(keyText);
  if (key === undefined) {
    return { kind: 'error', response: odataError(400, 'BadRequest', `The key (${keyText}) is not a quoted string.`) };
  }
  if (action === undefined) return method === 'GET' ? { kind: 'key', packageClass, key } : methodNotAllowed(method);
  const methodMatch = /^AdminService\.([A-Za-z_][A-Za-z0-9_]*)$/i.exec(action);
  if (!methodMatch) return notFoundRoute(rawPath);
  return method === 'POST' ? { kind: 'method', packageClass, key, method: methodMatch[1] } : methodNotAllowed(method);
}

/** `'PS100012'` or `PackageID='PS100012'`, quotes inside doubled. */
function parseKey(text: string): string | undefined {
  const literal = text.replace(/^\s*PackageID\s*=\s*/i, '').trim();
  if (literal.length < 2 || !literal.startsWith("'") || !literal.endsWith("'")) return undefined;
  const inner = literal.slice(1, -1);
  // A lone quote inside means the key was not escaped.
  if (inner.replace(/''/g, '').includes("'")) return undefined;
  return inner.replace(/''/g, "'");
}

type QueryOptions = { select?: string[]; filter: FilterPredicate; top?: number; skip?: number } | { response: SimResponse };

function readQueryOptions(
  query: URLSearchParams,
  collection: boolean,
  properties: ReadonlyMap<string, PropertyType> = RECORD_PROPERTIES,
  selectable: ReadonlySet<string> = SELECTABLE,
): QueryOptions {
  for (const name of query.keys()) {
    if (name.startsWith('$') && !(collection ? SUPPORTED_QUERY_OPTIONS.has(name) : name === '$select')) {
      return { response: odataError(400, 'BadRequest', `The query option ${name} is not supported here.`) };
    }
  }
  let select: string[] | undefined;
  const selectText = query.get('$select');
  if (selectText !== null) {
    select = selectText.split(',').map((name) => name.trim());
    const unknown = select.find((name) => !selectable.has(name));
    if (unknown !== undefined) {
      return { response: odataError(400, 'BadRequest', `The property "${unknown}" in $select does not exist.`) };
    }
  }
  let filter: FilterPredicate = () => true;
  const filterText = query.get('$filter');
  if (filterText !== null) {
    try {
      filter = parseODataFilter(filterText, properties);
    } catch (error) {
      if (!(error instanceof ODataFilterError)) throw error;
      return { response: odataError(400, 'BadRequest', `The query specified in the URI is not valid: ${error.message}.`) };
    }
  }
  const counts: { top?: number; skip?: number } = {};
  for (const [option, field] of [['$top', 'top'], ['$skip', 'skip']] as const) {
    const text = query.get(option);
    if (text === null) continue;
    if (!/^\d{1,9}$/.test(text)) {
      return { response: odataError(400, 'BadRequest', `${option} must be a non-negative integer, not "${text}".`) };
    }
    counts[field] = Number(text);
  }
  return { select, filter, ...counts };
}

/** The record as the AdminService shows it: lazy properties null in collections, filled by key. */
function project(pkg: DemoPackage, select: string[] | undefined, byKey: boolean): Record<string, unknown> {
  const record = pkg.record as DemoPackageRecord & Record<string, unknown>;
  const output: Record<string, unknown> = {};
  if (!select) {
    output.__CLASS = pkg.packageClass;
  }
  output.__LAZYPROPERTIES = [...LAZY_PROPERTIES];
  const names = select ?? [...RECORD_PROPERTIES.keys(), ...LAZY_PROPERTIES];
  for (const name of names) {
    const lazy = (LAZY_PROPERTIES as readonly string[]).includes(name);
    output[name] = lazy && !byKey ? null : (record[name] ?? null);
  }
  return output;
}

function json(status: number, body: unknown): SimResponse {
  return { status, body: JSON.stringify(body), contentType: 'application/json; odata.metadata=minimal; charset=utf-8' };
}

function odataError(status: number, code: string, message: string): SimResponse {
  return json(status, { error: { code, message } });
}

function notFound(packageClass: PackageClass, key: string): SimResponse {
  return odataError(404, 'NotFound', `No ${packageClass} instance has the key '${key}'.`);
}

function notFoundRoute(rawPath: string): Route {
  return { kind: 'error', response: odataError(404, 'NotFound', `No resource matches ${rawPath}.`) };
}

function methodNotAllowed(method: string): Route {
  return { kind: 'error', response: odataError(405, 'MethodNotAllowed', `${method} is not allowed on this resource.`) };
}

function send(response: http.ServerResponse, answer: SimResponse): void {
  if (response.destroyed || response.headersSent) return;
  const bytes = Buffer.from(answer.body, 'utf8');
  response.writeHead(answer.status, {
    ...answer.headers,
    'Content-Type': answer.contentType,
    'Content-Length': bytes.length,
  });
  response.end(bytes);
}

function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', () => resolve(''));
    request.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** ISO date-time to the second, as the AdminService writes them. */
function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The CSDL of the demo site: the package classes deriving from SMS_PackageBaseclass, the distribution status class,
 * and RefreshPkgSource / ReloadImageProperties bound to each package class, except those the site leaves out.
 */
function metadataDocument(omitted: readonly OmittedMethod[]): string {
  const properties = [...RECORD_PROPERTIES.entries(), ...LAZY_PROPERTIES.map((name) => [name, 'string'] as const)]
    .map(([name, type]) => `<Property Name="${name}" Type="${type === 'number' ? 'Edm.Int64' : 'Edm.String'}"/>`)
    .join('');
  const distributionProperties = [...DISTRIBUTION_PROPERTIES.entries()]
    .map(([name, type]) => `<Property Name="${name}" Type="${type === 'number' ? 'Edm.Int32' : 'Edm.String'}"/>`)
    .join('');
  const entityTypes =
    `<EntityType Name="SMS_PackageBaseclass" Abstract="true"><Key><PropertyRef Name="PackageID"/></Key>${properties}</EntityType>` +
    PACKAGE_CLASSES.map((name) => `<EntityType Name="${name}" BaseType="AdminService.SMS_PackageBaseclass"/>`).join('') +
    `<EntityType Name="${DISTRIBUTION_CLASS}"><Key><PropertyRef Name="PackageID"/><PropertyRef Name="ServerNALPath"/></Key>` +
    `${distributionProperties}</EntityType>`;
  const actions = PACKAGE_CLASSES.flatMap((className) =>
    SIMULATED_METHODS.filter((method) => !omitted.some((o) => o.method === method && (o.packageClass ?? className) === className)).map(
      (method) =>
        `<Action Name="${method}" IsBound="true"><Parameter Name="bindingParameter" Type="AdminService.${className}"/>` +
        `<ReturnType Type="Edm.Int32"/></Action>`,
    ),
  ).join('');
  const entitySets = [...PACKAGE_CLASSES, DISTRIBUTION_CLASS]
    .map((name) => `<EntitySet Name="${name}" EntityType="AdminService.${name}"/>`)
    .join('');
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>' +
    `<Schema Namespace="AdminService" xmlns="http://docs.oasis-open.org/odata/ns/edm">${entityTypes}${actions}` +
    `<EntityContainer Name="Container">${entitySets}</EntityContainer></Schema>` +
    '</edmx:DataServices></edmx:Edmx>'
  );
}
