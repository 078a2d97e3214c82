import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { LiqmapError, type Config } from '../base/index.js';

/**
 * The persisted operations named by LIQMAP_PERSISTED_OPERATIONS: a JSON object of sha256 hex
 * hashes to GraphQL documents (the format graphql-codegen's persisted-documents preset writes).
 */
export function loadPersistedOperations(config: Config): Map<string, string> | undefined {
  const file = config.LIQMAP_PERSISTED_OPERATIONS;
  if (!file) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new LiqmapError('CONFIG_INVALID', `LIQMAP_PERSISTED_OPERATIONS: cannot read ${file} (${(e as Error).message})`, { file }, e);
  }
  const parsed = z.record(z.string().regex(/^[0-9a-f]{64}$/, 'keys must be sha256 hex hashes'), z.string().min(1)).safeParse(raw);
  if (!parsed.success) throw new LiqmapError('CONFIG_INVALID', `LIQMAP_PERSISTED_OPERATIONS: ${file}: ${parsed.error.issues[0]!.path.join('.')} ${parsed.error.issues[0]!.message}`);
  return new Map(Object.entries(parsed.data));
}
