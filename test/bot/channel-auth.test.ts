import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { ActivityHandler, type TurnContext } from 'botbuilder';
import pino from 'pino';
import type * as restify from 'restify';
import { startApp, type RunningApp } from '../../src/app';
import { createActivityProcessor } from '../../src/bot/activity-processor';
import { loadConfig } from '../../src/config';
import { createServer } from '../../src/server';
import { messageActivity, onlyCard, cardText, type ReplyActivity } from '../support/bot-client';
import { channelToken, newSigningKey, startChannelIssuer, type ChannelIssuer } from '../support/channel-issuer';
import { startConnectorStub, type ConnectorStub } from '../support/connector-stub';
import { postRaw } from '../support/raw-http';

const silent = pino({ level: 'silent' });
const APP_ID = '00000000-0000-4000-8000-0000000000b0';
const SERVICE_URL = 'https://smba.trafficmanager.net/emea/';

/** A real ActivityHandler that only counts the turns it is given: the proof that nothing ran. */
class CountingBot extends ActivityHandler {
  turns = 0;
  override async run(_context: TurnContext): Promise<void> {
    this.turns += 1;
  }
}

function activity(): Record<string, unknown> {
  return { ...messageActivity('help'), serviceUrl: SERVICE_URL };
}

describe('channel authentication with an app id (local OpenID metadata and signing keys)', () => {
  const channelKey = newSigningKey('channel-key');
  const slackKey = newSigningKey('slack-only-key');
  const attackerKey = newSigningKey('channel-key');
  let issuer: ChannelIssuer;
  let server: restify.Server;
  let url: string;
  const bot = new CountingBot();

  before(async () => {
    issuer = await startChannelIssuer([
      { key: channelKey, endorsements: ['msteams'] },
      { key: slackKey, endorsements: ['slack'] },
    ]);
    server = createServer({
      processActivity: createActivityProcessor({
        identity: { appId: APP_ID, appPassword: 'not-a-real-secret', appType: 'MultiTenant', tenantId: '' },
        bot,
        logger: silent,
        channel: { openIdMetadataUrl: issuer.openIdMetadataUrl },
      }),
      logger: silent,
      health: () => ({}),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await issuer?.stop();
  });

  const now = Math.floor(Date.now() / 1000);
  const valid = { aud: APP_ID, serviceurl: SERVICE_URL };
  const cases: Array<{ why: string; authorization: () => string; status: number }> = [
    { why: 'no token', authorization: () => '', status: 401 },
    { why: 'a header that is not a token', authorization: () => 'Bearer not-a-jwt', status: 401 },
    { why: 'another scheme', authorization: () => `Basic ${channelToken(channelKey, valid)}`, status: 401 },
    {
      why: 'an unsigned token (alg none)',
      authorization: () => `Bearer ${channelToken(channelKey, valid).split('.').slice(0, 2).join('.')}.`,
      status: 401,
    },
    { why: 'a forged signature: another key under the channel key id', authorization: () => `Bearer ${channelToken(attackerKey, valid)}`, status: 401 },
    { why: 'a key id the channel never published', authorization: () => `Bearer ${channelToken(newSigningKey('unknown'), valid)}`, status: 401 },
    { why: 'an expired token', authorization: () => `Bearer ${channelToken(channelKey, { ...valid, nbf: now - 7200, exp: now - 3600 })}`, status: 401 },
    { why: 'a token not valid yet', authorization: () => `Bearer ${channelToken(channelKey, { ...valid, nbf: now + 3600, exp: now + 7200 })}`, status: 401 },
    { why: 'a wrong audience (another bot)', authorization: () => `Bearer ${channelToken(channelKey, { ...valid, aud: '11111111-0000-4000-8000-000000000000' })}`, status: 401 },
    { why: 'a wrong issuer', authorization: () => `Bearer ${channelToken(channelKey, { ...valid, iss: 'https://login.evil.example/' })}`, status: 401 },
    { why: 'a serviceurl claim for another serviceUrl', authorization: () => `Bearer ${channelToken(channelKey, { ...valid, serviceurl: 'https://evil.example/' })}`, status: 401 },
    { why: 'a key endorsed for another channel', authorization: () => `Bearer ${channelToken(slackKey, valid)}`, status: 401 },
    { why: 'a properly signed channel token', authorization: () => `Bearer ${channelToken(channelKey, valid)}`, status: 200 },
  ];
  for (const { why, authorization, status } of cases) {
    it(`answers ${status} ${status === 200 ? 'and runs the bot' : 'and runs nothing'} for ${why}`, async () => {
      const turnsBefore = bot.turns;
      const token = authorization();
      const answer = await postRaw(url, JSON.stringify(activity()), { 'content-type': 'application/json', ...(token ? { authorization: token } : {}) });
      assert.equal(answer.status, status, answer.text);
      assert.equal(bot.turns - turnsBefore, status === 200 ? 1 : 0);
    });
  }

  it('fetched the signing keys from the local document, not from the internet', () => {
    assert.ok(issuer.keyFetches >= 1);
  });
});

describe('startApp with an app id and a local key document', () => {
  const channelKey = newSigningKey('channel-key');
  let issuer: ChannelIssuer;
  let app: RunningApp;

  before(async () => {
    issuer = await startChannelIssuer([{ key: channelKey, endorsements: ['msteams'] }]);
    app = await startApp(loadConfig({ PORT: '0', MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-a-real-secret' }), {
      logger: silent,
      channel: { openIdMetadataUrl: issuer.openIdMetadataUrl },
    });
  });
  after(async () => {
    await app?.stop();
    await issuer?.stop();
  });

  it('answers a signed message with its card and refuses the same message unsigned', async () => {
    const body = JSON.stringify(activity());
    const signed = await postRaw(app.url, body, {
      'content-type': 'application/json',
      authorization: `Bearer ${channelToken(channelKey, { aud: APP_ID, serviceurl: SERVICE_URL })}`,
    });
    assert.equal(signed.status, 200, signed.text);
    assert.match(cardText(onlyCard((JSON.parse(signed.text) as { activities: ReplyActivity[] }).activities)), /list/);
    const unsigned = await postRaw(app.url, body, { 'content-type': 'application/json' });
    assert.equal(unsigned.status, 401);
    assert.equal(JSON.parse(unsigned.text).activities, undefined);
  });
});

describe('a channel key document that never answers', () => {
  let keyHost: ConnectorStub;
  let app: RunningApp;

  before(async () => {
    keyHost = await startConnectorStub('never-answer');
    app = await startApp(loadConfig({ PORT: '0', MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-a-real-secret' }), {
      logger: silent,
      channel: { openIdMetadataUrl: `${keyHost.url}/openidconfiguration`, turnTimeoutMs: 1_000 },
    });
  });
  after(async () => {
    await app?.stop();
    await keyHost?.stop();
  });

  it('answers 503 with Retry-After within the turn budget instead of holding the request', async () => {
    const token = channelToken(newSigningKey('channel-key'), { aud: APP_ID, serviceurl: SERVICE_URL });
    const answer = await postRaw(app.url, JSON.stringify(activity()), { 'content-type': 'application/json', authorization: `Bearer ${token}` }, 6_000);
    assert.equal(answer.status, 503, answer.text);
    assert.ok(answer.headers['retry-after']);
    assert.equal(keyHost.received.length, 1, 'the bot asked the key host');
  });
});
