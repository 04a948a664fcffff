/**
 * What wimlib's own `wiminfo` says about a WIM, in the reader's terms: the independent witness the reader's
 * results are compared with. Text output for the header and most image fields; `--xml` (through iconv) for
 * the two fields the text leaves out (PKEYCONFIGVERSION, BRANCH).
 */
import { execFileSync } from 'node:child_process';

export interface WiminfoImage {
  index: number;
  name?: string;
  description?: string;
  displayName?: string;
  displayDescription?: string;
  directoryCount?: number;
  fileCount?: number;
  totalBytes?: number;
  /** Whole seconds: wiminfo prints times to the second. */
  createdAtSeconds?: number;
  modifiedAtSeconds?: number;
  architecture?: string;
  productName?: string;
  editionId?: string;
  installationType?: string;
  productType?: string;
  languages: string[];
  defaultLanguage?: string;
  major?: number;
  minor?: number;
  build?: number;
  spBuild?: number;
  spLevel?: number;
  flags?: string;
  branch?: string;
  pkeyConfigVersion?: string;
}

export interface Wiminfo {
  guid: string;
  version: number;
  imageCount: number;
  compression: string;
  partNumber: number;
  totalParts: number;
  bootIndex: number;
  images: WiminfoImage[];
}

/** wiminfo's architecture words → the reader's. */
const ARCHITECTURE: Readonly<Record<string, string>> = { x86: 'x86', x86_64: 'x64', ARM: 'ARM', ARM64: 'ARM64', IA64: 'ia64' };

export function wiminfo(path: string): Wiminfo {
  const text = execFileSync('wiminfo', [path], { encoding: 'utf8' });
  const [headerText, imagesText = ''] = text.split('Available Images:');
  const header = fields(headerText);
  const [partNumber, totalParts] = (header.get('Part Number') ?? '0/0').split('/').map(Number);
  const xml = execFileSync('sh', ['-c', 'wiminfo --xml "$1" | iconv -f utf-16le -t utf-8', 'sh', path], { encoding: 'utf8' });
  const xmlImages = [...xml.matchAll(/<IMAGE INDEX="(\d+)">([\s\S]*?)<\/IMAGE>/g)];

  const images = imagesText
    .split(/\n(?=Index:)/)
    .filter((block) => block.includes('Index:'))
    .map((block): WiminfoImage => {
      const image = fields(block);
      const index = Number(image.get('Index'));
      const xmlImage = xmlImages.find((match) => Number(match[1]) === index)?.[2] ?? '';
      const number = (key: string) => (image.has(key) ? Number(image.get(key)) : undefined);
      const seconds = (key: string) => (image.has(key) ? Date.parse(image.get(key)!.replace(' UTC', 'Z')) / 1000 : undefined);
      const languages = image.get('Languages');
      return {
        index,
        name: image.get('Name'),
        description: image.get('Description'),
        displayName: image.get('Display Name'),
        displayDescription: image.get('Display Description'),
        directoryCount: number('Directory Count'),
        fileCount: number('File Count'),
        totalBytes: number('Total Bytes'),
        createdAtSeconds: seconds('Creation Time'),
        modifiedAtSeconds: seconds('Last Modification Time'),
        architecture: image.has('Architecture') ? (ARCHITECTURE[image.get('Architecture')!] ?? image.get('Architecture')) : undefined,
        productName: image.get('Product Name'),
        editionId: image.get('Edition ID'),
        installationType: image.get('Installation Type'),
        productType: image.get('Product Type'),
        languages: languages ? languages.split(/\s+/).filter(Boolean) : [],
        defaultLanguage: image.get('Default Language'),
        major: number('Major Version'),
        minor: number('Minor Version'),
        build: number('Build'),
        spBuild: number('Service Pack Build'),
        spLevel: number('Service Pack Level'),
        flags: image.get('Flags'),
        branch: /<BRANCH>([^<]*)<\/BRANCH>/.exec(xmlImage)?.[1],
        pkeyConfigVersion: /<PKEYCONFIGVERSION>([^<]*)<\/PKEYCONFIGVERSION>/.exec(xmlImage)?.[1],
      };
    });

  return {
    guid: (header.get('GUID') ?? '').replace(/^0x/, ''),
    version: Number(header.get('Version')),
    imageCount: Number(header.get('Image Count')),
    compression: (header.get('Compression') ?? '').toLowerCase(),
    partNumber,
    totalParts,
    bootIndex: Number(header.get('Boot Index')),
    images,
  };
}

/** "Key:   value" lines → a map (first occurrence wins). */
function fields(block: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of block.split('\n')) {
    const match = /^([A-Za-z][A-Za-z ]*?):\s+(.*?)\s*$/.exec(line);
    if (match && !map.has(match[1])) map.set(match[1], match[2]);
  }
  return map;
}
