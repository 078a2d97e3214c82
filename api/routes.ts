import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiDeps } from './context.js';

/** A plain HTTP route beside GraphQL (dashboard, image endpoint). */
export type Route = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** The non-GraphQL routes: `/` redirects to GraphiQL until the dashboard lands. */
export function extraRoutes(_deps: ApiDeps): Map<string, Route> {
  return new Map<string, Route>([
    [
      '/',
      async (_req, res) => {
        res.writeHead(302, { location: '/graphql' }).end();
      },
    ],
  ]);
}
