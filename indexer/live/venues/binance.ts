import { z } from 'zod';
import type { CanonicalEvent, FundingEvent, OpenInterestEvent, TradeEvent } from '../../../db/index.js';
import { binanceStreamEvents, RowError } from '../../sources/index.js';
import { FundingRollover } from '../funding-rollover.js';
import type { LiveMarket, ParsedFrame, TradeCursor, VenueContext, VenueFeed } from '../venue-feed.js';

const num = z.union([z.string(), z.number()]).transform(String);
const frame = z.object({ stream: z.string(), data: z.record(z.string(), z.unknown()) });
const aggTradesPage = z.array(z.object({ a: z.number().int(), p: num, q: num, T: z.number().int(), m: z.boolean() }));
const openInterest = z.object({ openInterest: num, symbol: z.string(), time: z.number().int() });
const openInterestHist = z.array(z.object({ symbol: z.string(), sumOpenInterest: num, sumOpenInterestValue: num.optional(), timestamp: z.number().int() }));
// markPrice is "" on old rows.
const fundingRates = z.array(z.object({ symbol: z.string(), fundingRate: num, fundingTime: z.number().int(), markPrice: num.optional() }));
/** Funding interval, hours: what the stream's rollover stores too (BTCUSDT and most symbols). */
const FUNDING_HOURS = 8;

const PAGE = 1000;
const aggId = (tradeId: string): number => Number(tradeId.slice(4));

/**
 * Binance USDⓈ-M: one combined-stream connection (`<base>/stream?streams=…`, base
 * `wss://fstream.binance.com/market` in the 2026 layout) with `<symbol>@aggTrade`,
 * `<symbol>@markPrice@1s` and `<symbol>@forceOrder` per market, parsed by the same code as
 * recorded captures (`sources/binance-ws-capture.ts`). Aggregate trade ids are consecutive per
 * symbol, so a dropped frame is detected and filled from `GET /fapi/v1/aggTrades?fromId=`;
 * open interest is polled from `GET /fapi/v1/openInterest` and a disconnected range refilled
 * from the 5-minute `GET /futures/data/openInterestHist` (last 30 days only). The force-order
 * stream pushes at most one order per symbol per second (rows marked `sampled`) and has no
 * REST history: a disconnect is recorded as a gap, and so is the mark stream's (REST keeps only
 * 1-minute mark klines); a funding time inside a disconnect is filled from
 * `GET /fapi/v1/fundingRate`. Binance closes every connection after 24 h;
 * its server pings every 3 minutes (answered by the client library).
 */
