import { z } from 'zod';
import type { CanonicalEvent, FundingEvent, TradeEvent } from '../../../db/index.js';
import { price, quantity, RowError, signedDecimal } from '../../sources/index.js';
import { FundingRollover } from '../funding-rollover.js';
import type { LiveMarket, ParsedFrame, TradeCursor, VenueContext, VenueFeed } from '../venue-feed.js';
import { malformed, parseJson } from './frames.js';

const trade = z.object({ coin: z.string(), side: z.enum(['A', 'B']), px: z.string(), sz: z.string(), hash: z.string(), time: z.number().int(), tid: z.number().int(), users: z.tuple([z.string(), z.string()]) });
const ctx = z.object({ coin: z.string(), ctx: z.object({ markPx: z.string(), oraclePx: z.string().optional(), funding: z.string().optional(), openInterest: z.string().optional() }) });
const push = z.object({ channel: z.string(), data: z.unknown() });
const fundingHistory = z.array(z.object({ coin: z.string(), fundingRate: z.string(), time: z.number().int() }));

const HOUR = 3_600_000;

/**
 * Hyperliquid (`wss://api.hyperliquid.xyz/ws`): `trades` and `activeAssetCtx` per coin, one
 * subscribe message each (no batch subscribe; 1,000 subscriptions per IP), `{"method":"ping"}`
 * every 20 s (silent connections are closed after 60 s). Trades keep both users (buyer,
 * seller) in `trade_parties`, for exact positions later; `side` B is a buying taker. The asset
 * context carries no time: its rows are stamped with the receive time (mark, oracle as index,
 * funding, open interest in coins); funding settles hourly. The public API has no trade
 * history by time and no liquidation stream (liquidations show only as fills of the liquidated
 * users): every disconnect is recorded as a trade gap.
 */
export function hyperliquidFeed(c: VenueContext): VenueFeed {
  const funding = new FundingRollover(1);
  const now = c.now ?? (() => Date.now());
  return {
    venue: 'hyperliquid',
    marketsPerConnection: 400,
    url: () => c.wsUrl,
    subscribe: (markets) => markets.flatMap((m) => ['trades', 'activeAssetCtx'].map((type) => JSON.stringify({ method: 'subscribe', subscription: { type, coin: m.symbol } }))),
    subscribeSpacingMs: 35,
    heartbeat: { intervalMs: 20_000, message: JSON.stringify({ method: 'ping' }) },
    maxConnectionMs: null,
    unrecoverableStreams: [],
    onConnect: () => funding.reset(),
    parse(text): ParsedFrame {
      const json = parseJson(text);
      if (json === undefined) return malformed('unknown', null, null, 'not valid JSON');
      const p = push.safeParse(json);
      if (!p.success) return malformed('unknown', null, 'channel', 'not a Hyperliquid push ({channel, data})');
      const { channel, data } = p.data;
      try {
        switch (channel) {
          case 'trades': {
            const rows = z.array(trade).parse(data);
            return {
              type: 'events',
              stream: `trades:${rows[0]?.coin ?? ''}`,
              events: rows.map((t): TradeEvent => ({ kind: 'trade', market: `hyperliquid:${t.coin}`, ts: t.time * 1000, tradeId: String(t.tid), price: price(t.px, 'px'), qty: quantity(t.sz, 'sz'), side: t.side === 'B' ? 'buy' : 'sell', users: [t.users[0], t.users[1]] })),
            };
          }
          case 'activeAssetCtx': {
            const a = ctx.parse(data);
            const market = `hyperliquid:${a.coin}`;
            const t = now();
            const out: CanonicalEvent[] = [{ kind: 'mark_price', market, ts: t * 1000, markPrice: price(a.ctx.markPx, 'ctx.markPx'), indexPrice: a.ctx.oraclePx ? price(a.ctx.oraclePx, 'ctx.oraclePx') : null, fundingRate: a.ctx.funding ? signedDecimal(a.ctx.funding, 'ctx.funding') : null }];
            if (a.ctx.openInterest) out.push({ kind: 'open_interest', market, ts: t * 1000, oiQty: quantity(a.ctx.openInterest, 'ctx.openInterest'), oiValue: null });
            if (a.ctx.funding) {
              const settled = funding.observe(market, Math.ceil((t + 1) / HOUR) * HOUR, signedDecimal(a.ctx.funding, 'ctx.funding'), a.ctx.markPx);
              if (settled) out.push(settled);
            }
            return { type: 'events', stream: `activeAssetCtx:${a.coin}`, events: out };
          }
          default:
            // subscriptionResponse, pong, error
            if (channel === 'error') return { type: 'refused', reason: String(data) };
            return { type: 'control' };
        }
      } catch (e) {
        const coin = typeof (data as { coin?: unknown })?.coin === 'string' ? (data as { coin: string }).coin : Array.isArray(data) && typeof (data[0] as { coin?: unknown })?.coin === 'string' ? (data[0] as { coin: string }).coin : null;
        const market = coin ? `hyperliquid:${coin}` : null;
        if (e instanceof RowError) return malformed(channel, market, e.field, e.message);
        if (e instanceof z.ZodError) return malformed(channel, market, e.issues[0]!.path.join('.') || null, `${channel} message: ${e.issues[0]!.path.join('.')} ${e.issues[0]!.message}`);
        throw e;
      }
    },
    async backfillTrades(_market: LiveMarket, cursor: TradeCursor, until: TradeEvent | null) {
      return { trades: [], more: false, gap: { fromUs: cursor.ts, toUs: until?.ts ?? now() * 1000, reason: 'Hyperliquid has no public trade history endpoint' } };
    },
    async backfillOther(market, fromUs, toUs) {
      // An hour that settled inside the hole: its rate from the funding history (500 rows per call).
      const rows = await c.rest.post('/info', { type: 'fundingHistory', coin: market.symbol, startTime: Math.floor(fromUs / 1000), endTime: Math.ceil(toUs / 1000) }, fundingHistory);
      return rows
        .filter((f) => f.coin === market.symbol && f.time * 1000 > fromUs && f.time * 1000 <= toUs)
        .map((f): FundingEvent => ({ kind: 'funding', market: market.id, ts: f.time * 1000, rate: signedDecimal(f.fundingRate, 'fundingRate'), markPrice: null, intervalHours: 1 }));
    },
  };
}
