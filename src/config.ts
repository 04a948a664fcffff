/**
 * The environment contract of DESIGN.md, parsed once. Names are a contract (tests outside the project
 * set them): a wrong or missing value stops start-up with one line naming the variable.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { z } from 'zod';
import { EditionsPolicyError, parseEditionsPolicy, type EditionsPolicy } from './services/media/editions-policy';
import { MediaHygieneError, parseMediaHygiene, type MediaHygienePolicy } from './services/jobs/media-hygiene';

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

export type CmAuthKind = 'negotiate' | 'ntlm' | 'bearer' | 'none';

export interface MediaPathMapping {
  /** UNC prefix as written in PkgSourcePath, e.g. \\cm01\OSD$ (no trailing backslash). */
  uncPrefix: string;
  /** Where that share is mounted on this machine. */
  localRoot: string;
}

export interface AppConfig {
  port: number;
  host: string;
  /**
   * PUBLIC_URL: the bot's base URL as others reach it (the servicing host posts its callbacks to
   * `${publicUrl}/api/jobs/<id>/events`). Undefined = the bot's own listen URL (app.ts RunningApp.publicUrl).
   */
  publicUrl?: string;
  bot: {
    appId: string;
    appPassword: string;
    appType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMsi';
    tenantId: string;
  };
  /** Undefined = the built-in demo site. */
  configMgr?: {
    adminServiceUrl: string;
    auth: CmAuthKind;
    username?: string;
    password?: string;
    domain?: string;
    bearerToken?: string;
    caFile?: string;
  };
  mediaPathMap: MediaPathMapping[];
  buildFileName: string;
  /** EDITIONS_IN_USE: the editions the site deploys, by scope; undefined = no claim about which index is used. */
  editionsInUse?: EditionsPolicy;
  releasesFeedUrl?: string;
  databaseUrl: string;
  approvers: string[];
  requiredApprovals: number;
  approvalTtlHours: number;
  runner: { kind: 'configmgr' | 'webhook' | 'demo'; webhookUrl?: string; secret?: string };
  /** How a job watches the distribution points: DISTRIBUTION_POLL_SECONDS, DISTRIBUTION_TIMEOUT_MINUTES. */
  distribution: { pollSeconds: number; timeoutMinutes: number };
  /** SERVICING_TIMEOUT_MINUTES: how long a job waits for the servicing host's result (RUNNER=webhook). */
  servicingTimeoutMinutes: number;
  /** MEDIA_HYGIENE: what every refresh (or one package's) does to the media besides the refresh itself. */
  mediaHygiene: MediaHygienePolicy;
  syncIntervalMinutes: number;
  logLevel: string;
  notifications: {
    /** NOTIFY_RATE_PER_SECOND: this instance's share of Teams' 50 requests/s per app (split it between instances). */
    ratePerSecond: number;
    /** CHANNEL_SUBSCRIBERS: who may subscribe or unsubscribe a channel or group chat ('anyone' in it, or the approvers). */
    channelSubscribers: 'anyone' | 'approvers';
    /** DIGEST: when the weekly digest goes out, in the bot's time zone (TZ); undefined = never. */
    digest?: DigestSchedule;
  };
}

/** A weekly moment: day 0 = Sunday … 6 = Saturday, at hour:minute local time. */
export interface DigestSchedule {
  day: number;
  hour: number;
  minute: number;
}

const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** "monday 08:00" (day names may be cut to three letters), or "off". */
export function parseDigestSchedule(text: string): DigestSchedule | undefined {
  const words = text.trim().toLowerCase().split(/\s+/);
  if (words.length === 1 && words[0] === 'off') return undefined;
  const day = words.length === 2 ? DAYS.findIndex((name) => words[0]!.length >= 3 && name.startsWith(words[0]!)) : -1;
  const time = words.length === 2 ? /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(words[1]!) : null;
  if (day < 0 || time === null) throw new RangeError('must be a day and a time such as "monday 08:00", or "off"');
  return { day, hour: Number(time[1]), minute: Number(time[2]) };
}

