import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Decimal } from 'decimal.js';
import type { ReplayFrame, VenueBehaviour } from './replay-server.js';

/** A Binance aggregate trade as the REST endpoint and the stream print it. */
export interface AggTrade {
  readonly a: number;
  readonly p: string;
  readonly q: string;
  readonly f: number;
  readonly l: number;
  readonly T: number;
  readonly m: boolean;
}

/** A forced order as `<symbol>@forceOrder` prints it. */
export interface ForceOrder {
  readonly S: 'BUY' | 'SELL';
  readonly q: string;
  readonly p: string;
  readonly ap: string;
  readonly T: number;
}

/** A replayable Binance USDⓈ-M day: frames in exchange order and the REST truth behind them. */
export interface BinanceReplay {
  readonly symbol: string;
  readonly frames: ReplayFrame[];
  /** Frame index of each aggregate trade frame, by aggregate id. */
  readonly aggFrame: Map<number, number>;
  readonly aggTrades: AggTrade[];
  /** Frame indexes of mark-price and force-order frames. */
  readonly markFrames: number[];
  readonly forceFrames: number[];
  readonly forceOrders: Map<number, ForceOrder>;
  /** The 5-minute open-interest history the REST endpoint serves. */
  readonly oiHistory: { timestamp: number; sumOpenInterest: string; sumOpenInterestValue: string }[];
}

/**
 * Builds a Binance replay from the real capture (`binance-usdm-btcusdt-ws-2024-08-08.jsonl.gz`,
 * `@trade` frames): consecutive fills of one taker at one price and millisecond become one
 * aggregate trade (what `@aggTrade` sends, with `f`/`l` the real trade ids), a
 * `markPriceUpdate` per second of exchange time (mark = last trade price, as documented:
 * `p`, `i`, `P`, `r`, `T`), and a force order every `forceEvery` aggregate trades in the
 * documented payload shape.
 */
export function binanceReplayFromCapture(file: string, options: { forceEvery?: number; limitTrades?: number; extendMs?: number } = {}): BinanceReplay {
  const lines = gunzipSync(readFileSync(file)).toString('utf8').split('\n');
  const trades: { t: number; p: string; q: string; T: number; m: boolean; s: string }[] = [];
  for (const line of lines) {
    const sp = line.indexOf(' ');
    if (sp < 0) continue;
    const msg = JSON.parse(line.slice(sp + 1)) as { stream?: string; data?: { e: string; t: number; p: string; q: string; T: number; m: boolean; s: string; X?: string } };
    if (msg.data?.e !== 'trade' || msg.data.X === 'NA') continue;
    trades.push(msg.data);
    if (options.limitTrades && trades.length >= options.limitTrades) break;
  }
  const symbol = trades[0]!.s;
  // `extendMs`: synthetic trades after the capture (every 250 ms, the price walking in ticks),
  // e.g. to carry the replay past the funding time the capture ends just before.
  const last = trades.at(-1)!;
  for (let k = 1; k <= Math.floor((options.extendMs ?? 0) / 250); k++) {
    trades.push({ t: last.t + k, p: new Decimal(last.p).plus(((k % 40) - 20) / 10).toFixed(2), q: '0.010', T: last.T + k * 250, m: k % 2 === 0, s: symbol });
  }
  const aggTrades: AggTrade[] = [];
  let a = 3_000_000_000;
  for (const t of trades) {
    const last = aggTrades.at(-1);
    if (last && last.T === t.T && last.p === t.p && last.m === t.m && last.l === t.t - 1) {
      aggTrades[aggTrades.length - 1] = { ...last, q: new Decimal(last.q).plus(t.q).toFixed(3), l: t.t };
    } else aggTrades.push({ a: a++, p: t.p, q: t.q, f: t.t, l: t.t, T: t.T, m: t.m });
  }
  type Pending = { tsMs: number; order: number; text: string; kind: 'agg' | 'mark' | 'force'; id: number; force?: ForceOrder };
  const pending: Pending[] = [];
  let order = 0;
  const forceEvery = options.forceEvery ?? 700;
  for (const [i, t] of aggTrades.entries()) {
    pending.push({ tsMs: t.T, order: order++, kind: 'agg', id: t.a, text: JSON.stringify({ stream: `${symbol.toLowerCase()}@aggTrade`, data: { e: 'aggTrade', E: t.T + 1, a: t.a, s: symbol, p: t.p, q: t.q, f: t.f, l: t.l, T: t.T, m: t.m } }) });
    if (i > 0 && i % forceEvery === 0) {
      const S = i % (2 * forceEvery) === 0 ? 'SELL' : 'BUY';
      const fo: ForceOrder = { S, q: '0.050', p: new Decimal(t.p).times(S === 'SELL' ? 0.999 : 1.001).toFixed(1), ap: t.p, T: t.T };
      pending.push({ tsMs: t.T, order: order++, kind: 'force', id: i, force: fo, text: JSON.stringify({ stream: `${symbol.toLowerCase()}@forceOrder`, data: { e: 'forceOrder', E: t.T + 2, o: { s: symbol, S, o: 'LIMIT', f: 'IOC', q: fo.q, p: fo.p, ap: fo.ap, X: 'FILLED', l: fo.q, z: fo.q, T: fo.T } } }) });
    }
  }
  const firstSec = Math.ceil(aggTrades[0]!.T / 1000);
  const lastSec = Math.floor(aggTrades.at(-1)!.T / 1000);
  let ti = 0;
  for (let s = firstSec; s <= lastSec; s++) {
    while (ti + 1 < aggTrades.length && aggTrades[ti + 1]!.T <= s * 1000) ti++;
    const p = aggTrades[ti]!.p;
    const next = Math.ceil((s * 1000 + 1) / 28_800_000) * 28_800_000;
    pending.push({ tsMs: s * 1000, order: order++, kind: 'mark', id: s, text: JSON.stringify({ stream: `${symbol.toLowerCase()}@markPrice@1s`, data: { e: 'markPriceUpdate', E: s * 1000, s: symbol, p: `${p}0`, i: p, P: p, r: '0.00010000', T: next } }) });
  }
  pending.sort((x, y) => x.tsMs - y.tsMs || x.order - y.order);
  const frames: ReplayFrame[] = [];
  const aggFrame = new Map<number, number>();
  const markFrames: number[] = [];
  const forceFrames: number[] = [];
  const forceOrders = new Map<number, ForceOrder>();
  for (const p of pending) {
    const idx = frames.length;
    frames.push({ text: p.text, tsMs: p.tsMs });
    if (p.kind === 'agg') aggFrame.set(p.id, idx);
    else if (p.kind === 'mark') markFrames.push(idx);
    else {
      forceFrames.push(idx);
      forceOrders.set(idx, p.force!);
    }
  }
  const oiHistory: BinanceReplay['oiHistory'] = [];
  const day0 = Math.floor(aggTrades[0]!.T / 3_600_000) * 3_600_000;
  for (let t = day0; t <= aggTrades.at(-1)!.T + 3_600_000; t += 300_000) {
    const oi = new Decimal(80_000).plus((t - day0) / 300_000).toFixed(3);
    oiHistory.push({ timestamp: t, sumOpenInterest: oi, sumOpenInterestValue: new Decimal(oi).times(60_000).toFixed(8) });
  }
  return { symbol, frames, aggFrame, aggTrades, markFrames, forceFrames, forceOrders, oiHistory };
}

