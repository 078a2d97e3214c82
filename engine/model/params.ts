import { createHash } from 'node:crypto';
import { z } from 'zod';
import { EngineError } from '../errors.js';

/** One leverage level of the assumed mix and its share of new open interest. */
export interface LeverageWeight {
  /** Leverage, × (5 = 20% initial margin). */
  readonly leverage: number;
  /** Share of new positions opened at this leverage (weights are normalised to sum to 1). */
  readonly weight: number;
}

/**
 * Parameters of the estimated liquidation-level model. Every field has a unit and a default
 * ({@link DEFAULT_MODEL_PARAMS}); results carry {@link modelParamsHash} of the params they
 * were computed with.
 */
export interface ModelParams {
  /** Width of a time bucket, seconds (default 60). */
  readonly timeBucketSeconds: number;
  /** Width of a price bucket as a fraction of price (default 0.0005 = 0.05%), rounded to a 1/2/5×10ᵏ step. */
  readonly priceBucketFraction: number;
  /** Leverage mix of new positions (default 5×10%, 10×25%, 25×30%, 50×20%, 100×15%). */
  readonly leverages: readonly LeverageWeight[];
  /**
   * Maintenance margin rate, fraction of notional: the rate of the venue's bracket at
   * `positionNotional` (default 0.004 = 0.4%: Binance BTCUSDT's first bracket at 10,000 USDT).
   * Giving it overrides the brackets (a flat rate).
   */
  readonly maintenanceMarginRate: number;
  /**
   * The bracket's maintenance amount (`cum`) as a fraction of the position's entry notional,
   * cum / positionNotional (default 0 in the first bracket).
   */
  readonly maintenanceAmountFraction: number;
  /** Notional of a typical virtual position, quote (default 10,000): picks the bracket. */
  readonly positionNotional: number;
  /**
   * The brackets the rate and amount were picked from (absent when a flat rate was given). Not
   * part of the hash (the picked rate and amount are); kept so the reference engine can pick the
   * bracket itself.
   */
  readonly maintenanceTiers?: readonly MaintenanceTier[] | undefined;
  /**
   * How much taker-flow imbalance tilts new leveraged exposure to one side, 0..1 (default 0.5):
   * long share = ½ + ½ × weight × (buy − sell)/(buy + sell).
   */
  readonly imbalanceWeight: number;
  /** Without open-interest data: share of traded volume that opens new leveraged positions (default 0.05). */
  readonly participation: number;
  /** Half-life of open virtual positions, hours, for closes the data does not show (default 48; 0 = none). */
  readonly halfLifeHours: number;
  /** Whether funding paid since entry moves each position's liquidation price (default true). */
  readonly fundingAdjusted: boolean;
  /**
   * Warm-up window over which the open interest standing at the market's first snapshot is
   * seeded, hours (default 24; 0 = all at the first snapshot's VWAP): that standing interest is
   * placed time-uniformly at the VWAP of each bucket of the window (both sides, the leverage mix).
   */
  readonly seedWarmupHours: number;
  /**
   * Entry-price prior: new positions of a bucket open at this many prices spread evenly over the
   * bucket's traded range (low to high), each an equal share (default 1 = all at the VWAP).
   */
  readonly entrySpreadPoints: number;
  /**
   * Leverage prior: each leverage of the mix is spread to L/(1 + s), L and L·(1 + s) with weights
   * ¼, ½, ¼ (default 0 = the listed leverages exactly).
   */
  readonly leverageSpread: number;
  /**
   * Funding as a proxy for the long/short skew: new positions tilt toward longs by this weight
   * times tanh(last funding rate / RMS of the funding rates seen), 0..1 (default 0).
   */
  readonly fundingSkewWeight: number;
  /**
   * Level-spread prior: each leverage layer's served levels are spread by a quadratic B-spline
   * (three boxes) whose standard deviation is about this many times the layer's margin distance (price / leverage, in
   * price buckets); mass beyond the price is dropped. Fraction of the margin distance, 0..2; 0 =
   * sharp levels. Default 0.4: selected in sample and, against sharp levels, +13.0 pp [8.7–20.5]
   * of traversed-range capture at q = 20% out of sample (9 venue-coins, paired; 7 better, 0
   * worse), which issue 11's rule keeps; its compute (1.6–1.8× the sharp one-day compute, 2.1–2.2 s) is
   * within the 3 s one-day target. The cohort state is not changed by it.
   */
  readonly levelSpread: number;
}

