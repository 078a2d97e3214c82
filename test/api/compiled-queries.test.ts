import { describe, expect, it } from 'vitest';
import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import { useCompiledQueries } from '../../api/plugins/compiled-queries.js';
import { useValidationByShape } from '../../api/plugins/validation-shapes.js';
import { DateTimeScalar, DecimalScalar } from '../../api/schema/scalars.js';

/**
 * Queries run by graphql-jit, compiled once per document shape with the literals hoisted into
 * variables, answer exactly as graphql-js does: argument values (enums, lists, input objects,
 * nulls, defaults, custom scalars), function- and promise-valued properties, errors and masking.
 */
/** `v` with every object's keys in order. */
const sorted = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(sorted) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])])) : v;

describe('compiled queries', () => {
  const typeDefs = /* GraphQL */ `
    scalar DateTime
    scalar Decimal
    enum Side { LONG SHORT }
    input Range { from: DateTime!, to: DateTime, step: Int = 60, sides: [Side!] }
    type Item { n: Int!, lazy: Int!, later: String, box: Box, side: Side!, dec: Decimal, at: DateTime! }
    type Box { v: Int }
    type Query {
      echo(s: String, i: Int, f: Float, id: ID, b: Boolean, side: Side, sides: [Side!], at: DateTime, d: Decimal, range: Range, limit: Int = 10): String
      items(n: Int!, side: Side = SHORT): [Item!]!
      fail(kind: String!): Int
      nonNullFail: Int!
      compiled: Boolean
    }
  `;
  const resolvers = {
    DateTime: DateTimeScalar,
    Decimal: DecimalScalar,
    // Internal values differ from the names: a hoisted enum literal must still arrive as the value.
    Side: { LONG: 'long', SHORT: 'short' },
    Query: {
      // The arguments as the resolver gets them: keys present, nulls, values (graphql-jit may order an object's keys otherwise).
      echo: (_: unknown, args: Record<string, unknown>) => JSON.stringify(sorted(args)),
      items: (_: unknown, a: { n: number; side: string }) =>
        Array.from({ length: a.n }, (_, i) => ({ n: i, lazy: () => i * 10, later: Promise.resolve(`p${i}`), box: Promise.resolve({ v: i }), side: a.side, dec: i % 2 ? `${i}.50` : null, at: 1_704_067_200_000_000 + i })),
      fail: (_: unknown, a: { kind: string }) => {
        if (a.kind === 'user') throw new GraphQLError('a caller mistake', { extensions: { code: 'BAD_USER_INPUT' } });
        throw new Error('an internal detail');
      },
      nonNullFail: () => {
        throw new Error('boom');
      },
      // Whether this ran compiled: graphql-jit's variables hold the hoisted literals.
      compiled: (_: unknown, _a: unknown, _c: unknown, info: GraphQLResolveInfo) => Object.keys(info.variableValues ?? {}).some((k) => k.startsWith('__lit')),
    },
  };
  const server = (plugins: Plugin[]) => createYoga({ schema: createSchema({ typeDefs, resolvers: resolvers as never }), plugins: [useValidationByShape(), ...plugins] });
  const js = server([]);
  const jit = server([useCompiledQueries()]);
  const post = async (yoga: typeof js, query: string, variables?: Record<string, unknown>, operationName?: string) => {
    const res = await yoga.fetch('http://x/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables, operationName }) });
    return { status: res.status, body: await res.text() };
  };
  /** The answer as parsed JSON (graphql-jit writes fields in their selection's order; graphql-tools' executor puts those resolved later last). */
  const answer = async (yoga: typeof js, query: string, variables?: Record<string, unknown>) => {
    const { status, body } = await post(yoga, query, variables);
    return { status, body: JSON.parse(body) as unknown };
  };

  // Each document twice or more with other literal values (and lengths): the second runs the first one's compiled query.
  const documents = [
    '{ echo(s: "a", i: 1, f: 2, id: "x", b: true, side: LONG, sides: [SHORT, LONG], at: "2024-01-01T00:00:00.5Z", d: 1.50, range: { from: "2024-01-01T00:00:00Z" }) }',
    '{ echo(s: "bbbbbb", i: -7, f: 2.25, id: "yy", b: false, side: SHORT, sides: [LONG, LONG], at: "2024-02-01T00:00:00.123456+02:00", d: 17, range: { from: "2024-01-02T00:00:00Z" }) }',
    '{ echo(s: null, i: null, side: null, range: { from: "2024-01-01T00:00:00Z", to: null, step: 5, sides: [LONG] }) }',
    '{ echo(s: null, i: null, side: null, range: { from: "2025-01-01T00:00:00Z", to: null, step: 6, sides: [SHORT] }) }',
    '{ echo(limit: 3) }',
    '{ echo(limit: 4) }',
    '{ echo }',
    // One value where a list is expected: coerced to a list of one, as a literal or a variable.
    '{ echo(sides: LONG, range: { from: "2024-01-01T00:00:00Z", sides: SHORT }) }',
    '{ echo(sides: SHORT, range: { from: "2024-01-01T00:00:00Z", sides: LONG }) }',
    // An Int literal as an ID keeps its text; as a Float it is a number.
    '{ echo(id: 123, f: 4) }',
    '{ echo(id: -0, f: -0) }',
    '{ echo(s: """two\n  lines""") }',
    '{ echo(s: """one""") }',
    'query Q { a: echo(i: 1) ...F } fragment F on Query { b: echo(i: 2, side: LONG) }',
    'query Q { a: echo(i: 31) ...F } fragment F on Query { b: echo(i: 42, side: SHORT) }',
    // Directives' literals stay in the text: each value its own compiled query.
    '{ x: echo(i: 1) @include(if: false) y: echo(i: 2) @skip(if: false) }',
    '{ x: echo(i: 3) @include(if: true) y: echo(i: 4) @skip(if: true) }',
    '{ items(n: 3) { n lazy later box { v } side dec at } }',
    '{ items(n: 2, side: LONG) { n lazy later box { v } side dec at } }',
    '{ items(n: 1, side: SHORT) { n lazy later box { v } side dec at } }',
    // Errors: graphql-js's, with this document's locations (they move with the literals' lengths), masked as graphql-js's are.
    '{ ok: echo(s: "a") fail(kind: "user") }',
    '{ ok: echo(s: "a much longer string") fail(kind: "user") }',
    '{ ok: echo(s: "a") fail(kind: "internal") }',
    '{ items(n: 2) { n } nonNullFail }',
    // Refused by validation (a bad literal of a known shape): unchanged.
    '{ echo(at: "2024-01-01T00:00:00Z") }',
    '{ echo(at: "not a time") }',
    'query Named { echo(i: 1) }',
  ];

  it('answers every document as graphql-js does', async () => {
    for (const q of documents) expect({ q, ...(await answer(jit, q)) }).toEqual({ q, ...(await answer(js, q)) });
    // With the operation named, and with variables of the caller's own (run by graphql-js).
    const named = 'query Named { echo(i: 1) }';
    expect(await answer(jit, named)).toEqual(await answer(js, named));
    const withVariables = 'query($i: Int, $side: Side) { echo(i: $i, side: $side, s: "z") }';
    expect(await answer(jit, withVariables, { i: 5, side: 'LONG' })).toEqual(await answer(js, withVariables, { i: 5, side: 'LONG' }));
  });

  it('runs queries compiled, the same shape with new literals too, and leaves what it cannot compile to graphql-js', async () => {
    const compiled = async (q: string, variables?: Record<string, unknown>, operationName?: string) => (JSON.parse((await post(jit, q, variables, operationName)).body) as { data: { compiled: boolean } }).data.compiled;
    expect(await compiled('{ compiled echo(i: 1, side: LONG, at: "2024-01-01T00:00:00Z") }')).toBe(true);
    expect(await compiled('{ compiled echo(i: 2, side: SHORT, at: "2024-01-03T00:00:00Z") }')).toBe(true);
    // Function- and promise-valued properties (graphql-js calls and awaits them) compile too.
    expect(await compiled('{ compiled items(n: 2) { n lazy later box { v } } }')).toBe(true);
    expect(await compiled('{ compiled items(n: 3) { n lazy later box { v } } }')).toBe(true);
    // The plain server never compiles.
    expect((JSON.parse((await post(js, '{ compiled }')).body) as { data: { compiled: boolean } }).data.compiled).toBe(false);
    // Variables of the caller's own, or two operations: graphql-js.
    expect(await compiled('query($i: Int) { compiled echo(i: $i) }', { i: 1 })).toBe(false);
    expect(await compiled('query A { compiled echo(i: 1) } query B { echo }', undefined, 'A')).toBe(false);
    // A named operation is compiled.
    expect(await compiled('query A { compiled echo(i: 1) }', undefined, 'A')).toBe(true);
  });
});
