import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import pino from 'pino';
import { AdminServiceClient } from '../../../src/services/configmgr/admin-service-client';
import { ConfigMgrAccessDenied } from '../../../src/services/errors';
import { json, ReceivedRequest, startScriptedServer, ScriptedServer } from './scripted-server';

const logger = pino({ level: 'silent' });
const SIGNATURE = Buffer.from('NTLMSSP\0', 'ascii');
const UNICODE = 0x1;
const REQUEST_TARGET = 0x4;
const NTLM = 0x200;
const ALWAYS_SIGN = 0x8000;
const TARGET_TYPE_DOMAIN = 0x10000;
const EXTENDED_SESSION_SECURITY = 0x80000;
const TARGET_INFO = 0x800000;

function ntlmMessage(header: string | undefined): Buffer | undefined {
  const match = /^NTLM (\S+)$/.exec(header ?? '');
  return match ? Buffer.from(match[1]!, 'base64') : undefined;
}

/** A Type 2 challenge as a Windows server sends it: Unicode, NTLMv2 (extended security), target info. */
function type2Challenge(domain: string): string {
  const target = Buffer.from(domain, 'utf16le');
  const avPair = (type: number, value: Buffer) => {
    const head = Buffer.alloc(4);
    head.writeUInt16LE(type, 0);
    head.writeUInt16LE(value.length, 2);
    return Buffer.concat([head, value]);
  };
  const info = Buffer.concat([avPair(2, target), avPair(1, Buffer.from('CM01', 'utf16le')), avPair(0, Buffer.alloc(0))]);
  const header = Buffer.alloc(48);
  SIGNATURE.copy(header, 0);
  header.writeUInt32LE(2, 8);
  header.writeUInt16LE(target.length, 12);
  header.writeUInt16LE(target.length, 14);
  header.writeUInt32LE(48, 16);
  header.writeUInt32LE(UNICODE | REQUEST_TARGET | NTLM | ALWAYS_SIGN | TARGET_TYPE_DOMAIN | EXTENDED_SESSION_SECURITY | TARGET_INFO, 20);
  Buffer.from('0123456789abcdef', 'hex').copy(header, 24);
  header.writeUInt16LE(info.length, 40);
  header.writeUInt16LE(info.length, 42);
  header.writeUInt32LE(48 + target.length, 44);
  return `NTLM ${Buffer.concat([header, target, info]).toString('base64')}`;
}

function securityBuffer(message: Buffer, at: number): Buffer {
  const length = message.readUInt16LE(at);
  const offset = message.readUInt32LE(at + 4);
  return message.subarray(offset, offset + length);
}

interface Type3 {
  domain: string;
  user: string;
  workstation: string;
  ntResponseLength: number;
}

function readType3(message: Buffer): Type3 {
  assert.ok(message.subarray(0, 8).equals(SIGNATURE), 'Type 3 signature');
  assert.equal(message.readUInt32LE(8), 3, 'message type 3');
  return {
    ntResponseLength: message.readUInt16LE(20),
    domain: securityBuffer(message, 28).toString('utf16le'),
    user: securityBuffer(message, 36).toString('utf16le'),
    workstation: securityBuffer(message, 44).toString('utf16le'),
  };
}

/**
 * An IIS-like NTLM endpoint: 401 NTLM, then Type 1 → Type 2 on the same connection, then Type 3 →
 * 200 when the user and domain are the expected ones. Connections stay authenticated.
 */
function ntlmEndpoint(expected: { user: string; domain: string }, seen: Type3[]) {
  const authenticated = new WeakSet<object>();
  const challenged = new WeakSet<object>();
  return (request: ReceivedRequest, response: ServerResponse): void => {
    const deny = () => json(response, 401, { error: 'denied' }, { 'WWW-Authenticate': 'NTLM' });
    const message = ntlmMessage(request.headers.authorization);
    if (!message) {
      if (authenticated.has(request.socket)) json(response, 200, { value: [{ PackageID: 'PS100001', Name: 'A' }] });
      else json(response, 401, { error: 'denied' }, { 'WWW-Authenticate': 'Negotiate, NTLM' });
      return;
    }
    assert.ok(message.subarray(0, 8).equals(SIGNATURE), 'NTLMSSP signature');
    const type = message.readUInt32LE(8);
    if (type === 1) {
      challenged.add(request.socket);
      json(response, 401, { error: 'continue' }, { 'WWW-Authenticate': type2Challenge(expected.domain) });
      return;
    }
    if (type === 3 && challenged.has(request.socket)) {
      const type3 = readType3(message);
      seen.push(type3);
      if (type3.user === expected.user && type3.domain === expected.domain) {
        authenticated.add(request.socket);
        json(response, 200, { value: [{ PackageID: 'PS100001', Name: 'A' }] });
        return;
      }
    }
    deny();
  };
}

