import { EnvelopArmor } from '@escape.tech/graphql-armor';
import type { Plugin } from 'graphql-yoga';

/** Query limits for the open internet, as numbers a caller can read in the README. */
export const LIMITS = {
  maxDepth: 8,
  maxAliases: 15,
  maxTokens: 2000,
  maxDirectives: 20,
  // graphql-armor multiplies a list's cost by its literal `first`: a full 1000-row page of
  // trades with every field costs ~29,000; two of them in one request do not pass.
  maxCost: 50_000,
} as const;

/**
 * graphql-armor: depth, alias, token, directive and cost limits, and no field suggestions
 * (they leak the schema to a caller without introspection).
 */
export function useArmor(): Plugin[] {
  const armor = new EnvelopArmor({
    maxDepth: { n: LIMITS.maxDepth, ignoreIntrospection: true },
    maxAliases: { n: LIMITS.maxAliases },
    maxTokens: { n: LIMITS.maxTokens },
    maxDirectives: { n: LIMITS.maxDirectives },
    costLimit: { maxCost: LIMITS.maxCost, ignoreIntrospection: true },
    blockFieldSuggestion: { enabled: true },
  });
  return armor.protect().plugins as Plugin[];
}
