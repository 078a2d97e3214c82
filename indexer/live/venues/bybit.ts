import { z } from 'zod';
import type { CanonicalEvent, FundingEvent, LiquidationEvent, OpenInterestEvent, TradeEvent } from '../../../db/index.js';
import { price, quantity, RowError, signedDecimal } from '../../sources/index.js';
import { FundingRollover } from '../funding-rollover.js';
import { TIME_OVERLAP_US } from '../market-feed.js';
import type { LiveMarket, ParsedFrame, TradeCursor, VenueContext, VenueFeed } from '../venue-feed.js';
import { malformed, parseJson } from './frames.js';

const ms = z.union([z.number(), z.string().regex(/^\d+$/)]).transform(Number);
const trade = z.object({ T: ms, s: z.string(), S: z.enum(['Buy', 'Sell']), v: z.string(), p: z.string(), i: z.string() });
const liquidation = z.object({ T: ms, s: z.string(), S: z.enum(['Buy', 'Sell']), v: z.string(), p: z.string() });
const ticker = z.object({ symbol: z.string() }).catchall(z.unknown());
const push = z.object({ topic: z.string(), type: z.enum(['snapshot', 'delta']), ts: ms, data: z.unknown() });
const ack = z.object({ op: z.string(), success: z.boolean().optional(), ret_msg: z.string().optional() });
const recentTrades = z.object({
  retCode: z.literal(0),
  result: z.object({ list: z.array(z.object({ execId: z.string(), symbol: z.string(), price: z.string(), size: z.string(), side: z.enum(['Buy', 'Sell']), time: ms })) }),
});
const oiHistory = z.object({ retCode: z.literal(0), result: z.object({ list: z.array(z.object({ openInterest: z.string(), timestamp: ms })) }) });
const fundingHistory = z.object({ retCode: z.literal(0), result: z.object({ list: z.array(z.object({ symbol: z.string(), fundingRate: z.string(), fundingRateTimestamp: ms })) }) });

const RECENT_LIMIT = 1000;

/**
 * Bybit v5 linear: `publicTrade.{symbol}`, `tickers.{symbol}` and `allLiquidation.{symbol}`
 * on `wss://stream.bybit.com/v5/public/linear`, at most 10 topics per subscribe message, a
 * `{"op":"ping"}` every 20 s (Bybit drops silent connections). Ticker deltas omit unchanged
 * fields and are merged into the last snapshot (a bare delta would read as mark price 0);
 * each change of mark/index/funding is a mark-price row, each change of open interest an
 * open-interest row, and a moved `nextFundingTime` settles the previous rate. In
 * `allLiquidation`, `S` is the side of the liquidated **position** ("Buy": a long), so the
 * forced order is the opposite side; `p` is the bankruptcy price. REST has only the last 1,000
 * trades (`/v5/market/recent-trade`): a longer outage is recorded as a trade gap; a funding time
 * inside an outage comes from `/v5/market/funding/history`, the marks it lost are a gap.
 */
