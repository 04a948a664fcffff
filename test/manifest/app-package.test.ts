import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AdmZip from 'adm-zip';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { PNG } from 'pngjs';
import { botCommands, MAX_MENU_COMMANDS } from '../../src/cards/bot-commands';
import { helpCard } from '../../src/cards/media/help-card';
import { APP_PACKAGE_FILES, AppPackageError, BOT_ID_PLACEHOLDER, fillManifest, packageApp } from '../../scripts/package-app';
import { drawColorIcon, drawOutlineIcon } from '../../scripts/make-icons';
import { cardTexts } from '../support/assert-valid-card';

const manifestDir = path.resolve(__dirname, '../../manifest');
const manifestText = fs.readFileSync(path.join(manifestDir, 'manifest.json'), 'utf8');
const manifest = JSON.parse(manifestText);
const BOT_ID = '5f0e8a3c-1b2d-4c5e-8f90-123456789abc';

function schemaValidator() {
  const version = /\/v(1\.\d+)\/MicrosoftTeams\.schema\.json$/.exec(manifest.$schema)?.[1];
  assert.ok(version, `$schema names a versioned Teams schema: ${manifest.$schema}`);
  const schemaFile = require.resolve(`@microsoft/app-manifest/build/json-schemas/teams/v${version}/MicrosoftTeams.schema.json`);
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(fs.readFileSync(schemaFile, 'utf8')));
}

function readPng(file: string): PNG {
  return PNG.sync.read(fs.readFileSync(path.join(manifestDir, file)));
}

