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
function image(fields: Partial<WimImage> & { build?: number; revision?: number; pkey?: number }): WimImage {
  const { build, revision = 6584, pkey, ...rest } = fields;
  return {
    index: 1,
    languages: ['en-US'],
    ...(build === undefined ? {} : { version: b(build, revision) }),
    ...(pkey === undefined ? {} : { pkeyConfigBuild: b(pkey, 6584), pkeyConfigVersion: `10.0.${pkey}.6584;2025-09-15T00:00:00Z` }),
    ...rest,
  };
}

const enterprise25H2 = image({ name: 'Windows 11 Enterprise', displayName: 'Windows 11 Enterprise', editionId: 'Enterprise', installationType: 'Client', build: 26100, pkey: 26200 });
const enterprise24H2 = image({ name: 'Windows 11 Enterprise', displayName: 'Windows 11 Enterprise', editionId: 'Enterprise', installationType: 'Client', build: 26100, pkey: 26100 });
const server2025Core = image({ name: 'Windows Server 2025 SERVERSTANDARDCORE', displayName: 'Windows Server 2025 Standard', editionId: 'ServerStandard', installationType: 'Server Core', build: 26100, pkey: 26100 });
/** An LTSC image as its ISO carries it: INSTALLATIONTYPE Client. */
const ltsc = (fields: Partial<WimImage> & { build?: number; revision?: number }) => image({ installationType: 'Client', ...fields });
const serverNoNames = image({ name: 'SERVERDATACENTER', editionId: 'ServerDatacenter', installationType: 'Server', build: 26100, pkey: 26100 });

