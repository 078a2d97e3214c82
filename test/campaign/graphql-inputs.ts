import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';

/** One crafted HTTP request of the campaign. */
export interface CraftedRequest {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  /** Path and query string. */
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
}

/** Where the generated requests point: the market and a window inside its data. */
export interface Target {
  readonly market: string;
  readonly from: string;
  readonly to: string;
  readonly apiKey: string;
}

// Hostile literals per input type (GraphQL syntax). Some are invalid on purpose (validation
// must answer them), some valid and absurd (the resolvers' ranges must).
const HOSTILE: Record<string, readonly string[]> = {
  Int: ['0', '-1', '2147483647', '-2147483648', '2147483648', '1.5', '"1"', 'null', '[1]'],
  Float: ['0', '-0.0', '-1', '1e-7', '1e-300', '1e308', '1e309', '123456789012345678901234567890', '"NaN"', 'null'],
  String: ['""', JSON.stringify('x'.repeat(5000)), JSON.stringify("' OR 1=1 --"), '"\\u0000"', JSON.stringify('../../etc/passwd'), JSON.stringify('binance:BTCUSDT"; drop table trades; --'), '"\\ud800"', JSON.stringify('\u001b[31m🙂')],
  DateTime: ['"2024-02-30T00:00:00Z"', '"9999-12-31T23:59:59Z"', '"0000-01-01T00:00:00Z"', '"2024-01-01"', '"yesterday"', '"1704067200"', '"2024-01-01T00:00:00+25:99"', '"-271821-04-20T00:00:00Z"', '"1970-01-01T00:00:00Z"', '0'],
  Decimal: ['"1e400"', '"-1"', '"NaN"', `"0.${'0'.repeat(1000)}1"`, `"${'9'.repeat(200)}"`, '"abc"', '1e308', '"Infinity"'],
  Boolean: ['true', '"true"', '1'],
};
HOSTILE.ID = HOSTILE.String!;

/** A valid value for a required argument, so the hostile one is what the server judges. */
function validValue(name: string, type: GraphQLInputType, t: Target): string {
  const named = getNamedType(type);
  if (isEnumType(named)) return named.getValues()[0]!.name;
  if (isInputObjectType(named)) {
    const fields = Object.values(named.getFields()).filter((f) => isNonNullType(f.type));
    const known: Record<string, string> = { qty: '"0.1"', entry: '"50000"', wallet: '"1000"', symbol: '"BTCUSDT"' };
    const extra = named.name === 'QuoteInput' ? Object.entries(known).map(([k, v]) => `${k}: ${v}`) : [];
    return `{ ${[...fields.map((f) => `${f.name}: ${validValue(f.name, f.type, t)}`), ...extra].join(', ')} }`;
  }
  if (name === 'market') return JSON.stringify(t.market);
  if (name === 'id') return JSON.stringify('0'.repeat(32));
  if (name === 'from') return JSON.stringify(t.from);
  if (name === 'to') return JSON.stringify(t.to);
  if (named.name === 'Decimal') return '"1000000"';
  if (named.name === 'Float') return name === 'shock' ? '0.05' : name === 'leverage' ? '10' : '1';
  if (named.name === 'Int') return '1';
  if (named.name === 'Boolean') return 'false';
  return '"x"';
}

/** Scalars (and one level of objects' scalars) of a return type: a selection that validates. */
function selection(type: GraphQLObjectType, depth: number): string {
  const parts: string[] = [];
  for (const f of Object.values(type.getFields())) {
    if (f.args.some((a) => isNonNullType(a.type))) continue;
    const named = getNamedType(f.type);
    if (isScalarType(named) || isEnumType(named)) parts.push(f.name);
    else if (isObjectType(named) && depth > 0) {
      const inner = selection(named, depth - 1);
      if (inner) parts.push(`${f.name} ${inner}`);
    }
  }
  return parts.length ? `{ ${parts.join(' ')} }` : '';
}

/** Hostile values for an argument of `type`, including per-field damage inside input objects and lists. */
function hostileValues(name: string, type: GraphQLInputType, t: Target, depth = 0): string[] {
  const named = getNamedType(type);
  if (isEnumType(named)) return ['BOGUS', '"LONG"', 'long', 'null'];
  if (isInputObjectType(named)) {
    const out = ['{}', 'null', '{ bogus: 1 }'];
    if (depth > 1) return out;
    const base = validValue(name, named, t).slice(2, -2);
    for (const f of Object.values(named.getFields())) {
      for (const v of hostileValues(f.name, f.type, t, depth + 1)) {
        const rest = base
          .split(', ')
          .filter((kv) => kv && !kv.startsWith(`${f.name}:`))
          .join(', ');
        out.push(`{ ${[rest, `${f.name}: ${v}`].filter(Boolean).join(', ')} }`);
      }
    }
    if (isListType(isNonNullType(type) ? type.ofType : type)) out.push('[]', `[${Array(10_000).fill(`{ ${base || 'leverage: 10, weight: 1'} }`).join(',')}]`);
    return out;
  }
  const values = [...(HOSTILE[named.name] ?? HOSTILE.String!)];
  if (isListType(isNonNullType(type) ? type.ofType : type)) values.push('[]', `[${Array(10_000).fill(values[0]).join(',')}]`);
  return values;
}