describe('Teams app manifest', () => {
  const validate = schemaValidator();

  it('validates against the official schema it names, once the bot id is filled in', () => {
    const filled = fillManifest(manifestText, BOT_ID);
    assert.ok(validate(filled), JSON.stringify(validate.errors, null, 2));
  });

  const breakages: Array<[string, (m: any) => void]> = [
    ['a short description over 80 characters', (m) => (m.description.short = 'x'.repeat(81))],
    ['a manifestVersion other than the schema\'s', (m) => (m.manifestVersion = '1.99')],
    ['an unknown bot scope', (m) => m.bots[0].scopes.push('meeting-room')],
    ['a bot id that is not a GUID', (m) => (m.bots[0].botId = 'my-bot')],
    ['a command without a description', (m) => delete m.bots[0].commandLists[0].commands[0].description],
    ['a thirteenth command in a list', (m) => m.bots[0].commandLists[0].commands.push({ title: 'job', description: 'job [job id]' })],
  ];
  for (const [name, breakIt] of breakages) {
    it(`is rejected by the schema check with ${name} (the check can fail)`, () => {
      const broken = fillManifest(manifestText, BOT_ID);
      breakIt(broken);
      assert.equal(validate(broken), false);
    });
  }

  it('declares the manifestVersion that matches its $schema', () => {
    assert.ok(manifest.$schema.endsWith(`/v${manifest.manifestVersion}/MicrosoftTeams.schema.json`));
  });

  it('has a fixed app id, a short description an admin understands, and every chat scope', () => {
    assert.match(manifest.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.ok(manifest.description.short.length <= 80);
    assert.match(manifest.description.short, /ConfigMgr/);
    assert.deepEqual([...manifest.bots[0].scopes].sort(), ['groupChat', 'personal', 'team']);
    assert.equal(manifest.bots[0].botId, BOT_ID_PLACEHOLDER);
  });

  it('lists in its command menu exactly the menu commands the help card explains, within Teams\' limit', () => {
    const lists = manifest.bots[0].commandLists;
    const menu = botCommands.filter((c) => c.inMenu);
    assert.ok(menu.length <= MAX_MENU_COMMANDS, `${menu.length} menu commands, Teams takes ${MAX_MENU_COMMANDS}`);
    for (const name of ['subscribe', 'unsubscribe', 'subscriptions']) assert.ok(menu.some((c) => c.name === name), `the menu offers ${name}`);
    for (const list of lists) {
      assert.deepEqual(list.commands.map((c: { title: string }) => c.title), menu.map((c) => c.name));
      for (const [i, command] of list.commands.entries()) assert.ok(command.description.includes(menu[i].description));
    }
    const covered = new Set(lists.flatMap((list: { scopes: string[] }) => list.scopes));
    assert.deepEqual([...covered].sort(), ['groupChat', 'personal', 'team']);
    const help = cardTexts(helpCard({ demo: false, syncedAt: null }));
    for (const command of botCommands) {
      assert.ok(help.some((text) => text.split(/[ [<]/)[0] === command.name), `help card explains ${command.name}`);
    }
  });

  describe('icons', () => {
    it('has a 192×192 colour icon and a 32×32 outline icon', () => {
      const color = readPng(manifest.icons.color);
      const outline = readPng(manifest.icons.outline);
      assert.deepEqual([color.width, color.height, outline.width, outline.height], [192, 192, 32, 32]);
    });

    it('draws the outline icon in white on transparency only, with a visible glyph', () => {
      const { data } = readPng(manifest.icons.outline);
      let opaque = 0;
      let transparent = 0;
      for (let at = 0; at < data.length; at += 4) {
        const alpha = data[at + 3];
        if (alpha === 0) transparent++;
        else {
          assert.deepEqual([data[at], data[at + 1], data[at + 2]], [255, 255, 255], `pixel ${at / 4} is white`);
          if (alpha === 255) opaque++;
        }
      }
      assert.ok(opaque > 100 && transparent > 300, `${opaque} opaque, ${transparent} transparent pixels`);
    });

    it('commits the icons that scripts/make-icons.ts draws', () => {
      assert.ok(readPng('color.png').data.equals(drawColorIcon().data));
      assert.ok(readPng('outline.png').data.equals(drawOutlineIcon().data));
    });
  });
});

describe('app package (npm run package)', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'app-package-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('zips manifest.json and both icons at the root with the bot id filled in', () => {
    const outputPath = path.join(dir, 'nested', 'upgrade-media-bot.zip');
    const result = packageApp({ env: { MicrosoftAppId: ` ${BOT_ID} ` }, outputPath, manifestDir });
    assert.equal(result.outputPath, outputPath);
    const zip = new AdmZip(outputPath);
    assert.deepEqual(zip.getEntries().map((e) => e.entryName).sort(), [...APP_PACKAGE_FILES].sort());
    const packaged = JSON.parse(zip.readAsText('manifest.json'));
    assert.equal(packaged.bots[0].botId, BOT_ID);
    assert.equal(packaged.id, manifest.id);
    assert.ok(schemaValidator()(packaged));
    assert.ok(zip.readFile('color.png')?.equals(fs.readFileSync(path.join(manifestDir, 'color.png'))));
    assert.ok(zip.readFile('outline.png')?.equals(fs.readFileSync(path.join(manifestDir, 'outline.png'))));
  });

  it('finds the manifest folder and writes appPackage/ beside it by default', () => {
    // Copy the manifest folder so that the default output lands in the temp dir, not the repo.
    const copy = path.join(dir, 'project', 'manifest');
    fs.mkdirSync(copy, { recursive: true });
    for (const file of APP_PACKAGE_FILES) fs.copyFileSync(path.join(manifestDir, file), path.join(copy, file));
    const result = packageApp({ env: { MicrosoftAppId: BOT_ID }, manifestDir: copy });
    assert.equal(result.outputPath, path.join(dir, 'project', 'appPackage', 'upgrade-media-bot.zip'));
    assert.ok(fs.existsSync(result.outputPath));
  });

  const badIds: Array<[string, Record<string, string | undefined>, RegExp]> = [
    ['missing', {}, /^MicrosoftAppId is not set; set it to/],
    ['empty', { MicrosoftAppId: '  ' }, /^MicrosoftAppId is not set/],
    ['not a GUID', { MicrosoftAppId: 'my-bot' }, /^MicrosoftAppId "my-bot" is not a GUID; copy/],
    ['a GUID in braces', { MicrosoftAppId: `{${BOT_ID}}` }, /is not a GUID/],
  ];
  for (const [name, env, message] of badIds) {
    it(`fails with one clear line and writes nothing when MicrosoftAppId is ${name}`, () => {
      const outputPath = path.join(dir, `bad-${name.replace(/\W/g, '-')}.zip`);
      assert.throws(() => packageApp({ env, outputPath, manifestDir }), (error: Error) => {
        assert.ok(error instanceof AppPackageError);
        assert.match(error.message, message);
        assert.ok(!error.message.includes('\n'));
        return true;
      });
      assert.ok(!fs.existsSync(outputPath));
    });
  }

  it('refuses a manifest whose bot id placeholder is gone', () => {
    const edited = manifestText.replace(BOT_ID_PLACEHOLDER, BOT_ID);
    assert.throws(() => fillManifest(edited, BOT_ID), /bots\[0\]\.botId set to \$\{\{BOT_ID\}\}/);
  });

  it('refuses a manifest with another placeholder left', () => {
    const edited = manifestText.replace('"version": "0.1.0"', '"version": "${{APP_VERSION}}"');
    assert.throws(() => fillManifest(edited, BOT_ID), /placeholder other than bots\[0\]\.botId/);
  });

  it('runs as a script: npm run package prints one line and exits 1 without an app id', async () => {
    const { spawnSync } = await import('node:child_process');
    const run = spawnSync(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), path.resolve(__dirname, '../../scripts/package-app.ts')], {
      cwd: dir, // no .env here
      env: { TS_NODE_PROJECT: path.resolve(__dirname, '../../tsconfig.json'), MicrosoftAppId: 'nope' },
      encoding: 'utf8',
    });
    assert.equal(run.status, 1, run.stderr);
    assert.equal(run.stderr.trim(), 'MicrosoftAppId "nope" is not a GUID; copy the bot\'s Microsoft App ID from its Azure Bot resource.');
  });
});
