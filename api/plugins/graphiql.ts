import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { GraphiQLOptions } from 'graphql-yoga';

/**
 * GraphiQL with every asset inlined from the `@graphql-yoga/render-graphiql` package (script,
 * styles, Monaco workers, favicon), so it works without internet: yoga's default page loads
 * them from a CDN. The page is ~9 MB; it is rendered once per set of options and kept.
 */
export function offlineGraphiQL(): (options: GraphiQLOptions) => string {
  const pages = new Map<string, string>();
  return (options) => {
    const key = JSON.stringify(options ?? {});
    let page = pages.get(key);
    if (page === undefined) {
      page = renderGraphiQL(options);
      if (pages.size < 8) pages.set(key, page);
    }
    return page;
  };
}
