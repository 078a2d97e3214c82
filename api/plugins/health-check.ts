import type { Plugin } from 'graphql-yoga';

/**
 * `GET /healthz`: the process is up and serving (no dependency is asked: that is
 * {@link useReadinessCheck}'s job). Like yoga's use-health-check, answered before GraphQL.
 */
export function useHealthCheck(endpoint = '/healthz'): Plugin {
  return {
    onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname === endpoint) endResponse(new fetchAPI.Response('{"status":"ok"}', { status: 200, headers: { 'content-type': 'application/json' } }));
    },
  };
}
