import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../../base/index.js';
import type { Route } from '../routes.js';

/**
 * Serves the plain HTTP routes beside GraphQL (the dashboard, `/heatmap.png`) by exact path,
 * before GraphQL sees the request. A route that fails is logged and answered 500 without
 * internals.
 */
export function useRoutes(routes: ReadonlyMap<string, Route>, logger: Logger): Plugin {
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      const route = routes.get(url.pathname);
      if (!route) return;
      try {
        endResponse(await route(request));
      } catch (e) {
        logger.error({ at: 'api#routes', path: url.pathname, err: e }, 'request failed');
        endResponse(new fetchAPI.Response('{"error":"internal error"}', { status: 500, headers: { 'content-type': 'application/json' } }));
      }
    },
  };
}