describe('nameRelease', () => {
  const cases: {
    why: string;
    name: string;
    build?: number;
    /** ConfigMgr's revision; 1000 unless a case is about revisions. */
    revision?: number;
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
    { why: 'ignores a display-name marker that the WIM build contradicts', name: 'Reference image', build: 22621, wim: [image({ displayName: 'Windows 11 Enterprise 24H2', build: 22621, revision: 4000 })], release: 'Windows 11 22H2', product: 'client', decidedBy: 'build' },
    { why: 'lets images that name different releases cancel each other out', name: 'Mixed media', build: 26100, wim: [image({ index: 1, displayName: 'Windows 11 Pro 24H2', build: 26100 }), image({ index: 2, displayName: 'Windows 11 Pro 25H2', build: 26100 })], release: 'Windows 11 24H2', product: 'client', decidedBy: 'build' },
    { why: 'names 25H2 media whose WIM build is 26100 from PKEYCONFIGVERSION 26200', name: 'Enterprise upgrade media', build: 26100, wim: [enterprise25H2], release: 'Windows 11 25H2', product: 'client', decidedBy: 'PKEYCONFIGVERSION' },
    { why: 'lets PKEYCONFIGVERSION 26200 beat a package name that says 24H2', name: 'W11 24H2 Enterprise', build: 26100, wim: [enterprise25H2], release: 'Windows 11 25H2', product: 'client', decidedBy: 'PKEYCONFIGVERSION' },
    { why: 'names 24H2 from PKEYCONFIGVERSION 26100 when the display name carries no marker', name: 'Enterprise upgrade media', build: 26100, wim: [enterprise24H2], release: 'Windows 11 24H2', product: 'client', decidedBy: 'PKEYCONFIGVERSION' },
    { why: 'names 23H2 media whose WIM build is 22621 from PKEYCONFIGVERSION 22631', name: 'Reference image', build: 22621, wim: [image({ displayName: 'Windows 11 Enterprise', installationType: 'Client', build: 22621, pkey: 22631 })], release: 'Windows 11 23H2', product: 'client', decidedBy: 'PKEYCONFIGVERSION' },
    { why: 'names Windows 10 22H2 media whose WIM build is 19041 from PKEYCONFIGVERSION 19045', name: 'Reference image', build: 19041, wim: [image({ displayName: 'Windows 10 Enterprise', installationType: 'Client', build: 19041, pkey: 19045 })], release: 'Windows 10 22H2', product: 'client', decidedBy: 'PKEYCONFIGVERSION' },
    { why: 'does not let a baseline PKEYCONFIGVERSION 22621 overrule a package name that says 23H2', name: 'Windows 11 23H2 Enterprise', build: 22621, wim: [image({ displayName: 'Windows 11 Enterprise', build: 22621, pkey: 22621 })], release: 'Windows 11 23H2', product: 'client', decidedBy: 'package name' },
    { why: 'ignores a PKEYCONFIGVERSION the WIM build cannot belong to', name: 'Reference image', build: 22621, wim: [image({ displayName: 'Windows 11 Enterprise', build: 22621, revision: 4000, pkey: 26200 })], release: 'Windows 11 22H2', product: 'client', decidedBy: 'build' },
    { why: 'names 26100 server media by INSTALLATIONTYPE when nothing else says server', name: 'Datacenter media', build: 26100, wim: [serverNoNames], release: 'Windows Server 2025', product: 'server', decidedBy: 'PKEYCONFIGVERSION' },
    { why: 'believes INSTALLATIONTYPE Client over a package name that says server', name: 'Server team upgrade media', build: 26100, wim: [image({ displayName: 'Windows 11 Enterprise', installationType: 'Client', build: 26100 })], release: 'Windows 11 24H2', product: 'client', decidedBy: 'build' },
    { why: 'uses the WIM build when ConfigMgr recorded none', name: 'Reference image', wim: [image({ displayName: 'Windows 11 Enterprise', installationType: 'Client', build: 22631 })], release: 'Windows 11 23H2', product: 'client', decidedBy: 'build' },

    // LTSC editions are their LTSC release, with its own lifecycle, not the general-availability release.
    { why: 'names an EnterpriseS image on 17763 as Enterprise LTSC 2019', name: 'LTSC media', build: 17763, wim: [ltsc({ editionId: 'EnterpriseS', displayName: 'Windows 10 Enterprise LTSC 2019', build: 17763 })], release: 'Windows 10 Enterprise LTSC 2019', product: 'client', decidedBy: 'edition' },
    { why: 'names an IoTEnterpriseS image on 17763 as IoT Enterprise LTSC 2019', name: 'Kiosk media', build: 17763, wim: [ltsc({ editionId: 'IoTEnterpriseS', build: 17763 })], release: 'Windows 10 IoT Enterprise LTSC 2019', product: 'client', decidedBy: 'edition' },
    { why: 'names an EnterpriseS image whose WIM reads 19041 as Enterprise LTSC 2021, not 2004 or 22H2', name: 'Win10 Enterprise 2004', build: 19041, wim: [ltsc({ editionId: 'EnterpriseS', displayName: 'Windows 10 Enterprise LTSC 2021', build: 19041, revision: 1288 })], release: 'Windows 10 Enterprise LTSC 2021', product: 'client', decidedBy: 'edition' },
    { why: 'names an EnterpriseS image on 19044 as Enterprise LTSC 2021', name: 'LTSC media', build: 19044, wim: [ltsc({ editionId: 'EnterpriseS', build: 19044, revision: 7184 })], release: 'Windows 10 Enterprise LTSC 2021', product: 'client', decidedBy: 'edition' },
    { why: 'names a 19041 EnterpriseS image serviced past 2004 as LTSC 2021, not 22H2', name: 'LTSC media', build: 19041, revision: 7184, wim: [ltsc({ editionId: 'EnterpriseS', build: 19041, revision: 7184 })], release: 'Windows 10 Enterprise LTSC 2021', product: 'client', decidedBy: 'edition' },
    { why: 'names an IoTEnterpriseS image on 19044 as IoT Enterprise LTSC 2021 (serviced five years longer)', name: 'LTSC media', build: 19044, wim: [ltsc({ editionId: 'IoTEnterpriseS', build: 19044 })], release: 'Windows 10 IoT Enterprise LTSC 2021', product: 'client', decidedBy: 'edition' },
    { why: 'names "Windows 11 Enterprise LTSC" (no year) on 26100 as LTSC 2024 although the package name says 24H2', name: 'W11 24H2 Enterprise', build: 26100, wim: [ltsc({ editionId: 'EnterpriseS', displayName: 'Windows 11 Enterprise LTSC', build: 26100 })], release: 'Windows 11 Enterprise LTSC 2024', product: 'client', decidedBy: 'edition' },
    { why: 'names IoTEnterpriseS and IoTEnterpriseSK images on 26100 as IoT Enterprise LTSC 2024', name: 'IoT media', build: 26100, wim: [ltsc({ index: 1, editionId: 'IoTEnterpriseS', build: 26100 }), ltsc({ index: 2, editionId: 'IoTEnterpriseSK', build: 26100 })], release: 'Windows 11 IoT Enterprise LTSC 2024', product: 'client', decidedBy: 'edition' },
    { why: 'names the N edition EnterpriseSN as LTSC too', name: 'LTSC N media', build: 26100, wim: [ltsc({ editionId: 'EnterpriseSN', build: 26100 })], release: 'Windows 11 Enterprise LTSC 2024', product: 'client', decidedBy: 'edition' },
    { why: 'takes the shorter Enterprise LTSC lifecycle when a WIM mixes EnterpriseS and IoTEnterpriseS', name: 'LTSC media', build: 19044, wim: [ltsc({ index: 1, editionId: 'EnterpriseS', build: 19044 }), ltsc({ index: 2, editionId: 'IoTEnterpriseS', build: 19044 })], release: 'Windows 10 Enterprise LTSC 2021', product: 'client', decidedBy: 'edition' },
    { why: 'names LTSC from ConfigMgr\'s edition ids when the share was not read', name: 'Upgrade media', build: 26100, editions: [{ index: 1, name: 'Windows 11 Enterprise LTSC', editionId: 'EnterpriseS', languages: [] }], release: 'Windows 11 Enterprise LTSC 2024', product: 'client', decidedBy: 'edition' },
    { why: 'names LTSC from ConfigMgr\'s edition names when no edition carries an id', name: 'Upgrade media', build: 19044, editions: [{ index: 1, name: 'Windows 10 Enterprise LTSC 2021', languages: [] }], release: 'Windows 10 Enterprise LTSC 2021', product: 'client', decidedBy: 'edition' },
    { why: 'names LTSC from the display name when the image has no EditionID', name: 'Reference image', build: 26100, wim: [image({ displayName: 'Windows 11 IoT Enterprise LTSC', build: 26100 })], release: 'Windows 11 IoT Enterprise LTSC 2024', product: 'client', decidedBy: 'display name' },
    { why: 'names LTSC from the package name when nothing else says so', name: 'Win10 LTSC 2021 x64', build: 19044, release: 'Windows 10 Enterprise LTSC 2021', product: 'client', decidedBy: 'package name' },
    { why: 'does not name a WIM LTSC when it also carries general-availability editions', name: 'Mixed media', build: 26100, wim: [ltsc({ index: 1, editionId: 'EnterpriseS', build: 26100 }), image({ index: 2, editionId: 'Enterprise', installationType: 'Client', build: 26100 })], release: 'Windows 11 24H2', product: 'client', decidedBy: 'build' },

    // Server 2019 and Server 23H2 are known releases.
    { why: 'names Server 2019 by its package name', name: 'Windows Server 2019 Datacenter', build: 17763, release: 'Windows Server 2019', product: 'server', decidedBy: 'package name' },
    { why: 'names 17763 server images as Server 2019 by INSTALLATIONTYPE', name: 'Datacenter media', build: 17763, wim: [image({ editionId: 'ServerDatacenter', installationType: 'Server', build: 17763 })], release: 'Windows Server 2019', product: 'server', decidedBy: 'build' },
    { why: 'names 25398 Server Core images as Server 23H2', name: 'Datacenter core', build: 25398, wim: [image({ editionId: 'ServerDatacenterACor', installationType: 'Server Core', build: 25398 })], release: 'Windows Server 23H2', product: 'server', decidedBy: 'build' },
    { why: 'names 25398 as Server 23H2 even without server evidence (no client has that build)', name: 'Reference image', build: 25398, release: 'Windows Server 23H2', product: 'server', decidedBy: 'build' },
    { why: 'names Server 23H2 by "Windows Server, version 23H2" in the package name', name: 'Windows Server, version 23H2', build: 25398, release: 'Windows Server 23H2', product: 'server', decidedBy: 'package name' },

    // "server" in a client package's name is not a server release.
    { why: 'names "W11 24H2 Ent - server team" with client editions as Windows 11 24H2', name: 'W11 24H2 Ent - server team', build: 26100, editions: [clientEdition], release: 'Windows 11 24H2', product: 'client', decidedBy: 'package name' },
    { why: 'names "Windows 11 24H2 for Terminal Servers" as Windows 11 24H2', name: 'Windows 11 24H2 for Terminal Servers', build: 26100, editions: [clientEdition], release: 'Windows 11 24H2', product: 'client', decidedBy: 'package name' },
    { why: 'believes ConfigMgr\'s client editions over a package name that says server', name: 'Enterprise media - server team', build: 26100, editions: [clientEdition], release: 'Windows 11 24H2', product: 'client', decidedBy: 'build' },
    { why: 'does not read the word "server" alone as a server release when nothing is known', name: 'Upgrade media for the server team', build: 26100, release: 'Windows 11 24H2', product: 'client', decidedBy: 'build' },
    { why: 'does not read "Server 2025" in the name of a package with client editions as Server 2025', name: 'W11 24H2 (replaces Server 2025 pilot)', build: 26100, editions: [clientEdition], release: 'Windows 11 24H2', product: 'client', decidedBy: 'package name' },
    { why: 'does not read "Windows Server 2025" in the name of a client WIM without product word as Server 2025', name: 'Windows Server 2025 team image', build: 26100, wim: [image({ editionId: 'Enterprise', build: 26100 })], release: 'Windows 11 24H2', product: 'client', decidedBy: 'build' },
    { why: 'lets a name that points at a client and a server release decide nothing without editions', name: 'W11 24H2 (replaces Server 2025 pilot)', build: 26100, release: 'Windows Server 2025', product: 'server', decidedBy: 'build' },
    { why: 'reads "Server 2025" in the package name as server when nothing better is known', name: 'Server 2025 gold image', build: 26100, release: 'Windows Server 2025', product: 'server', decidedBy: 'package name' },
    { why: 'lets INSTALLATIONTYPE Client beat "Windows Server 2025" wording in the package name', name: 'Windows Server 2025 (really W11)', build: 26100, wim: [image({ editionId: 'Enterprise', installationType: 'Client', build: 26100, pkey: 26100 })], release: 'Windows 11 24H2', product: 'client', decidedBy: 'PKEYCONFIGVERSION' },

    // Enterprise multi-session (EditionID ServerRdsh) is client media.
    { why: 'names a multi-session image (ServerRdsh, INSTALLATIONTYPE Client) as Windows 11 24H2', name: 'AVD image', build: 26100, wim: [image({ editionId: 'ServerRdsh', installationType: 'Client', displayName: 'Windows 11 Enterprise multi-session', build: 26100, pkey: 26100 })], release: 'Windows 11 24H2', product: 'client', decidedBy: 'PKEYCONFIGVERSION' },
    { why: 'names a multi-session image without INSTALLATIONTYPE as client', name: 'AVD image', build: 26100, wim: [image({ editionId: 'ServerRdsh', build: 26100 })], release: 'Windows 11 24H2', product: 'client', decidedBy: 'build' },
    { why: 'names ConfigMgr\'s ServerRdsh edition as client when the share was not read', name: 'AVD image', build: 26100, editions: [{ index: 1, name: 'Windows 11 Enterprise multi-session', editionId: 'ServerRdsh', languages: [] }], release: 'Windows 11 24H2', product: 'client', decidedBy: 'build' },

    // The revision tells releases on one build apart.
    { why: 'names 26100.32522 as Server 2025 with nothing else known', name: 'Reference image', build: 26100, revision: 32522, release: 'Windows Server 2025', product: 'server', decidedBy: 'build' },
    { why: 'names 26100.32000 as Server 2025 (the first revision no client carries)', name: 'Reference image', build: 26100, revision: 32000, release: 'Windows Server 2025', product: 'server', decidedBy: 'build' },
    { why: 'names 26100.31999 as client 24H2', name: 'Reference image', build: 26100, revision: 31999, release: 'Windows 11 24H2', product: 'client', decidedBy: 'build' },
    { why: 'does not let a 24H2 package name make 26100.32522 client', name: 'W11 24H2 Enterprise', build: 26100, revision: 32522, release: 'Windows Server 2025', product: 'server', decidedBy: 'build' },
    { why: 'uses the serviced WIM\'s revision when ConfigMgr was not reloaded', name: 'Reference image', build: 26100, revision: 7462, wim: [image({ build: 26100, revision: 32230 })], release: 'Windows Server 2025', product: 'server', decidedBy: 'build' },
    { why: 'names 26100 by PKEYCONFIGVERSION as Server 2025 when the image revision is 32xxx', name: 'Reference image', build: 26100, wim: [image({ build: 26100, revision: 32698, pkey: 26100 })], release: 'Windows Server 2025', product: 'server', decidedBy: 'PKEYCONFIGVERSION' },
    { why: 'names 19041.1415 (2004\'s last update) as 2004', name: 'Reference image', build: 19041, revision: 1415, release: 'Windows 10 2004', product: 'client', decidedBy: 'build' },
    { why: 'names 19041 serviced past 2004\'s last update as Windows 10 22H2', name: 'Reference image', build: 19041, revision: 1466, release: 'Windows 10 22H2', product: 'client', decidedBy: 'build' },
    { why: 'names an ESU-serviced 19041 WIM as Windows 10 22H2', name: 'Reference image', wim: [image({ displayName: 'Windows 10 Enterprise', installationType: 'Client', build: 19041, revision: 7184 })], release: 'Windows 10 22H2', product: 'client', decidedBy: 'build' },
    { why: 'does not let a 2004 package name hold a 19041 WIM serviced past 2004', name: 'Windows 10 2004 Enterprise', build: 19041, revision: 7184, release: 'Windows 10 22H2', product: 'client', decidedBy: 'build' },
    { why: 'names 22621.6060 (22H2\'s last update) as Windows 11 22H2', name: 'Reference image', build: 22621, revision: 6060, release: 'Windows 11 22H2', product: 'client', decidedBy: 'build' },
    { why: 'names 22621 serviced after 22H2\'s end as 23H2', name: 'Reference image', build: 22621, revision: 6199, release: 'Windows 11 23H2', product: 'client', decidedBy: 'build' },
    { why: 'does not let a 22H2 package name hold a 22621 WIM serviced after 22H2\'s end', name: 'Windows 11 22H2 Enterprise', build: 22621, wim: [image({ displayName: 'Windows 11 Enterprise', build: 22621, revision: 6936, pkey: 22621 })], release: 'Windows 11 23H2', product: 'client', decidedBy: 'build' },
  ];
  for (const { why, name, build, revision, editions, wim, release, product, decidedBy } of cases) {
    it(why, () => {
      const result = nameRelease({ packageName: name, build: build === undefined ? undefined : b(build, revision), editions, wimImages: wim });
      assert.deepEqual(result, release === undefined ? { decidedBy } : { release, product, decidedBy });
    });
  }
});
