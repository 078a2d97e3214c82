import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import {
  defaultFieldResolver,
  GraphQLEnumType,
  getNamedType,
  GraphQLObjectType,
  GraphQLScalarType,
  isSpecifiedScalarType,
  GraphQLSchema,
  Kind,
  parseType,
  print,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type ASTNode,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLInputType,
  type ValueNode,
  type VariableDefinitionNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { documentShape, type DocumentShape } from './validation-shapes.js';

/** Compiled shapes kept per schema (oldest dropped). */
const MAX_COMPILED = 1000;
/** Prefix of the variables literals are hoisted into. */
const PREFIX = '__lit';

/** A literal's value as a variable's value that its leaf type parses to the same input. */
type Raw = (node: ValueNode) => unknown;
const text: Raw = (n) => (n as { value: string }).value;
const number: Raw = (n) => Number((n as { value: string }).value);
const bool: Raw = (n) => (n as { value: boolean }).value;
/**
 * graphql-js's scalars, by the literal kinds each takes: Int and Float parse an Int/Float
 * literal's digits as Number does; String and ID keep the text (ID's parseValue of a number
 * would print it again: "-0" → "0").
 */
const SPECIFIED: Record<string, Partial<Record<string, Raw>>> = {
  Int: { [Kind.INT]: number },
  Float: { [Kind.INT]: number, [Kind.FLOAT]: number },
  String: { [Kind.STRING]: text },
  ID: { [Kind.STRING]: text, [Kind.INT]: text },
  Boolean: { [Kind.BOOLEAN]: bool },
};
/**
 * A custom scalar's `extensions` flag saying that its parseLiteral of a String, Int or Float
 * literal is its parseValue of the literal's text (DateTime and Decimal, api/schema/scalars.ts):
 * such literals can become variables. Without it a custom scalar's literals stay in the text.
 */
export const LITERAL_IS_TEXT = 'liqmapLiteralIsText';

/** How a literal of `kind` at `type` becomes a variable's value, or undefined when it cannot. */
function rawOf(type: GraphQLInputType, kind: string): Raw | undefined {
  const named = getNamedType(type);
  if (named instanceof GraphQLEnumType) return kind === Kind.ENUM ? text : undefined;
  if (!(named instanceof GraphQLScalarType)) return undefined;
  if (isSpecifiedScalarType(named)) return SPECIFIED[named.name]?.[kind];
  return named.extensions[LITERAL_IS_TEXT] === true && (kind === Kind.STRING || kind === Kind.INT || kind === Kind.FLOAT) ? text : undefined;
}

/** A compiled document: the query and, per hoisted literal (by its index in the shape), its variable and how to read its value. */
interface Compiled {
  /** Null: graphql-js runs it (not compilable, or graphql-jit's answer once differed from graphql-js's). */
  query: CompiledQuery['query'] | null;
  readonly hoisted: readonly Hoisted[];
}
interface Hoisted {
  readonly index: number;
  readonly name: string;
  readonly raw: Raw;
}

/**
 * `document` with each literal of a field argument whose type takes it as a variable's value
 * (enums, graphql-js's scalars, scalars flagged {@link LITERAL_IS_TEXT}) replaced by a variable of the literal's own input type; the kept
 * literals' indexes are returned too (their values stay in the compiled text). Null when the
 * document has more than one operation (variables belong to one), is not a query, or names a
 * variable of its own like ours.
 */
function hoist(schema: GraphQLSchema, document: DocumentNode, shape: DocumentShape): { document: DocumentNode; hoisted: Compiled['hoisted']; kept: number[] } | null {
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operations[0];
  if (operations.length !== 1 || operation?.operation !== 'query') return null;
  // A variable of the document's own could be named like ours.
  if (operation.variableDefinitions?.some((v) => v.variable.name.value.startsWith(PREFIX))) return null;
  const index = new Map<ASTNode, number>(shape.literals.map((l, i) => [l, i]));
  const hoisted: { index: number; name: string; raw: Raw }[] = [];
  const kept: number[] = [];
  const definitions: VariableDefinitionNode[] = [];
  const info = new TypeInfo(schema);
  const out = visit(
    document,
    visitWithTypeInfo(info, {
      enter(node) {
        const i = index.get(node);
        if (i === undefined) return undefined;
        const type = info.getInputType();
        const raw = type && shape.argumentOf[i] !== null ? rawOf(type, node.kind) : undefined;
        if (!raw || !type) {
          kept.push(i);
          return undefined;
        }
        const name = `${PREFIX}${i}`;
        hoisted.push({ index: i, name, raw });
        definitions.push({ kind: Kind.VARIABLE_DEFINITION, variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: name } }, type: parseType(String(type)) });
        return { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: name } };
      },
    }),
  );
  const withVariables: DocumentNode = {
    ...out,
    definitions: out.definitions.map((d) => (d.kind === Kind.OPERATION_DEFINITION ? { ...d, variableDefinitions: [...(d.variableDefinitions ?? []), ...definitions] } : d)),
  };
  return { document: withVariables, hoisted, kept };
}

