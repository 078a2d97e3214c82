// The public GraphQL API as the dashboard uses it: queries over fetch, subscriptions over SSE.

/** A GraphQL error with the server's `extensions.code` (NOT_READY, BAD_USER_INPUT…). */
export class ApiError extends Error {
  constructor(errors) {
    super(errors.map((e) => e.message).join('; '));
    this.code = errors[0]?.extensions?.code ?? null;
    this.extensions = errors[0]?.extensions ?? {};
  }
}

/** Runs a query; throws {@link ApiError} when the answer carries errors. */
export async function gql(query, variables = {}, signal) {
  const r = await fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ query, variables }), signal });
  const body = await r.json();
  if (body.errors?.length) throw new ApiError(body.errors);
  return body.data;
}

/**
 * A subscription over server-sent events (graphql-yoga's transport): calls `onData` with each
 * `data` payload until `signal` aborts. Resolves when the stream ends.
 */
export async function subscribe(query, variables, onData, signal) {
  const r = await fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify({ query, variables }), signal });
  const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += value;
    let k;
    while ((k = buf.indexOf('\n\n')) >= 0) {
      const event = buf.slice(0, k);
      buf = buf.slice(k + 2);
      const data = event.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5)).join('\n');
      if (data.trim()) onData(JSON.parse(data));
    }
  }
}
