import { createHash } from 'node:crypto';
import type { Config } from '../base/index.js';
import { modelParamsHash, parseModelParams, type ModelParams } from '../engine/index.js';

/**
 * The parameter sets the workers keep computed for every market and the API serves to anyone:
 * the default (`{}`) and the configured presets (LIQMAP_MODEL_PRESETS), as partial parameters.
 */
export function servedParamSets(config: Pick<Config, 'LIQMAP_MODEL_PRESETS'>): Partial<ModelParams>[] {
  return [{}, ...Object.values(config.LIQMAP_MODEL_PRESETS ?? {}).map((p) => p as Partial<ModelParams>)];
}

/**
 * Hash of requested (partial) parameters before any per-market adjustment: the job-id key of a
 * set. Invalid parameters still get a key (the job fails with the engine's message, recorded
 * in job_runs, like any other poisoned input).
 */
export function requestedParamsHash(partial: Partial<ModelParams> | undefined): string {
  try {
    return modelParamsHash(parseModelParams(partial ?? {}));
  } catch {
    return `x${createHash('sha256').update(JSON.stringify(partial)).digest('hex').slice(0, 15)}`;
  }
}
