import assert from 'node:assert/strict';
import { readUpdateTitle } from '../../../src/services/releases/update-title';

/**
 * Titles as public sources show them (Microsoft Update Catalog and WSUS exports, Windows Update, the catalog in
 * 2026; collected in /work/notes/catalog-titles.md), and what the bot must make of each.
 */
describe('readUpdateTitle', () => {
  const W11 = ['Windows 11', 'Security Updates'];
  const cases: Array<{ why: string; title: string; categories?: string[]; line?: string; build?: string; kb?: string; ignored?: RegExp }> = [
    { why: '2026 catalog form: comma, lower-case version, build at the end', title: '2026-09 Cumulative Update for Windows 11, version 24H2 for x64-based Systems (KB5129195) (26100.9457)', categories: W11, line: 'Windows 11 24H2', build: '26100.9457', kb: 'KB5129195' },
    { why: 'arm64 is the same revision as x64', title: '2026-09 Cumulative Update for Windows 11, version 25H2 for arm64-based Systems (KB5129195) (26200.9457)', categories: W11, line: 'Windows 11 25H2', build: '26200.9457', kb: 'KB5129195' },
    { why: "the brief's form: capital Version with the build", title: '2026-03 Cumulative Update for Windows 11 Version 24H2 for x64-based Systems (KB5079473) (26100.8037)', line: 'Windows 11 24H2', build: '26100.8037', kb: 'KB5079473' },
    { why: 'older catalog form carries no build', title: '2025-02 Cumulative Update for Windows 11 Version 24H2 for x64-based Systems (KB5051987)', categories: W11, line: 'Windows 11 24H2', kb: 'KB5051987' },
    { why: '23H2 shares a KB with 22H2 but has its own title', title: '2025-02 Cumulative Update for Windows 11 Version 23H2 for x64-based Systems (KB5051989)', line: 'Windows 11 23H2', kb: 'KB5051989' },
    { why: 'Windows 10 keeps "Version" and no build', title: '2026-09 Cumulative Update for Windows 10 Version 22H2 for x64-based Systems (KB5122878)', categories: ['Windows 10, version 1903 and later'], line: 'Windows 10 22H2', kb: 'KB5122878' },
    { why: 'x86 Windows 10 is the same line', title: '2024-09 Cumulative Update for Windows 10 Version 22H2 for x86-based Systems (KB5043064)', line: 'Windows 10 22H2', kb: 'KB5043064' },
    { why: 'Windows 10 21H2 titles now serve LTSC 2021', title: '2025-02 Cumulative Update for Windows 10 Version 21H2 for x64-based Systems (KB5051974)', categories: ['Windows 10 LTSB'], line: 'Windows 10 21H2', kb: 'KB5051974' },
    { why: '1809 titles serve LTSC 2019', title: '2025-02 Cumulative Update for Windows 10 Version 1809 for x64-based Systems (KB5052000)', categories: ['Windows 10 LTSB'], line: 'Windows 10 1809', kb: 'KB5052000' },
    { why: 'Server 2019 by its own name', title: '2025-02 Cumulative Update for Windows Server 2019 for x64-based Systems (KB5052000)', categories: ['Windows Server 2019'], line: 'Windows Server 2019', kb: 'KB5052000' },
    { why: '"Microsoft server operating system version 21H2" is Server 2022', title: '2024-09 Cumulative Update for Microsoft server operating system version 21H2 for x64-based Systems (KB5042881)', line: 'Windows Server 2022', kb: 'KB5042881' },
    { why: 'the comma variant of the server title', title: '2021-09 Cumulative Update for Microsoft server operating system, version 21H2 for x64-based Systems (KB5005575)', line: 'Windows Server 2022', kb: 'KB5005575' },
    { why: '"version 24H2" of the server operating system is Server 2025, not Windows 11', title: '2026-04 Cumulative Update for Microsoft server operating system version 24H2 for x64-based Systems (KB5082063) (26100.32690)', line: 'Windows Server 2025', build: '26100.32690', kb: 'KB5082063' },
    { why: 'Server 23H2 (Server Core only)', title: '2026-05 Cumulative Update for Microsoft server operating system version 23H2 for x64-based Systems (KB5087541)', line: 'Windows Server 23H2', kb: 'KB5087541' },
    { why: 'Windows Update short title: the build names the line', title: '2026-02 Security Update (KB5077181) (26200.7840)', categories: W11, line: 'Windows 11 25H2', build: '26200.7840', kb: 'KB5077181' },
    { why: 'short title with a Server 2025 revision (≥ 32000)', title: '2026-04 Security Update (KB5082063) (26100.32690)', line: 'Windows Server 2025', build: '26100.32690' },
    { why: 'short title, 26100 with a server category before the revisions split', title: '2025-12 Security Update (KB5072033) (26100.7462)', categories: ['Microsoft Server operating system-24H2'], line: 'Windows Server 2025', build: '26100.7462' },
    { why: 'an out-of-band update says so in its title', title: '2026-03 Out-of-band Cumulative Update for Windows 11, version 24H2 for x64-based Systems (KB5086672) (26100.8117)', line: 'Windows 11 24H2', build: '26100.8117' },
    { why: 'spacing and dashes are normalised', title: '  2026-03\u00a0Cumulative Update for Windows 11,  version 24H2 for x64\u2011based Systems (KB5079473) (26100.8037) ', line: 'Windows 11 24H2', build: '26100.8037' },
    { why: 'previews are optional; the next monthly update contains them', title: '2026-09 Cumulative Update Preview for Windows 11, version 24H2 for x64-based Systems (KB5124010)', ignored: /preview/ },
    { why: '.NET cumulative updates name Windows too', title: '2025-01 Cumulative Update for .NET Framework 3.5 and 4.8.1 for Windows 11, version 24H2 for x64 (KB5049622)', ignored: /\.NET/ },
    { why: 'Defender definitions', title: 'Security Intelligence Update for Microsoft Defender Antivirus - KB2267602 (Version 1.421.1234.0)', ignored: /Defender/ },
    { why: 'Safe OS Dynamic Update', title: '2025-02 Safe OS Dynamic Update for Windows 11 Version 24H2 for x64-based Systems (KB5053426)', ignored: /Dynamic Update/ },
    { why: 'Setup Dynamic Update', title: '2025-02 Setup Dynamic Update for Windows 11 Version 24H2 for x64-based Systems (KB5053424)', ignored: /Dynamic Update|Setup/ },
    { why: 'Dynamic Update without Safe OS or Setup', title: '2024-01 Dynamic Update for Windows 11 for x64-based Systems (KB5034236)', ignored: /Dynamic Update/ },
    { why: 'servicing stack update', title: '2024-09 Servicing Stack Update for Windows 10 Version 1607 for x64-based Systems (KB5043124)', ignored: /servicing stack/ },
    { why: 'a security update without a build is not a cumulative update (Secure Boot DBX)', title: '2022-08 Security Update for Microsoft server operating system version 21H2 for x64-based Systems (KB5012170)', ignored: /not a cumulative update/ },
    { why: 'Azure Stack HCI ("server operating system version 22H2") is no line the bot judges', title: '2024-09 Cumulative Update for Microsoft server operating system version 22H2 for x64-based Systems (KB5042881)', ignored: /no release line/ },
    { why: 'Windows 11 26H1 is a separate branch the bot has no line for', title: '2026-09 Cumulative Update for Windows 11, version 26H1 for arm64-based Systems (KB5129194) (28000.1234)', ignored: /no release line/ },
    { why: 'Windows 11 21H2 titles carry no version and 21H2 is no longer serviced', title: '2024-09 Cumulative Update for Windows 11 for x64-based Systems (KB5043067)', ignored: /no release line/ },
    { why: 'Server 2016 is no line the bot judges', title: '2024-09 Cumulative Update for Windows Server 2016 for x64-based Systems (KB5043051)', ignored: /no release line/ },
    { why: 'a title whose build contradicts its line is not trusted', title: '2026-04 Cumulative Update for Windows 11, version 24H2 for x64-based Systems (KB5082052) (22631.6936)', ignored: /carries build 22631/ },
    { why: 'a client title with a Server 2025 revision is not trusted', title: '2026-04 Cumulative Update for Windows 11, version 24H2 for x64-based Systems (KB5082063) (26100.32690)', ignored: /Server 2025/ },
    { why: 'a feature update is not a cumulative update', title: 'Feature update to Windows 11, version 24H2', ignored: /feature update/ },
    { why: 'a hotpatch is not applied to media', title: '2025-11 Hotpatch Cumulative Update for Windows 11, version 24H2 for x64-based Systems (KB5068966)', ignored: /hotpatch/ },
    { why: 'a title that matches nothing', title: 'Lorem ipsum dolor sit amet', ignored: /not a cumulative update/ },
    { why: 'a cumulative update that names no line and no build', title: 'Cumulative Update (KB5000000)', ignored: /names no Windows line/ },
    { why: 'a huge title is not read', title: `2026-03 Cumulative Update for Windows 11, version 24H2 ${'x'.repeat(400)} (KB5079473) (26100.8037)`, ignored: /longer than/ },
    { why: 'an empty title', title: '   ', ignored: /empty/ },
  ];

  for (const { why, title, categories, line, build, kb, ignored } of cases) {
    it(`${ignored ? 'ignores' : 'reads'}: ${why}`, () => {
      const reading = readUpdateTitle(title, categories);
      if (ignored) {
        assert.equal(reading.kind, 'ignored', JSON.stringify(reading));
        assert.match((reading as { why: string }).why, ignored);
        return;
      }
      assert.equal(reading.kind, 'cumulative', JSON.stringify(reading));
      if (reading.kind !== 'cumulative') return;
      assert.equal(reading.line.titled, line);
      assert.equal(reading.build ? `${reading.build.build}.${reading.build.revision}` : undefined, build);
      if (kb !== undefined) assert.equal(reading.kb, kb);
    });
  }

  it('marks an out-of-band title as such, and a monthly one not', () => {
    const oob = readUpdateTitle('2026-03 Out-of-band Cumulative Update for Windows 11, version 24H2 for x64-based Systems (KB5086672) (26100.8117)');
    const monthly = readUpdateTitle('2026-03 Cumulative Update for Windows 11, version 24H2 for x64-based Systems (KB5079473) (26100.8037)');
    assert.equal(oob.kind === 'cumulative' && oob.outOfBand, true);
    assert.equal(monthly.kind === 'cumulative' && monthly.outOfBand, undefined);
  });
});
