import { describeRange, EngineError, MODEL_PARAM_RANGES as R, parseModelParams, type ModelParams } from '../../engine/index.js';
import { userError } from '../errors.js';

/** The `model: ModelInput` argument as GraphQL hands it over (every field optional). */
export interface ModelInputArg {
  readonly priceBucketFraction?: number | null;
  readonly leverages?: readonly { leverage: number; weight: number }[] | null;
  readonly maintenanceMarginRate?: number | null;
  readonly positionNotional?: number | null;
  readonly maintenanceTiers?: readonly { cap: number; rate: number; amount: number }[] | null;
  readonly imbalanceWeight?: number | null;
  readonly participation?: number | null;
  readonly halfLifeHours?: number | null;
  readonly fundingAdjusted?: boolean | null;
  readonly levelSpread?: number | null;
  readonly preset?: string | null;
}

/** SDL of the model-parameter input, shared by every engine-backed field. */
export const modelInputTypeDefs = /* GraphQL */ `
  "One leverage level of the assumed mix."
  input LeverageWeightInput {
    "Leverage, × (5 = 20% initial margin); ${describeRange(R.leverage)}."
    leverage: Float!
    "Share of new positions opened at this leverage (weights are normalised to sum to 1); ${describeRange(R.leverageWeight)}."
    weight: Float!
  }

  "One maintenance-margin bracket of the venue."
  input MaintenanceTierInput {
    "Upper notional bound of the bracket, quote currency; ${describeRange(R.tierCap)}."
    cap: Float!
    "Maintenance margin rate, fraction of notional; ${describeRange(R.tierRate)}."
    rate: Float!
    "Maintenance amount (cum), quote currency; ${describeRange(R.tierAmount)}."
    amount: Float!
  }

  "Parameters of the estimated model; every field is optional and defaults as documented. Anyone is served the default set and the server's presets (LIQMAP_MODEL_PRESETS); other sets are computed by the workers only at the request of a caller with the API key (until then: NOT_READY)."
  input ModelInput {
    "A named parameter set of this server (LIQMAP_MODEL_PRESETS, e.g. a calibrated one from presets/model-presets.json such as okx-sol-calibrated); fields given alongside override it."
    preset: String
    "Price bucket as a fraction of the first price, rounded to a 1/2/5×10^k quote step (default 0.0005 = 0.05%); ${describeRange(R.priceBucketFraction)}: the lower bound keeps a persisted row within 25,000 price buckets."
    priceBucketFraction: Float
    "Leverage mix of new positions (default 5×10%, 10×25%, 25×30%, 50×20%, 100×15%); ${R.leverages.min} to ${R.leverages.max} entries."
    leverages: [LeverageWeightInput!]
    "Flat maintenance margin rate, fraction of notional (default: from the brackets at positionNotional, 0.004); ${describeRange(R.maintenanceMarginRate)}, below 1/leverage of every leverage."
    maintenanceMarginRate: Float
    "Typical position notional that picks the bracket, quote currency (default 10000); ${describeRange(R.positionNotional)}."
    positionNotional: Float
    "The venue's maintenance brackets (default: Binance USDⓈ-M BTCUSDT, 2024-10 snapshot); ${R.maintenanceTiers.min} to ${R.maintenanceTiers.max} entries."
    maintenanceTiers: [MaintenanceTierInput!]
    "How much taker imbalance tilts new exposure to one side (default 0.5); ${describeRange(R.imbalanceWeight)}."
    imbalanceWeight: Float
    "Without open-interest data: share of traded volume that opens positions (default 0.05); ${describeRange(R.participation)}."
    participation: Float
    "Half-life of open virtual positions, hours (default 48; 0 = none); ${describeRange(R.halfLifeHours)}."
    halfLifeHours: Float
    "Whether funding paid since entry moves liquidation prices (default true)."
    fundingAdjusted: Boolean
    "Level-spread prior: each leverage's served levels spread by a quadratic B-spline (three boxes) of σ ≈ this many margin distances (price / leverage), mass beyond the price dropped (default 0.4, kept by its out-of-sample gain; 0 = sharp levels); ${describeRange(R.levelSpread)}."
    levelSpread: Float
  }
`;

/** Description of the `timeBucketSeconds` argument, with its range. */
export const TIME_BUCKET_DESCRIPTION = `Model time bucket, seconds (default 60; candle-only markets: their candle interval); ${describeRange(R.timeBucketSeconds)}.`;

/**
 * The partial parameters named by a field's arguments (undefined fields take the engine's
 * defaults; `timeBucketSeconds` comes as its own argument; a named `preset` of the server's
 * LIQMAP_MODEL_PRESETS fills in first, the other fields override it), validated before any work: a
 * value out of its documented range is BAD_USER_INPUT naming the argument, the value and the
 * range.
 */
export function partialParams(model: ModelInputArg | null | undefined, timeBucketSeconds: number | null | undefined, presets: Readonly<Record<string, Record<string, unknown>>> = {}): Partial<ModelParams> {
  // Most requests name no parameters: the defaults are valid, nothing to parse (zod's parse of
  // them was ~2% of an uncached clusters request's CPU).
  if (model == null && timeBucketSeconds == null) return {};
  const out: Record<string, unknown> = {};
  const { preset, ...fields } = model ?? {};
  if (preset !== null && preset !== undefined) {
    const named = Object.hasOwn(presets, preset) ? presets[preset] : undefined;
    if (!named) {
      const known = Object.keys(presets);
      throw userError('BAD_USER_INPUT', `model.preset "${preset}" is not a preset of this server (${known.length ? `presets: ${known.join(', ')}` : 'it has none: LIQMAP_MODEL_PRESETS is empty'})`);
    }
    Object.assign(out, named);
  }
  if (timeBucketSeconds !== null && timeBucketSeconds !== undefined) out.timeBucketSeconds = timeBucketSeconds;
  for (const [k, v] of Object.entries(fields)) if (v !== null && v !== undefined) out[k] = v;
  try {
    parseModelParams(out);
  } catch (e) {
    if (!(e instanceof EngineError)) throw e;
    // "model parameter priceBucketFraction = …" → the argument's name as the caller wrote it.
    const message = e.message.replace(/^model parameter (\S+)/, (_, p: string) => (p === 'timeBucketSeconds' ? 'timeBucketSeconds' : `model.${p}`));
    throw userError('BAD_USER_INPUT', message);
  }
  return out as Partial<ModelParams>;
}
