/**
 * NTLM for ConfigMgr sites before 2509 (2509 and later reject NTLM: use Negotiate there).
 *
 * Why not axios-ntlm's `NtlmClient`: it owns the axios instance and retries inside a response
 * interceptor, sends a private `X-retry` header to the server, leaves a stale Type 3 header on the
 * request config (so a transient 503 retried by axios-retry would resend it and fail as 401), and
 * does nothing to keep the Type 1 and Type 3 legs on one socket when requests run concurrently.
 * Its message codec (Type 1/2/3, NTLMv2 when the server asks for it) is sound, so we use that
 * and drive the handshake ourselves, like Negotiate; the client pins NTLM to one keep-alive socket.
 */
import { createType1Message, createType3Message, decodeType2Message } from 'axios-ntlm/lib/ntlm';
import { AuthExchange, AuthenticationFailed, Challenge, HttpAuthenticator, findChallenge } from './http-authenticator';

export interface NtlmCredentials {
  username: string;
  password: string;
  domain?: string;
  /** The workstation name sent in the messages; default: this machine's host name. */
  workstation?: string;
}

export class NtlmAuthenticator implements HttpAuthenticator {
  readonly connectionBound = true;
  readonly description: string;
  readonly #credentials: NtlmCredentials;

  constructor(credentials: NtlmCredentials) {
    if (!credentials.username || !credentials.password) {
      throw new Error('CM_AUTH=ntlm needs a user name and a password (CM_USERNAME, CM_PASSWORD).');
    }
    this.#credentials = credentials;
    this.description = `ntlm as ${credentials.domain ? `${credentials.domain}\\` : ''}${credentials.username}`;
  }

  startExchange(): AuthExchange {
    const { username, password, domain, workstation } = this.#credentials;
    let stage: 'start' | 'negotiate-sent' | 'authenticate-sent' = 'start';
    return {
      // IIS keeps an authenticated keep-alive connection authenticated: try without a header first.
      firstAuthorization: async () => undefined,
      answerChallenge: async (challenges: readonly Challenge[]) => {
        const challenge = findChallenge(challenges, 'NTLM');
        if (!challenge) return undefined;
        if (stage === 'start' && challenge.data === '') {
          stage = 'negotiate-sent';
          return createType1Message(workstation, domain);
        }
        if (stage === 'negotiate-sent' && challenge.data !== '') {
          let type2: ReturnType<typeof decodeType2Message>;
          try {
            type2 = decodeType2Message(challenge.data);
          } catch (error) {
            throw new AuthenticationFailed(`Unreadable NTLM Type 2 challenge: ${(error as Error).message.slice(0, 80)}`);
          }
          stage = 'authenticate-sent';
          return createType3Message(type2, username, password, workstation, domain);
        }
        // A challenge after our Type 3 means the credentials were refused.
        return undefined;
      },
      finish: async () => undefined,
    };
  }
}
