import assert from 'node:assert/strict';
import { ImagePropertyUnreadable, parseImageProperty } from '../../../src/services/media/image-property';
import { imagePropertyXml, clientEditions, serverEditions, windowsBuild } from '../../../src/services/demo/demo-media';

function property(name: string, value: string): string {
  return `<PROPERTY NAME="${name}">${value}</PROPERTY>`;
}

describe('parseImageProperty', () => {
  it('reads every index of ConfigMgr ImageProperty XML into editions', () => {
    const xml =
      '<WIM>' +
      '<IMAGE INDEX="1">' +
      property('Image name', 'Windows 11 Enterprise') +
      property('Image description', 'Windows 11 Enterprise') +
      property('Edition ID', 'Enterprise') +
      property('Architecture', '9') +
      property('Language', 'en-US') +
      property('OS version', '10.0.26100.4349') +
      property('Size', '18942803968') +
      '</IMAGE>' +
      '<IMAGE INDEX="2">' +
      property('Image name', 'Windows 11 Enterprise N') +
      property('Architecture', '9') +
      property('Language', 'en-US') +
      property('OS version', '10.0.26100.4349') +
      '</IMAGE>' +
      '</WIM>';
    assert.deepEqual(parseImageProperty(xml), [
      {
        index: 1,
        name: 'Windows 11 Enterprise',
        description: 'Windows 11 Enterprise',
        editionId: 'Enterprise',
        architecture: 'x64',
        languages: ['en-US'],
        sizeBytes: 18942803968,
        osVersion: { major: 10, minor: 0, build: 26100, revision: 4349 },
      },
      {
        index: 2,
        name: 'Windows 11 Enterprise N',
        architecture: 'x64',
        languages: ['en-US'],
        osVersion: { major: 10, minor: 0, build: 26100, revision: 4349 },
      },
    ]);
  });

  it('reads back what the demo site generates, index for index', () => {
    const build = windowsBuild(26100, 8246);
    const editions = clientEditions('Windows 11', ['Home', 'Pro', 'Enterprise'], build, 'ARM64', ['en-US', 'de-DE']);
    const parsed = parseImageProperty(imagePropertyXml({ build, editions }));
    assert.deepEqual(
      parsed.map((edition) => [edition.index, edition.name, edition.editionId, edition.architecture, edition.languages, edition.sizeBytes]),
      editions.map((edition) => [edition.index, edition.name, edition.editionId, 'ARM64', ['en-US', 'de-DE'], edition.sizeBytes]),
    );
    const server = serverEditions('2022', ['StandardCore', 'Datacenter'], windowsBuild(20348, 5020));
    assert.deepEqual(
      parseImageProperty(imagePropertyXml({ build: windowsBuild(20348, 5020), editions: server })).map((e) => e.editionId),
      ['ServerStandard', 'ServerDatacenter'],
    );
  });

  const architectures: [string, string][] = [
    ['0', 'x86'],
    ['5', 'ARM'],
    ['6', 'ia64'],
    ['9', 'x64'],
    ['12', 'ARM64'],
    ['0009', 'x64'],
    ['AMD64', 'x64'],
    ['x86', 'x86'],
    ['arm64', 'ARM64'],
    ['77', 'unknown (77)'],
    ['RISC-V', 'RISC-V'],
  ];
  for (const [raw, expected] of architectures) {
    it(`names architecture "${raw}" ${expected}`, () => {
      const [edition] = parseImageProperty(`<WIM><IMAGE INDEX="1">${property('Architecture', raw)}</IMAGE></WIM>`);
      assert.equal(edition.architecture, expected);
    });
  }

  it('splits several languages however they are separated, without repeats', () => {
    const [edition] = parseImageProperty(
      `<WIM><IMAGE INDEX="1">${property('Language', 'en-US; de-DE,fr-FR en-US')}</IMAGE></WIM>`,
    );
    assert.deepEqual(edition.languages, ['en-US', 'de-DE', 'fr-FR']);
  });

  it('tolerates missing and unknown properties, and matches names whatever their case or spacing', () => {
    const [bare, odd] = parseImageProperty(
      '<?xml version="1.0" encoding="utf-8"?><WIM>' +
        `<IMAGE INDEX="1">${property('Flux capacitor', '1.21 GW')}<PROPERTY>no name</PROPERTY><PROPERTY NAME="Image name"/></IMAGE>` +
        `<IMAGE INDEX="2">${property('IMAGE_NAME', 'Windows 11 Pro')}${property('os-version', '10.0.22621.6936')}${property('SIZE', 'lots')}</IMAGE>` +
        '</WIM>',
    );
    assert.deepEqual(bare, { index: 1, name: 'Image 1', languages: [] });
    assert.deepEqual(odd, {
      index: 2,
      name: 'Windows 11 Pro',
      languages: [],
      osVersion: { major: 10, minor: 0, build: 22621, revision: 6936 },
    });
  });

  it('keeps entities and unicode in names', () => {
    const [edition] = parseImageProperty(
      `<WIM><IMAGE INDEX="1">${property('Image name', 'O&apos;Brien &amp; Sons – “lab” 検証')}</IMAGE></WIM>`,
    );
    assert.equal(edition.name, 'O\'Brien & Sons – “lab” 検証');
  });

  it('sorts editions by index and takes position for an image without INDEX', () => {
    const editions = parseImageProperty(
      `<WIM><IMAGE INDEX="3">${property('Image name', 'C')}</IMAGE><IMAGE>${property('Image name', 'B')}</IMAGE><IMAGE INDEX="1">${property('Image name', 'A')}</IMAGE></WIM>`,
    );
    assert.deepEqual(editions.map((e) => [e.index, e.name]), [[1, 'A'], [2, 'B'], [3, 'C']]);
  });

  it('reads a WIM element with no images as no editions', () => {
    assert.deepEqual(parseImageProperty('<WIM></WIM>'), []);
    assert.deepEqual(parseImageProperty('<WIM/>'), []);
  });

  const unreadable: [string, string, RegExp][] = [
    ['an empty string', '', /empty/],
    ['blank text', '   \n', /empty/],
    ['an error message instead of XML', 'Error: 0x80070020 The process cannot access the file', /not XML/],
    ['truncated XML', '<WIM><IMAGE INDEX="1"><PROPERTY NAME="Image name">Windows 11 Ent', /not XML/],
    ['JSON', '{"WIM":[]}', /not XML/],
    ['another root element', '<IMAGES><IMAGE INDEX="1"/></IMAGES>', /root element is <IMAGES>, not <WIM>/],
    ['an index that is not a number', '<WIM><IMAGE INDEX="one"></IMAGE></WIM>', /index "one"/],
    ['index zero', '<WIM><IMAGE INDEX="0"></IMAGE></WIM>', /index "0"/],
    ['a repeated index', '<WIM><IMAGE INDEX="1"></IMAGE><IMAGE INDEX="1"></IMAGE></WIM>', /index 1 appears twice/],
    [
      'a DOCTYPE whose entity would rename the edition',
      '<!DOCTYPE WIM [<!ENTITY e "Education">]><WIM><IMAGE INDEX="1"><PROPERTY NAME="Image name">Windows 11 &e;</PROPERTY></IMAGE></WIM>',
      /document type declaration/,
    ],
  ];
  it('says in a sentence why XML is unreadable, and keeps the parser\'s own words for the log', () => {
    for (const xml of ['Error: 0x80070020 The process', '<WIM><IMAGE INDEX="1"><PROPERTY NAME="Image name">Windows 11 Ent', '{"WIM":[]}']) {
      assert.throws(
        () => parseImageProperty(xml),
        (error: unknown) =>
          error instanceof ImagePropertyUnreadable &&
          error.reason === 'it is not XML that can be read' &&
          typeof error.detail === 'string' &&
          /line \d+/.test(error.detail),
      );
    }
  });

  it('expands no entity, even without a DOCTYPE, and decodes the five XML ones once', () => {
    const [edition] = parseImageProperty(
      `<WIM><IMAGE INDEX="1">${property('Image name', 'R&amp;D &amp;lt;x&amp;gt; &unknown; &#x41;')}</IMAGE></WIM>`,
    );
    assert.equal(edition.name, 'R&D &lt;x&gt; &unknown; A');
  });

  for (const [what, xml, reason] of unreadable) {
    it(`rejects ${what} with a typed error that says why`, () => {
      assert.throws(
        () => parseImageProperty(xml),
        (error: unknown) => error instanceof ImagePropertyUnreadable && reason.test(error.reason),
      );
    });
  }
});