/** A query calling `field` with every required argument valid and `arg` set to `value`. */
function callWith(root: string, field: GraphQLField<unknown, unknown>, arg: GraphQLArgument | null, value: string, t: Target): string {
  const args = field.args
    .filter((a) => a === arg || isNonNullType(a.type))
    .map((a) => `${a.name}: ${a === arg ? value : validValue(a.name, a.type, t)}`)
    .join(', ');
  const named = getNamedType(field.type);
  const sel = isObjectType(named) ? selection(named, 1) : '';
  return `${root === 'Mutation' ? 'mutation ' : root === 'Subscription' ? 'subscription ' : ''}{ ${field.name}${args ? `(${args})` : ''} ${sel} }`;
}

const post = (name: string, body: unknown, headers: Record<string, string> = {}): CraftedRequest => ({
  name,
  method: 'POST',
  path: '/graphql',
  headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

/**
 * Hostile arguments for every argument of every Query and Mutation field of the schema (so a
 * field added later is attacked too): invalid literals, absurd values, injection strings,
 * impossible dates, damaged input objects, 10,000-entry lists; mutations with and without the
 * API key; the same values through variables (JSON), where 1e400 arrives as Infinity.
 */
export function hostileArgumentRequests(schema: GraphQLSchema, t: Target): CraftedRequest[] {
  const out: CraftedRequest[] = [];
  for (const root of [schema.getQueryType(), schema.getMutationType()]) {
    if (!root) continue;
    for (const field of Object.values(root.getFields())) {
      const headers: Record<string, string> = root.name === 'Mutation' ? { authorization: `Bearer ${t.apiKey}` } : {};
      if (field.args.length === 0) out.push(post(`${root.name}.${field.name}`, { query: callWith(root.name, field, null, '', t) }, headers));
      for (const arg of field.args) {
        for (const v of hostileValues(arg.name, arg.type, t)) out.push(post(`${root.name}.${field.name}(${arg.name}: ${v.slice(0, 40)})`, { query: callWith(root.name, field, arg, v, t) }, headers));
        // Through a variable: the JSON path (coercion), including what JSON.parse makes of 1e400.
        const named = getNamedType(arg.type);
        if (isScalarType(named)) {
          const typeName = `${arg.type}`.replace(/!$/, '');
          const query = callWith(root.name, field, arg, '$v', t).replace(/^(mutation |subscription )?\{/, (m, op: string | undefined) => `${op ?? 'query '}($v: ${typeName}) {`);
          for (const raw of ['1e400', '-1e400', '"x"', '[[[[[1]]]]]', '{"a":1}', JSON.stringify('y'.repeat(100_000)), 'null']) {
            out.push(post(`${root.name}.${field.name}($${arg.name} = ${raw.slice(0, 20)})`, `{"query":${JSON.stringify(query)},"variables":{"v":${raw}}}`, headers));
          }
        }
      }
      if (root.name === 'Mutation') out.push(post(`${root.name}.${field.name} without the key`, { query: callWith(root.name, field, null, '', t) }));
    }
  }
  return out;
}

/**
 * Hostile documents and bodies: aliases, depth, fragment cycles, directives, tokens, batches,
 * huge whitespace, wrong operation names and types, bad JSON, wrong content types, mutations
 * over GET, unknown persisted hashes, field typos (no suggestion may leak).
 */
export function hostileDocumentRequests(t: Target): CraftedRequest[] {
  const m = JSON.stringify(t.market);
  const heatmap = `heatmap(market: ${m}) { maxValue values }`;
  const deep = (n: number) => `{ __schema { types { ${'fields { type { '.repeat(n)}name${' } }'.repeat(n)} } } }`;
  const docs: [string, string][] = [
    ['16 aliases', `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: markets { id }`).join(' ')} }`],
    ['1,000 aliases', `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: _meta { __typename }`).join(' ')} }`],
    ['15 aliased heatmaps', `{ ${Array.from({ length: 15 }, (_, i) => `h${i}: ${heatmap}`).join(' ')} }`],
    ['15 aliased checks', `{ ${Array.from({ length: 15 }, (_, i) => `c${i}: clusters(market: ${m}, check: true) { at }`).join(' ')} }`],
    ['depth 12 (introspection)', deep(12)],
    ['depth 40 (introspection)', deep(40)],
    ['fragment cycle', `fragment A on Query { ...B } fragment B on Query { ...A } { ...A }`],
    ['1,000 directives', `{ markets ${'@include(if: true) '.repeat(1000)} { id } }`],
    ['10,000 tokens', `{ markets { ${'id '.repeat(10_000)} } }`],
    ['a field typo (no suggestion)', `{ market(id: ${m}) { idd exchnge } }`],
    ['an enum typo (no suggestion)', `{ clusters(market: ${m}, side: LONGG) { at } }`],
    ['__type of Query', `{ __type(name: "Query") { fields { name args { name } } } }`],
    ['unknown field on root', `{ users { password } }`],
    ['empty document', ``],
    ['syntax error', `{ markets { id `],
    ['two anonymous operations', `{ markets { id } } { _meta { __typename } }`],
    ['subscription over JSON', `subscription { clustersUpdated(market: ${m}) { at } }`],
    ['3.9 MB of whitespace', `${' '.repeat(3_900_000)}{ _meta { __typename } }`],
    ['a 1 MB string argument', `{ market(id: ${JSON.stringify('z'.repeat(1_000_000))}) { id } }`],
    ['connection first: 1e9', `{ trades(market: ${m}, first: 1000000000) { edges { node { price } } } }`],
    ['a garbage cursor', `{ trades(market: ${m}, first: 5, after: "////garbage====") { edges { cursor } } }`],
    ['a cursor of 100 KB', `{ trades(market: ${m}, first: 5, after: ${JSON.stringify('QQ'.repeat(50_000))}) { edges { cursor } } }`],
    ['totalCount ×15', `{ ${Array.from({ length: 15 }, (_, i) => `t${i}: trades(market: ${m}) { totalCount }`).join(' ')} }`],
    ['_in of 10,000 sides', `{ trades(market: ${m}, first: 1, where: { side: { _in: [${Array(10_000).fill('BUY').join(',')}] } }) { edges { cursor } } }`],
  ];
  const out: CraftedRequest[] = docs.map(([name, query]) => post(name, { query }));
  out.push(
    post('a batch of 1,000 operations', JSON.stringify(Array.from({ length: 1000 }, () => ({ query: '{ markets { id } }' })))),
    post('unknown operationName', { query: '{ markets { id } }', operationName: 'Nope' }),
    post('query is a number', '{"query":12345}'),
    post('query is an object', '{"query":{"$ne":null}}'),
    post('variables is a string', { query: 'query($m: ID!) { market(id: $m) { id } }', variables: 'not-an-object' }),
    post('variables of 100,000 keys', { query: '{ _meta { __typename } }', variables: Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i])) }),
    post('variables nested 100,000 deep', `{"query":"query($v: Float) { _meta { __typename } }","variables":{"v":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`),
    post('an unknown persisted hash', { extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } }),
    post('a persisted hash of junk', { extensions: { persistedQuery: { version: 1, sha256Hash: "'; drop table trades; --" } } }),
    post('invalid JSON', '{"query": "{ markets { id } }"'),
    post('JSON null body', 'null'),
    post('invalid UTF-8 body', Buffer.concat([Buffer.from('{"query":"{ market(id: \\"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('\\") { id } }"}')])),
    post('text/plain body', '{ markets { id } }', { 'content-type': 'text/plain' }),
    post('application/graphql body', '{ markets { id } }', { 'content-type': 'application/graphql' }),
    post('multipart junk', '--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{}\r\n--x--', { 'content-type': 'multipart/form-data; boundary=x' }),
    post('a gzip-encoded body that is not gzip', '{"query":"{ markets { id } }"}', { 'content-encoding': 'gzip' }),
    post('a wrong API key', { query: `mutation { recompute(market: ${m}) { jobId } }` }, { authorization: 'Bearer wrong-key-0123456789' }),
    post('a 10 KB authorization header', { query: '{ markets { id } }' }, { authorization: `Bearer ${'k'.repeat(10_000)}` }),
    post('recompute from 1970 with the key', { query: `mutation { recompute(market: ${m}, from: "1970-01-01T00:00:00Z") { jobId rolledBack } }` }, { authorization: `Bearer ${t.apiKey}` }),
    post('recompute of 1-second buckets with the key', { query: `mutation { recompute(market: ${m}, timeBucketSeconds: 1) { jobId } }` }, { authorization: `Bearer ${t.apiKey}` }),
    post('a CORS preflight-looking POST from evil.example', { query: '{ markets { id } }' }, { origin: 'https://evil.example' }),
    { name: 'GET mutation', method: 'GET', path: `/graphql?query=${encodeURIComponent(`mutation { recompute(market: ${m}) { jobId } }`)}`, headers: { accept: 'application/json', authorization: `Bearer ${t.apiKey}` } },
    { name: 'GET with a 12 KB query string', method: 'GET', path: `/graphql?query=${encodeURIComponent(`{ markets { ${'id '.repeat(4000)} } }`)}`, headers: { accept: 'application/json' } },
    { name: 'GET with variables that are not JSON', method: 'GET', path: `/graphql?query=${encodeURIComponent('query($m: ID!) { market(id: $m) { id } }')}&variables=%7Bnope`, headers: { accept: 'application/json' } },
  );
  return out;
}
