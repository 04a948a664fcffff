/**
 * A Kerberos ticket for the bot's own account, obtained with `kinit` into a private credentials
 * cache. Why kinit: on Linux the `kerberos` package only uses tickets GSSAPI already has (its
 * user/password options are Windows-only), and MIT kinit is the supported way to turn a password
 * into a TGT, including renewal, pre-authentication and the site's krb5.conf. The password goes to
 * kinit on stdin, never on its command line (visible in `ps`) and never in a log.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { AuthenticationFailed } from './http-authenticator';

export interface KerberosTicketCacheOptions {
  /** user@REALM */
  principal: string;
  password: string;
  logger: Logger;
  /** How long a "the ticket is valid" check is trusted before klist runs again. */
  recheckAfterMs?: number;
  /** The environment GSSAPI reads KRB5CCNAME from; the process environment unless a test says otherwise. */
  environment?: NodeJS.ProcessEnv;
}

const KINIT_TIMEOUT_MS = 15_000;

export class KerberosTicketCache {
  readonly principal: string;
  /** `FILE:<private dir>/ccache`: no other process or user shares or overwrites it. */
  readonly cacheName: string;
  readonly #password: string;
  readonly #logger: Logger;
  readonly #directory: string;
  readonly #recheckAfterMs: number;
  readonly #environment: NodeJS.ProcessEnv;
  #validUntilCheck = 0;
  #pending: Promise<void> | undefined;

  constructor(options: KerberosTicketCacheOptions) {
    this.principal = options.principal;
    this.#password = options.password;
    this.#logger = options.logger;
    this.#recheckAfterMs = options.recheckAfterMs ?? 60_000;
    // mkdtemp creates the directory with mode 0700.
    this.#directory = mkdtempSync(join(tmpdir(), 'upgrade-media-bot-krb5-'));
    this.cacheName = `FILE:${join(this.#directory, 'ccache')}`;
    // GSSAPI finds credentials only through KRB5CCNAME (the kerberos package has no per-context
    // cache option), so the process environment is where the private cache has to be named.
    this.#environment = options.environment ?? process.env;
  }

  /** Makes sure a valid ticket is in the cache, running kinit when there is none or it expired. */
  async ensureTicket(): Promise<void> {
    if (Date.now() < this.#validUntilCheck) return;
    if (await this.#hasValidTicket()) {
      this.#validUntilCheck = Date.now() + this.#recheckAfterMs;
      this.#environment.KRB5CCNAME = this.cacheName;
      return;
    }
    await this.renew();
  }

  /** Obtains a new ticket now (also after GSSAPI refused the cached one). Concurrent callers share one kinit. */
  renew(): Promise<void> {
    this.#pending ??= this.#kinit().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  /** Removes the private cache (the ticket) from disk. */
  dispose(): void {
    rmSync(this.#directory, { recursive: true, force: true });
    this.#validUntilCheck = 0;
  }

  #hasValidTicket(): Promise<boolean> {
    return new Promise((resolve) => {
      execFile('klist', ['-s', '-c', this.cacheName], { timeout: KINIT_TIMEOUT_MS }, (error) => resolve(!error));
    });
  }

  #kinit(): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn('kinit', ['-c', this.cacheName, this.principal], {
        env: { ...this.#environment, KRB5CCNAME: this.cacheName },
        stdio: ['pipe', 'pipe', 'pipe'],
        timeout: KINIT_TIMEOUT_MS,
      });
      let output = '';
      const collect = (chunk: Buffer): void => {
        if (output.length < 2000) output += chunk.toString('utf8');
      };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      child.on('error', (error) => {
        reject(new AuthenticationFailed(`kinit could not run (${error.message}); install krb5-user.`));
      });
      child.on('close', (code, signal) => {
        if (code === 0) {
          this.#validUntilCheck = Date.now() + this.#recheckAfterMs;
          this.#environment.KRB5CCNAME = this.cacheName;
          this.#logger.info({ principal: this.principal }, 'obtained a Kerberos ticket');
          resolve();
          return;
        }
        // kinit's prompt echoes nothing secret; keep the last line, which names the reason.
        const reason = output.replace(/Password for [^:]*:\s*/g, '').trim().split('\n').pop()?.slice(0, 200) ?? '';
        reject(
          new AuthenticationFailed(
            `kinit for ${this.principal} failed (${signal ?? `exit ${code}`}): ${reason || 'no message'}`,
          ),
        );
      });
      child.stdin.end(`${this.#password}\n`);
    });
  }
}
