import { bracketAt, capLeverageMix, DEFAULT_MODEL_PARAMS, marketBrackets, parseModelParams, type ModelParams } from '../../engine/index.js';
import { candleOnlyInterval, type Store } from '../../db/index.js';

/**
 * The parameters a market is computed with: its venue's own maintenance brackets (when liqmap
 * bundles them and the caller gave neither brackets nor a flat rate; the default leverage mix is
 * then capped at the bracket's maximum leverage); candle-only markets at their candle interval.
 */
export async function effectiveParams(store: Store, market: string, partial?: Partial<ModelParams>): Promise<ModelParams> {
  return paramsForMarket(market, partial, partial?.timeBucketSeconds !== undefined ? null : await candleOnlyInterval(store, market));
}

/** {@link effectiveParams} given the market's candle-only interval (s; null with trades), without a query (the API reads it with the rest of a request's facts). */
export function paramsForMarket(market: string, partial: Partial<ModelParams> | undefined, candleOnlyIntervalS: number | null): ModelParams {
  const params = parseModelParams(withMarketBrackets(market, partial ?? {}));
  if (partial?.timeBucketSeconds !== undefined) return params;
  return candleOnlyIntervalS !== null && candleOnlyIntervalS > params.timeBucketSeconds ? parseModelParams({ ...params, timeBucketSeconds: candleOnlyIntervalS }) : params;
}

/**
 * A market's parameter overrides with its venue's bundled brackets filled in (and the default mix
 * capped at the bracket's maximum leverage), unless the caller gave brackets or a flat rate. The
 * one rule for the compute, the API and `liqmap accuracy`/`calibrate`, so they score the same model.
 */
export function withMarketBrackets(market: string, partial: Partial<ModelParams>): Partial<ModelParams> {
  if (partial.maintenanceTiers != null || partial.maintenanceMarginRate != null) return partial;
  const table = marketBrackets(market);
  if (!table) return partial;
  const out: Partial<ModelParams> = { ...partial, maintenanceTiers: table.tiers.map(({ cap, rate, amount }) => ({ cap, rate, amount })) };
  const max = bracketAt(table, partial.positionNotional ?? DEFAULT_MODEL_PARAMS.positionNotional).maxLeverage;
  if (partial.leverages == null && Number.isFinite(max)) return { ...out, leverages: capLeverageMix(DEFAULT_MODEL_PARAMS.leverages, max) };
  return out;
}
