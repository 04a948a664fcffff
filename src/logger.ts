/**
 * The one way the bot makes a logger, so that every log it writes (npm start, the Playground, the
 * bench, startApp's own default) hides the same secrets. Why one factory: index.ts used to make its
 * own pino without the redaction list, and production logs were not redacted.
 *
 * Two layers: redaction paths for the places secrets sit in what we log (the configuration, request
 * and response headers, the environment), and an error serializer that keeps an HTTP client error's
 * method, URL and status but not its request config, socket or response (where the Authorization
 * header and cookies sit, however deep).
 */
import pino, { type DestinationStream, type Level, type Logger } from 'pino';

export type LogLevel = Level | 'silent';

export const REDACTED = '[redacted]';

/** Property names whose value is a secret wherever they appear (config, env, options, bodies). */
const SECRET_KEYS = [
  'password',
  'Password',
  'appPassword',
  'MicrosoftAppPassword',
  'CM_PASSWORD',
  'bearerToken',
  'CM_BEARER_TOKEN',
  'token',
  'accessToken',
  'access_token',
  'refresh_token',
  'id_token',
  'clientSecret',
  'client_secret',
  'secret',
  'RUNNER_SECRET',
  'authorization',
  'Authorization',
  'cookie',
  'Cookie',
] as const;

/** Header names whose value is a credential, in the spellings clients and servers use. */
const SECRET_HEADERS = ['authorization', 'Authorization', 'proxy-authorization', 'Proxy-Authorization', 'cookie', 'Cookie', 'set-cookie', 'Set-Cookie'] as const;

/** Where a headers object sits in what we log: a request or response, an error's request config. */
const HEADER_HOLDERS = ['headers', 'req.headers', 'res.headers', 'request.headers', 'response.headers', '*.headers', '*.config.headers', '*.*.config.headers', '*.*.headers'] as const;

function key(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? `.${name}` : `["${name}"]`;
}

/** Every path the logger censors (exported for the test that checks each one). */
export const REDACT_PATHS: readonly string[] = [
  // A secret key at the top of a log object, one level down (config.x, env.x) and two (config.configMgr.x).
  ...SECRET_KEYS.flatMap((name) => [key(name).replace(/^\./, ''), `*${key(name)}`, `*.*${key(name)}`]),
  ...HEADER_HOLDERS.flatMap((holder) => SECRET_HEADERS.map((header) => `${holder}${key(header)}`)),
];

export interface LoggerSettings {
  level: LogLevel;
}

/**
 * A pino logger at the configured level with the redaction list and the safe error serializer.
 * Takes the app config (its `logLevel`) or just `{ level }` (bench, tests); `destination` is stdout
 * unless a test captures the lines.
 */
export function createLogger(settings: { logLevel: string } | LoggerSettings, destination?: DestinationStream): Logger {
  const level = 'logLevel' in settings ? settings.logLevel : settings.level;
  const options = {
    level,
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    serializers: { err: serializeError, error: serializeError },
  };
  return destination ? pino(options, destination) : pino(options);
}

interface SerializedError {
  [key: string]: unknown;
}

/** pino's error serializer, minus what an HTTP client error carries about the request it made. */
export function serializeError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error) as unknown;
  if (serialized === null || typeof serialized !== 'object' || serialized === error) return serialized;
  return stripHttpDetail(serialized as SerializedError, 0);
}

/** Errors nest (cause, aggregate errors); a few levels are enough to reach every HTTP error in practice. */
const MAX_ERROR_DEPTH = 4;

function stripHttpDetail(serialized: SerializedError, depth: number): SerializedError {
  // `raw` is the original error, kept by pino for custom serializers; it must not be logged.
  delete serialized.raw;
  const config = serialized.config as { method?: unknown; url?: unknown; timeout?: unknown } | undefined;
  if (config !== null && typeof config === 'object') {
    serialized.config = {
      method: typeof config.method === 'string' ? config.method.toUpperCase() : undefined,
      url: typeof config.url === 'string' ? withoutUserInfo(config.url) : undefined,
      timeout: typeof config.timeout === 'number' ? config.timeout : undefined,
    };
  }
  const response = serialized.response as { status?: unknown; statusCode?: unknown } | undefined;
  if (response !== null && typeof response === 'object') {
    serialized.response = { status: response.status ?? response.statusCode };
  }
  // A ClientRequest (its `_header` is the raw request text with the Authorization line), a socket, an agent.
  for (const name of ['request', 'req', 'socket', 'agent', '_options', 'options']) delete serialized[name];
  if (depth < MAX_ERROR_DEPTH) {
    for (const [name, value] of Object.entries(serialized)) {
      if (name !== 'config' && value !== null && typeof value === 'object' && typeof (value as SerializedError).message === 'string') {
        serialized[name] = stripHttpDetail(value as SerializedError, depth + 1);
      }
    }
    if (Array.isArray(serialized.aggregateErrors)) {
      serialized.aggregateErrors = serialized.aggregateErrors.map((inner: unknown) =>
        inner !== null && typeof inner === 'object' ? stripHttpDetail(inner as SerializedError, depth + 1) : inner,
      );
    }
  }
  return serialized;
}

/** A URL without a user:password@ part. */
function withoutUserInfo(url: string): string {
  return url.replace(/\/\/[^/@]*@/, '//');
}
