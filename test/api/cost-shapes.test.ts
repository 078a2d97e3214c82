import { describe, expect, it } from 'vitest';
import { createSchema, createYoga } from 'graphql-yoga';
import { useCostLimit } from '../../api/plugins/cost.js';
import { useValidationByShape } from '../../api/plugins/validation-shapes.js';

/**
 * The cost limit prices documents of one shape once per value of what the price reads: the
 * priced arguments (here `first`), directives and variables' defaults; a new time or market
 * alone is the same price.
 */
describe('cost limit by shape', () => {
  // A page of n rows of three fields costs 1 + 3n: 10 rows (31) pass, 20 rows (61) do not.
  const yoga = createYoga({
    schema: createSchema({
      typeDefs: 'type Row { a: Int b: Int c: Int }\ntype Query { rows(first: Int, market: String): [Row!]! }',
      resolvers: { Query: { rows: (_: unknown, x: { first?: number }) => Array.from({ length: x.first ?? 1 }, () => ({ a: 1, b: 2, c: 3 })) } },
    }),
    plugins: [useValidationByShape(), useCostLimit({ maxRangeDays: 31, maxCost: 50 })],
  });
  const post = async (query: string, variables?: Record<string, unknown>) => {
    const res = await yoga.fetch('http://x/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as { data?: { rows: unknown[] }; errors?: { extensions?: { code?: string } }[] };
    return body.errors?.[0]?.extensions?.code ?? (body.data && !('rows' in body.data) ? 'skipped' : body.data?.rows.length);
  };

  it('prices each value of a priced argument, whatever the other literals', async () => {
    expect(await post('{ rows(first: 10, market: "a:X") { a b c } }')).toBe(10);
    expect(await post('{ rows(first: 20, market: "a:X") { a b c } }')).toBe('COST_LIMIT_EXCEEDED');
    expect(await post('{ rows(first: 10, market: "b:Y") { a b c } }')).toBe(10);
    expect(await post('{ rows(first: 20, market: "b:Y") { a b c } }')).toBe('COST_LIMIT_EXCEEDED');
  });

  it('prices directives, variables and variables\' defaults by their values', async () => {
    expect(await post('{ rows(first: 20) @include(if: false) { a b c } }')).toBe('skipped');
    expect(await post('{ rows(first: 20) @include(if: true) { a b c } }')).toBe('COST_LIMIT_EXCEEDED');
    expect(await post('query($n: Int) { rows(first: $n) { a b c } }', { n: 10 })).toBe(10);
    expect(await post('query($n: Int) { rows(first: $n) { a b c } }', { n: 20 })).toBe('COST_LIMIT_EXCEEDED');
    expect(await post('query($n: Int = 10) { rows(first: $n) { a b c } }')).toBe(10);
    expect(await post('query($n: Int = 20) { rows(first: $n) { a b c } }')).toBe('COST_LIMIT_EXCEEDED');
  });
});