/** Binance's REST endpoints over a replay (only what was published by `published` frames). */
export function binanceBehaviour(replay: BinanceReplay): VenueBehaviour {
  const publishedTime = (published: number) => (published === 0 ? 0 : replay.frames[published - 1]!.tsMs);
  return {
    streamsOnConnect: true,
    rest(url, _body, published) {
      const symbol = url.searchParams.get('symbol');
      if (symbol !== replay.symbol) throw new Error(`unknown symbol ${symbol}`);
      switch (url.pathname) {
        case '/fapi/v1/aggTrades': {
          const fromId = Number(url.searchParams.get('fromId'));
          const limit = Math.min(1000, Number(url.searchParams.get('limit') ?? 500));
          const out: AggTrade[] = [];
          // Ids ascend: a binary search (a long replay is paged through many times).
          let lo = 0;
          let hi = replay.aggTrades.length;
          while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            if (replay.aggTrades[mid]!.a < fromId) lo = mid + 1;
            else hi = mid;
          }
          const start = lo < replay.aggTrades.length ? lo : -1;
          for (let i = start; i >= 0 && i < replay.aggTrades.length && out.length < limit; i++) {
            const t = replay.aggTrades[i]!;
            if (replay.aggFrame.get(t.a)! >= published) break;
            out.push(t);
          }
          return out;
        }
        case '/fapi/v1/fundingRate': {
          // Settled at each 8-hour funding time published so far: the rate and mark of the last
          // markPriceUpdate before it (what the stream's rollover stores when it saw that frame).
          const from = Number(url.searchParams.get('startTime') ?? 0);
          const to = Math.min(Number(url.searchParams.get('endTime') ?? Infinity), publishedTime(published));
          const out: { symbol: string; fundingRate: string; fundingTime: number; markPrice: string }[] = [];
          let before: { r: string; p: string } | null = null;
          for (const i of replay.markFrames) {
            if (i >= published) break;
            const d = (JSON.parse(replay.frames[i]!.text) as { data: { E: number; p: string; r: string; T: number } }).data;
            const funding = Math.floor(d.E / 28_800_000) * 28_800_000;
            if (before && d.E >= funding && funding > d.E - 1000 && funding >= from && funding <= to) out.push({ symbol: replay.symbol, fundingRate: before.r, fundingTime: funding, markPrice: before.p });
            before = { r: d.r, p: d.p };
          }
          return out;
        }
        case '/fapi/v1/openInterest':
          return { openInterest: '81234.567', symbol, time: publishedTime(published) };
        case '/futures/data/openInterestHist': {
          const from = Number(url.searchParams.get('startTime') ?? 0);
          const to = Math.min(Number(url.searchParams.get('endTime') ?? Infinity), publishedTime(published));
          return replay.oiHistory.filter((r) => r.timestamp >= from && r.timestamp <= to).slice(0, 500).map((r) => ({ symbol, ...r }));
        }
        default:
          throw new Error(`no such endpoint ${url.pathname}`);
      }
    },
  };
}