type Env = Record<string, string | undefined>;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Reads one variable with a zod schema; the first issue becomes the one-line ConfigError. */
function read<T>(env: Env, variable: string, schema: z.ZodType<T>): T {
  const raw = env[variable];
  const value = raw === undefined || raw.trim() === '' ? undefined : raw.trim();
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const shown = value === undefined ? 'it is empty' : `got "${value.length > 60 ? `${value.slice(0, 60)}…` : value}"`;
    throw new ConfigError(variable, `${issue?.message ?? 'invalid value'} (${shown})`);
  }
  return result.data;
}

const optionalText = z.string().optional();

function numberIn(min: number, max: number, whole: boolean, fallback: number) {
  return z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined) return fallback;
      const value = Number(text);
      if (!Number.isFinite(value) || (whole && !Number.isInteger(value)) || value < min || value > max) {
        ctx.addIssue({ code: 'custom', message: `must be a ${whole ? 'whole ' : ''}number from ${min} to ${max}` });
        return z.NEVER;
      }
      return value;
    });
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T, fallback?: T[number]) {
  const schema = z.enum(values, { error: () => `must be one of ${values.join(', ')}` });
  return fallback === undefined ? schema : schema.optional().transform((v) => v ?? fallback);
}

function httpUrl(what: string) {
  return z
    .string()
    .optional()
    .refine((text) => text === undefined || /^https?:\/\/[^\s/]+/i.test(text), { message: `must be an http(s) URL ${what}` })
    .refine((text) => text === undefined || !/^https?:\/\/[^/]*@/i.test(text), {
      message: 'must not carry credentials in the URL; use the CM_* credential variables',
    });
}

/** https, or http to this machine only (loopback); no credentials, query or fragment; no trailing slash. */
function publicUrl() {
  return z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined) return undefined;
      let url: URL | undefined;
      try {
        url = new URL(text);
      } catch {
        url = undefined;
      }
      const loopback = url !== undefined && /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i.test(url.hostname);
      if (url === undefined || !(url.protocol === 'https:' || (url.protocol === 'http:' && loopback))) {
        ctx.addIssue({ code: 'custom', message: 'must be the https URL the servicing host reaches the bot at, such as https://osd-bot.contoso.com' });
        return z.NEVER;
      }
      if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
        ctx.addIssue({ code: 'custom', message: 'must be a plain base URL without credentials, query or fragment' });
        return z.NEVER;
      }
      return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
    });
}

/** `Enterprise` or `Enterprise, EnterpriseN; Windows Server=ServerStandard; image=*` (see editions-policy.ts). */
/** A variable read by a domain parser: the parser's own error (of the `expected` class) becomes the one-line ConfigError. */
function parsedBy<T>(parse: (text: string | undefined) => T, expected: new (...args: never[]) => Error) {
  return z
    .string()
    .optional()
    .transform((text, ctx) => {
      try {
        return parse(text);
      } catch (error) {
        if (!(error instanceof expected)) throw error;
        ctx.addIssue({ code: 'custom', message: error.message });
        return z.NEVER;
      }
    });
}

function required(env: Env, variable: string, reason: string): string {
  const value = env[variable]?.trim();
  if (!value) throw new ConfigError(variable, `is required ${reason}`);
  return value;
}

export function parseMediaPathMap(text: string | undefined): MediaPathMapping[] {
  if (!text?.trim()) return [];
  return text
    .split(';')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const separator = entry.indexOf('=');
      const unc = separator > 0 ? entry.slice(0, separator).trim() : '';
      const local = separator > 0 ? entry.slice(separator + 1).trim() : '';
      if (!/^\\\\[^\\]+\\[^\\]+/.test(unc) || !local.startsWith('/')) {
        throw new ConfigError(
          'MEDIA_PATH_MAP',
          `each entry must read \\\\server\\share=/local/path, separated by ";" (got "${entry}")`,
        );
      }
      const localRoot = local.replace(/\/+$/, '') || '/';
      if (resolvesToFilesystemRoot(localRoot)) {
        throw new ConfigError(
          'MEDIA_PATH_MAP',
          `the mount for ${unc} is the filesystem root (${local}), which would let package source paths reach every file on this machine; mount the share in a folder of its own, such as /mnt/osd`,
        );
      }
      return { uncPrefix: unc.replace(/\\+$/, ''), localRoot };
    });
}

