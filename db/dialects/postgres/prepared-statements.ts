import type postgres from 'postgres';

/**
 * The pool as Kysely's dialect (kysely-postgres-js) sees it, with every query it runs prepared.
 * The dialect runs each query through `reserved.unsafe(text, parameters)`, which postgres.js
 * leaves unprepared; a query with parameters then goes out as Parse + Describe, waits for the
 * parameter types, then Bind + Execute: two round trips and two socket writes per query, the
 * text parsed and planned by the server every time. Prepared (once per connection and text),
 * a repeat is one Bind + Execute. Queries without parameters (migrations, several statements
 * in one text) still go as simple queries. postgres.js re-prepares a statement a schema change
 * invalidated (its retry on RevalidateCachedQuery), and a connection's statements end with it
 * (max_lifetime, 30–60 min by default), which bounds those made of texts with inlined values.
 */
export function preparedStatements(sql: postgres.Sql): () => Promise<postgres.Sql> {
  const reserve = async (): Promise<postgres.ReservedSql> => {
    const reserved = await sql.reserve();
    const unsafe = reserved.unsafe.bind(reserved);
    return Object.assign(reserved, {
      unsafe: (text: string, parameters?: postgres.ParameterOrJSON<never>[], options?: postgres.UnsafeQueryOptions) => unsafe(text, parameters, { prepare: true, ...options }),
    });
  };
  // The dialect calls only reserve() and end(): those are what it gets.
  return async () => ({ reserve, end: (options?: { timeout?: number }) => sql.end(options) }) as unknown as postgres.Sql;
}
