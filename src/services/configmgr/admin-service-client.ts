/**
 * The AdminService over HTTP (axios): OData queries for the package classes, instance methods,
 * retries for transient failures, and every failure turned into one of the typed errors of
 * errors.ts. Logs carry method, URL, status and a short body excerpt; never a header value.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import axios, { AxiosError, AxiosInstance, AxiosResponse, isAxiosError } from 'axios';
import axiosRetry, { exponentialDelay } from 'axios-retry';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import { z } from 'zod';
import {
  ConfigMgrAccessDenied,
  ConfigMgrBadResponse,
  ConfigMgrMethodFailed,
  ConfigMgrMethodUnavailable,
  ConfigMgrRequestRejected,
  ConfigMgrUnavailable,
  PackageNotFound,
} from '../errors';
import {
  AdminService,
  MethodResult,
  PACKAGE_LIST_PROPERTIES,
  PackageClass,
  PackageFilter,
  PackageListing,
  PackageRecord,
  SourceVersionReading,
} from './admin-service';
import { readDistributionRow, type DistributionPoint, type DistributionReading } from './distribution-status';
import { exposesMethod, parseServiceMetadata, ServiceMetadataUnreadable, type ServiceMetadata } from './service-metadata';
import { AdminServiceAuth, createAuthenticator } from './auth/admin-service-auth';
import { AuthenticationFailed, HttpAuthenticator, parseChallenges } from './auth/http-authenticator';
import {
  buildFilterExpression,
  buildQueryString,
  buildSelect,
  describeSchemaError,
  keySegment,
  packageEnvelopeSchema,
  readMethodResult,
} from './odata';
import { readPackageRow } from './package-row';

export type { AdminServiceAuth } from './auth/admin-service-auth';

export interface AdminServiceClientOptions {
  /** e.g. "https://cm01.contoso.com/AdminService" or "http://127.0.0.1:4567/AdminService" */
  baseUrl: string;
  auth: AdminServiceAuth;
  logger: Logger;
  /** PEM bundle to trust in addition to the system roots (the site's self-signed certificate). */
  caFile?: string;
  /** Per request (each retry gets its own), default 30000. */
  timeoutMs?: number;
  /** Retries of transient failures, default 3. */
  retries?: number;
  /** Exponential backoff base with jitter, default 500. */
  retryBaseDelayMs?: number;
  /** How the optional native `kerberos` module is loaded (negotiate only); tests replace it. */
  loadKerberos?: () => unknown;
  /** The most of `wmi/$metadata` read, default 16 MiB: a larger answer is refused as a bad response. */
  metadataMaxBytes?: number;
  /** How long the parsed `wmi/$metadata` is kept, default 10 minutes. */
  metadataTtlMs?: number;
}

/** More legs than any NTLM (3) or Kerberos (1–2) handshake needs: a server looping on 401 is refused. */
const MAX_AUTH_LEGS = 4;
/** A guard against a server whose @odata.nextLink never ends. */
const MAX_PAGES = 1000;
/** A Retry-After longer than this is not waited for: the caller hears "unavailable" instead. */
const MAX_RETRY_DELAY_MS = 60_000;
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
const METADATA_MAX_BYTES = 16 * 1024 * 1024;
const METADATA_TTL_MS = 10 * 60_000;
const EXCERPT_LENGTH = 200;
/** Rows of one package's distribution status read at most (one per DP; large sites have hundreds). */
const MAX_DISTRIBUTION_ROWS = 10_000;
export const DISTRIBUTION_STATUS_CLASS = 'SMS_PackageStatusDistPointsSummarizer';
const DISTRIBUTION_PROPERTIES = ['PackageID', 'ServerNALPath', 'SiteCode', 'State', 'SourceVersion', 'LastCopied', 'SummaryDate'] as const;
const SOURCE_VERSION_PROPERTIES = ['PackageID', 'Name', 'SourceVersion', 'SourceDate', 'ImageOSVersion'] as const;

interface SendOptions {
  method: 'GET' | 'POST';
  url: string;
  body?: unknown;
  /** 404 is returned to the caller instead of thrown (key lookups). */
  allowNotFound?: boolean;
  /** The Accept header, default application/json. */
  accept?: string;
  /** A tighter body limit than MAX_RESPONSE_BYTES for this request. */
  maxBytes?: number;
}

