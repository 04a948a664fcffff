/**
 * Mocha root hooks (registered in .mocharc): what the whole run shares is torn down once at its end.
 * Today that is the throw-away PostgreSQL cluster, when the run had to start one.
 */
import { stopSharedPostgres } from './postgres-server';

export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(30_000);
    await stopSharedPostgres();
  },
};
