import { createHash } from 'node:crypto';
import { Kind, specifiedRules, TypeInfo, visit, visitWithTypeInfo, type ASTNode, type DocumentNode, type GraphQLSchema, type ValidationRule, type ValueNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Literals whose value no validation rule but the two below looks at. */
const LITERALS = new Set<string>([Kind.INT, Kind.FLOAT, Kind.STRING, Kind.BOOLEAN, Kind.ENUM]);
/** Rules that read literal values: ValuesOfCorrectType (types, custom scalars' parseLiteral) runs for every document; OverlappingFieldsCanBeMerged compares arguments (see below). */
const PER_DOCUMENT = 'ValuesOfCorrectTypeRule';
const OVERLAPPING = 'OverlappingFieldsCanBeMergedRule';
/** Shapes kept per rule set (the key of each, at most ~1 KB, and its literals' leaf types). */
const MAX_SHAPES = 2000;
/** What Function.prototype.toString gives for a bound or native function. */
const NATIVE = /\{\s*\[native code\]\s*\}$/;
/** Rule sets kept per schema (a server has one, or a few when plugins add rules by request). */
const MAX_RULE_SETS = 16;

/** A known shape: the leaf type each of its literals stands for, in {@link shapeOf}'s order (null: checked by the rule itself). */
interface Shape {
  readonly leaves: readonly (LeafLike | null)[] | null;
}
/** A scalar or enum type, as far as checking a literal goes. */
interface LeafLike {
  parseLiteral(node: ValueNode, variables: undefined): unknown;
}

/** A document's shape: its key (equal for documents that differ only in literal values), its literals in order, and for each the field argument it stands under. */
export interface DocumentShape {
  readonly hash: string;
  readonly literals: readonly ValueNode[];
  /** Per literal: the name of the field argument it is (part of) the value of; null anywhere else (a directive's argument, a variable's default). */
  readonly argumentOf: readonly (string | null)[];
}

/** The shape of each document validated (by object: yoga's parse cache hands the same document on to execution). */
const shapes = new WeakMap<DocumentNode, DocumentShape>();

/** The shape {@link useValidationByShape} found for `document` when it validated it, if it did. */
export function documentShape(document: DocumentNode): DocumentShape | undefined {
  return shapes.get(document);
}

/** Longest shape key kept as it is; a longer one is kept as its sha256. */
const MAX_PLAIN_KEY = 1024;

/**
 * The document without its literals' values (their kinds kept), as a key, and its literals in
 * order: documents that differ only in literal values share the key. A parsed document's key is
 * its source text with each literal's text replaced by its kind (the same tokens around
 * literals of the same kinds parse to the same document but for their values; a change of
 * spacing or comments is only a new key): the walk then only collects the literals, where
 * writing every name and kind out for a key of its own was ~12% of an uncached clusters
 * request's allocations. A document built in code (no source) is keyed by that walk's text.
 * Either way a walk of our own (names and kinds as text, `loc` left out): JSON.stringify with a
 * replacer called for every key cost as much as the check it saved.
 */
function shapeOf(document: DocumentNode): DocumentShape {
  const literals: ValueNode[] = [];
  const argumentOf: (string | null)[] = [];
  const source = document.loc?.source.body;
  // The walk's text, only for a document without its source.
  const parts: string[] | null = source === undefined ? [] : null;
  // The field argument being walked (null outside one); under a directive or a variable's definition, none.
  let argument: string | null = null;
  let elsewhere = false;
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      parts?.push('[');
      for (const x of v) walk(x);
      parts?.push(']');
    } else if (v !== null && typeof v === 'object') {
      const node = v as Record<string, unknown> & { kind: string };
      if (LITERALS.has(node.kind)) {
        literals.push(node as unknown as ValueNode);
        argumentOf.push(elsewhere ? null : argument);
        parts?.push('#', node.kind);
        return;
      }
      const outer = argument;
      const outerElsewhere = elsewhere;
      if (node.kind === Kind.DIRECTIVE || node.kind === Kind.VARIABLE_DEFINITION) elsewhere = true;
      else if (node.kind === Kind.ARGUMENT && outer === null) argument = (node.name as { value: string }).value;
      parts?.push('{');
      for (const k in node) {
        if (k === 'loc') continue;
        parts?.push(k, ':');
        walk(node[k]);
        parts?.push(';');
      }
      parts?.push('}');
      argument = outer;
      elsewhere = outerElsewhere;
    } else parts?.push(typeof v === 'string' ? `"${v}` : String(v));
  };
  walk(document.definitions);
  const key = (source !== undefined && sourceKey(source, literals)) || `w${(parts ?? []).join(' ')}`;
  return { hash: key.length <= MAX_PLAIN_KEY ? key : `h${createHash('sha256').update(key).digest('base64')}`, literals, argumentOf };
}

