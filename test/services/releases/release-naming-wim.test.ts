import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWimMetadata } from '../../../src/services/media/wim-reader';
import { judgeFreshness } from '../../../src/services/releases/freshness-verdict';
import { loadSnapshot } from '../../../src/services/releases/release-catalog';
import { nameRelease } from '../../../src/services/releases/release-naming';

/**
 * LTSC, multi-session and Server 23H2 media as wimlib writes them (the XML Microsoft's media carry, read by
 * the real reader), named and judged against the bundled snapshot: the path `show` takes for such media.
 */

interface Media {
  why: string;
  file: string;
  packageName: string;
  editionId: string;
  installationType: string;
  displayName: string;
  build: number;
  revision: number;
  pkeyBuild: number;
  release: string;
  product: 'client' | 'server';
  state: string;
}

const media: Media[] = [
  { why: 'LTSC 2021 whose WIM reads the 19041 baseline', file: 'ltsc2021.wim', packageName: 'Win10 Enterprise 2021-10', editionId: 'EnterpriseS', installationType: 'Client', displayName: 'Windows 10 Enterprise LTSC 2021', build: 19041, revision: 6456, pkeyBuild: 19044, release: 'Windows 10 Enterprise LTSC 2021', product: 'client', state: 'behind' },
  { why: 'IoT LTSC 2024, "Windows 11 IoT Enterprise LTSC" without a year', file: 'iot-ltsc2024.wim', packageName: 'W11 24H2 IoT kiosk', editionId: 'IoTEnterpriseS', installationType: 'Client', displayName: 'Windows 11 IoT Enterprise LTSC', build: 26100, revision: 8246, pkeyBuild: 26100, release: 'Windows 11 IoT Enterprise LTSC 2024', product: 'client', state: 'behind' },
  { why: 'Enterprise multi-session in a package named for the server team', file: 'avd.wim', packageName: 'W11 24H2 AVD - Windows Server 2025 team', editionId: 'ServerRdsh', installationType: 'Client', displayName: 'Windows 11 Enterprise multi-session', build: 26100, revision: 8246, pkeyBuild: 26100, release: 'Windows 11 24H2', product: 'client', state: 'behind' },
  { why: 'Server 23H2 Server Core, past its Annual Channel end', file: 'ws23h2.wim', packageName: 'Datacenter core', editionId: 'ServerDatacenterACor', installationType: 'Server Core', displayName: 'Windows Server Datacenter', build: 25398, revision: 2274, pkeyBuild: 25398, release: 'Windows Server 23H2', product: 'server', state: 'out-of-support' },
  { why: 'Server 2019 Datacenter', file: 'ws2019.wim', packageName: 'WS2019 Datacenter', editionId: 'ServerDatacenter', installationType: 'Server', displayName: 'Windows Server 2019 Datacenter', build: 17763, revision: 8644, pkeyBuild: 17763, release: 'Windows Server 2019', product: 'server', state: 'behind' },
];

describe('naming real WIMs of LTSC, multi-session and server media', function () {
  this.timeout(20_000);
  let folder: string;

  before(() => {
    folder = mkdtempSync(join(tmpdir(), 'naming-wim-'));
    const tree = join(folder, 'tree', 'Windows', 'System32');
    mkdirSync(tree, { recursive: true });
    writeFileSync(join(tree, 'placeholder.txt'), 'a tiny Windows tree\n');
    for (const item of media) {
      const file = join(folder, item.file);
      execFileSync('wimlib-imagex', ['capture', join(folder, 'tree'), file, item.displayName], { stdio: 'ignore' });
      const properties = [
        `WINDOWS/EDITIONID=${item.editionId}`,
        `WINDOWS/INSTALLATIONTYPE=${item.installationType}`,
        'WINDOWS/ARCH=9',
        'WINDOWS/VERSION/MAJOR=10',
        'WINDOWS/VERSION/MINOR=0',
        `WINDOWS/VERSION/BUILD=${item.build}`,
        `WINDOWS/VERSION/SPBUILD=${item.revision}`,
        `WINDOWS/SERVICINGDATA/PKEYCONFIGVERSION=10.0.${item.pkeyBuild}.${item.revision};2026-01-01T00:00:00Z`,
        `DISPLAYNAME=${item.displayName}`,
      ];
      execFileSync('wiminfo', [file, '1', ...properties.flatMap((property) => ['--image-property', property])], { stdio: 'ignore' });
    }
  });

  after(() => rmSync(folder, { recursive: true, force: true }));

  for (const item of media) {
    it(`names ${item.why} ${item.release} and finds its line`, async () => {
      const info = await readWimMetadata(join(folder, item.file));
      const image = info.images[0];
      assert.equal(image.editionId, item.editionId, 'the reader saw the EditionID wimlib wrote');
      const naming = nameRelease({ packageName: item.packageName, build: image.version, wimImages: info.images });
      assert.equal(naming.release, item.release);
      assert.equal(naming.product, item.product);
      const verdict = judgeFreshness({ release: naming.release, product: naming.product, shareBuild: image.version }, loadSnapshot(), new Date('2026-12-03T12:00:00Z')).verdict;
      assert.equal(verdict.state, item.state, JSON.stringify(verdict));
    });
  }
});
