import { createGraphQLError, type Plugin } from 'graphql-yoga';

/**
 * A caller's malformed `variables` or `extensions` in a GET query string (or a form-encoded
 * POST) as a 400 BAD_REQUEST naming the parameter. yoga parses those with a bare JSON.parse, so
 * its SyntaxError reached the error masking as an internal fault (a 200 with "Unexpected
 * error."); a JSON body that does not parse is already a 400 from yoga's own parser.
 */
export function useRequestParamsErrors(): Plugin {
  return {
    onRequestParse({ requestParser, setRequestParser }) {
      if (!requestParser) return;
      setRequestParser(async (request) => {
        try {
          return await requestParser(request);
        } catch (e) {
          if (!(e instanceof SyntaxError)) throw e;
          throw createGraphQLError(`${malformedParam(request.url)}: not valid JSON (${e.message}); send it URL-encoded JSON, e.g. variables=%7B%22id%22%3A1%7D`, {
            extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
          });
        }
      });
    },
  };
}

/** Which of the query string's JSON parameters does not parse (`variables` first, as yoga reads them). */
function malformedParam(url: string): string {
  const params = new URL(url).searchParams;
  for (const name of ['variables', 'extensions']) {
    const v = params.get(name);
    if (!v) continue;
    try {
      JSON.parse(v);
    } catch {
      return name;
    }
  }
  return 'variables or extensions';
}
