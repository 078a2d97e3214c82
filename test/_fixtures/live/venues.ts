import { Decimal } from 'decimal.js';
import type { ReplayFrame, VenueBehaviour } from './replay-server.js';

/** A venue-neutral trade of a generated market. */
export interface TruthTrade {
  readonly id: number;
  readonly ts: number;
  readonly price: string;
  /** Base units. */
  readonly qty: string;
  readonly side: 'buy' | 'sell';
}

/** Deterministic trades: a random walk around 60,000, 2–6 trades per second. */
export function generateTrades(n: number, t0 = Date.UTC(2026, 10, 30, 12, 0, 0), seed = 7): TruthTrade[] {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  let px = 60_000;
  let ts = t0;
  const out: TruthTrade[] = [];
  for (let i = 0; i < n; i++) {
    ts += Math.floor(rnd() * 400) + 20;
    px = Math.max(1000, px + (rnd() - 0.5) * 20);
    out.push({ id: 1_000_000 + i, ts, price: px.toFixed(1), qty: (Math.floor(rnd() * 900) / 1000 + 0.001).toFixed(3), side: rnd() < 0.5 ? 'buy' : 'sell' });
  }
  return out;
}

/** What a generated replay holds: frames, and which frames carry which trades. */
export interface VenueReplay {
  readonly frames: ReplayFrame[];
  /** Frame index → the trades it carries. */
  readonly tradeFrames: Map<number, TruthTrade[]>;
  readonly trades: TruthTrade[];
  /** Frame index → liquidations it carries (as the stored row key `side:price:qty`). */
  readonly liquidationFrames: Map<number, { ts: number; side: 'buy' | 'sell'; price: string; qty: string }[]>;
  /** Frame index of the first frame carrying each trade. */
  readonly frameOfTrade: Map<number, number>;
}

function assemble(trades: TruthTrade[], tradeFrame: (batch: TruthTrade[]) => string, extras: (t: TruthTrade, i: number) => { text: string; liq?: { ts: number; side: 'buy' | 'sell'; price: string; qty: string }[] }[]): VenueReplay {
  const frames: ReplayFrame[] = [];
  const tradeFrames = new Map<number, TruthTrade[]>();
  const liquidationFrames = new Map<number, { ts: number; side: 'buy' | 'sell'; price: string; qty: string }[]>();
  const frameOfTrade = new Map<number, number>();
  for (let i = 0; i < trades.length; ) {
    // 1–3 trades per frame (venues batch the fills of one taker order)
    const k = 1 + (trades[i]!.id % 3);
    const batch = trades.slice(i, i + k);
    tradeFrames.set(frames.length, batch);
    for (const t of batch) frameOfTrade.set(t.id, frames.length);
    frames.push({ text: tradeFrame(batch), tsMs: batch[0]!.ts });
    for (const e of extras(batch.at(-1)!, i)) {
      if (e.liq) liquidationFrames.set(frames.length, e.liq);
      frames.push({ text: e.text, tsMs: batch.at(-1)!.ts });
    }
    i += k;
  }
  return { frames, tradeFrames, liquidationFrames, frameOfTrade, trades };
}

const published = (r: VenueReplay, pos: number) => r.trades.filter((t) => r.frameOfTrade.get(t.id)! < pos);

// --- Bybit v5 linear ---

/** Bybit's predicted funding rate in the fixture: it moves every 4 s (so a stale one shows). */
export const bybitRateAt = (sec: number) => new Decimal('0.0001').plus(new Decimal(Math.floor(sec / 4) % 7).times('0.000001')).toFixed(7);
const nextFunding = (ms: number) => Math.floor(ms / 28_800_000 + 1) * 28_800_000;

/**
 * Bybit: publicTrade batches, a tickers snapshot then deltas (a moved rate or next funding time
 * rides on the mark delta), allLiquidation every 150 trades; from `t0` (default 12:00 UTC).
 */
