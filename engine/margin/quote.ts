import { EngineError } from '../errors.js';
import { Dec, dec } from './decimal.js';
import { quoteInputSchema, type QuoteInput } from './quote-input.js';
import { checkModeInputs } from './mode-inputs.js';
import { isLiquidatable, marginRatio, type MarginQuote } from './rule-set.js';
import { binanceUsdm } from './binance-usdm.js';
import { bybitLinear } from './bybit-linear.js';
import { okxSwap } from './okx-swap.js';
import { hyperliquid } from './hyperliquid.js';
import { dydxV4 } from './dydx-v4.js';
import { gmxV2 } from './gmx-v2.js';
import { gmxMarketParams } from './gmx-v2-markets.js';
import { marketBrackets } from './bracket-registry.js';

/** A quote as decimal strings, the way the CLI and the API print it. */
export interface QuoteResult {
  readonly exchange: string;
  readonly side: string;
  /** Quote per base unit; null when price cannot liquidate the position. */
  readonly liquidationPrice: string | null;
  readonly bankruptcyPrice: string | null;
  /** Quote currency. */
  readonly initialMargin: string;
  /** Quote currency, at the entry (or oracle) price. */
  readonly maintenanceMargin: string;
  readonly tier: number | null;
  /** GMX (or any venue given a mark): whether the position is liquidatable at `mark`. */
  readonly liquidatable?: boolean;
  /** Maintenance requirement / equity at `mark` (≥ 1: liquidatable). */
  readonly marginRatio?: string;
  /** The bundled tier table the quote read (venue, symbol, date and source), when it read one. */
  readonly brackets?: string;
}

/**
 * Rounds for display without losing what the venue shows: 12 decimals, and at least 15
 * significant digits below 1 (a 0.00001 price keeps its digits), trailing zeros cut.
 */
function show(d: Dec | null): string | null {
  if (d === null) return null;
  const places = d.isZero() ? 12 : Math.max(12, 14 - d.e);
  return d.toDecimalPlaces(places, Dec.ROUND_HALF_EVEN).toFixed();
}

function withFunding(input: QuoteInput): QuoteInput {
  if (input.fundingPaid === undefined) return input;
  const paid = dec(input.fundingPaid);
  const minus = (v: string | undefined, fallback = '0') => dec(v ?? fallback).sub(paid).toFixed();
  switch (input.exchange) {
    case 'binance':
      if (input.wallet === undefined) throw new EngineError('INPUT_INVALID', 'funding adjustment needs --wallet');
      return { ...input, wallet: minus(input.wallet) };
    case 'bybit':
      return { ...input, extraMargin: minus(input.extraMargin) };
    case 'okx':
      if (input.mode === 'isolated') return { ...input, extraMargin: minus(input.extraMargin) };
      if (input.wallet === undefined) throw new EngineError('INPUT_INVALID', 'funding adjustment needs --wallet');
      return { ...input, wallet: minus(input.wallet) };
    case 'hyperliquid':
      return input.mode === 'isolated' ? { ...input, margin: minus(input.margin) } : { ...input, accountValue: minus(input.accountValue) };
    case 'dydx':
      return { ...input, equity: minus(input.equity) };
    case 'gmx':
      return { ...input, feesUsd: dec(input.feesUsd ?? 0).add(paid).toFixed() };
  }
}

/**
 * The bundled table a venue's rule set reads for this input: none when the caller's own rate
 * (--mmr, --max-leverage) or brackets replace it.
 */
function bundledTable(input: QuoteInput): string | undefined {
  if ((input as { brackets?: unknown }).brackets !== undefined) return undefined;
  let market: string | undefined;
  if (input.exchange === 'binance' && input.mmr === undefined) market = `binance:${input.symbol}`;
  else if (input.exchange === 'bybit' && input.mmr === undefined && input.symbol) market = `bybit:${input.symbol}`;
  else if (input.exchange === 'hyperliquid' && input.maxLeverage === undefined) market = `hyperliquid:${input.coin}`;
  const b = market === undefined ? null : marketBrackets(market);
  return b ? `${b.venue} ${b.symbol}, ${b.asOf}: ${b.source}` : undefined;
}

/**
 * Margins and liquidation price of a position on any supported venue. Input is parsed with
 * {@link quoteInputSchema} (throws EngineError INPUT_INVALID naming the field); a
 * `fundingPaid` amount moves the liquidation price by eroding (or growing) the margin.
 */
export function quotePosition(raw: unknown): QuoteResult {
  const parsed = quoteInputSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    if (i.code === 'unrecognized_keys') {
      const venue = (raw as { exchange?: unknown }).exchange;
      throw new EngineError('INPUT_INVALID', `${i.keys.join(', ')}: not an input of ${String(venue)} (see liqmap quote --help for its flags)`);
    }
    throw new EngineError('INPUT_INVALID', `${i.path.join('.') || 'input'}: ${i.message}`);
  }
  checkModeInputs(parsed.data);
  let input = withFunding(parsed.data);
  let q: MarginQuote;
  let extra: { liquidatable?: boolean; marginRatio?: string } = {};
  switch (input.exchange) {
    case 'binance':
      q = binanceUsdm.quote(input);
      break;
    case 'bybit':
      q = bybitLinear.quote(input);
      break;
    case 'okx':
      q = okxSwap.quote(input);
      break;
    case 'hyperliquid':
      q = hyperliquid.quote(input);
      break;
    case 'dydx':
      q = dydxV4.quote(input);
      break;
    case 'gmx': {
      if (input.gmxMarket !== undefined) {
        // The market's snapshot parameters; explicit flags win.
        const { name: _name, ...params } = gmxMarketParams(input.gmxMarket);
        input = { ...params, ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)), exchange: 'gmx' } as typeof input;
      }
      q = gmxV2.quote(input);
      if (input.mark !== undefined) {
        const mark = dec(input.mark);
        extra = { liquidatable: isLiquidatable(gmxV2, input, mark), marginRatio: String(marginRatio(gmxV2, input, mark)) };
      }
      break;
    }
  }
  const table = bundledTable(input);
  return {
    exchange: q.exchange,
    side: q.side,
    liquidationPrice: show(q.liquidationPrice),
    bankruptcyPrice: show(q.bankruptcyPrice),
    initialMargin: show(q.initialMargin)!,
    maintenanceMargin: show(q.maintenanceMargin)!,
    tier: q.tier,
    ...extra,
    ...(table === undefined ? {} : { brackets: table }),
  };
}
