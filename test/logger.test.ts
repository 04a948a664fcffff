import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import axios from 'axios';
import { loadConfig } from '../src/config';
import { createLogger, REDACTED } from '../src/logger';

const SECRET = 'S3CRET-value-4f1e';

/** A logger writing into an array of parsed lines. */
function capture(level: 'trace' | 'info' = 'trace') {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: createLogger({ level }, destination), text: () => lines.join(''), lines };
}

describe('createLogger', () => {
  const cases: Array<{ why: string; fields: Record<string, unknown>; kept: RegExp }> = [
    { why: 'a password at the top', fields: { password: SECRET, user: 'svc' }, kept: /"user":"svc"/ },
    { why: 'a token at the top', fields: { token: SECRET }, kept: /"token":"\[redacted\]"/ },
    { why: 'the whole config: the bot password', fields: { config: { bot: { appId: 'id-1', appPassword: SECRET } } }, kept: /"appId":"id-1"/ },
    { why: 'the whole config: the ConfigMgr password', fields: { config: { configMgr: { username: 'svc', password: SECRET } } }, kept: /"username":"svc"/ },
    { why: 'the whole config: the bearer token', fields: { config: { configMgr: { bearerToken: SECRET } } }, kept: /"bearerToken":"\[redacted\]"/ },
    { why: 'the whole config: the runner secret', fields: { config: { runner: { kind: 'webhook', secret: SECRET } } }, kept: /"kind":"webhook"/ },
    { why: 'an environment: MicrosoftAppPassword', fields: { env: { MicrosoftAppPassword: SECRET, PORT: '3978' } }, kept: /"PORT":"3978"/ },
    { why: 'an environment: CM_PASSWORD', fields: { env: { CM_PASSWORD: SECRET } }, kept: /"CM_PASSWORD":"\[redacted\]"/ },
    { why: 'an environment: CM_BEARER_TOKEN', fields: { env: { CM_BEARER_TOKEN: SECRET } }, kept: /"CM_BEARER_TOKEN":"\[redacted\]"/ },
    { why: 'an environment: RUNNER_SECRET', fields: { env: { RUNNER_SECRET: SECRET } }, kept: /"RUNNER_SECRET":"\[redacted\]"/ },
    { why: 'an incoming request: authorization', fields: { req: { method: 'POST', headers: { authorization: `Bearer ${SECRET}` } } }, kept: /"method":"POST"/ },
    { why: 'an incoming request: cookie', fields: { req: { headers: { cookie: `s=${SECRET}`, 'user-agent': 'Teams' } } }, kept: /"user-agent":"Teams"/ },
    { why: 'an incoming request: proxy-authorization', fields: { req: { headers: { 'proxy-authorization': `Basic ${SECRET}` } } }, kept: /redacted/ },
    { why: 'a response: set-cookie', fields: { res: { statusCode: 200, headers: { 'set-cookie': [`s=${SECRET}`] } } }, kept: /"statusCode":200/ },
    { why: 'bare headers', fields: { headers: { Authorization: `NTLM ${SECRET}` } }, kept: /redacted/ },
    { why: "an HTTP client error's config, lower case", fields: { failure: { message: 'x', config: { headers: { authorization: `Bearer ${SECRET}` } } } }, kept: /"message":"x"/ },
    { why: "an HTTP client error's config, as axios spells it", fields: { failure: { config: { headers: { Authorization: `Bearer ${SECRET}` } } } }, kept: /redacted/ },
    { why: "a wrapped error's config", fields: { failure: { cause: { config: { headers: { Authorization: `Bearer ${SECRET}` } } } } }, kept: /redacted/ },
    { why: 'an outgoing request object', fields: { request: { url: 'https://cm01/x', headers: { Cookie: SECRET } } }, kept: /"url":"https:\/\/cm01\/x"/ },
    { why: 'options one level down', fields: { options: { clientSecret: SECRET, accessToken: SECRET } }, kept: /"clientSecret":"\[redacted\]"/ },
  ];
  for (const { why, fields, kept } of cases) {
    it(`censors ${why}`, () => {
      const { logger, text } = capture();
      logger.info(fields, 'event');
      assert.equal(text().includes(SECRET), false, text());
      assert.ok(text().includes(REDACTED), text());
      assert.match(text(), kept);
    });
  }

  it('takes the level from the app config', () => {
    const config = loadConfig({ LOG_LEVEL: 'warn' });
    assert.equal(createLogger(config).level, 'warn');
    assert.equal(createLogger({ level: 'silent' }).level, 'silent');
  });

  it("logs a real axios error's method, URL and status, but not its Authorization header, cookies or raw request", async () => {
    const server = http.createServer((_request, response) => {
      response.writeHead(500, { 'Set-Cookie': `session=${SECRET}`, 'Content-Type': 'text/plain' });
      response.end('boom');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/AdminService/wmi/SMS_ImagePackage`;
    try {
      const error = await axios
        .get(url, { headers: { Authorization: `Bearer ${SECRET}`, Cookie: `c=${SECRET}` } })
        .then(() => assert.fail('expected HTTP 500'), (caught: unknown) => caught);
      const wrapped = new Error('ConfigMgr did not answer', { cause: error });
      const { logger, text } = capture();
      logger.error({ err: error }, 'request failed');
      logger.error({ err: wrapped, error }, 'wrapped');
      assert.equal(text().includes(SECRET), false, text());
      assert.match(text(), /"config":\{"method":"GET","url":"http:\/\/127\.0\.0\.1:\d+\/AdminService\/wmi\/SMS_ImagePackage"/);
      assert.match(text(), /"response":\{"status":500\}/);
      assert.match(text(), /Request failed with status code 500/);
    } finally {
      server.close();
    }
  });
});
