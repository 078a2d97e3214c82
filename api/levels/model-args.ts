import type { ModelParams } from '../../engine/index.js';

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
}

/** SDL of the model-parameter input, shared by every engine-backed field. */
export const modelInputTypeDefs = /* GraphQL */ `
  "One leverage level of the assumed mix."
  input LeverageWeightInput {
    "Leverage, × (5 = 20% initial margin)."
    leverage: Float!
    "Share of new positions opened at this leverage (weights are normalised to sum to 1)."
    weight: Float!
  }

  "One maintenance-margin bracket of the venue."
  input MaintenanceTierInput {
    "Upper notional bound of the bracket, quote currency."
    cap: Float!
    "Maintenance margin rate, fraction of notional."
    rate: Float!
    "Maintenance amount (cum), quote currency."
    amount: Float!
  }

  "Parameters of the estimated model; every field is optional and defaults as documented."
  input ModelInput {
    "Price bucket as a fraction of the first price, rounded to a 1/2/5×10^k quote step (default 0.0005 = 0.05%)."
    priceBucketFraction: Float
    "Leverage mix of new positions (default 5×10%, 10×25%, 25×30%, 50×20%, 100×15%)."
    leverages: [LeverageWeightInput!]
    "Flat maintenance margin rate, fraction of notional (default: from the brackets at positionNotional, 0.004)."
    maintenanceMarginRate: Float
    "Typical position notional that picks the bracket, quote currency (default 10000)."
    positionNotional: Float
    "The venue's maintenance brackets (default: Binance USDⓈ-M BTCUSDT, 2024-10 snapshot)."
    maintenanceTiers: [MaintenanceTierInput!]
    "How much taker imbalance tilts new exposure to one side, 0..1 (default 0.5)."
    imbalanceWeight: Float
    "Without open-interest data: share of traded volume that opens positions (default 0.05)."
    participation: Float
    "Half-life of open virtual positions, hours (default 48; 0 = none)."
    halfLifeHours: Float
    "Whether funding paid since entry moves liquidation prices (default true)."
    fundingAdjusted: Boolean
  }
`;

/**
 * The partial parameters named by a field's arguments (undefined fields take the engine's
 * defaults; `timeBucketSeconds` comes as its own argument).
 */
export function partialParams(model: ModelInputArg | null | undefined, timeBucketSeconds: number | null | undefined): Partial<ModelParams> {
  const out: Record<string, unknown> = {};
  if (timeBucketSeconds !== null && timeBucketSeconds !== undefined) out.timeBucketSeconds = timeBucketSeconds;
  for (const [k, v] of Object.entries(model ?? {})) if (v !== null && v !== undefined) out[k] = v;
  return out as Partial<ModelParams>;
}