export function bybitReplay(symbol: string, n: number, t0?: number): VenueReplay {
  const trades = generateTrades(n, t0);
  let lastSec = 0;
  let lastRate = '';
  let lastNext = 0;
  let oi = 50_000;
  let snapshotSent = false;
  let nextLiq = 150;
  return assemble(
    trades,
    (batch) => JSON.stringify({ topic: `publicTrade.${symbol}`, type: 'snapshot', ts: batch.at(-1)!.ts + 3, data: batch.map((t) => ({ T: t.ts, s: symbol, S: t.side === 'buy' ? 'Buy' : 'Sell', v: t.qty, p: t.price, L: 'PlusTick', i: `b${t.id}-5b31-9112-a178eb6023af`, BT: false, RPI: false, seq: t.id })) }),
    (t, i) => {
      const out: { text: string; liq?: { ts: number; side: 'buy' | 'sell'; price: string; qty: string }[] }[] = [];
      const sec = Math.floor(t.ts / 1000);
      if (sec !== lastSec) {
        lastSec = sec;
        oi += 3;
        const mark = new Decimal(t.price).plus(0.5).toFixed(2);
        const rate = bybitRateAt(sec);
        const next = nextFunding(sec * 1000);
        const moved = rate !== lastRate || next !== lastNext;
        const data = !snapshotSent
          ? { symbol, tickDirection: 'PlusTick', lastPrice: t.price, markPrice: mark, indexPrice: t.price, openInterest: `${oi}.000`, openInterestValue: new Decimal(oi).times(t.price).toFixed(2), fundingRate: rate, nextFundingTime: String(next) }
          : sec % 3 === 0 && !moved
            ? { symbol, openInterest: `${oi}.000`, openInterestValue: new Decimal(oi).times(t.price).toFixed(2) }
            : { symbol, markPrice: mark, lastPrice: t.price, ...(moved ? { fundingRate: rate, nextFundingTime: String(next) } : {}) };
        lastRate = rate;
        lastNext = next;
        out.push({ text: JSON.stringify({ topic: `tickers.${symbol}`, type: snapshotSent ? 'delta' : 'snapshot', data, cs: sec, ts: sec * 1000 }) });
        snapshotSent = true;
      }
      if (i >= nextLiq) {
        nextLiq += 150;
        // S is the liquidated position: "Buy" = a long, closed by a forced sell.
        const S = (nextLiq / 150) % 2 === 0 ? 'Buy' : 'Sell';
        const liq = { ts: t.ts, side: (S === 'Buy' ? 'sell' : 'buy') as 'buy' | 'sell', price: t.price, qty: '0.120' };
        out.push({ text: JSON.stringify({ topic: `allLiquidation.${symbol}`, type: 'snapshot', ts: t.ts + 5, data: [{ T: t.ts, s: symbol, S, v: '0.120', p: t.price }] }), liq: [liq] });
      }
      return out;
    },
  );
}

export function bybitBehaviour(r: VenueReplay, symbol: string, served: Set<number>): VenueBehaviour {
  return {
    streamsOnConnect: false,
    onClientText(text, reply, pos) {
      const m = JSON.parse(text) as { op: string; req_id?: string; args?: string[] };
      if (m.op === 'ping') {
        reply(JSON.stringify({ success: true, ret_msg: 'pong', conn_id: 'c1', op: 'ping' }));
        return;
      }
      if (m.op === 'subscribe') {
        reply(JSON.stringify({ success: true, ret_msg: '', conn_id: 'c1', req_id: m.req_id ?? '', op: 'subscribe' }));
        // A tickers subscription starts with a snapshot of the ticker as it stands (Bybit's v5 rule).
        if ((m.args ?? []).includes(`tickers.${symbol}`)) {
          let state: Record<string, unknown> | null = null;
          let ts = 0;
          for (let i = 0; i < pos; i++) {
            if (!r.frames[i]!.text.startsWith(`{"topic":"tickers.`)) continue;
            const f = JSON.parse(r.frames[i]!.text) as { data: Record<string, unknown>; ts: number };
            state = { ...(state ?? {}), ...f.data };
            ts = f.ts;
          }
          if (state) reply(JSON.stringify({ topic: `tickers.${symbol}`, type: 'snapshot', data: state, cs: ts / 1000, ts }));
        }
        return { subscribed: (m.args ?? []).some((a) => a.startsWith('allLiquidation.')) };
      }
    },
    rest(url, _body, pos) {
      if (url.pathname === '/v5/market/recent-trade') {
        if (url.searchParams.get('symbol') !== symbol || url.searchParams.get('category') !== 'linear') throw new Error('bad params');
        const list = published(r, pos).slice(-Number(url.searchParams.get('limit') ?? 500)).reverse();
        for (const t of list) served.add(t.id);
        return { retCode: 0, retMsg: 'OK', result: { category: 'linear', list: list.map((t) => ({ execId: `b${t.id}-5b31-9112-a178eb6023af`, symbol, price: t.price, size: t.qty, side: t.side === 'buy' ? 'Buy' : 'Sell', time: String(t.ts), isBlockTrade: false })) }, retExtInfo: {}, time: Date.now() };
      }
      if (url.pathname === '/v5/market/funding/history') {
        // Settled at each 8-hour funding time published so far: the predicted rate of the second before it.
        const to = Math.min(Number(url.searchParams.get('endTime') ?? Infinity), pos > 0 ? r.frames[pos - 1]!.tsMs : 0);
        const from = Number(url.searchParams.get('startTime') ?? 0);
        const list = [];
        for (let f = nextFunding(r.trades[0]!.ts) ; f <= to; f += 28_800_000) if (f >= from) list.unshift({ symbol, fundingRate: bybitRateAt(f / 1000 - 1), fundingRateTimestamp: String(f) });
        return { retCode: 0, retMsg: 'OK', result: { category: 'linear', list }, retExtInfo: {}, time: Date.now() };
      }
      if (url.pathname === '/v5/market/open-interest') return { retCode: 0, retMsg: 'OK', result: { symbol, category: 'linear', list: [], nextPageCursor: '' }, retExtInfo: {}, time: Date.now() };
      throw new Error(`no such endpoint ${url.pathname}`);
    },
  };
}

