import assert from 'node:assert/strict';
import { exposesMethod, parseServiceMetadata, ServiceMetadataUnreadable } from '../../../src/services/configmgr/service-metadata';

function csdl(body: string, namespace = 'AdminService'): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?><edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">' +
    `<edmx:DataServices><Schema Namespace="${namespace}" xmlns="http://docs.oasis-open.org/odata/ns/edm">${body}</Schema>` +
    '</edmx:DataServices></edmx:Edmx>'
  );
}

const TYPES =
  '<EntityType Name="SMS_PackageBaseclass" Abstract="true"><Key><PropertyRef Name="PackageID"/></Key></EntityType>' +
  '<EntityType Name="SMS_ImagePackage" BaseType="AdminService.SMS_PackageBaseclass"/>' +
  '<EntityType Name="SMS_OperatingSystemInstallPackage" BaseType="AdminService.SMS_PackageBaseclass"/>';
const bound = (name: string, type: string, tag = 'Action'): string =>
  `<${tag} Name="${name}" IsBound="true"><Parameter Name="bindingParameter" Type="${type}"/><ReturnType Type="Edm.Int32"/></${tag}>`;

describe('the AdminService $metadata', () => {
  const cases: Array<{ why: string; body: string; packageClass?: string; method?: string; exposed: boolean }> = [
    { why: 'an action bound to the class', body: TYPES + bound('RefreshPkgSource', 'AdminService.SMS_ImagePackage'), exposed: true },
    { why: 'an action bound to a base class of it', body: TYPES + bound('RefreshPkgSource', 'AdminService.SMS_PackageBaseclass'), exposed: true },
    { why: 'a function rather than an action', body: TYPES + bound('RefreshPkgSource', 'AdminService.SMS_ImagePackage', 'Function'), exposed: true },
    { why: 'an action named Class.Method, unbound', body: TYPES + '<Action Name="SMS_ImagePackage.RefreshPkgSource"/>', exposed: true },
    { why: 'names in another case (class names are case-insensitive)', body: TYPES + bound('refreshpkgsource', 'adminservice.sms_imagepackage'), exposed: true },
    { why: 'an action bound to the other package class only', body: TYPES + bound('RefreshPkgSource', 'AdminService.SMS_OperatingSystemInstallPackage'), exposed: false },
    { why: 'an unbound action with the bare name', body: TYPES + '<Action Name="RefreshPkgSource"/>', exposed: false },
    { why: 'an action bound to a collection of the class (not an instance method)', body: TYPES + bound('RefreshPkgSource', 'Collection(AdminService.SMS_ImagePackage)'), exposed: false },
    { why: 'the other method only', body: TYPES + bound('ReloadImageProperties', 'AdminService.SMS_ImagePackage'), exposed: false },
    { why: 'no actions at all', body: TYPES, exposed: false },
    {
      why: 'a loop in BaseType, which ends the walk',
      body: '<EntityType Name="A" BaseType="NS.B"/><EntityType Name="B" BaseType="NS.A"/>' + bound('RefreshPkgSource', 'NS.C'),
      packageClass: 'A',
      exposed: false,
    },
  ];
  for (const { why, body, packageClass, method, exposed } of cases) {
    it(`${exposed ? 'finds' : 'does not find'} the method given ${why}`, () => {
      assert.equal(exposesMethod(parseServiceMetadata(csdl(body)), packageClass ?? 'SMS_ImagePackage', method ?? 'RefreshPkgSource'), exposed);
    });
  }

  it('reads several schemas, the actions in one and the types in another', () => {
    const xml = csdl(TYPES).replace('</edmx:DataServices>', `<Schema Namespace="Ops" xmlns="http://docs.oasis-open.org/odata/ns/edm">${bound('ReloadImageProperties', 'AdminService.SMS_PackageBaseclass')}</Schema></edmx:DataServices>`);
    assert.equal(exposesMethod(parseServiceMetadata(xml), 'SMS_OperatingSystemInstallPackage', 'ReloadImageProperties'), true);
  });

  const unreadable: Array<[string, string, RegExp]> = [
    ['an empty body', '', /empty/],
    ['HTML', '<html><body>Sign in</body>', /well-formed|Schema/],
    ['JSON', '{"value":[]}', /well-formed|Schema/],
    ['XML that is not CSDL', '<root><a/></root>', /Schema/],
    ['a DOCTYPE with entities', '<!DOCTYPE x [<!ENTITY a "aaaa">]><edmx:Edmx xmlns:edmx="e"/>', /DOCTYPE/],
  ];
  for (const [why, xml, reason] of unreadable) {
    it(`refuses ${why}`, () => {
      assert.throws(() => parseServiceMetadata(xml), (error: unknown) => error instanceof ServiceMetadataUnreadable && reason.test(error.reason));
    });
  }

  it('keeps entity references as written: nothing is expanded', () => {
    const xml = csdl(TYPES + bound('Refresh&amp;PkgSource', 'AdminService.SMS_ImagePackage'));
    assert.equal(exposesMethod(parseServiceMetadata(xml), 'SMS_ImagePackage', 'Refresh&PkgSource'), false);
  });
});
