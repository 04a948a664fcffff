/**
 * How the AdminService client authenticates a request. Windows integrated schemes (NTLM,
 * Negotiate) are challenge-response: the server answers 401 with `WWW-Authenticate`, the client
 * answers with the next token. The client drives that loop; each scheme only computes tokens.
 */

/** One request's authentication conversation; a new one is started for every request. */
export interface AuthExchange {
  /** The `Authorization` header for the first attempt, or undefined to send none. */
  firstAuthorization(): Promise<string | undefined>;
  /**
   * The next `Authorization` header after a 401 carrying these challenges, or undefined when this
   * scheme has nothing (more) to offer: the request is then refused.
   */
  answerChallenge(challenges: readonly Challenge[]): Promise<string | undefined>;
  /** Checks what the server sent with its successful answer (mutual authentication). */
  finish(challenges: readonly Challenge[]): Promise<void>;
}

export interface HttpAuthenticator {
  /** For logs: the scheme and account, never a secret. */
  readonly description: string;
  /**
   * True when the scheme authenticates the TCP connection rather than the request (NTLM): every
   * leg of a handshake must then travel on the same keep-alive socket.
   */
  readonly connectionBound: boolean;
  startExchange(): AuthExchange;
}

/** One `WWW-Authenticate` challenge: the scheme and what follows it (a token or parameters). */
export interface Challenge {
  scheme: string;
  data: string;
}

// A new challenge starts at a comma followed by a scheme name that is followed by a space or the end
// (parameters such as `realm="x"` contain '=' right after the name, so they do not match).
const CHALLENGE_START = /,\s*(?=[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*(?:\s|$))/;

/** Parses `WWW-Authenticate` values; Node joins repeated headers with ", ". */
export function parseChallenges(header: string | readonly string[] | undefined): Challenge[] {
  if (header === undefined) return [];
  const values = typeof header === 'string' ? [header] : header;
  const challenges: Challenge[] = [];
  for (const value of values) {
    for (const part of value.split(CHALLENGE_START)) {
      const match = /^\s*([^\s,]+)\s*(.*?)\s*$/.exec(part);
      if (match?.[1]) challenges.push({ scheme: match[1], data: match[2] ?? '' });
    }
  }
  return challenges;
}

/** The first challenge of a scheme (case-insensitive), if the server offered it. */
export function findChallenge(challenges: readonly Challenge[], scheme: string): Challenge | undefined {
  const wanted = scheme.toLowerCase();
  return challenges.find((challenge) => challenge.scheme.toLowerCase() === wanted);
}

/** No authentication (test doubles, or a front end that authenticates for us). */
export class AnonymousAuthenticator implements HttpAuthenticator {
  readonly description = 'none';
  readonly connectionBound = false;
  startExchange(): AuthExchange {
    return {
      firstAuthorization: async () => undefined,
      answerChallenge: async () => undefined,
      finish: async () => undefined,
    };
  }
}

/** An Azure AD access token, e.g. through a cloud management gateway. */
export class BearerAuthenticator implements HttpAuthenticator {
  readonly description = 'bearer token';
  readonly connectionBound = false;
  readonly #authorization: string;

  constructor(token: string) {
    if (!token.trim()) throw new Error('CM_AUTH=bearer needs a non-empty token (CM_BEARER_TOKEN).');
    this.#authorization = `Bearer ${token.trim()}`;
  }

  startExchange(): AuthExchange {
    return {
      firstAuthorization: async () => this.#authorization,
      // A refused token will not become valid by sending it again.
      answerChallenge: async () => undefined,
      finish: async () => undefined,
    };
  }
}

/**
 * The credentials could not be turned into a token (no ticket, KDC unreachable, malformed
 * challenge). The client reports it as access denied; the message goes to the logs only.
 */
export class AuthenticationFailed extends Error {
  override readonly name = 'AuthenticationFailed';
}
