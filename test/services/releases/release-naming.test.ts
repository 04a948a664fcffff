import assert from 'node:assert/strict';
import type { Edition, ReleaseEvidence } from '../../../src/services/media/media-package';
import type { WimImage } from '../../../src/services/media/wim-image';
import type { ProductLine } from '../../../src/services/releases/freshness';
import { nameRelease } from '../../../src/services/releases/release-naming';

const b = (build: number, revision = 1000) => ({ major: 10, minor: 0, build, revision });
const serverEdition: Edition = { index: 1, name: 'Windows Server 2025 Standard', editionId: 'ServerStandard', languages: ['en-US'] };
const serverCoreByIdOnly: Edition = { index: 1, name: 'SERVERSTANDARDCORE', editionId: 'ServerStandardCore', languages: [] };
const clientEdition: Edition = { index: 1, name: 'Windows 11 Enterprise', editionId: 'Enterprise', languages: ['en-US'] };

/** A WIM image as the reader returns it; only the fields naming looks at. */
function image(fields: Partial<WimImage> & { build?: number; pkey?: number }): WimImage {
  const { build, pkey, ...rest } = fields;
  return {
    index: 1,
    languages: ['en-US'],
    ...(build === undefined ? {} : { version: b(build, 6584) }),
    ...(pkey === undefined ? {} : { pkeyConfigBuild: b(pkey, 6584), pkeyConfigVersion: `10.0.${pkey}.6584;2025-09-15T00:00:00Z` }),
    ...rest,
  };
}

const enterprise25H2 = image({ name: 'Windows 11 Enterprise', displayName: 'Windows 11 Enterprise', editionId: 'Enterprise', installationType: 'Client', build: 26100, pkey: 26200 });
const enterprise24H2 = image({ name: 'Windows 11 Enterprise', displayName: 'Windows 11 Enterprise', editionId: 'Enterprise', installationType: 'Client', build: 26100, pkey: 26100 });
const server2025Core = image({ name: 'Windows Server 2025 SERVERSTANDARDCORE', displayName: 'Windows Server 2025 Standard', editionId: 'ServerStandard', installationType: 'Server Core', build: 26100, pkey: 26100 });
const serverNoNames = image({ name: 'SERVERDATACENTER', editionId: 'ServerDatacenter', installationType: 'Server', build: 26100, pkey: 26100 });