/**
 * Gives every field without a resolver graphql-js's default one (what graphql-js runs for it
 * anyway, so its answers do not change): graphql-jit reads such a field as a plain property,
 * where graphql-js calls a function-valued one (a lazy `totalCount`, an aggregate's `parts`) and
 * awaits a promise. Subscription fields are left alone (subscriptions stay on graphql-js).
 */
function giveDefaultResolvers(schema: GraphQLSchema): void {
  const subscription = schema.getSubscriptionType();
  for (const t of Object.values(schema.getTypeMap())) {
    if (!(t instanceof GraphQLObjectType) || t === subscription || t.name.startsWith('__')) continue;
    for (const f of Object.values(t.getFields())) f.resolve ??= defaultFieldResolver;
  }
}

/**
 * Queries executed by graphql-jit, compiled once per document shape (the key
 * useValidationByShape gives: documents that differ only in literal values): each literal of a
 * field argument becomes a variable, its value read from the request's document, so a new time
 * or price is not a new compilation (graphql-jit compiles per document). graphql-tools'
 * executor completed every listed value one by one (a liquidation map's ~1,000 numbers, a
 * cluster's fields); compiled, with yoga's parse cache keeping only repeated texts
 * (RepeatedDocumentCache), the API process's CPU per uncached request fell by ~11%: clusters
 * 455 vs 510 µs, liquidation map 610 vs 693 µs (2026-12-04, load 3-6, medians of 5 rounds of
 * 4,000 requests alternated with main; graphql-jit alone: clusters 455 vs 498 µs, liquidation
 * map 610 vs 693 µs).
 *
 * Only queries without variables of their own, of one operation; anything else runs on
 * graphql-js, and so does any answer graphql-jit gives with errors: graphql-js's errors carry
 * this document's locations and the original errors the masking reads. What may differ from
 * graphql-js: the order of keys (an argument object's; a response object's, which graphql-jit
 * writes in selection order where graphql-tools puts fields resolved later last).
 */
export function useCompiledQueries(): Plugin {
  const bySchema = new WeakMap<object, { plans: Map<string, Plan>; compiled: Map<string, Compiled> }>();
  const compiledFor = (schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): { entry: Compiled; shape: DocumentShape } | null => {
    const shape = documentShape(document);
    if (!shape) return null;
    let s = bySchema.get(schema);
    if (!s) {
      giveDefaultResolvers(schema);
      bySchema.set(schema, (s = { plans: new Map(), compiled: new Map() }));
    }
    const shapeKey = `${operationName ?? ''}\0${shape.hash}`;
    // Which literals stay in the text depends on their types only: once per shape.
    let plan = s.plans.get(shapeKey);
    if (plan === undefined) {
      const h = hoist(schema, document, shape);
      plan = h ? { kept: h.kept } : null;
      bounded(s.plans, shapeKey, plan);
    }
    if (!plan) return null;
    // A literal left in the text (a directive's, a custom scalar's) is part of what is compiled.
    const key = plan.kept.length === 0 ? shapeKey : `${shapeKey}\0${JSON.stringify(plan.kept.map((i) => print(shape.literals[i]!)))}`;
    let entry = s.compiled.get(key);
    if (!entry) {
      const h = hoist(schema, document, shape)!;
      const c = compileQuery(schema, h.document, operationName, { disablingCapturingStackErrors: true });
      entry = { query: isCompiledQuery(c) ? c.query : null, hoisted: h.hoisted };
      bounded(s.compiled, key, entry);
    }
    return entry.query ? { entry, shape } : null;
  };
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      if (args.variableValues && Object.keys(args.variableValues).length > 0) return;
      const found = compiledFor(args.schema as GraphQLSchema, args.document, args.operationName ?? undefined);
      if (!found) return;
      const { entry, shape } = found;
      setExecuteFn(async (a) => {
        const variables: Record<string, unknown> = {};
        for (const h of entry.hoisted) variables[h.name] = h.raw(shape.literals[h.index]!);
        const query = entry.query;
        const result = query ? ((await query(a.rootValue, a.contextValue, variables)) as ExecutionResult) : null;
        if (result && !result.errors?.length) return result;
        // graphql-js's errors are the ones callers get (locations of this document, the original
        // error masking reads): the query runs again on graphql-js, its resolvers a second time
        // (reads; a missing result's compute is enqueued again under the same key, coalesced).
        const js = (await executeFn(a)) as ExecutionResult;
        // Data where graphql-jit found errors: it differs from graphql-js on this document; graphql-js runs it from now on.
        if (!('errors' in js) || !js.errors?.length) entry.query = null;
        return js;
      });
    },
  };
}

/** What {@link hoist} leaves in a shape's text (null: the shape is not compiled). */
type Plan = { readonly kept: readonly number[] } | null;

/** Sets `key` in a map of at most {@link MAX_COMPILED} entries (the oldest dropped). */
function bounded<V>(m: Map<string, V>, key: string, v: V): void {
  if (m.size >= MAX_COMPILED) m.delete(m.keys().next().value!);
  m.set(key, v);
}
