import assert from 'node:assert/strict';
import { createDemoSite } from '../../../src/services/demo/demo-site';
import { createSyntheticSite, syntheticPackageId } from '../../../src/services/demo/synthetic-site';
import type { DemoSite } from '../../../src/services/demo/demo-media';
import { ImagePropertyUnreadable, parseImageProperty } from '../../../src/services/media/image-property';
import { parseBuildNumber } from '../../../src/services/media/media-package';
import { nameRelease } from '../../../src/services/releases/release-naming';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** What every site the simulator serves must hold, hand-written or synthetic. */
function assertWellFormed(site: DemoSite): void {
  const ids = site.packages.map((pkg) => pkg.record.PackageID);
  assert.equal(new Set(ids).size, ids.length, 'package ids repeat');
  for (const { packageClass, record, media } of site.packages) {
    assert.match(record.PackageID, new RegExp(`^${site.siteCode}[0-9A-F]{5}$`));
    assert.equal(record.SourceSite, site.siteCode);
    assert.match(record.SourceDate, ISO_UTC);
    assert.match(record.LastRefreshTime, ISO_UTC);
    assert.ok(Date.parse(record.LastRefreshTime) >= Date.parse(record.SourceDate), `${record.PackageID} refreshed before its source date`);
    assert.ok(record.SourceVersion >= 1 && Number.isInteger(record.SourceVersion));
    assert.ok(record.PackageSize > 1_000_000, `${record.PackageID} is implausibly small`);
    assert.ok(record.PkgSourcePath.startsWith('\\\\cm01.contoso.com\\OSD$\\'));
    if (packageClass === 'SMS_ImagePackage') assert.match(record.PkgSourcePath, /\.wim$/);
    else assert.doesNotMatch(record.PkgSourcePath, /\.wim$/);
    if (media) {
      const editions = parseImageProperty(record.ImageProperty ?? '');
      assert.deepEqual(editions.map((e) => e.index), media.editions.map((_, n) => n + 1));
      assert.deepEqual(parseBuildNumber(record.ImageOSVersion), media.build);
      for (const edition of editions) assert.ok((edition.sizeBytes ?? 0) > 5_000_000_000);
    }
  }
}

