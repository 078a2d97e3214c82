// The public GraphQL API as the dashboard uses it: queries over fetch, subscriptions over SSE.

/** A GraphQL error with the server's `extensions.code` (NOT_READY, BAD_USER_INPUT…). */
export class ApiError extends Error {
  constructor(errors) {
    super(errors.map((e) => e.message).join('; '));
    this.code = errors[0]?.extensions?.code ?? null;
    this.extensions = errors[0]?.extensions ?? {};
  }
}

/** Requests started before anyone asked (boot.js), by body; each is taken once. */
const early = new Map();

function post(body, signal) {
  return fetch('/graphql', { priority: 'high', method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body, signal }).then((r) => r.json());
}

/**
 * Starts a query now, before the page's modules have loaded: the first {@link gql} call with the
 * same query and variables (byte for byte) gets its answer instead of asking again.
 */
export function prefetch(query, variables = {}) {
  const body = JSON.stringify({ query, variables });
  const answer = post(body);
  answer.catch(() => {}); // a failed prefetch is seen (and reported) by the gql call that takes it
  early.set(body, answer);
}

/** Runs a query; throws {@link ApiError} when the answer carries errors. */
export async function gql(query, variables = {}, signal) {
  const body = JSON.stringify({ query, variables });
  const started = early.get(body);
  early.delete(body);
  const answer = await (started ?? post(body, signal));
  if (answer.errors?.length) throw new ApiError(answer.errors);
  return answer.data;
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