/** The documented defaults. */
export const DEFAULT_MODEL_PARAMS: ModelParams = Object.freeze({
  timeBucketSeconds: 60,
  priceBucketFraction: 0.0005,
  leverages: Object.freeze([
    { leverage: 5, weight: 0.1 },
    { leverage: 10, weight: 0.25 },
    { leverage: 25, weight: 0.3 },
    { leverage: 50, weight: 0.2 },
    { leverage: 100, weight: 0.15 },
  ]),
  maintenanceMarginRate: 0.004,
  maintenanceAmountFraction: 0,
  positionNotional: 10_000,
  imbalanceWeight: 0.5,
  participation: 0.05,
  halfLifeHours: 48,
  fundingAdjusted: true,
  seedWarmupHours: 24,
  entrySpreadPoints: 1,
  leverageSpread: 0,
  fundingSkewWeight: 0,
  levelSpread: 0.4,
});

/** An allowed range of a numeric model parameter (inclusive unless `exclusiveMin`). */
export interface ParamRange {
  readonly min: number;
  readonly max: number;
  /** `min` itself is not allowed (the value must be greater). */
  readonly exclusiveMin?: boolean;
  readonly integer?: boolean;
  /** Unit, as the README's parameter table says it. */
  readonly unit: string;
}

/**
 * The documented range of every numeric model parameter (and list lengths), checked before any
 * work. The bounds are what keep one parameter set's work finite, not just sensible:
 * - `priceBucketFraction` ≥ 0.0001: a persisted row keeps the levels within ±50% of the price
 *   (jobs/processors/heatmap-row.ts), so it holds at most 1 / fraction = 10,000 price buckets
 *   per array; 1e-7 made that 10 million (4.2 GB for one day of minutes, a V8 heap crash).
 * - `timeBucketSeconds` 1 s … 7 days; the number of time buckets over a market's history is
 *   bounded separately, by the caller of the engine, where the history's length is known.
 * - lists (leverages, maintenance tiers) are short: each leverage multiplies the cohorts.
 */
export const MODEL_PARAM_RANGES = {
  timeBucketSeconds: { min: 1, max: 604_800, integer: true, unit: 'seconds' },
  priceBucketFraction: { min: 0.0001, max: 0.1, unit: 'fraction of price' },
  leverage: { min: 1, max: 1000, exclusiveMin: true, unit: '×' },
  leverageWeight: { min: 0, max: 1_000_000, exclusiveMin: true, unit: 'relative weight' },
  leverages: { min: 1, max: 20, integer: true, unit: 'entries' },
  maintenanceMarginRate: { min: 0, max: 0.5, unit: 'fraction of notional' },
  maintenanceAmountFraction: { min: 0, max: 0.5, unit: 'fraction of notional' },
  positionNotional: { min: 0, max: 1e12, exclusiveMin: true, unit: 'quote' },
  maintenanceTiers: { min: 1, max: 50, integer: true, unit: 'entries' },
  tierCap: { min: 0, max: 1e15, exclusiveMin: true, unit: 'quote' },
  tierRate: { min: 0, max: 0.5, unit: 'fraction of notional' },
  tierAmount: { min: 0, max: 1e15, unit: 'quote' },
  imbalanceWeight: { min: 0, max: 1, unit: 'weight 0..1' },
  participation: { min: 0, max: 10, exclusiveMin: true, unit: 'fraction of volume' },
  halfLifeHours: { min: 0, max: 87_600, unit: 'hours' },
  entrySpreadPoints: { min: 1, max: 11, integer: true, unit: 'prices per bucket' },
  leverageSpread: { min: 0, max: 0.5, unit: 'fraction of leverage' },
  fundingSkewWeight: { min: 0, max: 1, unit: 'weight 0..1' },
  levelSpread: { min: 0, max: 2, unit: 'fraction of margin distance' },
} as const satisfies Record<string, ParamRange>;

/** The range as text, e.g. `0.0001 to 0.1 (fraction of price)` or `greater than 1, at most 1000 (×)`. */
export function describeRange(r: ParamRange): string {
  const lo = r.exclusiveMin ? `greater than ${r.min}, at most ${r.max}` : `${r.min} to ${r.max}`;
  return `${r.integer ? 'an integer ' : ''}${lo} (${r.unit})`;
}

