import assert from 'node:assert/strict';
import { parseServicingCallback } from '../../../src/services/jobs/servicing-callback';

describe('servicing callback contract 1', () => {
  const accepted: Array<{ why: string; body: unknown }> = [
    { why: 'a stage starts', body: { contract: 1, event: 'stage_started', stage: 'service_media' } },
    { why: 'a stage ends with the new build', body: { contract: 1, event: 'stage_done', stage: 'service_media', newBuild: '26100.4652' } },
    { why: 'editions were removed', body: { contract: 1, event: 'stage_done', stage: 'keep_editions', message: 'Kept index 3 (Enterprise).' } },
    { why: 'a stage failed, with a multi-line message', body: { contract: 1, event: 'stage_failed', stage: 'service_media', message: 'DISM error 0x800f081f\r\nsee log' } },
    { why: 'the host updated ConfigMgr itself', body: { contract: 1, event: 'completed', newBuild: '22631.5909', configMgrUpdated: true } },
    { why: 'the whole job failed', body: { contract: 1, event: 'failed', message: 'x'.repeat(500) } },
  ];
  for (const c of accepted) {
    it(`accepts ${c.why}`, () => {
      const parsed = parseServicingCallback(c.body);
      assert.ok(parsed.ok, parsed.ok ? '' : parsed.problem);
      assert.deepEqual(parsed.event, c.body);
    });
  }

  const refused: Array<{ why: string; body: unknown; field: RegExp }> = [
    { why: 'an unknown key', body: { contract: 1, event: 'completed', exitCode: 0 }, field: /body|exitCode/ },
    { why: 'a prototype key', body: JSON.parse('{"contract":1,"event":"completed","__proto__":{"x":1}}'), field: /./ },
    { why: 'another contract', body: { contract: 2, event: 'completed' }, field: /^contract/ },
    { why: 'no contract', body: { event: 'completed' }, field: /^contract/ },
    { why: 'an unknown event', body: { contract: 1, event: 'progress' }, field: /^event/ },
    { why: 'a bot stage', body: { contract: 1, event: 'stage_done', stage: 'watch_distribution' }, field: /^stage/ },
    { why: 'a stage event without its stage', body: { contract: 1, event: 'stage_started' }, field: /^stage/ },
    { why: 'a job event naming a stage', body: { contract: 1, event: 'completed', stage: 'service_media' }, field: /^stage/ },
    { why: 'a full four-part build', body: { contract: 1, event: 'completed', newBuild: '10.0.26100.4652' }, field: /^newBuild/ },
    { why: 'a build without revision', body: { contract: 1, event: 'completed', newBuild: '26100' }, field: /^newBuild/ },
    { why: 'a build as a number', body: { contract: 1, event: 'completed', newBuild: 26100.4652 }, field: /^newBuild/ },
    { why: 'a build with a trailing line break', body: { contract: 1, event: 'completed', newBuild: '26100.4652\n' }, field: /^newBuild/ },
    { why: 'configMgrUpdated as text', body: { contract: 1, event: 'completed', configMgrUpdated: 'true' }, field: /^configMgrUpdated/ },
    { why: 'a message of 501 characters', body: { contract: 1, event: 'failed', message: 'x'.repeat(501) }, field: /^message/ },
    { why: 'a message with an escape sequence', body: { contract: 1, event: 'failed', message: 'red \u001b[31m' }, field: /^message/ },
    { why: 'an array', body: [{ contract: 1, event: 'completed' }], field: /^body/ },
    { why: 'null', body: null, field: /^body/ },
  ];
  for (const c of refused) {
    it(`refuses ${c.why}`, () => {
      const parsed = parseServicingCallback(c.body);
      assert.equal(parsed.ok, false);
      if (!parsed.ok) assert.match(parsed.problem, c.field);
    });
  }
});
