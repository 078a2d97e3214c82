import { EnvelopArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, NoSchemaIntrospectionCustomRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { COST, useCostLimit } from './cost.js';
import { useTokenLimit } from './token-limit.js';

/** Query limits for the open internet, as numbers a caller can read in the README. */
export const LIMITS = {
  maxDepth: 8,
  maxAliases: 15,
  maxTokens: 2000,
  maxDirectives: 20,
  /** See {@link COST}: about one per value the response can hold. */
  maxCost: COST.maxCost,
} as const;

/**
 * graphql-armor throws "Syntax Error: …" without a code; each limit gets its own code and a
 * message saying what to change.
 */
function coded(code: string, hint: string) {
  return [
    (_ctx: unknown, err: GraphQLError) => {
      err.message = `${err.message.replace(/^Syntax Error: /, '')} ${hint}`;
      (err.extensions as Record<string, unknown>).code = code;
    },
  ];
}

/** Removes "Did you mean …?" from a message: suggestions leak the schema (field names, enum values). */
export function stripSuggestions(message: string): string {
  return message.replace(/\s*Did you mean [^?]*\?/g, '').trim();
}

/**
 * No suggestions anywhere: validation errors (unknown fields, arguments, enum literals) and
 * execution errors (a variable's bad enum value is reported by graphql-js during coercion,
 * which graphql-armor's field-suggestion blocker does not see).
 */
function useNoSuggestions(): Plugin {
  const clean = (errors: readonly unknown[] | undefined) => {
    for (const e of errors ?? []) {
      if (!(e instanceof Error)) continue;
      e.message = stripSuggestions(e.message);
      // A variable graphql-js could not coerce is the caller's mistake: say so with a code.
      const ext = (e as GraphQLError).extensions as Record<string, unknown> | undefined;
      if (ext && ext.code === undefined && /^Variable "\$/.test(e.message)) ext.code = 'BAD_USER_INPUT';
    }
  };
  return {
    onValidate() {
      return ({ result }) => clean(result);
    },
    onExecute() {
      return {
        onExecuteDone({ result }) {
          if ('errors' in result) clean(result.errors);
        },
      };
    },
  };
}

/**
 * The limits: depth, aliases, directives (graphql-armor), tokens ({@link useTokenLimit}), each error with its own code;
 * the cost limit ({@link useCostLimit}), no suggestions, and introspection only when enabled.
 */
export function useArmor(opts: { maxRangeDays: number; introspection: boolean }): Plugin[] {
  const armor = new EnvelopArmor({
    maxDepth: { n: LIMITS.maxDepth, ignoreIntrospection: true, onReject: coded('DEPTH_LIMIT_EXCEEDED', 'Nest fewer selections.') },
    maxAliases: { n: LIMITS.maxAliases, onReject: coded('ALIAS_LIMIT_EXCEEDED', 'Send fewer aliased fields per request.') },
    // On graphql-js's own parser instead (useTokenLimit).
    maxTokens: { enabled: false },
    maxDirectives: { n: LIMITS.maxDirectives, onReject: coded('DIRECTIVE_LIMIT_EXCEEDED', 'Use fewer directives.') },
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: false },
  });
  const introspection: Plugin = {
    onValidate({ addValidationRule }) {
      addValidationRule(NoSchemaIntrospectionCustomRule);
    },
  };
  return [useTokenLimit(LIMITS.maxTokens, 'TOKEN_LIMIT_EXCEEDED', 'Send a shorter document.'), ...(armor.protect().plugins as Plugin[]), useCostLimit({ maxRangeDays: opts.maxRangeDays }), useNoSuggestions(), ...(opts.introspection ? [] : [introspection])];
}
