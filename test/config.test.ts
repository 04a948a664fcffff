import assert from 'node:assert/strict';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../src/config';

const GUID = '00000000-0000-4000-8000-000000000001';

describe('loadConfig', () => {
  it('applies the defaults of DESIGN.md to an empty environment (demo site, anonymous, loopback)', () => {
    const config = loadConfig({});
    assert.equal(config.port, 3978);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.configMgr, undefined);
    assert.equal(config.buildFileName, 'BuildNumber.txt');
    assert.equal(config.databaseUrl, 'sqlite:./data/upgrade-media-bot.db');
    assert.deepEqual(config.approvers, []);
    assert.equal(config.requiredApprovals, 1);
    assert.equal(config.approvalTtlHours, 24);
    assert.equal(config.runner.kind, 'configmgr');
    assert.equal(config.syncIntervalMinutes, 15);
    assert.equal(config.bot.appId, '');
  });

  it('reads how jobs watch distribution and wait for the servicing host, with their defaults', () => {
    const defaults = loadConfig({});
    assert.deepEqual(defaults.distribution, { pollSeconds: 60, timeoutMinutes: 240 });
    assert.equal(defaults.servicingTimeoutMinutes, 360);
    assert.deepEqual(defaults.mediaHygiene, { everyPackage: {}, perPackage: {} });
    const set = loadConfig({ DISTRIBUTION_POLL_SECONDS: '1', DISTRIBUTION_TIMEOUT_MINUTES: '30', SERVICING_TIMEOUT_MINUTES: '90', MEDIA_HYGIENE: 'build-file; PS100012=keep:3' });
    assert.deepEqual(set.distribution, { pollSeconds: 1, timeoutMinutes: 30 });
    assert.equal(set.servicingTimeoutMinutes, 90);
    assert.deepEqual(set.mediaHygiene, { everyPackage: { writeBuildFile: true }, perPackage: { PS100012: { keepEditionIndexes: [3] } } });
  });

  it('reads the notification settings, with their defaults (digest on Monday at 08:00, anyone may subscribe a channel, 50 requests/s)', () => {
    assert.deepEqual(loadConfig({}).notifications, { ratePerSecond: 50, channelSubscribers: 'anyone', digest: { day: 1, hour: 8, minute: 0 } });
    const set = loadConfig({ NOTIFY_RATE_PER_SECOND: '25', CHANNEL_SUBSCRIBERS: 'approvers', DIGEST: ' Fri  16:30 ' });
    assert.deepEqual(set.notifications, { ratePerSecond: 25, channelSubscribers: 'approvers', digest: { day: 5, hour: 16, minute: 30 } });
    assert.equal(loadConfig({ DIGEST: 'off' }).notifications.digest, undefined);
    assert.deepEqual(loadConfig({ DIGEST: 'sunday 0:05' }).notifications.digest, { day: 0, hour: 0, minute: 5 });
  });

  it('reads EDITIONS_IN_USE as the editions in use per scope, and no policy when it is empty', () => {
    assert.equal(loadConfig({}).editionsInUse, undefined, 'no claim about which index is used');
    assert.deepEqual(loadConfig({ EDITIONS_IN_USE: ' Enterprise, EnterpriseN ; Windows Server=* ; image=Windows 11  Enterprise' }).editionsInUse, {
      default: ['Enterprise', 'EnterpriseN'],
      byKind: { image: ['Windows 11 Enterprise'] },
      byRelease: [{ prefix: 'windows server', editions: undefined }],
    });
  });

  it('reads PUBLIC_URL as the base a servicing host calls back to; unset means the listen URL (decided in app.ts)', () => {
    assert.equal(loadConfig({}).publicUrl, undefined);
    assert.equal(loadConfig({ PUBLIC_URL: ' https://osd-bot.contoso.com/ ' }).publicUrl, 'https://osd-bot.contoso.com');
    assert.equal(loadConfig({ PUBLIC_URL: 'https://bots.contoso.com/osd//' }).publicUrl, 'https://bots.contoso.com/osd');
    assert.equal(loadConfig({ PUBLIC_URL: 'http://localhost:3978' }).publicUrl, 'http://localhost:3978', 'plain http only to this machine');
  });

  it('listens on every interface once the bot has an app id, unless HOST says otherwise', () => {
    const env = { MicrosoftAppId: GUID, MicrosoftAppPassword: 'secret' };
    assert.equal(loadConfig(env).host, '0.0.0.0');
    assert.equal(loadConfig({ ...env, HOST: '10.1.2.3' }).host, '10.1.2.3');
    assert.equal(loadConfig({ HOST: '0.0.0.0' }).host, '0.0.0.0');
  });

  it('reads a real site with its auth and credentials', () => {
    const config = loadConfig({
      CM_ADMINSERVICE_URL: 'https://cm01.contoso.com/AdminService/',
      CM_AUTH: 'ntlm',
      CM_USERNAME: 'svc-osd',
      CM_PASSWORD: 'p@ss',
      CM_DOMAIN: 'CONTOSO',
      MEDIA_PATH_MAP: '\\\\cm01\\OSD$=/mnt/osd; \\\\fs02\\Media\\=/mnt/media/',
      APPROVERS: `${GUID}, 00000000-0000-4000-8000-000000000002`,
      SYNC_INTERVAL_MINUTES: '5',
    });
    assert.equal(config.configMgr?.adminServiceUrl, 'https://cm01.contoso.com/AdminService');
    assert.equal(config.configMgr?.auth, 'ntlm');
    assert.equal(config.configMgr?.domain, 'CONTOSO');
    assert.deepEqual(config.mediaPathMap, [
      { uncPrefix: '\\\\cm01\\OSD$', localRoot: '/mnt/osd' },
      { uncPrefix: '\\\\fs02\\Media', localRoot: '/mnt/media' },
    ]);
    assert.equal(config.approvers.length, 2);
    assert.equal(config.syncIntervalMinutes, 5);
  });

  it('accepts a CA file that holds a PEM certificate', () => {
    const folder = mkdtempSync(join(tmpdir(), 'umb-config-'));
    const caFile = join(folder, 'site.pem');
    writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const config = loadConfig({ CM_ADMINSERVICE_URL: 'https://cm01/AdminService', CM_AUTH: 'negotiate', CM_CA_FILE: caFile });
    assert.equal(config.configMgr?.caFile, caFile);
  });

  const site = { CM_ADMINSERVICE_URL: 'https://cm01.contoso.com/AdminService' };
  const notPem = join(mkdtempSync(join(tmpdir(), 'umb-config-')), 'not.pem');
  writeFileSync(notPem, 'hello');
  const badValues: Array<[string, Record<string, string>, RegExp]> = [
    ['PORT', { PORT: 'eighty' }, /whole number from 0 to 65535/],
    ['PORT', { PORT: '70000' }, /whole number/],
    ['CM_ADMINSERVICE_URL', { CM_ADMINSERVICE_URL: 'cm01.contoso.com' }, /http\(s\) URL/],
    ['CM_ADMINSERVICE_URL', { CM_ADMINSERVICE_URL: 'https://user:pw@cm01/AdminService', CM_AUTH: 'none' }, /credentials/],
    ['CM_AUTH', site, /must be one of negotiate, ntlm, bearer, none/],
    ['CM_AUTH', { ...site, CM_AUTH: 'kerb' }, /got "kerb"/],
    ['CM_USERNAME', { ...site, CM_AUTH: 'ntlm' }, /required with CM_AUTH=ntlm/],
    ['CM_PASSWORD', { ...site, CM_AUTH: 'ntlm', CM_USERNAME: 'u' }, /required with CM_AUTH=ntlm/],
    ['CM_BEARER_TOKEN', { ...site, CM_AUTH: 'bearer' }, /required with CM_AUTH=bearer/],
    ['CM_PASSWORD', { ...site, CM_AUTH: 'negotiate', CM_USERNAME: 'u' }, /CM_USERNAME/],
    ['CM_CA_FILE', { ...site, CM_AUTH: 'none', CM_CA_FILE: '/no/such/file.pem' }, /no file/],
    ['CM_CA_FILE', { ...site, CM_AUTH: 'none', CM_CA_FILE: notPem }, /no PEM certificate/],
    ['MEDIA_PATH_MAP', { MEDIA_PATH_MAP: 'cm01/OSD=/mnt/osd' }, /\\\\server\\share=\/local\/path/],
    ['MEDIA_PATH_MAP', { MEDIA_PATH_MAP: '\\\\cm01\\OSD$=relative/path' }, /each entry/],
    ['BUILD_FILE_NAME', { BUILD_FILE_NAME: '..\\BuildNumber.txt' }, /plain file name/],
    ['RELEASES_FEED_URL', { RELEASES_FEED_URL: 'ftp://feed' }, /http\(s\) URL/],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://db' }, /sqlite:<path> or postgres/],
    ['APPROVERS', { APPROVERS: 'alice@contoso.com' }, /GUIDs/],
    ['REQUIRED_APPROVALS', { REQUIRED_APPROVALS: '0' }, /from 1 to 10/],
    ['APPROVAL_TTL_HOURS', { APPROVAL_TTL_HOURS: '-1' }, /number from/],
    ['RUNNER', { RUNNER: 'jenkins' }, /configmgr, webhook, demo/],
    ['RUNNER', { ...site, CM_AUTH: 'none', RUNNER: 'demo' }, /only on the built-in demo site/],
    ['DISTRIBUTION_POLL_SECONDS', { DISTRIBUTION_POLL_SECONDS: '0' }, /number from 1/],
    ['DISTRIBUTION_POLL_SECONDS', { DISTRIBUTION_POLL_SECONDS: 'often' }, /number from 1/],
    ['DISTRIBUTION_TIMEOUT_MINUTES', { DISTRIBUTION_TIMEOUT_MINUTES: '0' }, /number from 1/],
    ['SERVICING_TIMEOUT_MINUTES', { SERVICING_TIMEOUT_MINUTES: '-5' }, /number from 1/],
    ['MEDIA_HYGIENE', { MEDIA_HYGIENE: 'scrub' }, /remove-autorun, build-file, keep/],
    ['MEDIA_HYGIENE', { MEDIA_HYGIENE: 'C:\\=build-file' }, /not a package id/],
    ['NOTIFY_RATE_PER_SECOND', { NOTIFY_RATE_PER_SECOND: '51' }, /number from 1 to 50/],
    ['NOTIFY_RATE_PER_SECOND', { NOTIFY_RATE_PER_SECOND: '0' }, /number from 1 to 50/],
    ['CHANNEL_SUBSCRIBERS', { CHANNEL_SUBSCRIBERS: 'owners' }, /anyone, approvers/],
    ['DIGEST', { DIGEST: 'someday 08:00' }, /a day and a time such as "monday 08:00", or "off"/],
    ['DIGEST', { DIGEST: 'monday 25:00' }, /a day and a time/],
    ['DIGEST', { DIGEST: 'mo 08:00' }, /a day and a time/],
    ['RUNNER_WEBHOOK_URL', { RUNNER: 'webhook' }, /required with RUNNER=webhook/],
    ['RUNNER_SECRET', { RUNNER: 'webhook', RUNNER_WEBHOOK_URL: 'https://osd-build/api', RUNNER_SECRET: 'short' }, /16 characters/],
    ['PUBLIC_URL', { PUBLIC_URL: 'osd-bot.contoso.com' }, /https URL/],
    ['PUBLIC_URL', { PUBLIC_URL: 'http://osd-bot.contoso.com' }, /https URL/],
    ['PUBLIC_URL', { PUBLIC_URL: 'https://bot:pw@osd-bot.contoso.com' }, /without credentials, query or fragment/],
    ['PUBLIC_URL', { PUBLIC_URL: 'https://osd-bot.contoso.com/?x=1' }, /without credentials, query or fragment/],
    ['SYNC_INTERVAL_MINUTES', { SYNC_INTERVAL_MINUTES: 'often' }, /number from/],
    ['EDITIONS_IN_USE', { EDITIONS_IN_USE: 'Enterprise; Windows Server=' }, /names no edition/],
    ['EDITIONS_IN_USE', { EDITIONS_IN_USE: 'Enterprise; Education' }, /the default editions twice/],
    ['EDITIONS_IN_USE', { EDITIONS_IN_USE: '=Enterprise' }, /no scope/],
    ['EDITIONS_IN_USE', { EDITIONS_IN_USE: 'Enterprise<script>' }, /not an EditionID or image name/],
    ['MicrosoftAppId', { MicrosoftAppId: 'my-bot' }, /GUID/],
    ['MicrosoftAppPassword', { MicrosoftAppId: GUID }, /required when MicrosoftAppId is set/],
    ['MicrosoftAppType', { MicrosoftAppType: 'Global' }, /MultiTenant, SingleTenant, UserAssignedMsi/],
    ['MicrosoftAppTenantId', { MicrosoftAppId: GUID, MicrosoftAppPassword: 'x', MicrosoftAppType: 'SingleTenant' }, /required/],
  ];
  for (const [variable, env, problem] of badValues) {
    it(`stops with one line naming ${variable} for ${JSON.stringify(env)}`, () => {
      assert.throws(
        () => loadConfig(env),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.equal(error.variable, variable);
          assert.ok(error.message.startsWith(`${variable}: `), error.message);
          assert.match(error.message, problem);
          assert.ok(!error.message.includes('\n'), 'one line');
          return true;
        },
      );
    });
  }

  const linkToRoot = join(mkdtempSync(join(tmpdir(), 'umb-config-')), 'all');
  symlinkSync('/', linkToRoot);
  const rootMounts: Array<{ why: string; map: string }> = [
    { why: 'the filesystem root itself', map: '\\\\cm01\\OSD$=/' },
    { why: 'the root written with a dot', map: '\\\\cm01\\OSD$=/.' },
    { why: 'the root written twice', map: '\\\\cm01\\OSD$=//' },
    { why: 'a path whose ".." climbs to the root', map: '\\\\cm01\\OSD$=/mnt/..' },
    { why: 'a second entry that is the root', map: '\\\\cm01\\OSD$=/mnt/osd;\\\\cm02\\Media=/' },
    { why: 'a symbolic link to the root', map: `\\\\cm01\\OSD$=${linkToRoot}` },
  ];
  for (const { why, map } of rootMounts) {
    it(`refuses the filesystem root as a mount in MEDIA_PATH_MAP: ${why}`, () => {
      assert.throws(
        () => loadConfig({ MEDIA_PATH_MAP: map }),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.equal(error.variable, 'MEDIA_PATH_MAP');
          assert.match(error.message, /^MEDIA_PATH_MAP: .* is the filesystem root/);
          assert.ok(!error.message.includes('\n'), 'one line');
          return true;
        },
      );
    });
  }

  it('never repeats a password in its error line', () => {
    assert.throws(
      () => loadConfig({ ...site, CM_AUTH: 'ntlm', CM_PASSWORD: 'Sup3rS3cret!' }),
      (error: Error) => !error.message.includes('Sup3rS3cret!'),
    );
  });
});
