import type { AggTrade, BinanceReplay } from './binance.js';

/**
 * A long Binance USDⓈ-M `<symbol>@aggTrade` stream of `n` generated trades in the venue's
 * real payload (`e`, `E`, `a`, `s`, `p`, `q`, `f`, `l`, `T`, `m`), consecutive aggregate ids
 * from `firstId`, one every 2 ms of exchange time, the price walking in 0.1 ticks: for
 * replays longer than the real capture (memory under backpressure). No mark or force frames.
 */
export function binanceSyntheticReplay(n: number, options: { symbol?: string; firstId?: number; t0Ms?: number } = {}): BinanceReplay {
  const symbol = options.symbol ?? 'BTCUSDT';
  const stream = `${symbol.toLowerCase()}@aggTrade`;
  const firstId = options.firstId ?? 4_000_000_000;
  const t0 = options.t0Ms ?? Date.UTC(2026, 10, 30, 12, 0, 0);
  const aggTrades: AggTrade[] = [];
  const frames: BinanceReplay['frames'] = [];
  const aggFrame = new Map<number, number>();
  let ticks = 600_000; // 60,000.0 in 0.1 ticks
  let tradeId = 9_000_000_000;
  for (let k = 0; k < n; k++) {
    // A deterministic walk: up, down or flat by the id's residues.
    ticks += (k * 7919) % 3 - 1;
    const fills = 1 + (k % 3);
    const t: AggTrade = { a: firstId + k, p: (ticks / 10).toFixed(1), q: (0.001 * (1 + (k % 17))).toFixed(3), f: tradeId, l: tradeId + fills - 1, T: t0 + 2 * k, m: k % 2 === 0 };
    tradeId += fills;
    aggTrades.push(t);
    aggFrame.set(t.a, frames.length);
    frames.push({ tsMs: t.T, text: JSON.stringify({ stream, data: { e: 'aggTrade', E: t.T + 1, a: t.a, s: symbol, p: t.p, q: t.q, f: t.f, l: t.l, T: t.T, m: t.m } }) });
  }
  return { symbol, frames, aggFrame, aggTrades, markFrames: [], forceFrames: [], forceOrders: new Map(), oiHistory: [] };
}
