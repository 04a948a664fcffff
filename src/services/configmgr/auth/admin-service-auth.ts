/** The ways the bot can authenticate to the AdminService (CM_AUTH), and the authenticator for each. */
import type { Logger } from 'pino';
import { AnonymousAuthenticator, BearerAuthenticator, HttpAuthenticator } from './http-authenticator';
import { NegotiateAuthenticator } from './negotiate-authenticator';
import { NtlmAuthenticator } from './ntlm-authenticator';

export type AdminServiceAuth =
  | { kind: 'none' }
  | { kind: 'bearer'; token: string }
  | { kind: 'ntlm'; username: string; password: string; domain?: string }
  | {
      kind: 'negotiate';
      username?: string;
      password?: string;
      domain?: string;
      /** GSSAPI service name; default `HTTP@<host of the AdminService URL>`. */
      servicePrincipal?: string;
    };

export interface AuthenticatorContext {
  /** Host name of the AdminService URL, for the default service principal. */
  host: string;
  logger: Logger;
  /** How the optional `kerberos` module is required (negotiate only); tests replace it. */
  loadKerberos?: () => unknown;
}

export function createAuthenticator(auth: AdminServiceAuth, context: AuthenticatorContext): HttpAuthenticator {
  switch (auth.kind) {
    case 'none':
      return new AnonymousAuthenticator();
    case 'bearer':
      return new BearerAuthenticator(auth.token);
    case 'ntlm':
      return new NtlmAuthenticator({ username: auth.username, password: auth.password, domain: auth.domain });
    case 'negotiate':
      return new NegotiateAuthenticator({
        servicePrincipal: auth.servicePrincipal ?? `HTTP@${context.host}`,
        username: auth.username,
        password: auth.password,
        domain: auth.domain,
        logger: context.logger,
        loadKerberos: context.loadKerberos,
      });
    default: {
      const unknown: never = auth;
      throw new Error(`Unknown CM_AUTH kind: ${JSON.stringify((unknown as { kind?: unknown }).kind)}`);
    }
  }
}
