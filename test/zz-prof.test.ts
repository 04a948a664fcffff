import pino from 'pino';
import { startApp } from '../src/app';
import { loadConfig } from '../src/config';
import { parseCommand } from '../src/bot/commands/command-parser';
import { MediaAnswers } from '../src/bot/media-answers';
import { AdminServiceSimulator } from '../src/services/demo/admin-service-simulator';
import { createSyntheticSite } from '../src/services/demo/synthetic-site';
describe('prof', function () {
  this.timeout(120000);
  it('x', async () => {
    const sim = new AdminServiceSimulator({ site: createSyntheticSite(500) } as never);
    const url = await sim.start();
    const app = await startApp(loadConfig({ PORT: '0', CM_ADMINSERVICE_URL: url, CM_AUTH: 'none' }), { logger: pino({ level: 'silent' }), rateLimit: false, firstSyncWaitMs: 60000 });
    const answers = new MediaAnswers({ inventory: app.inventory, adminServiceUrl: url, syncIntervalMinutes: 15 });
    const ids = app.inventory.snapshot().packages.map((p) => p.id);
    for (const text of ['list', `show ${ids[3]}`, 'help']) {
      const a = answers.answer(answers.recognise(parseCommand(text)));
      const b = answers.answer(answers.recognise(parseCommand(text)));
      console.log(text, 'same object', a === b, 'cached json', answers.cardJson(b) !== undefined);
    }
    await app.stop(); await sim.stop();
  });
});