// --- OKX v5 ---

/** OKX's predicted funding rate in the fixture: it moves with each 30 s push (so a stale one shows). */
export const okxRateAt = (sec: number) => new Decimal('0.0001').plus(new Decimal(Math.floor(sec / 30) % 7).times('0.000001')).toFixed(7);

/** OKX: trades in contracts (ctVal 0.01), mark-price, open-interest, funding-rate, liquidation-orders (also of another swap); from `t0` (default 14:00 UTC). */
export function okxReplay(instId: string, n: number, t0 = Date.UTC(2026, 10, 30, 14)): VenueReplay {
  const trades = generateTrades(n, t0, 11);
  let lastSec = 0;
  let nextLiq = 120;
  const contracts = (qty: string) => new Decimal(qty).div('0.01').toFixed();
  return assemble(
    trades,
    (batch) => JSON.stringify({ arg: { channel: 'trades', instId }, data: batch.map((t) => ({ instId, tradeId: String(t.id), px: t.price, sz: contracts(t.qty), side: t.side, ts: String(t.ts), count: '1', source: '0', seqId: t.id })) }),
    (t, i) => {
      const out: { text: string; liq?: { ts: number; side: 'buy' | 'sell'; price: string; qty: string }[] }[] = [];
      const sec = Math.floor(t.ts / 1000);
      if (sec !== lastSec) {
        lastSec = sec;
        out.push({ text: JSON.stringify({ arg: { channel: 'mark-price', instId }, data: [{ instType: 'SWAP', instId, markPx: t.price, ts: String(sec * 1000) }] }) });
        if (sec % 3 === 0) out.push({ text: JSON.stringify({ arg: { channel: 'open-interest', instId }, data: [{ instType: 'SWAP', instId, oi: String(2_000_000 + sec % 1000), oiCcy: String((2_000_000 + (sec % 1000)) / 100), oiUsd: '1', ts: String(sec * 1000) }] }) });
        if (sec % 30 === 0) out.push({ text: JSON.stringify({ arg: { channel: 'funding-rate', instId }, data: [{ instId, instType: 'SWAP', fundingRate: okxRateAt(sec), fundingTime: String(Math.floor(sec / 28_800 + 1) * 28_800_000), method: 'next_period', ts: String(sec * 1000) }] }) });
      }
      if (i >= nextLiq) {
        nextLiq += 120;
        const side: 'buy' | 'sell' = (nextLiq / 120) % 2 === 0 ? 'sell' : 'buy';
        out.push({
          text: JSON.stringify({ arg: { channel: 'liquidation-orders', instType: 'SWAP' }, data: [
            { instType: 'SWAP', instId, instFamily: 'BTC-USDT', uly: 'BTC-USDT', details: [{ side, posSide: side === 'sell' ? 'long' : 'short', bkPx: t.price, sz: '25', bkLoss: '0', ccy: '', ts: String(t.ts) }] },
            { instType: 'SWAP', instId: 'ETH-USDT-SWAP', instFamily: 'ETH-USDT', uly: 'ETH-USDT', details: [{ side: 'buy', posSide: 'short', bkPx: '3000', sz: '7', bkLoss: '0', ccy: '', ts: String(t.ts) }] },
          ] }),
          liq: [{ ts: t.ts, side, price: t.price, qty: '0.25' }],
        });
      }
      return out;
    },
  );
}

