import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { LiqmapError } from '../../../base/index.js';
import type { CanonicalEvent, FundingEvent, LiquidationEvent, TradeEvent } from '../../../db/index.js';
import { price, quantity, RowError, signedDecimal } from '../../sources/index.js';
import { FundingRollover } from '../funding-rollover.js';
import { TIME_OVERLAP_US } from '../market-feed.js';
import type { LiveMarket, ParsedFrame, TradeCursor, VenueContext, VenueFeed } from '../venue-feed.js';
import { malformed, parseJson } from './frames.js';

const ms = z.string().regex(/^\d+$/).transform(Number);
const arg = z.object({ channel: z.string(), instId: z.string().optional(), instType: z.string().optional() });
const push = z.object({ arg, data: z.array(z.unknown()) });
const event = z.object({ event: z.string(), code: z.string().optional(), msg: z.string().optional() });
const trade = z.object({ instId: z.string(), tradeId: z.string(), px: z.string(), sz: z.string(), side: z.enum(['buy', 'sell']), ts: ms });
const mark = z.object({ instId: z.string(), markPx: z.string(), ts: ms });
const fundingRate = z.object({ instId: z.string(), fundingRate: z.string(), fundingTime: ms, ts: ms.optional() });
const openInterest = z.object({ instId: z.string(), oi: z.string(), oiUsd: z.string().optional(), ts: ms });
const liquidation = z.object({ instId: z.string(), details: z.array(z.object({ side: z.enum(['buy', 'sell']), bkPx: z.string(), sz: z.string(), ts: ms })) });
const instruments = z.object({ code: z.literal('0'), data: z.array(z.object({ instId: z.string(), ctVal: z.string(), ctType: z.string().optional(), ctValCcy: z.string().optional() })) });
const tradesPage = z.object({ code: z.literal('0'), data: z.array(trade) });
const fundingHistory = z.object({ code: z.literal('0'), data: z.array(z.object({ instId: z.string(), fundingRate: z.string(), realizedRate: z.string(), fundingTime: ms })) });

const RECENT_LIMIT = 500;
const HISTORY_PAGES = 20;

/**
 * OKX v5 public (`wss://ws.okx.com:8443/ws/v5/public`), instType SWAP: `trades`,
 * `mark-price`, `funding-rate` (a moved `fundingTime` settles the previous rate) and
 * `open-interest` per instrument, and one `liquidation-orders` subscription per connection
 * (it carries every swap; rows of other instruments are ignored). Sizes are in contracts:
 * converted to base units with the instrument's `ctVal` (`GET /api/v5/public/instruments`,
 * fetched once per connection and cached). `liquidation-orders` shows at most one order per
 * contract per second (rows marked `sampled`), at the bankruptcy price. OKX closes a
 * connection silent for 30 s: a text `ping` every 15 s. A disconnect is backfilled from
 * `GET /api/v5/market/trades` (the last 500) and then, going back by trade id,
 * `GET /api/v5/market/history-trades` (up to 2,000 more); what is older is recorded as a gap.
 * A funding time inside a disconnect comes from `GET /api/v5/public/funding-rate-history`
 * (the realized rate); the mark prices it lost are a recorded gap.
 */