/** The SMS_SoftwareUpdate properties the site-catalog reading needs; nothing lazy, nothing large. */
export const SOFTWARE_UPDATE_PROPERTIES = [
  'ArticleID',
  'LocalizedDisplayName',
  'DatePosted',
  'IsSuperseded',
  'IsExpired',
  'LocalizedCategoryInstanceNames',
] as const;

export interface SoftwareUpdateQuery {
  /** Title substrings a row must contain (any of them); the site-side narrowing of a large catalog. */
  titleClues: readonly string[];
  /** Sent as $top, and the most rows read over all pages: a catalog larger than this is read in part. */
  maxRows: number;
  /** Body limit per page. */
  maxBytes: number;
  /** Pages followed through @odata.nextLink at most. */
  maxPages: number;
}

export interface SoftwareUpdateListing {
  /** Rows as answered, unvalidated: the caller reads each on its own, so one odd row costs only itself. */
  rows: unknown[];
  /** More rows existed than maxRows or maxPages allowed. */
  truncated: boolean;
  /** The site refused the title filter (HTTP 400) and answered the unnarrowed query instead. */
  titleFilterRefused: boolean;
}

export class AdminServiceClient implements AdminService {
  readonly #baseUrl: string;
  readonly #origin: string;
  readonly #logger: Logger;
  readonly #auth: HttpAuthenticator;
  readonly #http: AxiosInstance;
  readonly #httpAgent: http.Agent;
  readonly #httpsAgent: https.Agent;
  readonly #timeoutMs: number;
  readonly #metadataMaxBytes: number;
  readonly #metadataTtlMs: number;
  /** The parsed wmi/$metadata and when it was read; a read in flight is shared. */
  #metadata: { promise: Promise<ServiceMetadata>; readAt: number } | undefined;
  /** NTLM authenticates the connection: one handshake at a time, on one socket. */
  readonly #serialize: (<T>(work: () => Promise<T>) => Promise<T>) | undefined;

