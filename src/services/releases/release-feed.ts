import axios from 'axios';
import type { ReleaseData } from './freshness';
import { parseReleaseData } from './release-data-schema';

/** One fetch of the RELEASES_FEED_URL feed: the document, validated, or an error saying what was wrong. */

export interface FetchReleaseFeedOptions {
  timeoutMs: number;
  /** Larger bodies are refused: a release feed is a few kilobytes, so megabytes mean the wrong URL. */
  maxBytes: number;
}

export class ReleaseFeedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReleaseFeedError';
  }
}

export async function fetchReleaseFeed(url: string, options: FetchReleaseFeedOptions): Promise<ReleaseData> {
  let body: string;
  try {
    const response = await axios.get<string>(url, {
      timeout: options.timeoutMs,
      // The socket timeout above does not bound a server that trickles its body; this does.
      signal: AbortSignal.timeout(options.timeoutMs),
      maxContentLength: options.maxBytes,
      maxRedirects: 3,
      responseType: 'text',
      // Keep the body as text so that "not JSON" is ours to say, not a silently kept string.
      transformResponse: [(data: unknown) => data],
      headers: { Accept: 'application/json' },
      validateStatus: () => true,
    });
    if (response.status < 200 || response.status > 299) {
      throw new ReleaseFeedError(`the release feed answered HTTP ${response.status}`);
    }
    body = typeof response.data === 'string' ? response.data : String(response.data);
  } catch (error) {
    if (error instanceof ReleaseFeedError) throw error;
    throw new ReleaseFeedError(`the release feed could not be fetched: ${describeFetchFailure(error, options)}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    const looksLikeHtml = /^\s*</.test(body);
    throw new ReleaseFeedError(`the release feed answered ${looksLikeHtml ? 'HTML' : 'text'}, not JSON`, { cause: error });
  }
  try {
    return parseReleaseData(json, 'feed');
  } catch (error) {
    throw new ReleaseFeedError(`the release feed ${(error as Error).message.replace(/^release data /, '')}`, { cause: error });
  }
}

function describeFetchFailure(error: unknown, options: FetchReleaseFeedOptions): string {
  if (axios.isAxiosError(error) || error instanceof Error) {
    const code = (error as { code?: string }).code;
    if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ERR_CANCELED' || error.name === 'TimeoutError' || error.name === 'CanceledError') {
      return `no answer within ${options.timeoutMs} ms`;
    }
    if (/maxContentLength/i.test(error.message)) return `the body is larger than ${options.maxBytes} bytes`;
    return code ? `${code} (${error.message})` : error.message;
  }
  return String(error);
}

/** The feed URL for logs: no credentials, no query string (tokens live there). */
export function describeFeedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}
