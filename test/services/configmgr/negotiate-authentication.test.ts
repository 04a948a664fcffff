import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import pino from 'pino';
import { AdminServiceClient, AdminServiceClientOptions } from '../../../src/services/configmgr/admin-service-client';
import { KerberosModuleMissing } from '../../../src/services/configmgr/auth/kerberos-module';
import { kerberosPrincipal } from '../../../src/services/configmgr/auth/negotiate-authenticator';
import { ConfigMgrAccessDenied } from '../../../src/services/errors';
import { KerberosRealm, setEnvironment, startKerberosRealm } from '../../support/kerberos-realm';
import { json, ReceivedRequest, startScriptedServer, ScriptedServer } from './scripted-server';

/** The server side of the optional `kerberos` package, as the IIS stand-in uses it (a local type: the module may be absent). */
interface KerberosServerModule {
  initializeServer(service: string): Promise<{ username: string; step(token: string): Promise<string> }>;
}
const logger = pino({ level: 'silent' });

describe('AdminServiceClient with Negotiate against a real MIT Kerberos realm', function () {
  this.timeout(30_000);
  let realm: KerberosRealm;
  let restoreEnvironment: () => void;
  let server: ScriptedServer;
  let kerberos: KerberosServerModule;
  /** Client principals the server accepted, in order. */
  const accepted: string[] = [];
  const clients: AdminServiceClient[] = [];

  function client(auth: AdminServiceClientOptions['auth']): AdminServiceClient {
    const made = new AdminServiceClient({ baseUrl: server.baseUrl, logger, auth, retries: 0 });
    clients.push(made);
    return made;
  }

  /** IIS-like: 401 Negotiate without a token; with one, accept it from the keytab and answer the mutual token. */
  async function negotiateEndpoint(request: ReceivedRequest, response: import('node:http').ServerResponse): Promise<void> {
    const token = /^Negotiate (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!token) {
      json(response, 401, { error: 'unauthorized' }, { 'WWW-Authenticate': 'Negotiate' });
      return;
    }
    const context = await kerberos.initializeServer(realm.serviceName);
    let answer: string;
    try {
      answer = await context.step(token);
    } catch {
      json(response, 401, { error: 'bad token' }, { 'WWW-Authenticate': 'Negotiate' });
      return;
    }
    accepted.push(context.username);
    json(response, 200, { value: [{ PackageID: 'PS100001', Name: `for ${context.username}` }] }, {
      'WWW-Authenticate': `Negotiate ${answer}`,
    });
  }

  before(async () => {
    kerberos = require('kerberos') as KerberosServerModule;
    realm = await startKerberosRealm();
    restoreEnvironment = setEnvironment(realm.environment);
    server = await startScriptedServer();
  });
  beforeEach(() => {
    accepted.length = 0;
    process.env.KRB5CCNAME = realm.environment.KRB5CCNAME;
    server.script(negotiateEndpoint);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((made) => made.close()));
  });
  after(async () => {
    await server?.close();
    restoreEnvironment?.();
    await realm?.stop();
  });

  it('gets a ticket with the password, answers the 401 challenge and is accepted as the user', async () => {
    const negotiating = client({
      kind: 'negotiate',
      username: 'alice',
      password: realm.user.password,
      domain: realm.realm.toLowerCase(),
      servicePrincipal: realm.serviceName,
    });
    const { records } = await negotiating.listPackages('SMS_ImagePackage');
    assert.equal(records[0]!.Name, `for ${realm.user.principal}`);
    assert.deepEqual(accepted, [realm.user.principal]);
    assert.equal(server.requests.length, 2);
    assert.equal(server.requests[0]!.headers.authorization, undefined);
    assert.match(String(server.requests[1]!.headers.authorization), /^Negotiate [A-Za-z0-9+/]+=*$/);

    // The server asked for Negotiate once: later requests carry a fresh token from the start.
    await negotiating.getPackage('SMS_ImagePackage', 'PS100001');
    assert.equal(server.requests.length, 3);
    assert.deepEqual(accepted, [realm.user.principal, realm.user.principal]);
  });

  it('uses the default credentials cache when no password is given', async () => {
    const bob = await realm.addUser('bob', 'Bob-pa55');
    const cache = `FILE:${join(realm.directory, 'bob-ccache')}`;
    execFileSync('kinit', ['-c', cache, bob], { env: { ...process.env }, input: 'Bob-pa55\n' });
    process.env.KRB5CCNAME = cache;
    const { records } = await client({ kind: 'negotiate', servicePrincipal: realm.serviceName }).listPackages('SMS_ImagePackage');
    assert.equal(records[0]!.Name, `for ${bob}`);
    assert.deepEqual(accepted, [bob]);
  });

  it('throws ConfigMgrAccessDenied naming kinit\'s reason, never the password, when the password is wrong', async () => {
    const error = await client({
      kind: 'negotiate',
      username: realm.user.principal,
      password: 'not-the-password',
      servicePrincipal: realm.serviceName,
    })
      .listPackages('SMS_ImagePackage')
      .then(() => assert.fail('expected a rejection'), (caught: Error) => caught);
    assert.ok(error instanceof ConfigMgrAccessDenied);
    assert.match(error.message, /kinit for alice@UPGRADE-MEDIA\.TEST failed/);
    assert.equal(error.message.includes('not-the-password'), false);
    assert.deepEqual(accepted, []);
  });

  it('asks for HTTP@<host of the URL> by default and reports the unknown service as ConfigMgrAccessDenied', async () => {
    const error = await client({ kind: 'negotiate', username: 'alice', password: realm.user.password })
      .listPackages('SMS_ImagePackage')
      .then(() => assert.fail('expected a rejection'), (caught: Error) => caught);
    assert.ok(error instanceof ConfigMgrAccessDenied);
    assert.match(error.message, /Kerberos for HTTP@127\.0\.0\.1/);
  });

  it('throws ConfigMgrAccessDenied when the server refuses the token, without looping', async () => {
    server.script((_request, response) => json(response, 401, {}, { 'WWW-Authenticate': 'Negotiate' }));
    const error = await client({ kind: 'negotiate', username: 'alice', password: realm.user.password, servicePrincipal: realm.serviceName })
      .listPackages('SMS_ImagePackage')
      .then(() => assert.fail('expected a rejection'), (caught: Error) => caught);
    assert.ok(error instanceof ConfigMgrAccessDenied);
    assert.equal(server.requests.length, 2);
  });

  it('refuses an answer whose mutual-authentication token does not prove the service', async () => {
    server.script(async (request, response) => {
      if (!request.headers.authorization) json(response, 401, {}, { 'WWW-Authenticate': 'Negotiate' });
      else json(response, 200, { value: [] }, { 'WWW-Authenticate': 'Negotiate bm90LWEtdG9rZW4=' });
    });
    await assert.rejects(
      client({ kind: 'negotiate', username: 'alice', password: realm.user.password, servicePrincipal: realm.serviceName }).listPackages(
        'SMS_ImagePackage',
      ),
      ConfigMgrAccessDenied,
    );
  });

  it('refuses a user name without a password at construction', () => {
    assert.throws(() => client({ kind: 'negotiate', username: 'alice' }), /both CM_USERNAME and CM_PASSWORD/);
  });
});