export function okxBehaviour(r: VenueReplay, instId: string, served: Set<number>): VenueBehaviour {
  const row = (t: TruthTrade) => ({ instId, side: t.side, sz: new Decimal(t.qty).div('0.01').toFixed(), px: t.price, tradeId: String(t.id), ts: String(t.ts) });
  return {
    streamsOnConnect: false,
    onClientText(text, reply) {
      if (text === 'ping') {
        reply('pong');
        return;
      }
      const m = JSON.parse(text) as { op: string; args: { channel: string }[] };
      for (const a of m.args) reply(JSON.stringify({ event: 'subscribe', arg: a, connId: 'a4d3ae55' }));
      return { subscribed: m.args.some((a) => a.channel === 'liquidation-orders') };
    },
    rest(url, _body, pos) {
      if (url.pathname === '/api/v5/public/instruments') return { code: '0', msg: '', data: [{ instType: 'SWAP', instId, ctVal: '0.01', ctValCcy: 'BTC', ctType: 'linear', settleCcy: 'USDT' }] };
      const all = published(r, pos);
      if (url.pathname === '/api/v5/market/trades') {
        const list = all.slice(-Number(url.searchParams.get('limit') ?? 100)).reverse();
        for (const t of list) served.add(t.id);
        return { code: '0', msg: '', data: list.map(row) };
      }
      if (url.pathname === '/api/v5/public/funding-rate-history') {
        // Settled at each 8-hour funding time published so far (newest first): the rate of the last push before it.
        const to = Math.min(Number(url.searchParams.get('after') ?? Infinity) - 1, pos > 0 ? r.frames[pos - 1]!.tsMs : 0);
        const from = Number(url.searchParams.get('before') ?? 0) + 1;
        const data = [];
        for (let f = Math.ceil(r.trades[0]!.ts / 28_800_000) * 28_800_000; f <= to; f += 28_800_000) {
          if (f >= from) data.unshift({ instType: 'SWAP', instId, formulaType: 'withRate', fundingRate: okxRateAt(f / 1000 - 30), realizedRate: okxRateAt(f / 1000 - 30), fundingTime: String(f), method: 'next_period' });
        }
        return { code: '0', msg: '', data };
      }
      if (url.pathname === '/api/v5/market/history-trades') {
        // type=1: paginate by trade id; `after`: older than this id.
        const after = Number(url.searchParams.get('after'));
        const list = all.filter((t) => t.id < after).slice(-Number(url.searchParams.get('limit') ?? 100)).reverse();
        for (const t of list) served.add(t.id);
        return { code: '0', msg: '', data: list.map(row) };
      }
      throw new Error(`no such endpoint ${url.pathname}`);
    },
  };
}

// --- Hyperliquid ---

/** Hyperliquid's predicted hourly funding in the fixture: it moves every 10 s (so a stale one shows). */
export const hyperliquidRateAt = (sec: number) => new Decimal('0.0000125').plus(new Decimal(Math.floor(sec / 10) % 7).times('0.0000001')).toFixed(8);

/** Hyperliquid: trades with both users, activeAssetCtx every second; from `t0` (default 16:00 UTC). */
export function hyperliquidReplay(coin: string, n: number, t0 = Date.UTC(2026, 10, 30, 16)): VenueReplay {
  const trades = generateTrades(n, t0, 23);
  let lastSec = 0;
  return assemble(
    trades,
    (batch) => JSON.stringify({ channel: 'trades', data: batch.map((t) => ({ coin, side: t.side === 'buy' ? 'B' : 'A', px: t.price, sz: t.qty, hash: `0x${t.id.toString(16).padStart(64, '0')}`, time: t.ts, tid: t.id, users: [`0xbuyer${t.id % 17}`, `0xseller${t.id % 13}`] })) }),
    (t) => {
      const sec = Math.floor(t.ts / 1000);
      if (sec === lastSec) return [];
      lastSec = sec;
      return [{ text: JSON.stringify({ channel: 'activeAssetCtx', data: { coin, ctx: { dayNtlVlm: '1', prevDayPx: t.price, markPx: t.price, midPx: t.price, funding: hyperliquidRateAt(sec), openInterest: `${10_000 + (sec % 100)}.5`, oraclePx: t.price, premium: '0', impactPxs: [t.price, t.price] } } }) }];
    },
  );
}

export function hyperliquidBehaviour(r?: VenueReplay): VenueBehaviour {
  return {
    streamsOnConnect: false,
    onClientText(text, reply) {
      const m = JSON.parse(text) as { method: string; subscription?: { type: string } };
      if (m.method === 'ping') {
        reply(JSON.stringify({ channel: 'pong' }));
        return;
      }
      reply(JSON.stringify({ channel: 'subscriptionResponse', data: m }));
      return { subscribed: m.subscription?.type === 'activeAssetCtx' };
    },
    rest(url, body, pos) {
      const q = url.pathname === '/info' ? (JSON.parse(body) as { type: string; coin: string; startTime: number; endTime?: number }) : null;
      if (!r || q?.type !== 'fundingHistory') throw new Error(`no such endpoint ${url.pathname}`);
      // Settled every hour published so far: the rate of the second before it.
      const to = Math.min(q.endTime ?? Infinity, pos > 0 ? r.frames[pos - 1]!.tsMs : 0);
      const out = [];
      for (let h = Math.ceil(r.trades[0]!.ts / 3_600_000) * 3_600_000; h <= to; h += 3_600_000) if (h >= q.startTime) out.push({ coin: q.coin, fundingRate: hyperliquidRateAt(h / 1000 - 1), premium: '0', time: h });
      return out;
    },
  };
}