  constructor(options: AdminServiceClientOptions) {
    const base = parseBaseUrl(options.baseUrl);
    this.#baseUrl = base.href.replace(/\/+$/, '');
    this.#origin = base.origin;
    this.#logger = options.logger;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#metadataMaxBytes = options.metadataMaxBytes ?? METADATA_MAX_BYTES;
    this.#metadataTtlMs = options.metadataTtlMs ?? METADATA_TTL_MS;
    this.#auth = createAuthenticator(options.auth, {
      host: base.hostname.replace(/^\[|\]$/g, ''),
      logger: options.logger,
      loadKerberos: options.loadKerberos,
    });

    const agentOptions: http.AgentOptions = {
      keepAlive: true,
      maxSockets: this.#auth.connectionBound ? 1 : 8,
    };
    this.#httpAgent = new http.Agent(agentOptions);
    this.#httpsAgent = new https.Agent({
      ...agentOptions,
      ...(options.caFile ? { ca: [...rootCertificates, readCaFile(options.caFile)] } : {}),
    });
    if (this.#auth.connectionBound) {
      const limit = pLimit(1);
      this.#serialize = (work) => limit(work);
    }

    this.#http = axios.create({
      timeout: this.#timeoutMs,
      httpAgent: this.#httpAgent,
      httpsAgent: this.#httpsAgent,
      proxy: false,
      maxRedirects: 0,
      maxContentLength: MAX_RESPONSE_BYTES,
      responseType: 'text',
      // We parse ourselves, so that truncated or non-JSON bodies are reported, not silently passed on.
      transformResponse: [(data: unknown) => data],
      // 401/403/404/4xx are answers for us to read; 5xx and 429 reject so that axios-retry sees them.
      validateStatus: (status) => status < 500 && status !== 429,
    });
    const retryBaseDelayMs = options.retryBaseDelayMs ?? 500;
    axiosRetry(this.#http, {
      retries: options.retries ?? 3,
      shouldResetTimeout: true,
      retryCondition: isTransient,
      // 2^n × base plus up to 20 % jitter, or the server's Retry-After when that is longer.
      retryDelay: (retryCount, error) => Math.min(exponentialDelay(retryCount, error, retryBaseDelayMs), MAX_RETRY_DELAY_MS),
      onRetry: (retryCount, error, config) => {
        this.#logger.warn(
          { method: config.method?.toUpperCase(), url: config.url, retry: retryCount, reason: describeTransportError(error) },
          'AdminService request failed; retrying',
        );
      },
    });
    this.#logger.debug({ baseUrl: this.#baseUrl, auth: this.#auth.description }, 'AdminService client ready');
  }

  async listPackages(packageClass: PackageClass, options?: { filter?: PackageFilter }): Promise<PackageListing> {
    const query = buildQueryString({
      $select: buildSelect(PACKAGE_LIST_PROPERTIES),
      $filter: options?.filter ? buildFilterExpression(options.filter) : undefined,
    });
    const listing: PackageListing = { records: [], skipped: [], dropped: [] };
    for await (const page of this.#pages(`${this.#classUrl(packageClass)}${query}`)) {
      for (const row of page.rows) {
        const reading = readPackageRow(row, packageClass, listing.records.length + listing.skipped.length + 1);
        if (reading.ok) {
          listing.records.push(reading.record);
          listing.dropped.push(...reading.dropped);
        } else {
          listing.skipped.push(reading.skipped);
        }
      }
    }
    return listing;
  }

  async getPackage(packageClass: PackageClass, packageId: string): Promise<PackageRecord> {
    const { reading } = await this.#readByKey(packageClass, packageId, '');
    if (reading.dropped.length > 0) {
      this.#logger.warn(
        { packageId, dropped: reading.dropped.map(({ field, reason }) => `${field}: ${reason}`) },
        'ConfigMgr answered fields the bot cannot read; leaving them out',
      );
    }
    return reading.record;
  }

  async invokePackageMethod(
    packageClass: PackageClass,
    packageId: string,
    method: string,
    parameters?: Record<string, unknown>,
  ): Promise<MethodResult> {
    if (packageId.trim() === '') throw new PackageNotFound(packageId);
    const url = this.#instanceMethodUrl(packageClass, packageId, method);
    const response = await this.#send({ method: 'POST', url, body: parameters ?? {}, allowNotFound: true });
    if (response.status === 404) {
      // The package or the method's route: a key lookup tells which, so the user hears the right next step.
      const where = describeResponse('POST', url, response);
      const found = await this.#send({ method: 'GET', url: `${this.#classUrl(packageClass)}${keySegment(packageId)}${buildQueryString({ $select: 'PackageID' })}`, allowNotFound: true });
      if (found.status === 404) throw new PackageNotFound(packageId);
      throw new ConfigMgrMethodUnavailable(packageClass, method, where);
    }
    const reading = readMethodResult(response.data, String(response.headers['content-type'] ?? ''));
    if (reading.unreadable !== undefined) {
      // The site took the call (2xx); whether it ran is read from the package afterwards, never by calling again.
      this.#logger.warn(
        { method, packageId, status: response.status, reason: reading.unreadable, body: excerpt(String(response.data ?? '')) },
        'ConfigMgr accepted a method call with an answer the bot cannot read; treating it as accepted',
      );
    }
    const result = reading.result;
    if (result.ReturnValue !== undefined && result.ReturnValue !== 0) {
      throw new ConfigMgrMethodFailed(packageId, method, result.ReturnValue, `POST ${url} → HTTP ${response.status}: ReturnValue ${result.ReturnValue}`);
    }
    this.#logger.info({ method, packageId, status: response.status, returnValue: result.ReturnValue }, 'ConfigMgr accepted a package method');
    return result;
  }

  async methodExists(packageClass: PackageClass, method: string): Promise<boolean> {
    return exposesMethod(await this.#serviceMetadata(), packageClass, method);
  }

  /** The parsed wmi/$metadata, read once per metadataTtlMs; a failed read is not kept. */
  #serviceMetadata(): Promise<ServiceMetadata> {
    const cached = this.#metadata;
    if (cached && Date.now() - cached.readAt < this.#metadataTtlMs) return cached.promise;
    const url = `${this.#baseUrl}/wmi/$metadata`;
    const promise = (async () => {
      const response = await this.#send({ method: 'GET', url, accept: 'application/xml', maxBytes: this.#metadataMaxBytes });
      const body = typeof response.data === 'string' ? response.data : '';
      try {
        return parseServiceMetadata(body);
      } catch (error) {
        if (!(error instanceof ServiceMetadataUnreadable)) throw error;
        throw new ConfigMgrBadResponse(`GET ${url} → HTTP ${response.status}: ${error.reason}: ${excerpt(body)}`);
      }
    })();
    const entry = { promise, readAt: Date.now() };
    this.#metadata = entry;
    promise.catch(() => {
      if (this.#metadata === entry) this.#metadata = undefined;
    });
    return promise;
  }

  async getSourceVersion(packageClass: PackageClass, packageId: string): Promise<SourceVersionReading> {
    const { reading, url, response } = await this.#readByKey(packageClass, packageId, buildQueryString({ $select: buildSelect(SOURCE_VERSION_PROPERTIES) }));
    const { SourceVersion, SourceDate, ImageOSVersion } = reading.record;
    if (typeof SourceVersion !== 'number' || SourceVersion < 0) {
      throw new ConfigMgrBadResponse(`GET ${url} → HTTP ${response.status}: no usable SourceVersion: ${excerpt(String(response.data))}`);
    }
    const sourceVersion: SourceVersionReading = { sourceVersion: SourceVersion };
    const sourceDate = typeof SourceDate === 'string' ? new Date(SourceDate) : undefined;
    if (sourceDate && !Number.isNaN(sourceDate.getTime())) sourceVersion.sourceDate = sourceDate;
    if (typeof ImageOSVersion === 'string' && ImageOSVersion.trim() !== '') sourceVersion.imageOsVersion = ImageOSVersion.trim();
    return sourceVersion;
  }

  /** One package by key (lazy properties filled unless `query` selects fewer); PackageNotFound when the site has none. */
  async #readByKey(packageClass: PackageClass, packageId: string, query: string) {
    if (packageId.trim() === '') throw new PackageNotFound(packageId);
    const url = `${this.#classUrl(packageClass)}${keySegment(packageId)}${query}`;
    const response = await this.#send({ method: 'GET', url, allowNotFound: true });
    if (response.status === 404) throw new PackageNotFound(packageId);
    const envelope = parseBody(response, url, packageEnvelopeSchema);
    if (envelope.value.length === 0) throw new PackageNotFound(packageId);
    const reading = readPackageRow(envelope.value[0], packageClass, 1);
    if (!reading.ok) throw new ConfigMgrBadResponse(`GET ${url} → HTTP ${response.status}: unusable row (${reading.skipped.reason})`);
    return { reading, url, response };
  }

  async distributionStatus(packageId: string): Promise<DistributionReading> {
    if (packageId.trim() === '') throw new PackageNotFound(packageId);
    const url = `${this.#baseUrl}/wmi/${DISTRIBUTION_STATUS_CLASS}${buildQueryString({
      $select: buildSelect(DISTRIBUTION_PROPERTIES),
      $filter: buildFilterExpression({ property: 'PackageID', op: 'eq', value: packageId }),
    })}`;
    const points: DistributionPoint[] = [];
    const reasons: string[] = [];
    let rowsRead = 0;
    for await (const page of this.#pages(url)) {
      for (const row of page.rows) {
        if (++rowsRead > MAX_DISTRIBUTION_ROWS) {
          throw new ConfigMgrBadResponse(`GET ${url}: more than ${MAX_DISTRIBUTION_ROWS} distribution rows for one package`);
        }
        // A site that ignored the filter must not lend another package's DPs to this one.
        const rowPackage = (row as { PackageID?: unknown } | null)?.PackageID;
        if (typeof rowPackage === 'string' && rowPackage.toUpperCase() !== packageId.toUpperCase()) continue;
        const reading = readDistributionRow(row);
        if (reading.ok) points.push(reading.point);
        else reasons.push(reading.reason);
      }
    }
    if (reasons.length > 0) {
      this.#logger.warn({ packageId, skipped: reasons.length, reasons: reasons.slice(0, 5) }, 'distribution rows the bot cannot read were skipped');
    }
    return { points, skipped: reasons.length };
  }

  /**
   * Non-expired SMS_SoftwareUpdate rows whose title contains one of the clues, bounded in rows, pages and
   * bytes. Whether a live AdminService runs contains() on this class is unconfirmed: a 400 for the title
   * filter is answered by asking once more with IsExpired alone, still bounded.
   */
  async listSoftwareUpdates(query: SoftwareUpdateQuery): Promise<SoftwareUpdateListing> {
    const notExpired = 'IsExpired eq false';
    const clues = query.titleClues.map((clue) =>
      buildFilterExpression({ property: 'LocalizedDisplayName', op: 'contains', value: clue }),
    );
    if (clues.length > 0) {
      try {
        return await this.#readSoftwareUpdates(`${notExpired} and (${clues.join(' or ')})`, query, false);
      } catch (error) {
        if (!(error instanceof ConfigMgrRequestRejected) || error.status !== 400) throw error;
        this.#logger.warn({ err: error }, 'the AdminService refused the title filter on SMS_SoftwareUpdate; asking without it');
      }
    }
    return this.#readSoftwareUpdates(notExpired, query, clues.length > 0);
  }

  async #readSoftwareUpdates(filter: string, query: SoftwareUpdateQuery, titleFilterRefused: boolean): Promise<SoftwareUpdateListing> {
    const url = `${this.#baseUrl}/wmi/SMS_SoftwareUpdate${buildQueryString({
      $select: buildSelect(SOFTWARE_UPDATE_PROPERTIES),
      $filter: filter,
      // One row more than read: a site that has it has more than the bot reads, and the bot can say so.
      $top: String(query.maxRows + 1),
    })}`;
    const rows: unknown[] = [];
    for await (const page of this.#pages(url, query.maxBytes)) {
      const room = query.maxRows - rows.length;
      rows.push(...page.rows.slice(0, room));
      if (page.rows.length > room || (page.hasNext && (rows.length >= query.maxRows || page.pagesRead >= query.maxPages))) {
        return { rows, truncated: true, titleFilterRefused };
      }
    }
    return { rows, truncated: false, titleFilterRefused };
  }

  /**
   * The pages of a collection, following @odata.nextLink within the site's origin. A link seen twice, or more
   * than MAX_PAGES pages, is a server that never ends. A caller that stops early never resolves the next link.
   */
  async *#pages(firstUrl: string, maxBytes?: number): AsyncGenerator<{ rows: unknown[]; pagesRead: number; hasNext: boolean }> {
    let url = firstUrl;
    const visited = new Set<string>();
    for (;;) {
      if (visited.has(url) || visited.size >= MAX_PAGES) {
        throw new ConfigMgrBadResponse(`GET ${url}: @odata.nextLink loops (${visited.size} pages read)`);
      }
      visited.add(url);
      const response = await this.#send({ method: 'GET', url, ...(maxBytes === undefined ? {} : { maxBytes }) });
      const envelope = parseBody(response, url, packageEnvelopeSchema);
      const nextLink = envelope['@odata.nextLink'];
      yield { rows: envelope.value, pagesRead: visited.size, hasNext: Boolean(nextLink) };
      if (!nextLink) return;
      url = this.#resolveNextLink(nextLink, url);
    }
  }

  /** Closes kept-alive connections and removes a private Kerberos ticket cache. */
  async close(): Promise<void> {
    this.#httpAgent.destroy();
    this.#httpsAgent.destroy();
    (this.#auth as { dispose?: () => void }).dispose?.();
  }

  #classUrl(packageClass: PackageClass): string {
    return `${this.#baseUrl}/wmi/${encodeURIComponent(packageClass)}`;
  }

  /**
   * The one place that knows how an instance method is addressed. The path is unverified on live
   * sites (see reference/configmgr-adminservice.md): if it differs, only this changes.
   */
  #instanceMethodUrl(packageClass: PackageClass, packageId: string, method: string): string {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(method)) {
      throw new ConfigMgrRequestRejected(400, `Not a WMI method name: ${JSON.stringify(method)}`);
    }
    return `${this.#classUrl(packageClass)}${keySegment(packageId)}/AdminService.${method}`;
  }

  #resolveNextLink(nextLink: string, currentUrl: string): string {
    let resolved: URL;
    try {
      resolved = new URL(nextLink, currentUrl);
    } catch {
      throw new ConfigMgrBadResponse(`GET ${currentUrl}: unusable @odata.nextLink ${excerpt(nextLink)}`);
    }
    // Our credentials (a bearer token) must never follow a link to another server.
    if (resolved.origin !== this.#origin) {
      throw new ConfigMgrBadResponse(`GET ${currentUrl}: @odata.nextLink leaves ${this.#origin}: ${resolved.origin}`);
    }
    return resolved.href;
  }

  #send(options: SendOptions): Promise<AxiosResponse<string>> {
    return this.#serialize ? this.#serialize(() => this.#exchange(options)) : this.#exchange(options);
  }

  /** One request, through the authentication handshake; every failure leaves as a typed error. */
  async #exchange({ method, url, body, allowNotFound, maxBytes, accept }: SendOptions): Promise<AxiosResponse<string>> {
    const startedAt = Date.now();
    const exchange = this.#auth.startExchange();
    let authorization = await this.#authStep(method, url, () => exchange.firstAuthorization());
    for (let leg = 1; ; leg += 1) {
      let response: AxiosResponse<string>;
      try {
        response = await this.#http.request<string>({
          method,
          url,
          data: body === undefined ? undefined : JSON.stringify(body),
          ...(maxBytes === undefined ? {} : { maxContentLength: maxBytes }),
          headers: {
            Accept: accept ?? 'application/json',
            ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
            ...(authorization ? { Authorization: authorization } : {}),
          },
        });
      } catch (error) {
        throw this.#transportFailure(error, method, url);
      }
      const challenges = parseChallenges(response.headers['www-authenticate'] as string | string[] | undefined);
      if (response.status === 401) {
        const next =
          leg < MAX_AUTH_LEGS ? await this.#authStep(method, url, () => exchange.answerChallenge(challenges)) : undefined;
        if (next) {
          authorization = next;
          continue;
        }
        const offered = challenges.map((challenge) => challenge.scheme).join(', ') || 'nothing';
        throw new ConfigMgrAccessDenied(
          `${describeResponse(method, url, response)}; the server offers ${offered}; the bot used ${this.#auth.description}`,
        );
      }
      if (response.status === 403) throw new ConfigMgrAccessDenied(describeResponse(method, url, response));
      if (response.status === 404 && allowNotFound) return response;
      if (response.status >= 300) {
        throw new ConfigMgrRequestRejected(response.status, describeResponse(method, url, response));
      }
      await this.#authStep(method, url, () => exchange.finish(challenges));
      this.#logger.debug({ method, url, status: response.status, ms: Date.now() - startedAt }, 'AdminService answered');
      return response;
    }
  }

  async #authStep<T>(method: string, url: string, step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      if (error instanceof AuthenticationFailed) {
        throw new ConfigMgrAccessDenied(`${method} ${url}: ${error.message}`, sanitizedCause(error));
      }
      throw error;
    }
  }

  #transportFailure(error: unknown, method: string, url: string): Error {
    if (!isAxiosError(error)) return error instanceof Error ? error : new Error(String(error));
    const retries = (error.config?.['axios-retry'] as { retryCount?: number } | undefined)?.retryCount ?? 0;
    const after = retries > 0 ? ` after ${retries} ${retries === 1 ? 'retry' : 'retries'}` : '';
    if (error.response && !isBrokenBody(error)) {
      return new ConfigMgrUnavailable(
        `${describeResponse(method, url, error.response as AxiosResponse<string>)}${after}`,
        sanitizedCause(error),
      );
    }
    if (isTooLarge(error)) {
      return new ConfigMgrBadResponse(`${method} ${url}: the answer is larger than the bot reads (${error.message})`, sanitizedCause(error));
    }
    const reason = isTimeout(error) ? `timed out after ${this.#timeoutMs} ms` : describeTransportError(error);
    return new ConfigMgrUnavailable(`${method} ${url}: ${reason}${after}`, sanitizedCause(error));
  }
}

