import { createHash } from 'node:crypto';
import { Kind, specifiedRules, visit, type ASTNode, type DocumentNode, type ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Literals whose value no validation rule but the two below looks at. */
const LITERALS = new Set<string>([Kind.INT, Kind.FLOAT, Kind.STRING, Kind.BOOLEAN, Kind.ENUM]);
/** Rules that read literal values: ValuesOfCorrectType (types, custom scalars' parseLiteral) runs for every document; OverlappingFieldsCanBeMerged compares arguments (see below). */
const PER_DOCUMENT = 'ValuesOfCorrectTypeRule';
const OVERLAPPING = 'OverlappingFieldsCanBeMergedRule';
/** Shapes kept per rule set (the hash of each: ~50 B). */
const MAX_SHAPES = 2000;
/** Rule sets kept per schema (a server has one, or a few when plugins add rules by request). */
const MAX_RULE_SETS = 16;

/** The document without its literals' values (their kinds kept), hashed: documents that differ only in literal values share it. */
function shapeOf(document: DocumentNode): string {
  const text = JSON.stringify(document.definitions, (key, v: unknown) =>
    key === 'loc' ? undefined : v !== null && typeof v === 'object' && LITERALS.has((v as ASTNode).kind) ? (v as ASTNode).kind : v,
  );
  return createHash('sha256').update(text).digest('base64');
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
 * on the document's structure and names only; a document whose shape passed them is checked
 * with ValuesOfCorrectType alone, so a bad literal is refused as before. The shape is kept only
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
      id = ruleIdsBySource.get(source);
      if (id === undefined) {
        if (ruleIdsBySource.size >= MAX_RULE_SETS * 64) ruleIdsBySource.clear();
        ruleIdsBySource.set(source, (id = nextRule++));
      }
      ruleIds.set(r, id);
    }
    return id;
  };
  const bySchema = new WeakMap<object, Map<string, Set<string>>>();
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
        let shapes = sets.get(ruleKey);
        if (!shapes) sets.set(ruleKey, (shapes = new Set()));
        const shape = shapeOf(document);
        if (shapes.has(shape)) {
          shapes.delete(shape);
          shapes.add(shape);
          return validateFn(schema, document, named(PER_DOCUMENT), typeInfo, options);
        }
        const errors = validateFn(schema, document, rules, typeInfo, options);
        if (errors.length === 0 && validateFn(schema, distinctLiterals(document), named(OVERLAPPING)).length === 0) {
          shapes.add(shape);
          if (shapes.size > MAX_SHAPES) shapes.delete(shapes.values().next().value!);
        }
        return errors;
      });
    },
  };
}
