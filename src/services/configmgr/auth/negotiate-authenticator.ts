/**
 * Negotiate (SPNEGO/Kerberos), the only Windows authentication ConfigMgr accepts from 2509 on.
 * The `kerberos` package is an optional native dependency: it is loaded only when Negotiate is
 * chosen (see kerberos-module.ts), so a machine without it still builds and runs every other mode.
 */
import type { Logger } from 'pino';
import { AuthExchange, AuthenticationFailed, Challenge, HttpAuthenticator, findChallenge } from './http-authenticator';
import { KerberosClientContext, KerberosModule, loadKerberosModule } from './kerberos-module';
import { KerberosTicketCache } from './kerberos-ticket-cache';


export interface NegotiateOptions {
  /** GSSAPI host-based service name, e.g. `HTTP@cm01.contoso.com`. */
  servicePrincipal: string;
  /** With a password: a ticket is obtained with kinit. Without: the default ccache/keytab is used. */
  username?: string;
  password?: string;
  /** The Kerberos realm (the AD DNS domain) when the user name carries none. */
  domain?: string;
  logger: Logger;
  /** How the native module is required; tests pass one that fails, as on a machine without it. */
  loadKerberos?: () => unknown;
}

/** `user@REALM` from `user@realm`, `DOMAIN\user` or a user plus a domain. */
export function kerberosPrincipal(username: string, domain: string | undefined): string {
  const backslash = username.indexOf('\\');
  if (backslash > 0) return `${username.slice(backslash + 1)}@${username.slice(0, backslash).toUpperCase()}`;
  if (username.includes('@')) return username;
  return domain ? `${username}@${domain.toUpperCase()}` : username;
}

export class NegotiateAuthenticator implements HttpAuthenticator {
  readonly connectionBound = false;
  readonly description: string;
  readonly #kerberos: KerberosModule;
  readonly #servicePrincipal: string;
  readonly #principal: string | undefined;
  readonly #tickets: KerberosTicketCache | undefined;
  readonly #logger: Logger;
  /** Once the server has asked for Negotiate, later requests send a token up front (saves a round trip). */
  #serverWantsNegotiate = false;

  constructor(options: NegotiateOptions) {
    // Throws KerberosModuleMissing, whose message is the one-line fix.
    this.#kerberos = loadKerberosModule(options.loadKerberos);
    if ((options.username === undefined) !== (options.password === undefined)) {
      throw new Error('CM_AUTH=negotiate needs both CM_USERNAME and CM_PASSWORD, or neither (to use the default ticket cache).');
    }
    this.#servicePrincipal = options.servicePrincipal;
    this.#logger = options.logger;
    if (options.username !== undefined && options.password !== undefined) {
      this.#principal = kerberosPrincipal(options.username, options.domain);
      this.#tickets = new KerberosTicketCache({
        principal: this.#principal,
        password: options.password,
        logger: options.logger,
      });
    }
    this.description = `negotiate as ${this.#principal ?? 'the default Kerberos credentials'} for ${this.#servicePrincipal}`;
  }

  startExchange(): AuthExchange {
    let client: KerberosClientContext | undefined;
    const nextToken = async (): Promise<string> => {
      const started = await this.#initialToken();
      client = started.client;
      return `Negotiate ${started.token}`;
    };
    return {
      firstAuthorization: async () => (this.#serverWantsNegotiate ? nextToken() : undefined),
      answerChallenge: async (challenges: readonly Challenge[]) => {
        const challenge = findChallenge(challenges, 'Negotiate');
        if (!challenge) return undefined;
        this.#serverWantsNegotiate = true;
        if (!client) return nextToken();
        // A bare challenge after our token means the ticket was refused; a token is a continuation.
        if (challenge.data === '' || client.contextComplete) return undefined;
        const token = await this.#step(client, challenge.data);
        return token ? `Negotiate ${token}` : undefined;
      },
      finish: async (challenges: readonly Challenge[]) => {
        const challenge = findChallenge(challenges, 'Negotiate');
        // Mutual authentication: the server proves it holds the service key. IIS may omit it.
        if (client && challenge?.data && !client.contextComplete) await this.#step(client, challenge.data);
      },
    };
  }

  /** Removes the private ticket cache, if one was made. */
  dispose(): void {
    this.#tickets?.dispose();
  }

  async #initialToken(): Promise<{ client: KerberosClientContext; token: string }> {
    await this.#tickets?.ensureTicket();
    try {
      return await this.#startContext();
    } catch (error) {
      if (!this.#tickets) throw this.#failure(error);
      // The cached ticket may have expired or been revoked since the last check: get a new one once.
      this.#logger.debug({ err: (error as Error).message }, 'Kerberos refused the cached ticket; running kinit again');
      await this.#tickets.renew();
      try {
        return await this.#startContext();
      } catch (retryError) {
        throw this.#failure(retryError);
      }
    }
  }

  async #startContext(): Promise<{ client: KerberosClientContext; token: string }> {
    const client = await this.#kerberos.initializeClient(this.#servicePrincipal, {
      mechOID: this.#kerberos.GSS_MECH_OID_SPNEGO,
      ...(this.#principal ? { principal: this.#principal } : {}),
    });
    const token = await client.step('');
    return { client, token };
  }

  async #step(client: KerberosClientContext, data: string): Promise<string> {
    try {
      return await client.step(data);
    } catch (error) {
      throw this.#failure(error);
    }
  }

  #failure(error: unknown): AuthenticationFailed {
    const message = error instanceof Error ? error.message : String(error);
    return new AuthenticationFailed(`Kerberos for ${this.#servicePrincipal}: ${message.slice(0, 200)}`);
  }
}
