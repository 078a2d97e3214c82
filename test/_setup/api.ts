import { parseConfig, silentLogger, type Config } from '../../base/index.js';
import type { Store } from '../../db/index.js';
import { startServer, type RunningServer } from '../../api/index.js';
import type { JobRunner } from '../../jobs/index.js';

/** A GraphQL response as the tests read it. */
export interface GqlResponse<T = Record<string, unknown>> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** A server on a free port over `store`, and a small client for it. */
export interface TestApi {
  readonly server: RunningServer;
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GqlResponse<T>>;
  get(path: string): Promise<Response>;
  close(): Promise<void>;
}

/** Starts the API on port 0 with test configuration (overrides merged into the defaults). */
export async function startTestApi(store: Store, env: Record<string, string> = {}, jobs?: JobRunner): Promise<TestApi> {
  const config: Config = parseConfig({ HOST: '127.0.0.1', ...env });
  const server = await startServer({ store, config, logger: silentLogger, jobs }, { port: 0 });
  return {
    server,
    async gql(query, variables, headers = {}) {
      const r = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return { status: r.status, ...((await r.json()) as object) };
    },
    get: (path) => fetch(`${server.url}${path}`),
    close: () => server.close(),
  };
}