/** Whether `v` lies in the range. */
export function inRange(v: number, r: ParamRange): boolean {
  if (!Number.isFinite(v) || (r.integer && !Number.isInteger(v))) return false;
  return (r.exclusiveMin ? v > r.min : v >= r.min) && v <= r.max;
}

const ranged = (r: ParamRange) => z.number().refine((v) => inRange(v, r), `must be ${describeRange(r)}`);
const R = MODEL_PARAM_RANGES;

const schema = z.object({
  timeBucketSeconds: ranged(R.timeBucketSeconds),
  priceBucketFraction: ranged(R.priceBucketFraction),
  leverages: z
    .array(z.object({ leverage: ranged(R.leverage), weight: ranged(R.leverageWeight) }))
    .min(R.leverages.min, `must have ${R.leverages.min} to ${R.leverages.max} entries`)
    .max(R.leverages.max, `must have ${R.leverages.min} to ${R.leverages.max} entries`),
  maintenanceMarginRate: ranged(R.maintenanceMarginRate),
  maintenanceAmountFraction: ranged(R.maintenanceAmountFraction),
  positionNotional: ranged(R.positionNotional),
  imbalanceWeight: ranged(R.imbalanceWeight),
  participation: ranged(R.participation),
  halfLifeHours: ranged(R.halfLifeHours),
  fundingAdjusted: z.boolean(),
  seedWarmupHours: z.number().min(0).max(24 * 30),
  entrySpreadPoints: ranged(R.entrySpreadPoints),
  leverageSpread: ranged(R.leverageSpread),
  fundingSkewWeight: ranged(R.fundingSkewWeight),
  levelSpread: ranged(R.levelSpread),
  maintenanceTiers: z.array(z.object({ cap: z.number(), rate: z.number(), amount: z.number() })).optional(),
});

const tiersSchema = z
  .array(z.object({ cap: ranged(R.tierCap), rate: ranged(R.tierRate), amount: ranged(R.tierAmount) }))
  .min(R.maintenanceTiers.min, `must have ${R.maintenanceTiers.min} to ${R.maintenanceTiers.max} entries`)
  .max(R.maintenanceTiers.max, `must have ${R.maintenanceTiers.min} to ${R.maintenanceTiers.max} entries`);

/** `model parameter leverages.2.leverage = 0.5: must be …` (the value shown when it is a scalar). */
function issueMessage(issue: z.core.$ZodIssue, input: unknown): string {
  const where = issue.path.join('.');
  let v: unknown = input;
  for (const k of issue.path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k as PropertyKey] : undefined;
  const shown = typeof v === 'number' || typeof v === 'boolean' ? ` = ${v}` : typeof v === 'string' ? ` = "${v.slice(0, 40)}"` : '';
  return `model parameter ${where}${shown}: ${issue.message}`;
}

/** A maintenance bracket: notional up to `cap` (quote) has rate `rate` and amount `amount` (quote). */
export interface MaintenanceTier {
  readonly cap: number;
  readonly rate: number;
  readonly amount: number;
}

/**
 * Default brackets: Binance USDⓈ-M BTCUSDT, dated snapshot 2024-10 (the same table engine/margin
 * uses for `liqmap quote`), first six brackets.
 */
export const DEFAULT_MAINTENANCE_TIERS: readonly MaintenanceTier[] = Object.freeze([
  { cap: 50_000, rate: 0.004, amount: 0 },
  { cap: 600_000, rate: 0.005, amount: 50 },
  { cap: 3_000_000, rate: 0.0065, amount: 950 },
  { cap: 12_000_000, rate: 0.01, amount: 11_450 },
  { cap: 70_000_000, rate: 0.02, amount: 131_450 },
  { cap: 100_000_000, rate: 0.025, amount: 481_450 },
]);

/**
 * Fills defaults and validates; throws EngineError INPUT_INVALID naming the field. Unless a
 * flat `maintenanceMarginRate` is given, the rate and amount come from `maintenanceTiers`
 * (default {@link DEFAULT_MAINTENANCE_TIERS}) at `positionNotional`.
 */
