import { describe, expect, it } from 'vitest';
import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import { GraphQLError, GraphQLScalarType, Kind, type ValidationRule } from 'graphql';
import { useValidationByShape } from '../../api/plugins/validation-shapes.js';
import { useArmor } from '../../api/plugins/armor.js';

/** Validation runs once per shape of document; literals are still checked on every document. */
describe('validation by shape', () => {
  let visits = 0;
  // A rule standing for the structural ones: counts the documents it validates.
  const counting: ValidationRule = () => ({ Document: () => void visits++ });
  const counter: Plugin = { onValidate: ({ addValidationRule }) => addValidationRule(counting) };
  const Day = new GraphQLScalarType({
    name: 'Day',
    parseLiteral: (v) => {
      if (v.kind !== Kind.STRING || !/^\d{4}-\d\d-\d\d$/.test(v.value)) throw new TypeError('not a day');
      return v.value;
    },
    parseValue: (v) => v,
  });
  const yoga = createYoga({
    schema: createSchema({
      typeDefs: 'scalar Day\ntype Query { echo(day: Day!, n: Int): String }',
      resolvers: { Day, Query: { echo: (_: unknown, a: { day: string; n?: number }) => `${a.day}/${a.n ?? ''}` } },
    }),
    plugins: [counter, useValidationByShape()],
  });
  const post = async (query: string) => (await yoga.fetch('http://x/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })).json() as Promise<{ data?: Record<string, unknown>; errors?: { message: string }[] }>;

  it('validates a document that differs from an earlier one only in literals with the literal rule alone', async () => {
    visits = 0;
    expect((await post('{ echo(day: "2024-01-01", n: 1) }')).data).toEqual({ echo: '2024-01-01/1' });
    expect((await post('{ echo(day: "2024-01-02", n: 2) }')).data).toEqual({ echo: '2024-01-02/2' });
    expect((await post('{ echo(day: "2024-01-03", n: 3) }')).data).toEqual({ echo: '2024-01-03/3' });
    expect(visits).toBe(1);
    // Another shape (a literal of another kind): validated in full.
    expect((await post('{ echo(day: "2024-01-03", n: null) }')).data).toEqual({ echo: '2024-01-03/' });
    expect(visits).toBe(2);
  });

  it('keys a parsed document by its text around the literals: the kinds of its literals and every other token count, spacing makes a new key', async () => {
    visits = 0;
    expect((await post('{ echo(n: 1, day: "2024-01-01") }')).data).toEqual({ echo: '2024-01-01/1' });
    expect((await post('{ echo(n: 7, day: "2024-01-09") }')).data).toEqual({ echo: '2024-01-09/7' });
    expect(visits).toBe(1);
    // A literal of another kind in the same place (Float for Int) is another shape, refused by the full rules.
    expect((await post('{ echo(n: 7.5, day: "2024-01-09") }')).errors?.[0]?.message).toMatch(/Int cannot represent/);
    // Other spacing, a comment: each validated in full once.
    expect((await post('{  echo(n: 7, day: "2024-01-09") }')).data).toEqual({ echo: '2024-01-09/7' });
    expect((await post('{ echo(n: 7, day: "2024-01-09") # note\n}')).data).toEqual({ echo: '2024-01-09/7' });
    expect(visits).toBe(4);
    // A comment holding the key's own markers (NULs) is keyed by the walk instead, and known by it next time.
    expect((await post('{ echo(n: 7, day: "2024-01-09") # \u0000INT\u0000\n}')).data).toEqual({ echo: '2024-01-09/7' });
    expect((await post('{ echo(n: 8, day: "2024-01-10") # \u0000INT\u0000\n}')).data).toEqual({ echo: '2024-01-10/8' });
    expect(visits).toBe(5);
  });

  it('knows a shape again when a plugin adds its rule as a new function on every request (as graphql-armor does)', async () => {
    let fresh = 0;
    // graphql-armor's max-depth plugin: addValidationRule(maxDepthRule(options)) on each request.
    const perRequest: Plugin = { onValidate: ({ addValidationRule }) => addValidationRule(() => ({ Document: () => void fresh++ })) };
    const armored = createYoga({
      schema: createSchema({ typeDefs: 'type Query { echo(n: Int): String }', resolvers: { Query: { echo: (_: unknown, a: { n?: number }) => String(a.n) } } }),
      plugins: [perRequest, useValidationByShape()],
    });
    for (const n of [1, 2, 3]) {
      const res = await armored.fetch('http://x/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ echo(n: ${n}) }` }) });
      expect(await res.json()).toEqual({ data: { echo: String(n) } });
    }
    expect(fresh).toBe(1);
    // The server's own limits plugins, in front of a rule that counts full validations.
    let full = 0;
    const withArmor = createYoga({
      schema: createSchema({ typeDefs: 'type Query { echo(n: Int): String }', resolvers: { Query: { echo: (_: unknown, a: { n?: number }) => String(a.n) } } }),
      plugins: [...useArmor({ maxRangeDays: 31, introspection: true }), { onValidate: ({ addValidationRule }) => addValidationRule(countFull) } satisfies Plugin, useValidationByShape()],
    });
    const countFull: ValidationRule = () => ({ Document: () => void full++ });
    for (const n of [1, 2, 3]) {
      const res = await withArmor.fetch('http://x/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ echo(n: ${n}) }` }) });
      expect(await res.json()).toEqual({ data: { echo: String(n) } });
    }
    expect(full).toBe(1);
  });

  it('does not take a bound rule made per request for another bound rule (no source text to tell them apart)', async () => {
    const refuse = (ctx: { reportError: (e: GraphQLError) => void }) => ({ Document: () => ctx.reportError(new GraphQLError('refused')) });
    const accept = () => ({});
    let strict = false;
    const bound: Plugin = { onValidate: ({ addValidationRule }) => addValidationRule((strict ? refuse : accept).bind(null) as unknown as ValidationRule) };
    const y = createYoga({ schema: createSchema({ typeDefs: 'type Query { echo(n: Int): String }', resolvers: { Query: { echo: (_: unknown, a: { n?: number }) => String(a.n) } } }), plugins: [bound, useValidationByShape()] });
    const ask = async (n: number) => (await y.fetch('http://x/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ echo(n: ${n}) }` }) })).json() as Promise<{ data?: unknown; errors?: { message: string }[] }>;
    expect((await ask(1)).data).toEqual({ echo: '1' });
    strict = true;
    expect((await ask(2)).errors?.[0]?.message).toBe('refused');
  });

  it('still refuses a bad literal in a known shape (custom scalar, wrong type)', async () => {
    await post('{ echo(day: "2024-01-01", n: 1) }');
    expect((await post('{ echo(day: "yesterday", n: 1) }')).errors?.[0]?.message).toMatch(/Day/);
    await post('{ x: echo(day: "2024-01-01", n: 1) }');
    expect((await post('{ x: echo(day: "2024-01-01", n: 99999999999) }')).errors?.[0]?.message).toMatch(/Int/);
  });

  it('checks the literals of a known shape in lists, input objects and enums', async () => {
    const typed = createYoga({
      schema: createSchema({
        typeDefs: 'scalar Day\nenum Side { LONG SHORT }\ninput W { day: Day!, side: Side }\ntype Query { pick(days: [Day!]!, w: W, side: Side): String }',
        resolvers: { Day, Query: { pick: (_: unknown, a: { days: string[]; w?: { day: string }; side?: string }) => `${a.days.join(',')}/${a.w?.day}/${a.side}` } },
      }),
      plugins: [useValidationByShape()],
    });
    const ask = async (query: string) => (await typed.fetch('http://x/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })).json() as Promise<{ data?: unknown; errors?: { message: string }[] }>;
    const doc = (a: string, b: string, c: string, side: string) => `{ pick(days: ["${a}", "${b}"], w: { day: "${c}", side: ${side} }, side: ${side}) }`;
    expect((await ask(doc('2024-01-01', '2024-01-02', '2024-01-03', 'LONG'))).data).toEqual({ pick: '2024-01-01,2024-01-02/2024-01-03/LONG' });
    expect((await ask(doc('2024-02-01', '2024-02-02', '2024-02-03', 'SHORT'))).data).toEqual({ pick: '2024-02-01,2024-02-02/2024-02-03/SHORT' });
    expect((await ask(doc('2024-02-01', 'soon', '2024-02-03', 'SHORT'))).errors?.[0]?.message).toMatch(/Day/);
    expect((await ask(doc('2024-02-01', '2024-02-02', 'later', 'SHORT'))).errors?.[0]?.message).toMatch(/Day/);
    expect((await ask(doc('2024-02-01', '2024-02-02', '2024-02-03', 'FLAT'))).errors?.[0]?.message).toMatch(/Side/);
    expect((await ask(doc('2024-03-01', '2024-03-02', '2024-03-03', 'LONG'))).data).toEqual({ pick: '2024-03-01,2024-03-02/2024-03-03/LONG' });
  });

  it('still refuses fields of one name whose literal arguments differ', async () => {
    // Same literals merge; the shape is not kept, as other literals would not.
    expect((await post('{ a: echo(day: "2024-01-01") a: echo(day: "2024-01-01") }')).data).toEqual({ a: '2024-01-01/' });
    expect((await post('{ a: echo(day: "2024-01-01") a: echo(day: "2024-01-02") }')).errors?.[0]?.message).toMatch(/conflict/);
  });
});