describe('Negotiate without the kerberos module', () => {
  const cases: Array<{ why: string; failure: Error; fix: RegExp }> = [
    {
      why: 'npm left it out (no Kerberos headers, or --omit=optional)',
      failure: Object.assign(new Error("Cannot find module 'kerberos'\nRequire stack:\n- /app/dist/src/x.js"), { code: 'MODULE_NOT_FOUND' }),
      fix: /is not installed on this machine: install the Kerberos headers \(libkrb5-dev on Debian\/Ubuntu\), then run "npm install --include=optional" \(Cannot find module 'kerberos'\)\.$/,
    },
    {
      why: 'it is there but its native part does not load (built for another Node)',
      failure: new Error('The module kerberos.node was compiled against a different Node.js version\nusing NODE_MODULE_VERSION 108'),
      fix: /does not load on this machine: .*then run "npm rebuild kerberos" \(The module kerberos\.node was compiled/,
    },
  ];
  for (const { why, failure, fix } of cases) {
    it(`fails at construction with the one-line fix when ${why}, while other modes still work`, () => {
      const missing = (): never => {
        throw failure;
      };
      assert.throws(
        () => new AdminServiceClient({ baseUrl: 'https://cm01.test/AdminService', logger, auth: { kind: 'negotiate' }, loadKerberos: missing }),
        (error: Error) => {
          assert.ok(error instanceof KerberosModuleMissing);
          assert.match(error.message, /^CM_AUTH=negotiate needs the optional "kerberos" module, which /);
          assert.match(error.message, fix);
          assert.equal(error.message.includes('\n'), false, 'one line');
          return true;
        },
      );
      const other = new AdminServiceClient({ baseUrl: 'https://cm01.test/AdminService', logger, auth: { kind: 'none' }, loadKerberos: missing });
      return other.close();
    });
  }
});

describe('Kerberos principal names', () => {
  const cases: Array<[string, string | undefined, string]> = [
    ['alice', 'contoso.com', 'alice@CONTOSO.COM'],
    ['alice@CONTOSO.COM', 'ignored.example', 'alice@CONTOSO.COM'],
    ['contoso.com\\alice', undefined, 'alice@CONTOSO.COM'],
    ['alice', undefined, 'alice'],
  ];
  for (const [user, domain, principal] of cases) {
    it(`reads ${user}${domain ? ` in ${domain}` : ''} as ${principal}`, () => {
      assert.equal(kerberosPrincipal(user, domain), principal);
    });
  }
});
