import { simulateCascade, type CascadeLevel } from '../../engine/index.js';
import type { ApiContext } from '../context.js';
import { exposeUserErrors, userError } from '../errors.js';
import { levelsAt } from '../levels/liquidation-map.js';
import { TIME_BUCKET_DESCRIPTION, type ModelInputArg } from '../levels/model-args.js';
import { atMs, resultsFor } from './levels.js';

/** `cascade`: the engine's cascade simulation on the standing levels. */
export const cascadeTypeDefs = /* GraphQL */ `
  "One wave of a cascade: the levels a price move crossed, and where their forced orders pushed price."
  type CascadeWave {
    "1 for the shock itself."
    wave: Int!
    "Price range the wave swept, quote per base unit."
    fromPrice: Decimal!
    toPrice: Decimal!
    "Price buckets crossed."
    levels: Int!
    "Notional liquidated by the wave, quote currency."
    liquidatedNotional: Decimal!
    "Price after the wave's forced flow moved it, quote per base unit."
    priceAfter: Decimal!
  }

  "A cascade simulated on the levels standing at one time."
  type Cascade {
    market: ID!
    basis: Basis!
    "Start of the model bucket whose levels were used (ISO-8601 UTC)."
    at: DateTime!
    "Close of that bucket, quote per base unit."
    price: Decimal!
    "Price the shock moves to, quote per base unit."
    shockTo: Decimal!
    waves: [CascadeWave!]!
    "Where price stops, quote per base unit."
    finalPrice: Decimal!
    "Total notional liquidated, quote currency."
    liquidatedNotional: Decimal!
  }

  extend type Query {
    "Shock the price and let liquidations push it further, wave by wave, on the levels standing at time at (linear depth)."
    cascade(
      "exchange:SYMBOL."
      market: ID!
      "Time (ISO-8601 UTC; default: the newest computed bucket)."
      at: DateTime
      "Initial price move as a fraction of the price: -0.03 = a 3% drop (longs liquidate), 0.03 = a 3% rise."
      shock: Float!
      "Order-book depth: quote notional that moves price 1%."
      depthPerPercent: Decimal!
      "${TIME_BUCKET_DESCRIPTION}"
      timeBucketSeconds: Int
      model: ModelInput
    ): Cascade!
  }
`;

/** Resolvers of {@link cascadeTypeDefs}. */
export const cascadeResolvers = {
  Query: {
    cascade: exposeUserErrors(async (_: unknown, args: { market: string; at?: number | null; shock: number; depthPerPercent: string; timeBucketSeconds?: number | null; model?: ModelInputArg | null }, ctx: ApiContext) => {
      if (!(args.shock > -1 && args.shock !== 0 && args.shock < 10)) throw userError('BAD_USER_INPUT', 'shock must be a non-zero fraction of the price above -1 (e.g. -0.03 for a 3% drop)');
      const ref = await resultsFor(ctx, args, args.at);
      const row = await levelsAt(ctx, ref, atMs(ref, args.at));
      const levels: CascadeLevel[] = [];
      // Each bucket's notional sits at its middle.
      row.long.forEach((n, x) => n > 0 && levels.push({ side: 'long', price: (row.longLo + x + 0.5) * row.priceStep, notional: n }));
      row.short.forEach((n, x) => n > 0 && levels.push({ side: 'short', price: (row.shortLo + x + 0.5) * row.priceStep, notional: n }));
      const shockTo = row.price * (1 + args.shock);
      const r = simulateCascade({ levels, price: row.price, shockTo, depth: { kind: 'linear', perPercent: args.depthPerPercent } });
      return { market: ref.market, basis: ref.basis, at: row.t * 1000, price: String(row.price), shockTo: String(shockTo), ...r };
    }),
  },
};
