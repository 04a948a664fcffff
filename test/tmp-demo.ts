import pino from 'pino';
import { startApp } from '../src/app';
import { loadConfig } from '../src/config';
(async () => {
  const app = await startApp(loadConfig({ PORT: '0', DATABASE_URL: 'sqlite::memory:' }), { logger: pino({ level: 'silent' }) });
  for (const p of app.inventory.snapshot().packages) {
    const f = p.findings.filter((x) => ['edition-moved', 'editions-mismatch', 'missing-editions-in-use', 'extra-editions', 'edition-sizes'].includes(x.kind));
    console.log(p.id, p.kind, p.release, p.name, JSON.stringify(p.editionsInUse), p.wimIndexInUse);
    for (const x of f) console.log('   ', x.severity, x.kind, x.message);
  }
  await app.stop();
})();