describe('demo site', () => {
  const site = createDemoSite();
  const record = (id: string) => site.packages.find((pkg) => pkg.record.PackageID === id)!.record;

  it('is a well-formed PS1 site with both package classes', () => {
    assert.equal(site.siteCode, 'PS1');
    assertWellFormed(site);
    assert.ok(site.packages.filter((pkg) => pkg.packageClass === 'SMS_OperatingSystemInstallPackage').length >= 5);
    assert.ok(site.packages.filter((pkg) => pkg.packageClass === 'SMS_ImagePackage').length >= 5);
  });

  it('carries the WIM baseline build, not the marketed one, for enablement-package releases', () => {
    const wimBuildByRelease: [RegExp, number][] = [
      [/Windows 10 .*22H2/, 19041],
      [/Windows 11 .*23H2/, 22621],
      [/Windows 11 24H2/, 26100],
      [/Windows 11 25H2/, 26200],
      [/Server 2022/, 20348],
      [/Server 2025/, 26100],
    ];
    for (const [name, build] of wimBuildByRelease) {
      const matching = site.packages.filter((pkg) => name.test(pkg.record.Name) && pkg.media);
      assert.ok(matching.length > 0, `no package matches ${name}`);
      for (const pkg of matching) assert.equal(pkg.media!.build.build, build, pkg.record.Name);
    }
    for (const pkg of site.packages.filter((p) => /Server 2025/.test(p.record.Name))) {
      assert.ok(pkg.media!.build.revision >= 32000, 'Server 2025 has its own revision line');
    }
  });

  it('names every readable package the release its name promises', () => {
    const expected: Record<string, string> = {
      PS100004: 'Windows 10 22H2',
      PS100005: 'Windows 10 22H2',
      PS10000C: 'Windows 11 23H2',
      PS10000D: 'Windows 11 23H2',
      PS100012: 'Windows 11 24H2',
      PS100013: 'Windows 11 24H2',
      PS100023: 'Windows 11 24H2',
      PS100015: 'Windows 11 24H2',
      PS100016: 'Windows 11 24H2',
      PS100017: 'Windows 11 24H2',
      PS100018: 'Windows 11 25H2',
      PS100019: 'Windows 11 25H2',
      PS10001A: 'Windows 11 24H2',
      PS10001F: 'Windows Server 2022',
      PS100020: 'Windows Server 2022',
      PS100021: 'Windows Server 2025',
      PS100022: 'Windows Server 2025',
    };
    const named = Object.fromEntries(
      site.packages
        .filter((pkg) => pkg.media)
        .map(({ record: r, media }) => [
          r.PackageID,
          nameRelease({ build: media!.build, packageName: r.Name, editions: parseImageProperty(r.ImageProperty!) }).release,
        ]),
    );
    assert.deepEqual(named, expected);
  });

  it('has an 11-index multi-edition ISO and Enterprise-only media', () => {
    const multi = parseImageProperty(record('PS100015').ImageProperty!);
    assert.equal(multi.length, 11);
    assert.deepEqual(
      multi.map((e) => e.editionId),
      ['Core', 'CoreN', 'Education', 'EducationN', 'Professional', 'ProfessionalN', 'ProfessionalEducation', 'ProfessionalEducationN', 'ProfessionalWorkstation', 'Enterprise', 'EnterpriseN'],
    );
    assert.deepEqual(parseImageProperty(record('PS100012').ImageProperty!).map((e) => e.name), ['Windows 11 Enterprise']);
  });

  it('has Server media with Core and Desktop Experience indexes', () => {
    const names = parseImageProperty(record('PS100020').ImageProperty!).map((e) => e.name);
    assert.deepEqual(names, [
      'Windows Server 2022 Standard',
      'Windows Server 2022 Standard (Desktop Experience)',
      'Windows Server 2022 Datacenter',
      'Windows Server 2022 Datacenter (Desktop Experience)',
    ]);
  });

  it('has a package whose name carries quotes, an apostrophe and an en dash', () => {
    assert.equal(record('PS10001A').Name, 'Windows 11 24H2 Pro \u2013 O\'Brien\'s "lab" media');
  });

  it('has one package whose ImageProperty is not XML, on purpose', () => {
    const broken = site.packages.filter((pkg) => {
      try {
        parseImageProperty(pkg.record.ImageProperty ?? '');
        return false;
      } catch (error) {
        return error instanceof ImagePropertyUnreadable;
      }
    });
    assert.deepEqual(broken.map((pkg) => pkg.record.PackageID), ['PS10001C']);
  });

  it('gives each call its own copy to change', () => {
    const mine = createDemoSite();
    mine.packages[0].record.SourceVersion = 999;
    mine.packages[0].media!.editions.pop();
    const fresh = createDemoSite();
    assert.notEqual(fresh.packages[0].record.SourceVersion, 999);
    assert.equal(fresh.packages[0].media!.editions.length, 1);
  });
});

describe('synthetic site', () => {
  it('makes the requested number of well-formed packages over every release', () => {
    const site = createSyntheticSite(500);
    assert.equal(site.packages.length, 500);
    assertWellFormed(site);
    const builds = new Set(site.packages.map((pkg) => pkg.media!.build.build));
    assert.deepEqual([...builds].sort(), [19041, 20348, 22621, 26100, 26200]);
    const classes = new Set(site.packages.map((pkg) => pkg.packageClass));
    assert.equal(classes.size, 2);
    assert.ok(site.packages.some((pkg) => pkg.media!.editions.length === 11));
  });

  it('is the same site for the same count, and another for another seed', () => {
    assert.deepEqual(createSyntheticSite(60), createSyntheticSite(60));
    assert.notDeepEqual(createSyntheticSite(60), createSyntheticSite(60, 7));
  });

  it('numbers package ids in hexadecimal after the site code', () => {
    assert.equal(syntheticPackageId('PS1', 1), 'PS100001');
    assert.equal(syntheticPackageId('PS1', 500), 'PS1001F4');
  });

  for (const count of [-1, 1.5, 0x100000, Number.NaN]) {
    it(`refuses ${count} packages`, () => {
      assert.throws(() => createSyntheticSite(count), RangeError);
    });
  }

  it('makes an empty site for zero', () => {
    assert.deepEqual(createSyntheticSite(0).packages, []);
  });
});
