import { GraphQLError } from 'graphql';
import { isLiqmapError, type ErrorCode } from '../base/index.js';
import { EngineError } from '../engine/index.js';

/**
 * A mistake of the caller (bad argument, range too large, unknown market): shown to the caller
 * as is, with `extensions.code`. Anything else is masked by the server.
 */
export function userError(code: ErrorCode | 'BAD_USER_INPUT', message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

/** Turns a LiqmapError (or an engine error with a code) into a caller-visible GraphQL error. */
export function toUserError(e: unknown): GraphQLError | null {
  if (e instanceof GraphQLError) return e;
  if (isLiqmapError(e)) return userError(e.code, e.message);
  if (e instanceof EngineError) return new GraphQLError(e.message, { extensions: { code: e.code } });
  return null;
}

/** Wraps a resolver so typed errors reach the caller and everything else stays masked. */
export function exposeUserErrors<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (e) {
      throw toUserError(e) ?? e;
    }
  };
}