/**
 * `source` with each literal's text replaced by its kind between NULs, or null when a literal
 * has no place in it or the text holds a NUL (a comment may: the markers must be unambiguous);
 * then the walk's text is the key.
 */
function sourceKey(source: string, literals: readonly ValueNode[]): string | null {
  if (source.includes('\0')) return null;
  let key = 's';
  let at = 0;
  for (const lit of literals) {
    if (!lit.loc || lit.loc.start < at || lit.loc.end > source.length) return null;
    key += `${source.slice(at, lit.loc.start)}\0${lit.kind}\0`;
    at = lit.loc.end;
  }
  return key + source.slice(at);
}

/** `t` unwrapped of lists and non-null; a leaf (scalar, enum) as {@link LeafLike}, else undefined; no type: null. */
function leafOf(t: unknown): LeafLike | null | undefined {
  let x = t as { ofType?: unknown } | null | undefined;
  while (x && x.ofType) x = x.ofType as typeof x;
  if (!x) return null;
  return typeof (x as Partial<LeafLike>).parseLiteral === 'function' && !('getFields' in x) ? (x as LeafLike) : undefined;
}

/**
 * The leaf type at each of `literals` (what ValuesOfCorrectType checks it against: the input
 * type TypeInfo gives at the literal), from a document that passed every rule; null when one
 * is not a leaf or the walk fails (then the rule checks every document of the shape).
 */
function leavesOf(schema: GraphQLSchema, document: DocumentNode, literals: readonly ValueNode[]): (LeafLike | null)[] | null {
  try {
    const info = new TypeInfo(schema);
    const at = new Map<ASTNode, unknown>();
    visit(document, visitWithTypeInfo(info, { enter: (node) => void (LITERALS.has(node.kind) && at.set(node, info.getInputType())) }));
    const leaves = literals.map((n) => leafOf(at.get(n)));
    return leaves.every((l) => l !== undefined) ? (leaves as (LeafLike | null)[]) : null;
  } catch {
    return null;
  }
}

/**
 * Whether every literal parses as its leaf type, as ValuesOfCorrectType decides it (a throw or
 * undefined from parseLiteral is an error); a literal at no input type is not checked (as the
 * rule does not: a description).
 */
