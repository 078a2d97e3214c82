import { z } from 'zod';
import type { CanonicalEvent } from '../../db/index.js';
import type { Format } from './format.js';
import { RowError } from './format.js';
import { epochMsToUs, optionalQuantity, price, quantity, signedDecimal } from './fields.js';

const num = z.union([z.number(), z.string()]).transform(String);
const ms = z.number().int();

// The four Binance USDⓈ-M stream payloads we keep, as documented in the USDⓈ-M websocket
// market streams reference (field letters are Binance's own).
const trade = z.object({ e: z.literal('trade'), E: ms, T: ms, s: z.string(), t: z.number(), p: num, q: num, X: z.string().optional(), m: z.boolean() });
const aggTrade = z.object({ e: z.literal('aggTrade'), E: ms, T: ms, s: z.string(), a: z.number(), p: num, q: num, m: z.boolean() });
const forceOrder = z.object({
  e: z.literal('forceOrder'),
  E: ms,
  o: z.object({ s: z.string(), S: z.enum(['BUY', 'SELL']), q: num, p: num, ap: num, X: z.string(), l: num, z: num, T: ms }),
});
const markPrice = z.object({ e: z.literal('markPriceUpdate'), E: ms, s: z.string(), p: num, i: num.optional(), r: num.optional() });
const payload = z.discriminatedUnion('e', [trade, aggTrade, forceOrder, markPrice]);

const PREFIX = /^(\d{10,20})\s+/;

function fieldOf(path: readonly PropertyKey[]): string {
  return path.length === 0 ? 'message' : path.map(String).join('.');
}

/**
 * Recorded Binance USDⓈ-M websocket streams: one JSON message per line, raw (`{"e":"trade",…}`)
 * or combined-stream (`{"stream":"btcusdt@trade","data":{…}}`), optionally prefixed by a
 * receive timestamp and a space; gzip or plain. `@trade`, `@aggTrade`, `@forceOrder` and
 * `@markPrice` payloads become events; other streams (depth, bookTicker, …) are read and
 * skipped, not quarantined. Event time is the exchange's (`T`/`E`), never the receive time.
 */
export const binanceWsCapture: Format = {
  name: 'binance-ws',
  description: 'recorded Binance USDⓈ-M websocket messages, one JSON per line (optional receive-time prefix), .gz or plain',
  needsMarket: false,
  detect: (_fileName, firstLine) => /^(?:\d{10,20}\s+)?\{/.test(firstLine) && /"(?:e|stream)"\s*:/.test(firstLine),
  isHeader: () => false,
  marketFromFileName: () => null,
  parseLine(line): CanonicalEvent[] {
    const json = line.replace(PREFIX, '');
    let msg: unknown;
    try {
      msg = JSON.parse(json);
    } catch {
      throw new RowError('message', 'not valid JSON');
    }
    const data = typeof msg === 'object' && msg !== null && 'data' in msg && 'stream' in msg ? (msg as { data: unknown }).data : msg;
    return binanceStreamEvents(data);
  },
};

/**
 * The canonical events of one Binance USDⓈ-M stream payload (the `data` of a combined-stream
 * message): `trade`, `aggTrade`, `forceOrder` and `markPriceUpdate` become events, other
 * payloads none. Shared by the recorded-capture format and the live feed. Throws
 * {@link RowError} for a payload of a kept kind that does not match its documented shape.
 * Force orders are marked `sampled`: the stream pushes at most one per symbol per second.
 */
export function binanceStreamEvents(data: unknown): CanonicalEvent[] {
  const kind = typeof data === 'object' && data !== null ? (data as { e?: unknown }).e : undefined;
  if (kind !== 'trade' && kind !== 'aggTrade' && kind !== 'forceOrder' && kind !== 'markPriceUpdate') return [];
  const parsed = payload.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new RowError(fieldOf(issue.path), `${kind} message: ${fieldOf(issue.path)} ${issue.message}`);
  }
  const d = parsed.data;
  switch (d.e) {
    case 'trade':
      // `X: NA` marks a non-trade placeholder; MARKET, INSURANCE_FUND and ADL are executions.
      if (d.X === 'NA') return [];
      return [{ kind: 'trade', market: `binance:${d.s}`, ts: epochMsToUs(d.T, 'T'), tradeId: String(d.t), price: price(d.p, 'p'), qty: quantity(d.q, 'q'), side: d.m ? 'sell' : 'buy' }];
    case 'aggTrade':
      return [{ kind: 'trade', market: `binance:${d.s}`, ts: epochMsToUs(d.T, 'T'), tradeId: `agg:${d.a}`, price: price(d.p, 'p'), qty: quantity(d.q, 'q'), side: d.m ? 'sell' : 'buy' }];
    case 'forceOrder': {
      const o = d.o;
      const avg = Number(o.ap) > 0 ? price(o.ap, 'o.ap') : price(o.p, 'o.p');
      const filled = optionalQuantity(o.z, 'o.z');
      const qty = filled !== null && Number(filled) > 0 ? filled : quantity(o.q, 'o.q');
      const side = o.S === 'BUY' ? 'buy' : 'sell';
      return [{ kind: 'liquidation', market: `binance:${o.s}`, ts: epochMsToUs(o.T, 'o.T'), side, price: avg, qty, notional: null, key: `${side}:${avg}:${qty}`, sampled: true }];
    }
    case 'markPriceUpdate':
      return [
        {
          kind: 'mark_price',
          market: `binance:${d.s}`,
          ts: epochMsToUs(d.E, 'E'),
          markPrice: price(d.p, 'p'),
          indexPrice: d.i !== undefined && Number(d.i) > 0 ? price(d.i, 'i') : null,
          fundingRate: d.r !== undefined && d.r !== '' ? signedDecimal(d.r, 'r') : null,
        },
      ];
  }
}