export function parseModelParams(partial: unknown = {}): ModelParams {
  const given = typeof partial === 'object' && partial !== null ? stripUndefined(partial as Record<string, unknown>) : {};
  const { maintenanceTiers, ...rest } = given as { maintenanceTiers?: unknown } & Record<string, unknown>;
  const notional = typeof rest.positionNotional === 'number' ? rest.positionNotional : DEFAULT_MODEL_PARAMS.positionNotional;
  if (rest.maintenanceMarginRate === undefined) {
    const given = maintenanceTiers ?? DEFAULT_MAINTENANCE_TIERS;
    const tiers = tiersSchema.safeParse(given);
    if (!tiers.success) {
      const i = tiers.error.issues[0]!;
      throw new EngineError('INPUT_INVALID', issueMessage({ ...i, path: ['maintenanceTiers', ...i.path] }, { maintenanceTiers: given }));
    }
    const tier = tiers.data.find((t) => notional <= t.cap) ?? tiers.data.at(-1)!;
    rest.maintenanceMarginRate = tier.rate;
    rest.maintenanceAmountFraction = tier.amount / notional;
    rest.maintenanceTiers = tiers.data;
  } else if (Array.isArray(maintenanceTiers)) {
    // Parsed parameters parsed again (rate, amount and the brackets they came from): keep the
    // brackets when they still give that rate and amount; a flat rate given with brackets wins.
    const tier = (maintenanceTiers as MaintenanceTier[]).find((t) => notional <= t.cap) ?? (maintenanceTiers as MaintenanceTier[]).at(-1);
    if (tier && tier.rate === rest.maintenanceMarginRate && tier.amount / notional === rest.maintenanceAmountFraction) rest.maintenanceTiers = maintenanceTiers;
  }
  const merged = { ...DEFAULT_MODEL_PARAMS, ...rest };
  const r = schema.safeParse(merged);
  if (!r.success) {
    throw new EngineError('INPUT_INVALID', issueMessage(r.error.issues[0]!, merged));
  }
  for (const l of r.data.leverages) {
    if (1 / l.leverage <= r.data.maintenanceMarginRate) {
      throw new EngineError('INPUT_INVALID', `leverage ${l.leverage}× leaves no margin above the maintenance rate ${r.data.maintenanceMarginRate}`);
    }
  }
  // Weights that already sum to 1 (to float noise) stay as given, so parsing is idempotent.
  const sum = r.data.leverages.reduce((s, l) => s + l.weight, 0);
  const total = Math.abs(sum - 1) < 1e-9 ? 1 : sum;
  const { maintenanceTiers: tiers, ...fields } = r.data;
  return Object.freeze({ ...fields, ...(tiers ? { maintenanceTiers: Object.freeze(tiers.map((t) => Object.freeze({ ...t }))) } : {}), leverages: Object.freeze(r.data.leverages.map((l) => ({ leverage: l.leverage, weight: l.weight / total }))) });
}

function stripUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null));
}

/** A stable 16-hex-digit hash of the parameters (results are keyed and versioned by it). */
export function modelParamsHash(p: ModelParams): string {
  const canonical = JSON.stringify([p.timeBucketSeconds, p.priceBucketFraction, p.leverages.map((l) => [l.leverage, l.weight]), p.maintenanceMarginRate, p.maintenanceAmountFraction, p.positionNotional, p.imbalanceWeight, p.participation, p.halfLifeHours, p.fundingAdjusted, p.seedWarmupHours, ...(p.entrySpreadPoints !== 1 || p.leverageSpread !== 0 || p.fundingSkewWeight !== 0 ? [p.entrySpreadPoints, p.leverageSpread, p.fundingSkewWeight] : []), ...(p.levelSpread !== 0 ? [['levelSpread', p.levelSpread]] : [])]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/**
 * A leverage mix no higher than a venue allows: weights of leverages above `max` move to `max`
 * (a venue capping leverage at 40× has its 50× and 100× traders at 40×).
 */
export function capLeverageMix(mix: readonly LeverageWeight[], max: number): LeverageWeight[] {
  const out = new Map<number, number>();
  for (const l of mix) {
    const lev = Math.min(l.leverage, max);
    out.set(lev, (out.get(lev) ?? 0) + l.weight);
  }
  return [...out].map(([leverage, weight]) => ({ leverage, weight }));
}
