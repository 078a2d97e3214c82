import type { Plugin } from 'graphql-yoga';

/** Largest request body, bytes (a GraphQL document with its variables). */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * Refuses a request body before it is read: over {@link MAX_BODY_BYTES} (413), or of unknown
 * length (411: a chunked body could not be bounded before it is read). The connection is
 * closed after the answer, so the unread body is never drained.
 */
export function useBodyLimit(maxBytes = MAX_BODY_BYTES): Plugin {
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      const len = request.headers.get('content-length');
      const refuse = (status: number, code: string, message: string) =>
        endResponse(new fetchAPI.Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), { status, headers: { 'content-type': 'application/json', connection: 'close' } }));
      if (len !== null) {
        if (Number(len) > maxBytes) refuse(413, 'PAYLOAD_TOO_LARGE', `request body of ${len} bytes is over the limit of ${maxBytes} bytes`);
        return;
      }
      if (request.headers.get('transfer-encoding') !== null) refuse(411, 'LENGTH_REQUIRED', 'send the request body with a Content-Length header (at most 4 MiB)');
    },
  };
}
