/**
 * `npm run package`: writes the Teams app package, appPackage/upgrade-media-bot.zip, with
 * manifest.json (the bot's Microsoft App ID filled in) and both icons at the root of the zip.
 *
 * This script is its own entry point: the environment (process.env over .env) is read only in the
 * `require.main` block, and `packageApp` takes it as a plain object so that tests can pass their own.
 */
import fs from 'node:fs';
import path from 'node:path';
import AdmZip from 'adm-zip';
import { parse as parseDotenv } from 'dotenv';

export const BOT_ID_PLACEHOLDER = '${{BOT_ID}}';
export const APP_PACKAGE_FILES = ['manifest.json', 'color.png', 'outline.png'] as const;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A problem the person packaging can fix; the message is the one line they see. */
export class AppPackageError extends Error {
  override name = 'AppPackageError';
}

export interface PackageAppOptions {
  /** Where MicrosoftAppId comes from. */
  env: Readonly<Record<string, string | undefined>>;
  /** Default: appPackage/upgrade-media-bot.zip beside the manifest folder. */
  outputPath?: string;
  /** Folder holding manifest.json and the icons. Default: the project's manifest/ folder. */
  manifestDir?: string;
}

export interface PackagedApp {
  outputPath: string;
  manifest: Record<string, unknown>;
}

export function packageApp(options: PackageAppOptions): PackagedApp {
  const botId = readBotId(options.env);
  const manifestDir = options.manifestDir ?? findManifestDir(__dirname);
  const outputPath = options.outputPath ?? path.join(path.dirname(manifestDir), 'appPackage', 'upgrade-media-bot.zip');

  const manifest = fillManifest(fs.readFileSync(path.join(manifestDir, 'manifest.json'), 'utf8'), botId);
  const zip = new AdmZip();
  zip.addFile('manifest.json', Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8'));
  for (const icon of ['color.png', 'outline.png']) {
    const file = path.join(manifestDir, icon);
    if (!fs.existsSync(file)) throw new AppPackageError(`${file} is missing; run "npx ts-node scripts/make-icons.ts".`);
    zip.addFile(icon, fs.readFileSync(file));
  }
  fs.mkdirSync(path.dirname(outputPath), { recursive: true });
  zip.writeZip(outputPath);
  return { outputPath, manifest };
}

/** The manifest with bots[0].botId set; refuses a template whose placeholder moved or vanished. */
export function fillManifest(templateText: string, botId: string): Record<string, unknown> {
  const manifest = JSON.parse(templateText) as { bots?: Array<{ botId?: string }> } & Record<string, unknown>;
  const bot = manifest.bots?.[0];
  if (!bot || bot.botId !== BOT_ID_PLACEHOLDER) {
    throw new AppPackageError(`manifest/manifest.json must have bots[0].botId set to ${BOT_ID_PLACEHOLDER}.`);
  }
  bot.botId = botId;
  if (JSON.stringify(manifest).includes('${{')) {
    throw new AppPackageError('manifest/manifest.json has a placeholder other than bots[0].botId; fill it in or remove it.');
  }
  return manifest;
}

function readBotId(env: PackageAppOptions['env']): string {
  const value = env.MicrosoftAppId?.trim() ?? '';
  if (value === '') {
    throw new AppPackageError('MicrosoftAppId is not set; set it to the bot\'s Microsoft App ID (a GUID) in the environment or .env.');
  }
  if (!GUID.test(value)) {
    throw new AppPackageError(`MicrosoftAppId "${value.slice(0, 60)}" is not a GUID; copy the bot's Microsoft App ID from its Azure Bot resource.`);
  }
  return value;
}

/** The project's manifest/ folder, from scripts/ (ts-node) or dist/scripts/ (compiled). */
function findManifestDir(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'manifest');
    if (fs.existsSync(path.join(candidate, 'manifest.json'))) return candidate;
    if (path.dirname(dir) === dir) throw new AppPackageError(`No manifest/manifest.json above ${start}.`);
  }
}

if (require.main === module) {
  try {
    const dotenvFile = path.resolve('.env');
    const fromFile = fs.existsSync(dotenvFile) ? parseDotenv(fs.readFileSync(dotenvFile)) : {};
    const { outputPath } = packageApp({ env: { ...fromFile, ...process.env } });
    console.log(`Wrote ${path.relative(process.cwd(), outputPath)}`);
  } catch (error) {
    console.error(error instanceof AppPackageError ? error.message : error);
    process.exitCode = 1;
  }
}