export function binanceFeed(ctx: VenueContext): VenueFeed {
  const funding = new FundingRollover(FUNDING_HOURS);
  return {
    venue: 'binance',
    // 1024 streams per connection, 3 per market; the URL carries them, so stay well below.
    marketsPerConnection: 200,
    url: (markets) => `${ctx.wsUrl}/stream?streams=${markets.flatMap((m) => [`${m.symbol.toLowerCase()}@aggTrade`, `${m.symbol.toLowerCase()}@markPrice@1s`, `${m.symbol.toLowerCase()}@forceOrder`]).join('/')}`,
    subscribe: () => [],
    subscribeSpacingMs: 0,
    heartbeat: { intervalMs: 30_000, message: null },
    maxConnectionMs: 24 * 3600_000,
    // Mark prices: REST has only 1-minute mark klines, not the 1 s updates the stream sent.
    unrecoverableStreams: ['liquidations', 'mark_prices'],
    onConnect: () => funding.reset(),
    parse(text): ParsedFrame {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return { type: 'malformed', stream: 'unknown', market: null, field: null, reason: 'not valid JSON' };
      }
      const f = frame.safeParse(json);
      if (!f.success) {
        if (typeof json === 'object' && json !== null && 'id' in json) return { type: 'control' };
        return { type: 'malformed', stream: 'unknown', market: null, field: 'stream', reason: 'not a combined-stream message ({stream, data})' };
      }
      const { stream, data } = f.data;
      const symbol = typeof data.s === 'string' ? data.s : typeof (data.o as { s?: unknown } | undefined)?.s === 'string' ? (data.o as { s: string }).s : stream.split('@')[0]!.toUpperCase();
      try {
        const events: CanonicalEvent[] = binanceStreamEvents(data);
        if (data.e === 'markPriceUpdate' && typeof data.T === 'number' && events[0]?.kind === 'mark_price' && events[0].fundingRate !== null) {
          const settled = funding.observe(events[0].market, data.T, events[0].fundingRate, events[0].markPrice);
          if (settled) events.push(settled);
        }
        return { type: 'events', stream, events };
      } catch (e) {
        if (e instanceof RowError) return { type: 'malformed', stream, market: `binance:${symbol.toUpperCase()}`, field: e.field, reason: e.message };
        throw e;
      }
    },
    sequence(prev: TradeCursor, next: TradeEvent) {
      const d = aggId(next.tradeId) - aggId(prev.tradeId);
      return d === 1 ? 'next' : d > 1 ? 'gap' : 'seen';
    },
    async backfillTrades(market: LiveMarket, cursor: TradeCursor, until: TradeEvent | null) {
      const page = await ctx.rest.get('/fapi/v1/aggTrades', { symbol: market.symbol, fromId: aggId(cursor.tradeId) + 1, limit: PAGE }, aggTradesPage);
      const trades: TradeEvent[] = page.map((t) => ({ kind: 'trade', market: market.id, ts: t.T * 1000, tradeId: `agg:${t.a}`, price: t.p, qty: t.q, side: t.m ? 'sell' : 'buy' }));
      const last = page.at(-1);
      const reached = until !== null && last !== undefined && last.a >= aggId(until.tradeId) - 1;
      return { trades, more: page.length === PAGE && !reached };
    },
    async backfillOther(market, fromUs, toUs) {
      const fromMs = Math.floor(fromUs / 1000);
      const toMs = Math.ceil(toUs / 1000);
      // The endpoint keeps 30 days (older ranges: data.binance.vision metrics files); 500 rows
      // of 5 minutes cover a disconnect of 41 hours.
      const rows = await ctx.rest.get('/futures/data/openInterestHist', { symbol: market.symbol, period: '5m', limit: 500, startTime: fromMs, endTime: toMs }, openInterestHist);
      const oi = rows
        .filter((r) => r.timestamp >= fromMs && r.timestamp <= toMs)
        .map((r): OpenInterestEvent => ({ kind: 'open_interest', market: market.id, ts: r.timestamp * 1000, oiQty: r.sumOpenInterest, oiValue: r.sumOpenInterestValue ?? null }));
      // A funding time inside the hole: the stream's rollover forgot its rate (onConnect), the
      // settled print comes from the funding history (1,000 rows: 333 days of 8 h).
      const settled = await ctx.rest.get('/fapi/v1/fundingRate', { symbol: market.symbol, startTime: fromMs, endTime: toMs, limit: 1000 }, fundingRates);
      const fundings = settled
        .filter((r) => r.fundingTime > fromMs && r.fundingTime <= toMs)
        .map((r): FundingEvent => ({ kind: 'funding', market: market.id, ts: r.fundingTime * 1000, rate: r.fundingRate, markPrice: r.markPrice ? r.markPrice : null, intervalHours: FUNDING_HOURS }));
      return [...oi, ...fundings];
    },
    polls:
      ctx.pollIntervalMs > 0
        ? [
            {
              name: 'openInterest',
              intervalMs: ctx.pollIntervalMs,
              async run(market) {
                const r = await ctx.rest.get('/fapi/v1/openInterest', { symbol: market.symbol }, openInterest);
                return [{ kind: 'open_interest', market: market.id, ts: r.time * 1000, oiQty: r.openInterest, oiValue: null }];
              },
            },
          ]
        : [],
  };
}
