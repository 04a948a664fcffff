import assert from 'node:assert/strict';
import type { Edition } from '../../../src/services/media/media-package';
import { nameRelease } from '../../../src/services/releases/release-naming';

const b = (build: number, revision = 1000) => ({ major: 10, minor: 0, build, revision });
const serverEdition: Edition = { index: 1, name: 'Windows Server 2025 Standard', editionId: 'ServerStandard', languages: ['en-US'] };
const serverCoreByIdOnly: Edition = { index: 1, name: 'SERVERSTANDARDCORE', editionId: 'ServerStandardCore', languages: [] };
const clientEdition: Edition = { index: 1, name: 'Windows 11 Enterprise', editionId: 'Enterprise', languages: ['en-US'] };

describe('nameRelease', () => {
  const cases: { why: string; name: string; build?: number; editions?: Edition[]; release?: string; decidedBy: 'name' | 'build' }[] = [
    { why: 'names 23H2 media whose WIM build is 22621 from its display name', name: 'Windows 11 Enterprise 23H2 x64', build: 22621, release: 'Windows 11 23H2', decidedBy: 'name' },
    { why: 'names Windows 10 22H2 media whose WIM build is 19041 from its display name', name: 'Windows 10 Enterprise 22H2 x64', build: 19041, release: 'Windows 10 22H2', decidedBy: 'name' },
    { why: 'tells Windows 11 22H2 from Windows 10 22H2 by the build when the name has no product', name: 'Upgrade 22H2', build: 22621, release: 'Windows 11 22H2', decidedBy: 'name' },
    { why: 'reads Win10 and W11 abbreviations', name: 'W11-24H2-Ent', build: 26100, release: 'Windows 11 24H2', decidedBy: 'name' },
    { why: 'names 25H2 media that still reads 26100', name: 'Windows 11 25H2 Enterprise', build: 26100, release: 'Windows 11 25H2', decidedBy: 'name' },
    { why: 'names Server 2022 by its name', name: 'Windows Server 2022 Standard and Datacenter', build: 20348, release: 'Windows Server 2022', decidedBy: 'name' },
    { why: 'names Server 2025 by its name although the build is shared with 24H2', name: 'Windows Server 2025 Datacenter', build: 26100, release: 'Windows Server 2025', decidedBy: 'name' },
    { why: 'believes the name when the build is unknown', name: 'Windows 11 24H2 Enterprise', release: 'Windows 11 24H2', decidedBy: 'name' },
    { why: 'keeps quotes and an en dash in the name from hiding the marker', name: 'Windows 11 24H2 Pro – O\'Brien\'s "lab" media', build: 26100, release: 'Windows 11 24H2', decidedBy: 'name' },
    { why: 'lets the build decide when the name contradicts it', name: 'Windows 11 24H2 Enterprise', build: 22621, release: 'Windows 11 22H2', decidedBy: 'build' },
    { why: 'lets the build decide when a server name has the wrong year', name: 'Windows Server 2022 Datacenter', build: 26100, release: 'Windows Server 2025', decidedBy: 'build' },
    { why: 'names 26100 without a marker as client 24H2', name: 'Enterprise upgrade media', build: 26100, editions: [clientEdition], release: 'Windows 11 24H2', decidedBy: 'build' },
    { why: 'names 26100 with server editions as Server 2025', name: 'Datacenter media', build: 26100, editions: [serverEdition], release: 'Windows Server 2025', decidedBy: 'build' },
    { why: 'recognises server media by EDITIONID alone', name: 'Infra media', build: 26100, editions: [serverCoreByIdOnly], release: 'Windows Server 2025', decidedBy: 'build' },
    { why: 'names 26100 with "Server" in the name as Server 2025', name: 'Server core image', build: 26100, release: 'Windows Server 2025', decidedBy: 'build' },
    { why: 'names 19041 without a marker by the build table', name: 'Reference image', build: 19041, release: 'Windows 10 2004', decidedBy: 'build' },
    { why: 'names 22631 by the build table', name: 'Reference image', build: 22631, release: 'Windows 11 23H2', decidedBy: 'build' },
    { why: 'names 26200 by the build table', name: 'Reference image', build: 26200, release: 'Windows 11 25H2', decidedBy: 'build' },
    { why: 'names 20348 by the build table', name: 'Reference image', build: 20348, release: 'Windows Server 2022', decidedBy: 'build' },
    { why: 'names 17763 as Server 2019 for server media', name: 'Windows Server Datacenter', build: 17763, release: 'Windows Server 2019', decidedBy: 'build' },
    { why: 'names nothing for an unknown build', name: 'Insider capture', build: 27000, decidedBy: 'build' },
    { why: 'names nothing with neither marker nor build', name: 'Lab capture', decidedBy: 'build' },
    { why: 'names nothing for an ambiguous "22H2" without build or product', name: 'Upgrade 22H2', decidedBy: 'build' },
    { why: 'does not read a marker inside another word', name: 'Image X24H2Y', build: 26100, release: 'Windows 11 24H2', decidedBy: 'build' },
  ];
  for (const { why, name, build, editions, release, decidedBy } of cases) {
    it(why, () => {
      const result = nameRelease({ packageName: name, build: build === undefined ? undefined : b(build), editions });
      assert.deepEqual(result, release === undefined ? { decidedBy } : { release, decidedBy });
    });
  }
});
