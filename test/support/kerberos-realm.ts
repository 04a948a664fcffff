/**
 * A throw-away MIT Kerberos realm on loopback: its own krb5.conf/kdc.conf, database, a user
 * principal with a password and an HTTP/localhost service principal in a keytab, and a krb5kdc
 * on a free port. Nothing outside its temporary directory is touched; stop() removes everything.
 */
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface KerberosRealm {
  realm: string;
  directory: string;
  /** Variables that point the Kerberos library at this realm (KRB5_CONFIG, KRB5_KTNAME, KRB5CCNAME). */
  environment: Record<'KRB5_CONFIG' | 'KRB5_KDC_PROFILE' | 'KRB5_KTNAME' | 'KRB5CCNAME', string>;
  user: { name: string; principal: string; password: string };
  /** GSSAPI host-based name of the service in the keytab. */
  serviceName: string;
  servicePrincipal: string;
  addUser(name: string, password: string): Promise<string>;
  stop(): Promise<void>;
}

async function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForTcp(port: number, timeoutMs: number, kdc: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (kdc.exitCode !== null) throw new Error(`krb5kdc exited with ${kdc.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`krb5kdc did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function startKerberosRealm(realm = 'UPGRADE-MEDIA.TEST'): Promise<KerberosRealm> {
  const directory = mkdtempSync(join(tmpdir(), 'kerberos-realm-'));
  const port = await freeTcpPort();
  const krb5Config = join(directory, 'krb5.conf');
  const kdcProfile = join(directory, 'kdc.conf');
  const keytab = join(directory, 'http.keytab');
  writeFileSync(
    krb5Config,
    `[libdefaults]
  default_realm = ${realm}
  dns_lookup_kdc = false
  dns_lookup_realm = false
  dns_canonicalize_hostname = false
  rdns = false
  udp_preference_limit = 1
  default_ccache_name = FILE:${join(directory, 'default-ccache')}
[realms]
  ${realm} = {
    kdc = 127.0.0.1:${port}
  }
[domain_realm]
  localhost = ${realm}
  127.0.0.1 = ${realm}
`,
  );
  writeFileSync(
    kdcProfile,
    `[kdcdefaults]
  kdc_ports = ${port}
  kdc_tcp_ports = ${port}
[realms]
  ${realm} = {
    database_name = ${join(directory, 'principal')}
    key_stash_file = ${join(directory, 'stash')}
    acl_file = ${join(directory, 'kadm5.acl')}
    kdc_ports = ${port}
    kdc_tcp_ports = ${port}
    max_life = 1h
  }
[logging]
  kdc = FILE:${join(directory, 'kdc.log')}
`,
  );
  writeFileSync(join(directory, 'kadm5.acl'), '');
  const toolEnvironment = { ...process.env, KRB5_CONFIG: krb5Config, KRB5_KDC_PROFILE: kdcProfile };
  const kadmin = async (query: string): Promise<void> => {
    await run('kadmin.local', ['-r', realm, '-q', query], { env: toolEnvironment });
  };

  let kdc: ChildProcess | undefined;
  try {
    await run('kdb5_util', ['create', '-s', '-r', realm, '-P', 'master-key-for-tests'], { env: toolEnvironment });
    const user = { name: 'alice', principal: `alice@${realm}`, password: 'Pa55-w0rd for alice' };
    await kadmin(`addprinc -pw "${user.password}" ${user.name}`);
    await kadmin('addprinc -randkey HTTP/localhost');
    await kadmin(`ktadd -k ${keytab} HTTP/localhost`);
    kdc = spawn('krb5kdc', ['-n', '-r', realm], { env: toolEnvironment, stdio: 'ignore' });
    await waitForTcp(port, 10_000, kdc);
    const running = kdc;
    return {
      realm,
      directory,
      environment: {
        KRB5_CONFIG: krb5Config,
        KRB5_KDC_PROFILE: kdcProfile,
        KRB5_KTNAME: `FILE:${keytab}`,
        KRB5CCNAME: `FILE:${join(directory, 'default-ccache')}`,
      },
      user,
      serviceName: 'HTTP@localhost',
      servicePrincipal: `HTTP/localhost@${realm}`,
      addUser: async (name, password) => {
        await kadmin(`addprinc -pw "${password}" ${name}`);
        return `${name}@${realm}`;
      },
      stop: async () => {
        if (running.exitCode === null) {
          const exited = new Promise((resolve) => running.once('exit', resolve));
          running.kill('SIGTERM');
          await exited;
        }
        rmSync(directory, { recursive: true, force: true });
      },
    };
  } catch (error) {
    kdc?.kill('SIGTERM');
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
}

/** Sets environment variables for a test and returns a function that restores the previous values. */
export function setEnvironment(variables: Record<string, string>): () => void {
  const previous = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  Object.assign(process.env, variables);
  return () => {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
