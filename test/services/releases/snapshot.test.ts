import assert from 'node:assert/strict';
import type { WimImage } from '../../../src/services/media/wim-image';
import type { ProductLine, ReleaseLine } from '../../../src/services/releases/freshness';
import { judgeFreshness } from '../../../src/services/releases/freshness-verdict';
import { loadSnapshot } from '../../../src/services/releases/release-catalog';
import { nameRelease } from '../../../src/services/releases/release-naming';
import snapshotJson from '../../../src/services/releases/snapshot.json';

/**
 * The bundled snapshot is what every site judges against until an operator sets a feed: each entry must be
 * checkable (a source), each line must carry its lifecycle, and every release the naming produces for media
 * admins deploy must find its line.
 */

const day = (text: string) => new Date(`${text}T00:00:00Z`);
const iso = (date: Date | undefined) => date?.toISOString().slice(0, 10);
const snapshot = loadSnapshot();
const lineOf = (release: string, product: ProductLine): ReleaseLine => {
  const line = snapshot.lines.find((candidate) => candidate.release === release && candidate.product === product);
  assert.ok(line, `the snapshot has no ${release} (${product}) line`);
  return line;
};

describe('the bundled snapshot', () => {
  it('names a source for every entry it lists', () => {
    const raw = snapshotJson as { lines: { release: string; updates?: { kb: string; source?: string }[] }[] };
    for (const line of raw.lines) {
      for (const update of line.updates ?? []) {
        assert.match(update.source ?? '', /^https:\/\/\S+$/, `${line.release} ${update.kb} has no source`);
      }
    }
    for (const line of snapshot.lines) {
      assert.ok(line.updates.length > 0, `${line.release} lists updates`);
      for (const update of line.updates) assert.ok(update.citation, `${line.release} ${update.kb} carries its citation after parsing`);
    }
  });

  it('is as of its newest entry, not of the day it was put together', () => {
    const newest = Math.max(...snapshot.lines.flatMap((line) => line.updates.map((update) => update.date.getTime())));
    assert.equal(iso(snapshot.asOf), iso(new Date(newest)));
  });

  const lifecycles: { release: string; product: ProductLine; end: string; mainstream?: string; homePro?: string; why: string }[] = [
    { release: 'Windows 11 25H2', product: 'client', end: '2028-10-10', homePro: '2027-10-12', why: 'Enterprise/Education get 36 months, Home/Pro 24' },
    { release: 'Windows 11 24H2', product: 'client', end: '2027-10-12', homePro: '2026-10-13', why: 'Home/Pro has ended, Enterprise/Education not' },
    { release: 'Windows 11 23H2', product: 'client', end: '2026-11-10', homePro: '2025-11-11', why: 'ended for Enterprise/Education in November 2026' },
    { release: 'Windows 11 22H2', product: 'client', end: '2025-10-14', homePro: '2024-10-08', why: 'a 22621 WIM at or below its last revision is 22H2, and out of support' },
    { release: 'Windows 10 22H2', product: 'client', end: '2025-10-14', why: 'later updates only under Extended Security Updates' },
    { release: 'Windows 10 2004', product: 'client', end: '2021-12-14', why: 'a 19041 WIM at or below 19041.1415 is 2004: say out of support, not unknown' },
    { release: 'Windows 10 Enterprise LTSC 2021', product: 'client', end: '2027-01-12', why: 'LTSC 2021 has five years, not ten' },
    { release: 'Windows 10 IoT Enterprise LTSC 2021', product: 'client', end: '2032-01-13', mainstream: '2027-01-12', why: 'the IoT edition has ten years' },
    { release: 'Windows 10 Enterprise LTSC 2019', product: 'client', end: '2029-01-09', mainstream: '2024-01-09', why: 'extended support like Server 2019' },
    { release: 'Windows 10 IoT Enterprise LTSC 2019', product: 'client', end: '2029-01-09', mainstream: '2024-01-09', why: 'same end as Enterprise LTSC 2019' },
    { release: 'Windows 11 Enterprise LTSC 2024', product: 'client', end: '2029-10-09', why: 'five years from October 2024' },
    { release: 'Windows 11 IoT Enterprise LTSC 2024', product: 'client', end: '2034-10-10', mainstream: '2029-10-09', why: 'the IoT edition has ten years' },
    { release: 'Windows Server 2019', product: 'server', end: '2029-01-09', mainstream: '2024-01-09', why: 'a server line ends with extended support' },
    { release: 'Windows Server 2022', product: 'server', end: '2031-10-14', mainstream: '2026-10-13', why: 'mainstream ended in October 2026' },
    { release: 'Windows Server 23H2', product: 'server', end: '2025-10-24', mainstream: '2025-04-24', why: 'an Annual Channel release: 18 months mainstream, 6 more of security updates' },
    { release: 'Windows Server 2025', product: 'server', end: '2034-11-14', mainstream: '2029-11-13', why: 'ten years from November 2024' },
  ];
  for (const { release, product, end, mainstream, homePro, why } of lifecycles) {
    it(`dates the end of ${release} at ${end} (${why})`, () => {
      const line = lineOf(release, product);
      assert.equal(iso(line.endOfServicing), end);
      assert.equal(iso(line.mainstreamEnd), mainstream);
      assert.equal(iso(line.homeProEnd), homePro);
      assert.match(line.lifecycleCitation ?? '', /^https:\/\/learn\.microsoft\.com\/(lifecycle|windows)\//, 'the Microsoft page that states the dates is named');
    });
  }

  it('says that Windows 10 22H2 gets only Extended Security Updates', () => {
    assert.equal(lineOf('Windows 10 22H2', 'client').supportNote, 'Extended Security Updates only');
  });

  it('has no line the table above does not date', () => {
    assert.deepEqual(
      snapshot.lines.map((line) => `${line.release}|${line.product}`).sort(),
      lifecycles.map(({ release, product }) => `${release}|${product}`).sort(),
    );
  });

  const shared: { release: string; product: ProductLine; from: string; fromProduct: ProductLine; why: string }[] = [
    { release: 'Windows 11 Enterprise LTSC 2024', product: 'client', from: 'Windows 11 24H2', fromProduct: 'client', why: 'LTSC 2024 gets the 24H2 cumulative updates' },
    { release: 'Windows 11 IoT Enterprise LTSC 2024', product: 'client', from: 'Windows 11 24H2', fromProduct: 'client', why: 'so does its IoT edition' },
    { release: 'Windows 10 Enterprise LTSC 2019', product: 'client', from: 'Windows Server 2019', fromProduct: 'server', why: 'build 17763 has one cumulative update for LTSC 2019 and Server 2019' },
    { release: 'Windows 10 IoT Enterprise LTSC 2019', product: 'client', from: 'Windows Server 2019', fromProduct: 'server', why: 'so does its IoT edition' },
    { release: 'Windows 10 IoT Enterprise LTSC 2021', product: 'client', from: 'Windows 10 Enterprise LTSC 2021', fromProduct: 'client', why: 'IoT LTSC 2021 gets what LTSC 2021 gets' },
  ];
  for (const { release, product, from, fromProduct, why } of shared) {
    it(`gives ${release} the updates of ${from} (${why})`, () => {
      assert.deepEqual(lineOf(release, product).updates, lineOf(from, fromProduct).updates);
    });
  }

  it('lists LTSC 2021 with Windows 10 22H2\'s updates except the out-of-band ones that were 22H2\'s alone', () => {
    const ltsc = new Set(lineOf('Windows 10 Enterprise LTSC 2021', 'client').updates.map((update) => update.kb));
    const general = lineOf('Windows 10 22H2', 'client').updates;
    const onlyGeneral = general.filter((update) => !ltsc.has(update.kb));
    assert.ok(onlyGeneral.every((update) => update.outOfBand), `only out-of-band updates differ: ${onlyGeneral.map((update) => update.kb).join(', ')}`);
    assert.ok(onlyGeneral.some((update) => update.kb === 'KB5071959'), 'the consumer-ESU fix of 2025-11-11 went to 22H2 only');
  });

  it('keeps every client 26100 revision below 32000 and every server one from 2026 at 32000 or above, as the naming assumes', () => {
    for (const line of snapshot.lines.filter((candidate) => candidate.build === 26100)) {
      for (const update of line.updates) {
        if (line.product === 'client') assert.ok(update.revision < 32000, `${line.release} ${update.kb}`);
        else if (update.date >= day('2026-01-01')) assert.ok(update.revision >= 32000, `${line.release} ${update.kb}`);
      }
    }
  });

  it('ends Windows 11 22H2 and Windows 10 2004 at the revisions where the naming moves to 23H2 and 22H2', () => {
    const last22H2 = lineOf('Windows 11 22H2', 'client').updates.at(-1)!.revision;
    const last2004 = lineOf('Windows 10 2004', 'client').updates.at(-1)!.revision;
    const named = (build: number, revision: number) => nameRelease({ packageName: 'Reference image', build: { major: 10, minor: 0, build, revision } }).release;
    assert.equal(named(22621, last22H2), 'Windows 11 22H2');
    assert.equal(named(22621, last22H2 + 1), 'Windows 11 23H2');
    assert.equal(named(19041, last2004), 'Windows 10 2004');
    assert.equal(named(19041, last2004 + 1), 'Windows 10 22H2');
  });

  it('lists 25H2 from its first month, October 2025, with the same revisions as 24H2 from then on', () => {
    const first25H2 = lineOf('Windows 11 25H2', 'client').updates[0];
    assert.equal(iso(first25H2.date), '2025-10-14');
    const since = lineOf('Windows 11 24H2', 'client').updates.filter((update) => update.date >= first25H2.date);
    assert.deepEqual(lineOf('Windows 11 25H2', 'client').updates, since);
  });

  describe('judging media the naming names against it', () => {
    const wim = (fields: Partial<WimImage> & { build: number; revision: number }): WimImage => {
      const { build, revision, ...rest } = fields;
      return { index: 1, languages: ['en-US'], installationType: 'Client', version: { major: 10, minor: 0, build, revision }, ...rest };
    };
    const now = day('2026-12-03');
    const cases: { why: string; name: string; image: WimImage; release: string; state: string }[] = [
      { why: 'an LTSC 2021 WIM that reads 19041', name: 'LTSC 2021', image: wim({ editionId: 'EnterpriseS', build: 19041, revision: 6456 }), release: 'Windows 10 Enterprise LTSC 2021', state: 'behind' },
      { why: 'an IoT LTSC 2024 WIM', name: 'IoT', image: wim({ editionId: 'IoTEnterpriseS', build: 26100, revision: 8246 }), release: 'Windows 11 IoT Enterprise LTSC 2024', state: 'behind' },
      { why: 'an LTSC 2019 WIM', name: 'LTSC 2019', image: wim({ editionId: 'EnterpriseS', build: 17763, revision: 7919 }), release: 'Windows 10 Enterprise LTSC 2019', state: 'behind' },
      { why: 'a Server 2019 WIM', name: 'WS2019', image: wim({ editionId: 'ServerDatacenter', installationType: 'Server', build: 17763, revision: 7919 }), release: 'Windows Server 2019', state: 'behind' },
      { why: 'a Server 23H2 WIM, past its end', name: 'Core', image: wim({ editionId: 'ServerDatacenterACor', installationType: 'Server Core', build: 25398, revision: 1913 }), release: 'Windows Server 23H2', state: 'out-of-support' },
      { why: 'a 22621 WIM serviced after 22H2\'s end, judged as 23H2 (ended 2026-11-10)', name: 'W11', image: wim({ editionId: 'Enterprise', build: 22621, revision: 6199 }), release: 'Windows 11 23H2', state: 'out-of-support' },
      { why: 'an unserviced 2004 WIM', name: 'W10', image: wim({ editionId: 'Enterprise', build: 19041, revision: 264 }), release: 'Windows 10 2004', state: 'out-of-support' },
      { why: 'a multi-session image', name: 'AVD - server team', image: wim({ editionId: 'ServerRdsh', build: 26100, revision: 8246 }), release: 'Windows 11 24H2', state: 'behind' },
      { why: 'Server 2025 on the server-only revisions', name: 'Reference image', image: wim({ editionId: 'ServerStandard', installationType: 'Server', build: 26100, revision: 32230 }), release: 'Windows Server 2025', state: 'behind' },
    ];
    for (const { why, name, image, release, state } of cases) {
      it(`finds the line of ${why}`, () => {
        const naming = nameRelease({ packageName: name, build: image.version, wimImages: [image] });
        assert.equal(naming.release, release);
        const verdict = judgeFreshness({ release: naming.release, product: naming.product, shareBuild: image.version }, snapshot, now).verdict;
        assert.equal(verdict.state, state, JSON.stringify(verdict));
      });
    }
  });
});