export function bybitFeed(ctx: VenueContext): VenueFeed {
  const tickers = new Map<string, Record<string, unknown>>();
  const funding = new FundingRollover(8);
  const parseTicker = (type: 'snapshot' | 'delta', ts: number, data: unknown): CanonicalEvent[] => {
    const d = ticker.parse(data);
    const market = `bybit:${d.symbol}`;
    const prev = tickers.get(d.symbol);
    if (type === 'delta' && !prev) throw new RowError('type', 'a tickers delta before its snapshot');
    const merged = { ...(type === 'delta' ? prev : {}), ...d };
    tickers.set(d.symbol, merged);
    const str = (k: string) => (typeof merged[k] === 'string' && merged[k] !== '' ? (merged[k] as string) : null);
    const out: CanonicalEvent[] = [];
    const tsUs = ts * 1000;
    if ((type === 'snapshot' || 'markPrice' in d || 'indexPrice' in d || 'fundingRate' in d) && str('markPrice')) {
      const rate = str('fundingRate');
      out.push({ kind: 'mark_price', market, ts: tsUs, markPrice: price(str('markPrice')!, 'markPrice'), indexPrice: str('indexPrice') ? price(str('indexPrice')!, 'indexPrice') : null, fundingRate: rate ? signedDecimal(rate, 'fundingRate') : null });
      const next = Number(str('nextFundingTime'));
      if (rate && next > 0) {
        const settled = funding.observe(market, next, rate, str('markPrice'));
        if (settled) out.push(settled);
      }
    }
    if ((type === 'snapshot' || 'openInterest' in d) && str('openInterest')) {
      out.push({ kind: 'open_interest', market, ts: tsUs, oiQty: quantity(str('openInterest')!, 'openInterest'), oiValue: str('openInterestValue') ? quantity(str('openInterestValue')!, 'openInterestValue') : null });
    }
    return out;
  };
  return {
    venue: 'bybit',
    marketsPerConnection: 100,
    url: () => ctx.wsUrl,
    subscribe(markets) {
      const topics = markets.flatMap((m) => [`publicTrade.${m.symbol}`, `tickers.${m.symbol}`, `allLiquidation.${m.symbol}`]);
      const frames: string[] = [];
      for (let i = 0; i < topics.length; i += 10) frames.push(JSON.stringify({ op: 'subscribe', req_id: `liqmap-${i / 10}`, args: topics.slice(i, i + 10) }));
      return frames;
    },
    subscribeSpacingMs: 50,
    heartbeat: { intervalMs: 20_000, message: JSON.stringify({ op: 'ping' }) },
    maxConnectionMs: null,
    // Mark prices: REST has only 1-minute mark klines, not the ticker's changes.
    unrecoverableStreams: ['liquidations', 'mark_prices'],
    onConnect: () => funding.reset(),
    parse(text): ParsedFrame {
      const json = parseJson(text);
      if (json === undefined) return malformed('unknown', null, null, 'not valid JSON');
      const a = ack.safeParse(json);
      if (a.success) return a.data.success === false ? { type: 'refused', reason: `${a.data.op}: ${a.data.ret_msg ?? 'refused'}` } : { type: 'control' };
      const p = push.safeParse(json);
      if (!p.success) return malformed('unknown', null, p.error.issues[0]!.path.join('.') || null, `not a Bybit push: ${p.error.issues[0]!.message}`);
      const { topic, type, ts } = p.data;
      const [channel, symbol] = topic.split('.') as [string, string | undefined];
      const market = symbol ? `bybit:${symbol}` : null;
      try {
        switch (channel) {
          case 'publicTrade':
            return { type: 'events', stream: topic, events: z.array(trade).parse(p.data.data).map((t): TradeEvent => ({ kind: 'trade', market: `bybit:${t.s}`, ts: t.T * 1000, tradeId: t.i, price: price(t.p, 'p'), qty: quantity(t.v, 'v'), side: t.S === 'Buy' ? 'buy' : 'sell' })) };
          case 'tickers':
            return { type: 'events', stream: topic, events: parseTicker(type, ts, p.data.data) };
          case 'allLiquidation':
          case 'liquidation': {
            const rows = z.array(liquidation).parse(Array.isArray(p.data.data) ? p.data.data : [p.data.data]);
            return {
              type: 'events',
              stream: topic,
              events: rows.map((l): LiquidationEvent => {
                // S is the liquidated position's side: a long ("Buy") is closed by a forced sell.
                const side = l.S === 'Buy' ? 'sell' : 'buy';
                const px = price(l.p, 'p');
                const qty = quantity(l.v, 'v');
                return { kind: 'liquidation', market: `bybit:${l.s}`, ts: l.T * 1000, side, price: px, qty, notional: null, key: `${side}:${px}:${qty}` };
              }),
            };
          }
          default:
            return { type: 'control' };
        }
      } catch (e) {
        if (e instanceof RowError) return malformed(topic, market, e.field, e.message);
        if (e instanceof z.ZodError) return malformed(topic, market, e.issues[0]!.path.join('.') || null, `${channel} message: ${e.issues[0]!.path.join('.')} ${e.issues[0]!.message}`);
        throw e;
      }
    },
    async backfillTrades(market: LiveMarket, cursor: TradeCursor) {
      const r = await ctx.rest.get('/v5/market/recent-trade', { category: 'linear', symbol: market.symbol, limit: RECENT_LIMIT }, recentTrades);
      const list = [...r.result.list].sort((x, y) => x.time - y.time);
      const from = cursor.ts - TIME_OVERLAP_US;
      const trades = list.filter((t) => t.time * 1000 >= from).map((t): TradeEvent => ({ kind: 'trade', market: market.id, ts: t.time * 1000, tradeId: t.execId, price: t.price, qty: t.size, side: t.side === 'Buy' ? 'buy' : 'sell' }));
      const oldest = list[0];
      const gap =
        list.length >= RECENT_LIMIT && oldest && oldest.time * 1000 > cursor.ts
          ? { fromUs: cursor.ts, toUs: oldest.time * 1000, reason: `Bybit's REST history has only the last ${RECENT_LIMIT} trades, all newer than the last stored one` }
          : undefined;
      return { trades, more: false, ...(gap ? { gap } : {}) };
    },
    async backfillOther(market, fromUs, toUs) {
      const r = await ctx.rest.get('/v5/market/open-interest', { category: 'linear', symbol: market.symbol, intervalTime: '5min', startTime: Math.floor(fromUs / 1000), endTime: Math.ceil(toUs / 1000), limit: 200 }, oiHistory);
      const oi = r.result.list
        .filter((o) => o.timestamp * 1000 >= fromUs && o.timestamp * 1000 <= toUs)
        .map((o): OpenInterestEvent => ({ kind: 'open_interest', market: market.id, ts: o.timestamp * 1000, oiQty: o.openInterest, oiValue: null }));
      // A funding time inside the hole: the settled rate from the funding history (the rollover
      // forgot the rate it saw before the hole); the history has no mark price.
      const f = await ctx.rest.get('/v5/market/funding/history', { category: 'linear', symbol: market.symbol, startTime: Math.floor(fromUs / 1000), endTime: Math.ceil(toUs / 1000), limit: 200 }, fundingHistory);
      const fundings = f.result.list
        .filter((x) => x.fundingRateTimestamp * 1000 > fromUs && x.fundingRateTimestamp * 1000 <= toUs)
        .map((x): FundingEvent => ({ kind: 'funding', market: market.id, ts: x.fundingRateTimestamp * 1000, rate: x.fundingRate, markPrice: null, intervalHours: 8 }));
      return [...oi, ...fundings];
    },
  };
}