function literalsValid(leaves: readonly (LeafLike | null)[], literals: readonly ValueNode[]): boolean {
  if (leaves.length !== literals.length) return false;
  for (let i = 0; i < literals.length; i++) {
    const leaf = leaves[i];
    if (!leaf) continue;
    try {
      if (leaf.parseLiteral(literals[i]!, undefined) === undefined) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** The document with every literal a value of its own: fields the shape lets merge merge whatever the literals. */
function distinctLiterals(document: DocumentNode): DocumentNode {
  let n = 0;
  return visit(document, {
    enter(node) {
      if (LITERALS.has(node.kind)) return { kind: Kind.STRING, value: `\u0000${n++}` };
      return undefined;
    },
  });
}

/**
 * Validation once per shape of document, not once per document: every uncached request that
 * differs from an earlier one only in literal values (a new time, market, price) ran the ~30
 * rules of graphql-js and graphql-armor again (15–18% of its CPU). Every rule but two depends
 * on the document's structure and names only; a document whose shape passed them has only its
 * literals checked, as ValuesOfCorrectType checks them: each parsed by the leaf type recorded at
 * its place in the shape (no visit of the document: the rule's own pass, with TypeInfo, was the
 * largest cost left); one that fails is checked by the rule itself, so a bad literal is refused
 * with the same error as before. The shape is kept only
 * when it also passes OverlappingFieldsCanBeMerged with every literal distinct: then no two
 * fields it merges compare literal arguments, whatever the values. Failed documents keep no
 * shape. Keyed by schema and rule set; at most {@link MAX_SHAPES} shapes each (oldest dropped).
 */
export function useValidationByShape(): Plugin {
  const ruleIds = new WeakMap<ValidationRule, number>();
  const ruleIdsBySource = new Map<string, number>();
  let nextRule = 0;
  /**
   * A rule's id in a rule set's key. graphql-armor's depth, alias and directive plugins add a
   * new rule function on every request (`addValidationRule(maxDepthRule(options))`), so keyed
   * by identity every request had a rule set of its own: no shape was ever found again (each
   * request ran the full rule set, and kept one more set of shapes). A function not seen before
   * is known by its source text: a closure made afresh per request over the same options (fixed
   * when the server starts, as armor's are) is the same rule.
   */
  const ruleId = (r: ValidationRule): number => {
    let id = ruleIds.get(r);
    if (id === undefined) {
      const source = Function.prototype.toString.call(r);
      // A bound or native function shows no source of its own: known only by itself.
      if (NATIVE.test(source)) id = nextRule++;
      else {
        id = ruleIdsBySource.get(source);
        if (id === undefined) {
          if (ruleIdsBySource.size >= MAX_RULE_SETS * 64) ruleIdsBySource.clear();
          ruleIdsBySource.set(source, (id = nextRule++));
        }
      }
      ruleIds.set(r, id);
    }
    return id;
  };
  const bySchema = new WeakMap<object, Map<string, Map<string, Shape>>>();
  return {
    onValidate({ validateFn, setValidationFn }) {
      setValidationFn((schema, document, given, typeInfo, options) => {
        // By name, the rules this request runs: graphql-js may be loaded twice (ESM and CJS builds).
        const rules: readonly ValidationRule[] = given ?? specifiedRules;
        const named = (name: string) => rules.filter((r) => r.name === name);
        const ruleKey = rules.map(ruleId).join(',');
        let sets = bySchema.get(schema);
        if (!sets) bySchema.set(schema, (sets = new Map()));
        // Bounded whatever rules a plugin makes up per request.
        if (!sets.has(ruleKey) && sets.size >= MAX_RULE_SETS) sets.clear();
        let kept = sets.get(ruleKey);
        if (!kept) sets.set(ruleKey, (kept = new Map()));
        const shape = shapeOf(document);
        const { hash, literals } = shape;
        shapes.set(document, shape);
        const known = kept.get(hash);
        if (known) {
          kept.delete(hash);
          kept.set(hash, known);
          // Each literal against its leaf type; any doubt (and every error, for its message) from the rule itself.
          if (known.leaves && literalsValid(known.leaves, literals)) return [];
          return validateFn(schema, document, named(PER_DOCUMENT), typeInfo, options);
        }
        const errors = validateFn(schema, document, rules, typeInfo, options);
        if (errors.length === 0 && validateFn(schema, distinctLiterals(document), named(OVERLAPPING)).length === 0) {
          kept.set(hash, { leaves: leavesOf(schema as GraphQLSchema, document, literals) });
          if (kept.size > MAX_SHAPES) kept.delete(kept.keys().next().value!);
        }
        return errors;
      });
    },
  };
}