describe('AdminServiceClient with NTLM', () => {
  let server: ScriptedServer;
  let client: AdminServiceClient | undefined;
  before(async () => {
    server = await startScriptedServer();
  });
  afterEach(async () => {
    await client?.close();
    client = undefined;
  });
  after(async () => {
    await server.close();
  });

  function ntlmClient(username: string, password: string, domain?: string): AdminServiceClient {
    client = new AdminServiceClient({ baseUrl: server.baseUrl, logger, auth: { kind: 'ntlm', username, password, domain } });
    return client;
  }

  it('answers the challenge with Type 1, then Type 3 carrying the user and domain, on one connection', async () => {
    const seen: Type3[] = [];
    server.script(ntlmEndpoint({ user: 'svc-bot', domain: 'CONTOSO' }, seen));
    const ntlm = ntlmClient('svc-bot', 'Secret-1', 'CONTOSO');
    const { records } = await ntlm.listPackages('SMS_ImagePackage');
    assert.deepEqual(records, [{ PackageID: 'PS100001', Name: 'A' }]);
    assert.equal(server.requests.length, 3);
    const [first, negotiate, authenticate] = server.requests;
    assert.equal(first!.headers.authorization, undefined);
    const type1 = ntlmMessage(negotiate!.headers.authorization)!;
    assert.equal(type1.readUInt32LE(8), 1);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.user, 'svc-bot');
    assert.equal(seen[0]!.domain, 'CONTOSO');
    assert.ok(seen[0]!.ntResponseLength > 24, 'an NTLMv2 response');
    assert.equal(negotiate!.socket, authenticate!.socket, 'Type 1 and Type 3 share the connection');
    assert.equal(JSON.stringify(server.requests.map((r) => r.headers)).includes('Secret-1'), false);
  });

  it('keeps concurrent requests from interleaving their handshakes', async () => {
    const seen: Type3[] = [];
    server.script(ntlmEndpoint({ user: 'svc-bot', domain: 'CONTOSO' }, seen));
    const ntlm = ntlmClient('svc-bot', 'Secret-1', 'CONTOSO');
    const answers = await Promise.all([1, 2, 3, 4].map(() => ntlm.getPackage('SMS_ImagePackage', 'PS100001')));
    assert.equal(answers.length, 4);
    // One handshake on the one connection; later requests ride the authenticated connection.
    assert.equal(seen.length, 1);
    assert.equal(server.requests.length, 6);
  });

  it('throws ConfigMgrAccessDenied when the server refuses the Type 3, without looping', async () => {
    const seen: Type3[] = [];
    server.script(ntlmEndpoint({ user: 'someone-else', domain: 'CONTOSO' }, seen));
    const ntlm = ntlmClient('svc-bot', 'wrong', 'CONTOSO');
    const error = await ntlm.listPackages('SMS_ImagePackage').then(
      () => assert.fail('expected a rejection'),
      (caught: Error) => caught,
    );
    assert.ok(error instanceof ConfigMgrAccessDenied);
    assert.match(error.message, /ntlm as CONTOSO\\svc-bot/);
    assert.doesNotMatch(error.message, /wrong/);
    assert.equal(server.requests.length, 3);
  });

  it('throws ConfigMgrAccessDenied naming what the server offers when it does not offer NTLM (ConfigMgr 2509+)', async () => {
    server.script((_request, response) => json(response, 401, {}, { 'WWW-Authenticate': 'Negotiate' }));
    const ntlm = ntlmClient('svc-bot', 'Secret-1');
    await assert.rejects(ntlm.listPackages('SMS_ImagePackage'), (error: Error) => {
      assert.ok(error instanceof ConfigMgrAccessDenied);
      assert.match(error.message, /server offers Negotiate/);
      return true;
    });
    assert.equal(server.requests.length, 1);
  });

  it('reports a malformed Type 2 as ConfigMgrAccessDenied', async () => {
    server.script((request, response) => {
      const challenge = request.headers.authorization ? 'NTLM bm90LW50bG0tYXQtYWxs' : 'NTLM';
      json(response, 401, {}, { 'WWW-Authenticate': challenge });
    });
    const ntlm = ntlmClient('u', 'p');
    await assert.rejects(ntlm.listPackages('SMS_ImagePackage'), (error: Error) => {
      assert.ok(error instanceof ConfigMgrAccessDenied);
      assert.match(error.message, /Unreadable NTLM Type 2/);
      return true;
    });
  });

  it('refuses NTLM without a user name or password at construction', () => {
    assert.throws(
      () => new AdminServiceClient({ baseUrl: server.baseUrl, logger, auth: { kind: 'ntlm', username: '', password: 'p' } }),
      /CM_USERNAME/,
    );
  });
});