function parseBaseUrl(baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error(`CM_ADMINSERVICE_URL is not a URL: ${JSON.stringify(baseUrl)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`CM_ADMINSERVICE_URL must start with https:// (or http:// for test doubles), not ${url.protocol}`);
  }
  if (url.username || url.password) {
    throw new Error('CM_ADMINSERVICE_URL must not carry credentials; use CM_USERNAME and CM_PASSWORD.');
  }
  if (url.search || url.hash) {
    throw new Error('CM_ADMINSERVICE_URL must not carry a query or fragment, e.g. https://cm01.contoso.com/AdminService');
  }
  return url;
}

function readCaFile(caFile: string): string {
  let pem: string;
  try {
    pem = readFileSync(caFile, 'utf8');
  } catch (error) {
    throw new Error(`CM_CA_FILE cannot be read: ${caFile} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new Error(`CM_CA_FILE holds no PEM certificate: ${caFile}`);
  }
  return pem;
}

/**
 * Whether a failure may pass if tried again. POST (a method call such as RefreshPkgSource) is
 * retried only when the server cannot have acted on it: refused connection, 429, 503.
 */
function isTransient(error: AxiosError): boolean {
  const method = (error.config?.method ?? 'get').toLowerCase();
  const safe = method === 'get' || method === 'head';
  if (error.response && !isBrokenBody(error)) {
    const { status } = error.response;
    if (status === 429 || status === 503) return true;
    return safe && status >= 500;
  }
  if (error.code === AxiosError.ERR_CANCELED || isTlsError(error) || isTooLarge(error)) return false;
  return safe || error.code === 'ECONNREFUSED';
}

/** The status line arrived but the connection broke while the body was read. */
function isBrokenBody(error: AxiosError): boolean {
  return error.response !== undefined && error.response.status < 400;
}

/** The body passed maxContentLength: asking again would only read it again. */
function isTooLarge(error: AxiosError): boolean {
  return /maxContentLength/i.test(error.message);
}

function isTimeout(error: AxiosError): boolean {
  return error.code === AxiosError.ECONNABORTED || error.code === AxiosError.ETIMEDOUT;
}

function isTlsError(error: AxiosError): boolean {
  return /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(error.code ?? '');
}

function describeTransportError(error: AxiosError): string {
  if (isBrokenBody(error)) return `the connection broke while the body was read (${error.code ?? 'error'}: ${error.message})`;
  if (error.response) return `HTTP ${error.response.status}`;
  if (isTooLarge(error)) return `the answer is larger than the bot reads (${error.message})`;
  if (isTlsError(error)) {
    return `TLS: ${error.code}: ${error.message}; trust the site's certificate with CM_CA_FILE`;
  }
  return `${error.code ?? 'network error'}: ${error.message}`;
}

function describeResponse(method: string, url: string, response: AxiosResponse<string>): string {
  const body = typeof response.data === 'string' ? response.data : '';
  return `${method} ${url} → HTTP ${response.status}${body ? `: ${excerpt(body)}` : ''}`;
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT_LENGTH ? `${flat.slice(0, EXCERPT_LENGTH)}…` : flat;
}

/**
 * A cause for the logs that keeps the code and message but not the axios config, which holds
 * the Authorization header (a bearer token or an NTLM/Kerberos token).
 */
function sanitizedCause(error: Error): Error {
  const cause = new Error(error.message);
  cause.name = error.name;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') Object.assign(cause, { code });
  return cause;
}

function parseBody<S extends z.ZodType>(response: AxiosResponse<string>, url: string, schema: S): z.output<S> {
  const where = `${response.config.method?.toUpperCase() ?? 'GET'} ${url} → HTTP ${response.status}`;
  const contentType = String(response.headers['content-type'] ?? '');
  const body = typeof response.data === 'string' ? response.data : '';
  if (!/\bjson\b/i.test(contentType)) {
    throw new ConfigMgrBadResponse(`${where}: content-type ${contentType || 'missing'}, not JSON: ${excerpt(body)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new ConfigMgrBadResponse(
      `${where}: invalid or truncated JSON (${(error as Error).message}) after ${body.length} characters: ${excerpt(body)}`,
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigMgrBadResponse(`${where}: unexpected shape (${describeSchemaError(parsed.error)}): ${excerpt(body)}`);
  }
  return parsed.data;
}
