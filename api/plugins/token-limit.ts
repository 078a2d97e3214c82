import { GraphQLError, parse } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * The token limit on graphql-js's own parser (its `maxTokens` option: the same count, every
 * token but the end of the document, refused past `n`), not graphql-armor's max-tokens plugin:
 * that one wraps each parse's lexer in a Proxy whose `advance` is a new closure per token, and
 * parsed a clusters query in ~35-45 µs against graphql-js's ~10-20 µs (parse was 6.5% of the API
 * process's CPU under uncached clusters load, node --cpu-prof). The refusal is armor's:
 * "Token limit of n exceeded." with `code` and the hint, and no location.
 */
export function useTokenLimit(n: number, code: string, hint: string): Plugin {
  const tooMany = `Document contains more that ${n} tokens. Parsing aborted.`;
  const parseWithLimit = (source: Parameters<typeof parse>[0], options?: Parameters<typeof parse>[1]) => {
    try {
      return parse(source, { ...options, maxTokens: n });
    } catch (e) {
      if (e instanceof GraphQLError && e.message.endsWith(tooMany)) throw new GraphQLError(`Token limit of ${n} exceeded. ${hint}`, { extensions: { code } });
      throw e;
    }
  };
  return {
    onParse({ setParseFn }) {
      setParseFn(parseWithLimit);
    },
  };
}
