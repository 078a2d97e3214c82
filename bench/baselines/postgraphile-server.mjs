// PostGraphile v4 as a PostGraphile user runs it in production (its documented production
// options: no query log, no GraphiQL, no watch), over the bench's schema. Started by
// api.bench.ts in a process of its own, like liqmap's API; prints "ready <port>".
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';

const [dir, url, schema] = process.argv.slice(2);
const require = createRequire(path.resolve(dir, 'package.json'));
const { postgraphile } = require('postgraphile');
const ConnectionFilterPlugin = require('postgraphile-plugin-connection-filter');

const middleware = postgraphile(url, schema, {
  appendPlugins: [ConnectionFilterPlugin],
  // trades is range-partitioned: expose the parent table (allTrades), not each partition.
  graphileBuildOptions: { pgUsePartitionedParent: true },
  dynamicJson: true,
  setofFunctionsContainNulls: false,
  ignoreRBAC: false,
  disableQueryLog: true,
  graphiql: false,
  enableQueryBatching: false,
  retryOnInitFail: false,
});
const server = createServer(middleware);
server.listen(0, '127.0.0.1', () => process.stdout.write(`ready ${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