export function okxFeed(ctx: VenueContext): VenueFeed {
  const ctVal = new Map<string, string>();
  const funding = new FundingRollover(8);
  const base = (instId: string, sz: string, field: string): string => {
    const v = ctVal.get(instId);
    if (v === undefined) throw new RowError('instId', `no contract value for ${instId}`);
    return new Decimal(quantity(sz, field)).times(v).toFixed();
  };
  const toTrade = (market: string, t: z.infer<typeof trade>): TradeEvent => ({ kind: 'trade', market, ts: t.ts * 1000, tradeId: t.tradeId, price: price(t.px, 'px'), qty: base(t.instId, t.sz, 'sz'), side: t.side });
  const parseData = (channel: string, data: unknown[]): CanonicalEvent[] => {
    switch (channel) {
      case 'trades':
        return data.map((d) => {
          const t = trade.parse(d);
          return toTrade(`okx:${t.instId}`, t);
        });
      case 'mark-price':
        return data.map((d) => {
          const m = mark.parse(d);
          return { kind: 'mark_price', market: `okx:${m.instId}`, ts: m.ts * 1000, markPrice: price(m.markPx, 'markPx'), indexPrice: null, fundingRate: null };
        });
      case 'funding-rate':
        return data.flatMap((d) => {
          const f = fundingRate.parse(d);
          const settled = funding.observe(`okx:${f.instId}`, f.fundingTime, signedDecimal(f.fundingRate, 'fundingRate'), null);
          return settled ? [settled] : [];
        });
      case 'open-interest':
        return data.map((d) => {
          const o = openInterest.parse(d);
          return { kind: 'open_interest', market: `okx:${o.instId}`, ts: o.ts * 1000, oiQty: base(o.instId, o.oi, 'oi'), oiValue: o.oiUsd ? quantity(o.oiUsd, 'oiUsd') : null };
        });
      case 'liquidation-orders':
        return data.flatMap((d) => {
          const l = liquidation.parse(d);
          if (!ctVal.has(l.instId)) return []; // a swap this connection does not follow
          return l.details.map((x): LiquidationEvent => {
            const px = price(x.bkPx, 'bkPx');
            const qty = base(l.instId, x.sz, 'sz');
            return { kind: 'liquidation', market: `okx:${l.instId}`, ts: x.ts * 1000, side: x.side, price: px, qty, notional: null, key: `${x.side}:${px}:${qty}`, sampled: true };
          });
        });
      default:
        return [];
    }
  };
  return {
    venue: 'okx',
    marketsPerConnection: 100,
    url: () => ctx.wsUrl,
    subscribe(markets) {
      const args = [...markets.flatMap((m) => ['trades', 'mark-price', 'funding-rate', 'open-interest'].map((channel) => ({ channel, instId: m.symbol }))), { channel: 'liquidation-orders', instType: 'SWAP' }];
      const frames: string[] = [];
      for (let i = 0; i < args.length; i += 100) frames.push(JSON.stringify({ op: 'subscribe', args: args.slice(i, i + 100) }));
      return frames;
    },
    subscribeSpacingMs: 100,
    heartbeat: { intervalMs: 15_000, message: 'ping' },
    maxConnectionMs: null,
    // Mark prices: REST has only mark-price candles, not the pushes.
    unrecoverableStreams: ['liquidations', 'mark_prices'],
    onConnect: () => funding.reset(),
    async prepare(markets) {
      for (const m of markets) {
        if (ctVal.has(m.symbol)) continue;
        const r = await ctx.rest.get('/api/v5/public/instruments', { instType: 'SWAP', instId: m.symbol }, instruments);
        const inst = r.data.find((d) => d.instId === m.symbol);
        if (!inst) throw new LiqmapError('MARKET_UNKNOWN', `okx has no swap ${m.symbol} (GET /api/v5/public/instruments)`);
        ctVal.set(m.symbol, inst.ctVal);
      }
    },
    parse(text): ParsedFrame {
      if (text === 'pong') return { type: 'control' };
      const json = parseJson(text);
      if (json === undefined) return malformed('unknown', null, null, 'not valid JSON');
      const e = event.safeParse(json);
      if (e.success) return e.data.event === 'error' ? { type: 'refused', reason: `${e.data.code ?? ''} ${e.data.msg ?? ''}`.trim() } : { type: 'control' };
      const p = push.safeParse(json);
      if (!p.success) return malformed('unknown', null, p.error.issues[0]!.path.join('.') || null, `not an OKX push: ${p.error.issues[0]!.message}`);
      const { channel, instId } = p.data.arg;
      const stream = instId ? `${channel}:${instId}` : channel;
      const market = instId ? `okx:${instId}` : null;
      try {
        return { type: 'events', stream, events: parseData(channel, p.data.data) };
      } catch (err) {
        if (err instanceof RowError) return malformed(stream, market, err.field, err.message);
        if (err instanceof z.ZodError) return malformed(stream, market, err.issues[0]!.path.join('.') || null, `${channel} message: ${err.issues[0]!.path.join('.')} ${err.issues[0]!.message}`);
        throw err;
      }
    },
    async backfillTrades(market: LiveMarket, cursor: TradeCursor) {
      const recent = await ctx.rest.get('/api/v5/market/trades', { instId: market.symbol, limit: RECENT_LIMIT }, tradesPage);
      const all = [...recent.data];
      let reachedCursor = all.length < RECENT_LIMIT || all.some((t) => t.ts * 1000 <= cursor.ts);
      for (let page = 0; !reachedCursor && page < HISTORY_PAGES; page++) {
        const oldest = all.reduce((a, t) => (t.ts < a.ts || (t.ts === a.ts && Number(t.tradeId) < Number(a.tradeId)) ? t : a));
        const older = await ctx.rest.get('/api/v5/market/history-trades', { instId: market.symbol, type: 1, after: oldest.tradeId, limit: 100 }, tradesPage);
        if (older.data.length === 0) break;
        all.push(...older.data);
        reachedCursor = older.data.some((t) => t.ts * 1000 <= cursor.ts);
      }
      all.sort((x, y) => x.ts - y.ts || Number(x.tradeId) - Number(y.tradeId));
      const from = cursor.ts - TIME_OVERLAP_US;
      const trades = all.filter((t) => t.ts * 1000 >= from).map((t) => toTrade(market.id, t));
      const oldest = all[0];
      const gap = !reachedCursor && oldest ? { fromUs: cursor.ts, toUs: oldest.ts * 1000, reason: `OKX's REST history did not reach back to the last stored trade within ${HISTORY_PAGES} history pages` } : undefined;
      return { trades, more: false, ...(gap ? { gap } : {}) };
    },
    async backfillOther(market, fromUs, toUs) {
      // `after`/`before` page by funding time (older than / newer than); 100 rows: 33 days of 8 h.
      const r = await ctx.rest.get('/api/v5/public/funding-rate-history', { instId: market.symbol, after: Math.ceil(toUs / 1000) + 1, before: Math.floor(fromUs / 1000), limit: 100 }, fundingHistory);
      return r.data
        .filter((f) => f.instId === market.symbol && f.fundingTime * 1000 > fromUs && f.fundingTime * 1000 <= toUs)
        .map((f): FundingEvent => ({ kind: 'funding', market: market.id, ts: f.fundingTime * 1000, rate: signedDecimal(f.realizedRate, 'realizedRate'), markPrice: null, intervalHours: 8 }));
    },
  };
}