/** `/`, `/.`, `//`, `/mnt/..`, a symbolic link to `/` or a bind mount of it: the whole machine, never a share. */
function resolvesToFilesystemRoot(path: string): boolean {
  if (posix.resolve(path) === '/') return true;
  try {
    // stat follows links, so a link to `/` has the root's device and inode like a bind mount of it.
    const folder = statSync(path);
    const root = statSync('/');
    return folder.dev === root.dev && folder.ino === root.ino;
  } catch {
    // Not there (yet): the share may be mounted later; the inspector reports a missing mount.
    return false;
  }
}

function readConfigMgr(env: Env): AppConfig['configMgr'] {
  const adminServiceUrl = read(env, 'CM_ADMINSERVICE_URL', httpUrl('such as https://cm01.contoso.com/AdminService'));
  if (adminServiceUrl === undefined) return undefined;
  const auth = read(env, 'CM_AUTH', oneOf(['negotiate', 'ntlm', 'bearer', 'none'] as const));
  const caFile = read(env, 'CM_CA_FILE', optionalText);
  if (caFile !== undefined) {
    if (!existsSync(caFile)) throw new ConfigError('CM_CA_FILE', `no file at ${caFile}`);
    if (!readFileSync(caFile, 'utf8').includes('-----BEGIN CERTIFICATE-----')) {
      throw new ConfigError('CM_CA_FILE', `${caFile} holds no PEM certificate`);
    }
  }
  const settings: NonNullable<AppConfig['configMgr']> = {
    adminServiceUrl: adminServiceUrl.replace(/\/+$/, ''),
    auth,
    username: read(env, 'CM_USERNAME', optionalText),
    password: env.CM_PASSWORD || undefined,
    domain: read(env, 'CM_DOMAIN', optionalText),
    bearerToken: env.CM_BEARER_TOKEN?.trim() || undefined,
    caFile,
  };
  if (auth === 'ntlm') {
    required(env, 'CM_USERNAME', 'with CM_AUTH=ntlm');
    required(env, 'CM_PASSWORD', 'with CM_AUTH=ntlm');
  }
  if (auth === 'bearer') required(env, 'CM_BEARER_TOKEN', 'with CM_AUTH=bearer');
  if (auth === 'negotiate' && settings.username !== undefined && settings.password === undefined) {
    throw new ConfigError('CM_PASSWORD', 'is required with CM_USERNAME under CM_AUTH=negotiate (or leave both empty to use the keytab/ticket cache)');
  }
  return settings;
}

function readBot(env: Env): AppConfig['bot'] {
  const appId = read(env, 'MicrosoftAppId', optionalText) ?? '';
  const appType = read(env, 'MicrosoftAppType', oneOf(['MultiTenant', 'SingleTenant', 'UserAssignedMsi'] as const, 'MultiTenant'));
  const tenantId = read(env, 'MicrosoftAppTenantId', optionalText) ?? '';
  if (appId !== '' && !GUID.test(appId)) throw new ConfigError('MicrosoftAppId', `must be the bot's GUID (got "${appId}")`);
  if (appId !== '' && appType !== 'UserAssignedMsi') required(env, 'MicrosoftAppPassword', 'when MicrosoftAppId is set');
  if (appId !== '' && appType !== 'MultiTenant') required(env, 'MicrosoftAppTenantId', `with MicrosoftAppType=${appType}`);
  return { appId, appPassword: env.MicrosoftAppPassword ?? '', appType, tenantId };
}

