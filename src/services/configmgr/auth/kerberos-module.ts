/**
 * The optional native `kerberos` package, seen through the few members Negotiate uses. Why local
 * types instead of a type import of the package itself: npm leaves an optional dependency out when its
 * native build fails (no Kerberos headers) or when installed with --omit=optional, and the project
 * must still build and start then. Only CM_AUTH=negotiate loads the module, at run time.
 */

/** A GSSAPI client context (the package's KerberosClient). */
export interface KerberosClientContext {
  /** True once the handshake is complete (mutual authentication done). */
  readonly contextComplete: boolean;
  /** One client step: the server's base64 token in ('' at first), ours out. */
  step(challenge: string): Promise<string>;
}

export interface KerberosClientOptions {
  /** `user@REALM` whose ticket to use; the default credentials when absent. */
  principal?: string;
  mechOID?: number;
}

/** What the bot uses of the `kerberos` package. */
export interface KerberosModule {
  readonly GSS_MECH_OID_SPNEGO: number;
  initializeClient(service: string, options?: KerberosClientOptions): Promise<KerberosClientContext>;
}

/** The module is absent or its native part cannot load; the message is the one-line fix. */
export class KerberosModuleMissing extends Error {
  override readonly name = 'KerberosModuleMissing';
}

/**
 * Loads the module, or throws KerberosModuleMissing with one line saying what to run. `loader` is
 * how tests stand in for a machine without the module.
 */
export function loadKerberosModule(loader: () => unknown = () => require('kerberos')): KerberosModule {
  try {
    return loader() as KerberosModule;
  } catch (error) {
    throw new KerberosModuleMissing(kerberosMissingMessage(error));
  }
}

function kerberosMissingMessage(error: unknown): string {
  const cause = (error instanceof Error ? error.message : String(error)).split('\n')[0]?.slice(0, 120) ?? '';
  const notInstalled = (error as { code?: unknown }).code === 'MODULE_NOT_FOUND' && /'kerberos'/.test(cause);
  // npm drops an optional dependency whose build failed, so "not installed" usually means "no headers".
  const fix = notInstalled
    ? 'install the Kerberos headers (libkrb5-dev on Debian/Ubuntu), then run "npm install --include=optional"'
    : 'install the Kerberos headers (libkrb5-dev on Debian/Ubuntu), then run "npm rebuild kerberos"';
  return `CM_AUTH=negotiate needs the optional "kerberos" module, which ${notInstalled ? 'is not installed' : 'does not load'} on this machine: ${fix} (${cause}).`;
}
