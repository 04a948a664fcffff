import { startApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { say, postToBot, cardActionActivity, cardText, cardOf } from '../support/bot-client';
import { createLogger } from '../../src/logger';
(async () => {
  const app = await startApp(loadConfig({ PORT: '0', DATABASE_URL: `sqlite:/tmp/smoke/db-${Date.now()}.db`, LOG_LEVEL: 'warn' }), { logger: createLogger({ logLevel: 'warn' } as never), jobs: { runnerPollMs: 200 } });
  const replies = await say(app.url, 'refresh PS100012 June CU');
  console.log(replies.map((r) => r.text ?? cardText(cardOf(r)).slice(0, 400)));
  const id = /Job ([A-Z0-9]{5})/.exec(cardText(cardOf(replies[0])))![1];
  const clicked = await postToBot(app.url, cardActionActivity('job.approve', { jobId: id, comment: 'ok' }));
  console.log(clicked.status, JSON.stringify(clicked.body).slice(0, 300));
  const start = Date.now();
  for (;;) {
    const job = await app.jobs.service.find(id);
    if (!job || !['awaiting_approval', 'approved', 'running'].includes(job.state)) { console.log(job?.state, job?.outcome, Date.now() - start); break; }
    await new Promise((r) => setTimeout(r, 500));
    if (Date.now() - start > 60000) { console.log('timeout', job.state, job.stage); break; }
  }
  const d = await app.jobs.service.details(id);
  console.log(d.events.map((e) => `${e.kind}: ${e.message}`).join('\n'));
  console.log(cardText(cardOf((await say(app.url, `job ${id}`))[0])).slice(0, 1500));
  await app.stop();
})().catch((e) => { console.error(e); process.exit(1); });