function readRunner(env: Env): AppConfig['runner'] {
  const kind = read(env, 'RUNNER', oneOf(['configmgr', 'webhook', 'demo'] as const, 'configmgr'));
  const webhookUrl = read(env, 'RUNNER_WEBHOOK_URL', httpUrl('for the servicing host'));
  const secret = env.RUNNER_SECRET?.trim() || undefined;
  if (kind === 'demo' && env.CM_ADMINSERVICE_URL?.trim()) {
    throw new ConfigError('RUNNER', 'demo runs only on the built-in demo site; leave CM_ADMINSERVICE_URL empty, or use configmgr or webhook');
  }
  if (kind === 'webhook') {
    required(env, 'RUNNER_WEBHOOK_URL', 'with RUNNER=webhook');
    if (!secret || secret.length < 16) throw new ConfigError('RUNNER_SECRET', 'must be at least 16 characters with RUNNER=webhook');
  }
  return { kind, webhookUrl, secret };
}

export function loadConfig(env: Env): AppConfig {
  const bot = readBot(env);
  const databaseUrl = read(
    env,
    'DATABASE_URL',
    z
      .string()
      .optional()
      .transform((v) => v ?? 'sqlite:./data/upgrade-media-bot.db')
      .refine((v) => /^sqlite:.+/.test(v) || /^postgres(ql)?:\/\/.+/.test(v), {
        message: 'must be sqlite:<path> or postgres://…',
      }),
  );
  const approvers = (env.APPROVERS ?? '')
    .split(/[,;\s]+/)
    .map((id) => id.trim())
    .filter((id) => id !== '');
  const badApprover = approvers.find((id) => !GUID.test(id));
  if (badApprover !== undefined) {
    throw new ConfigError('APPROVERS', `must be Azure AD object ids (GUIDs) separated by commas (got "${badApprover}")`);
  }
  return {
    port: read(env, 'PORT', numberIn(0, 65535, true, 3978)),
    host: read(env, 'HOST', optionalText) ?? (bot.appId === '' ? '127.0.0.1' : '0.0.0.0'),
    publicUrl: read(env, 'PUBLIC_URL', publicUrl()),
    bot,
    configMgr: readConfigMgr(env),
    mediaPathMap: parseMediaPathMap(env.MEDIA_PATH_MAP),
    buildFileName: read(
      env,
      'BUILD_FILE_NAME',
      z
        .string()
        .regex(/^[^\\/:*?"<>|]+$/, { message: 'must be a plain file name without a folder' })
        .optional()
        .transform((v) => v ?? 'BuildNumber.txt'),
    ),
    editionsInUse: read(env, 'EDITIONS_IN_USE', parsedBy(parseEditionsPolicy, EditionsPolicyError)),
    releasesFeedUrl: read(env, 'RELEASES_FEED_URL', httpUrl('to a JSON feed')),
    databaseUrl,
    approvers,
    requiredApprovals: read(env, 'REQUIRED_APPROVALS', numberIn(1, 10, true, 1)),
    approvalTtlHours: read(env, 'APPROVAL_TTL_HOURS', numberIn(0.1, 24 * 30, false, 24)),
    runner: readRunner(env),
    distribution: {
      pollSeconds: read(env, 'DISTRIBUTION_POLL_SECONDS', numberIn(1, 3_600, false, 60)),
      timeoutMinutes: read(env, 'DISTRIBUTION_TIMEOUT_MINUTES', numberIn(1, 7 * 24 * 60, false, 240)),
    },
    servicingTimeoutMinutes: read(env, 'SERVICING_TIMEOUT_MINUTES', numberIn(1, 7 * 24 * 60, false, 360)),
    mediaHygiene: read(env, 'MEDIA_HYGIENE', parsedBy(parseMediaHygiene, MediaHygieneError)),
    syncIntervalMinutes: read(env, 'SYNC_INTERVAL_MINUTES', numberIn(0.05, 24 * 60, false, 15)),
    logLevel: read(
      env,
      'LOG_LEVEL',
      oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    ),
    notifications: {
      ratePerSecond: read(env, 'NOTIFY_RATE_PER_SECOND', numberIn(1, 50, false, 50)),
      channelSubscribers: read(env, 'CHANNEL_SUBSCRIBERS', oneOf(['anyone', 'approvers'] as const, 'anyone')),
      digest: read(env, 'DIGEST', parsedBy((text) => parseDigestSchedule(text ?? 'monday 08:00'), RangeError)),
    },
  };
}
