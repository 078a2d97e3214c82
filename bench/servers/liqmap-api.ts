import { parseConfig, silentLogger } from '../../base/index.js';
import { createPostgresStore } from '../../db/index.js';
import { startServer } from '../../api/index.js';

/**
 * liqmap's API in a process of its own for the API bench (like the PostGraphile baseline, so
 * neither shares an event loop with the load generator): `DATABASE_URL` with `?schema=`, prints
 * "ready <port>". NODE_ENV (production, as deployed: child-server.ts) reaches its config too.
 */
const url = process.argv[2];
if (!url) throw new Error('usage: liqmap-api.ts <database url with ?schema=>');
const store = createPostgresStore({ url, max: 10 });
const api = await startServer({ store, config: parseConfig({ HOST: '127.0.0.1', DATABASE_URL: url, NODE_ENV: process.env.NODE_ENV }), logger: silentLogger }, { port: 0, host: '127.0.0.1' });
process.stdout.write(`ready ${api.port}\n`);
process.on('SIGTERM', () => {
  void api.close().then(() => store.close()).then(() => process.exit(0));
});
