import { aggregateBuckets, type MarketBucket, type ModelEvent } from '../../engine/index.js';
import { simulateMarket } from '../../indexer/index.js';

/** `days` of the demo market (trades, open interest, funding every 8 hours, force orders) as minute buckets. */
export function demoBuckets(days: number): MarketBucket[] {
  const events: ModelEvent[] = [];
  for (const e of simulateMarket({ days, tradesPerMinute: 10 })) {
    if (e.kind === 'trade') events.push({ kind: 'trade', ts: e.ts, price: e.price, qty: e.qty, side: e.side });
    else if (e.kind === 'open_interest') events.push({ kind: 'open_interest', ts: e.ts, oiQty: e.oiQty });
    else if (e.kind === 'funding') events.push({ kind: 'funding', ts: e.ts, rate: e.rate });
    else if (e.kind === 'liquidation') events.push({ kind: 'liquidation', ts: e.ts, side: e.side, price: e.price, qty: e.qty, notional: null });
  }
  return aggregateBuckets(events, 60);
}