describe('nameRelease', () => {
  const cases: {
    why: string;
    name: string;
    build?: number;
    editions?: Edition[];
    wim?: WimImage[];
    release?: string;
    product?: ProductLine;
    decidedBy: ReleaseEvidence;
  }[] = [
    // The package name decides when the install image was not inspected (the cases of issue 2; only the
    // evidence label changed, from 'name' to 'package name', and the product line is now returned).
    { why: 'names 23H2 media whose WIM build is 22621 from its package name', name: 'Windows 11 Enterprise 23H2 x64', build: 22621, release: 'Windows 11 23H2', product: 'client', decidedBy: 'package name' },
    { why: 'names Windows 10 22H2 media whose WIM build is 19041 from its package name', name: 'Windows 10 Enterprise 22H2 x64', build: 19041, release: 'Windows 10 22H2', product: 'client', decidedBy: 'package name' },
    { why: 'tells Windows 11 22H2 from Windows 10 22H2 by the build when the name has no product', name: 'Upgrade 22H2', build: 22621, release: 'Windows 11 22H2', product: 'client', decidedBy: 'package name' },
    { why: 'reads Win10 and W11 abbreviations', name: 'W11-24H2-Ent', build: 26100, release: 'Windows 11 24H2', product: 'client', decidedBy: 'package name' },
    { why: 'names 25H2 media that still reads 26100 from its package name', name: 'Windows 11 25H2 Enterprise', build: 26100, release: 'Windows 11 25H2', product: 'client', decidedBy: 'package name' },
    { why: 'names Server 2022 by its package name', name: 'Windows Server 2022 Standard and Datacenter', build: 20348, release: 'Windows Server 2022', product: 'server', decidedBy: 'package name' },
    { why: 'names Server 2025 by its package name although the build is shared with 24H2', name: 'Windows Server 2025 Datacenter', build: 26100, release: 'Windows Server 2025', product: 'server', decidedBy: 'package name' },
    { why: 'believes the package name when the build is unknown', name: 'Windows 11 24H2 Enterprise', release: 'Windows 11 24H2', product: 'client', decidedBy: 'package name' },
    { why: 'keeps quotes and an en dash in the name from hiding the marker', name: 'Windows 11 24H2 Pro – O\'Brien\'s "lab" media', build: 26100, release: 'Windows 11 24H2', product: 'client', decidedBy: 'package name' },
    { why: 'lets the build decide when the package name contradicts it', name: 'Windows 11 24H2 Enterprise', build: 22621, release: 'Windows 11 22H2', product: 'client', decidedBy: 'build' },
    { why: 'lets the build decide when a server name has the wrong year', name: 'Windows Server 2022 Datacenter', build: 26100, release: 'Windows Server 2025', product: 'server', decidedBy: 'build' },
    { why: 'names 26100 without a marker as client 24H2', name: 'Enterprise upgrade media', build: 26100, editions: [clientEdition], release: 'Windows 11 24H2', product: 'client', decidedBy: 'build' },
    { why: 'names 26100 with server editions as Server 2025', name: 'Datacenter media', build: 26100, editions: [serverEdition], release: 'Windows Server 2025', product: 'server', decidedBy: 'build' },
    { why: 'recognises server media by EDITIONID alone', name: 'Infra media', build: 26100, editions: [serverCoreByIdOnly], release: 'Windows Server 2025', product: 'server', decidedBy: 'build' },
    { why: 'names 26100 with "Server" in the name as Server 2025', name: 'Server core image', build: 26100, release: 'Windows Server 2025', product: 'server', decidedBy: 'build' },
    { why: 'names 19041 without a marker by the build table', name: 'Reference image', build: 19041, release: 'Windows 10 2004', product: 'client', decidedBy: 'build' },
    { why: 'names 22631 by the build table', name: 'Reference image', build: 22631, release: 'Windows 11 23H2', product: 'client', decidedBy: 'build' },
    { why: 'names 26200 by the build table', name: 'Reference image', build: 26200, release: 'Windows 11 25H2', product: 'client', decidedBy: 'build' },
    { why: 'names 20348 by the build table', name: 'Reference image', build: 20348, release: 'Windows Server 2022', product: 'server', decidedBy: 'build' },
    { why: 'names 17763 as Server 2019 for server media', name: 'Windows Server Datacenter', build: 17763, release: 'Windows Server 2019', product: 'server', decidedBy: 'build' },
    { why: 'names nothing for an unknown build', name: 'Insider capture', build: 27000, decidedBy: 'build' },
    { why: 'names nothing with neither marker nor build', name: 'Lab capture', decidedBy: 'build' },
    { why: 'names nothing for an ambiguous "22H2" without build or product', name: 'Upgrade 22H2', decidedBy: 'build' },
    { why: 'does not read a marker inside another word', name: 'Image X24H2Y', build: 26100, release: 'Windows 11 24H2', product: 'client', decidedBy: 'build' },

    // The install image on the share.
    { why: 'names Server 2025 from the display name before anything else', name: 'Windows 11 24H2 (mislabelled)', build: 26100, wim: [server2025Core], release: 'Windows Server 2025', product: 'server', decidedBy: 'display name' },
    { why: 'reads a release marker in the NAME when DISPLAYNAME has none', name: 'Reference image', build: 26100, wim: [image({ name: 'Windows 11 Enterprise 25H2', displayName: 'Windows 11 Enterprise', build: 26100 })], release: 'Windows 11 25H2', product: 'client', decidedBy: 'display name' },
    { why: 'ignores a display-name marker that the WIM build contradicts', name: 'Reference image', build: 22621, wim: [image({ displayName: 'Windows 11 Enterprise 24H2', build: 22621 })], release: 'Windows 11 22H2', product: 'client', decidedBy: 'build' },
    { why: 'lets images that name different releases cancel each other out', name: 'Mixed media', build: 26100, wim: [image({ index: 1, displayName: 'Windows 11 Pro 24H2', build: 26100 }), image({ index: 2, displayName: 'Windows 11 Pro 25H2', build: 26100 })], release: 'Windows 11 24H2', product: 'client', decidedBy: 'build' },
    { why: 'names 25H2 media whose WIM build is 26100 from PKEYCONFIGVERSION 26200', name: 'Enterprise upgrade media', build: 26100, wim: [enterprise25H2], release: 'Windows 11 25H2', product: 'client', decidedBy: 'PKEYCONFIGVERSION' },
    { why: 'lets PKEYCONFIGVERSION 26200 beat a package name that says 24H2', name: 'W11 24H2 Enterprise', build: 26100, wim: [enterprise25H2], release: 'Windows 11 25H2', product: 'client', decidedBy: 'PKEYCONFIGVERSION' },
    { why: 'names 24H2 from PKEYCONFIGVERSION 26100 when the display name carries no marker', name: 'Enterprise upgrade media', build: 26100, wim: [enterprise24H2], release: 'Windows 11 24H2', product: 'client', decidedBy: 'PKEYCONFIGVERSION' },
    { why: 'names 23H2 media whose WIM build is 22621 from PKEYCONFIGVERSION 22631', name: 'Reference image', build: 22621, wim: [image({ displayName: 'Windows 11 Enterprise', installationType: 'Client', build: 22621, pkey: 22631 })], release: 'Windows 11 23H2', product: 'client', decidedBy: 'PKEYCONFIGVERSION' },
    { why: 'names Windows 10 22H2 media whose WIM build is 19041 from PKEYCONFIGVERSION 19045', name: 'Reference image', build: 19041, wim: [image({ displayName: 'Windows 10 Enterprise', installationType: 'Client', build: 19041, pkey: 19045 })], release: 'Windows 10 22H2', product: 'client', decidedBy: 'PKEYCONFIGVERSION' },
    { why: 'does not let a baseline PKEYCONFIGVERSION 22621 overrule a package name that says 23H2', name: 'Windows 11 23H2 Enterprise', build: 22621, wim: [image({ displayName: 'Windows 11 Enterprise', build: 22621, pkey: 22621 })], release: 'Windows 11 23H2', product: 'client', decidedBy: 'package name' },
    { why: 'ignores a PKEYCONFIGVERSION the WIM build cannot belong to', name: 'Reference image', build: 22621, wim: [image({ displayName: 'Windows 11 Enterprise', build: 22621, pkey: 26200 })], release: 'Windows 11 22H2', product: 'client', decidedBy: 'build' },
    { why: 'names 26100 server media by INSTALLATIONTYPE when nothing else says server', name: 'Datacenter media', build: 26100, wim: [serverNoNames], release: 'Windows Server 2025', product: 'server', decidedBy: 'PKEYCONFIGVERSION' },
    { why: 'believes INSTALLATIONTYPE Client over a package name that says server', name: 'Server team upgrade media', build: 26100, wim: [image({ displayName: 'Windows 11 Enterprise', installationType: 'Client', build: 26100 })], release: 'Windows 11 24H2', product: 'client', decidedBy: 'build' },
    { why: 'uses the WIM build when ConfigMgr recorded none', name: 'Reference image', wim: [image({ displayName: 'Windows 11 Enterprise', installationType: 'Client', build: 22631 })], release: 'Windows 11 23H2', product: 'client', decidedBy: 'build' },
  ];
  for (const { why, name, build, editions, wim, release, product, decidedBy } of cases) {
    it(why, () => {
      const result = nameRelease({ packageName: name, build: build === undefined ? undefined : b(build), editions, wimImages: wim });
      assert.deepEqual(result, release === undefined ? { decidedBy } : { release, product, decidedBy });
    });
  }
});
