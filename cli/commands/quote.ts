import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { LiqmapError } from '../../base/index.js';
import { EXCHANGES, parseBracketFile, quotePosition, type TierRow } from '../../engine/index.js';

/** Flags that are switches, not values. */
const SWITCHES = new Set(['hedge', 'collateralIsIndex', 'json']);
/** Flag names that differ from the quote input's field names. */
const RENAMED: Readonly<Record<string, string>> = {
  maxImpactFactor: 'maxImpactFactorForLiquidations',
  fundingFeePerSize: 'fundingFeeAmountPerSize',
  latestFundingFeePerSize: 'latestFundingFeeAmountPerSize',
};

/** The tier table of `--brackets <file>`; errors name the file (and the tier and field). */
function readBrackets(file: string, symbol: string | boolean | undefined): TierRow[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new LiqmapError('INPUT_INVALID', `${file}: cannot read the tier table (${(e as Error).message})`, { file }, e);
  }
  return parseBracketFile(text, { source: file, symbol: typeof symbol === 'string' ? symbol : undefined });
}

/**
 * `liqmap quote`: a position's margins and liquidation price on any supported venue, from the
 * engine's rule sets. Flag names are stable (scripts rely on them); numbers print as decimal
 * strings.
 */
export function quoteCommand(): Command {
  return new Command('quote')
    .description('margins, liquidation and bankruptcy price of a position (binance, bybit, okx, hyperliquid, dydx, gmx)')
    .addOption(new Option('--exchange <venue>', 'venue').choices([...EXCHANGES]).makeOptionMandatory())
    .addOption(new Option('--side <side>', 'position side').choices(['long', 'short']).makeOptionMandatory())
    .option('--qty <n>', 'size, base units')
    .option('--entry <price>', 'entry price, quote')
    .addOption(new Option('--mode <mode>', 'margin mode').choices(['isolated', 'cross']))
    .option('--leverage <n>', 'initial leverage (checked against the tier maximum)')
    .option('--symbol <symbol>', 'Binance/Bybit/OKX symbol, e.g. BTCUSDT')
    .option('--wallet <n>', 'Binance: cross wallet balance, or the isolated wallet balance; OKX cross: USDT balance of the cross account (less isolated margin and open orders), quote')
    .option('--mmr <rate>', 'maintenance margin rate override (0.004 = 0.4%)')
    .option('--cum <n>', 'Binance: maintenance amount of the bracket, quote')
    .option('--other-maintenance <n>', 'Binance/OKX/Hyperliquid/dYdX cross: maintenance margin of the other positions (TMM1; OKX: plus their liquidation fees), quote')
    .option('--other-upnl <n>', 'Binance/OKX cross: unrealized PnL of the other positions (UPNL1), quote')
    .option('--brackets <file>', 'Binance/Bybit/OKX/Hyperliquid: tier table, JSON: /fapi/v1/leverageBracket\'s brackets (bare array, or [{"symbol":…,"brackets":[…]}])')
    .option('--hedge', 'Binance: hedge mode (one position per side gives the one-way price)')
    .option('--mm-deduction <n>', 'Bybit: maintenance margin deduction of the risk-limit tier, quote')
    .option('--extra-margin <n>', 'Bybit/OKX/Binance isolated: margin added (or, negative, taken out), quote')
    .option('--margin <n>', 'OKX/Hyperliquid isolated margin, quote')
    .option('--taker-fee <rate>', 'Bybit/OKX taker fee rate (fee-to-close term)')
    .option('--coin <coin>', 'Hyperliquid coin, e.g. ETH')
    .option('--account-value <n>', 'Hyperliquid cross: account value, quote')
    .option('--max-leverage <n>', 'Hyperliquid: max leverage of the asset (maintenance = half the initial margin at it)')
    .option('--market <market>', 'dYdX market, e.g. ETH-USD')
    .option('--equity <n>', 'dYdX: account equity at --oracle, quote')
    .option('--oracle <price>', 'dYdX: oracle price, quote')
    .option('--mmf <f>', 'dYdX maintenance margin fraction')
    .option('--imf <f>', 'dYdX initial margin fraction')
    .option('--size-usd <n>', 'GMX: position size, USD')
    .option('--size-tokens <n>', 'GMX: position size, index tokens')
    .option('--collateral-tokens <n>', 'GMX: collateral amount, collateral tokens')
    .option('--collateral-usd <n>', 'GMX: collateral value, USD (when the amount is not known)')
    .option('--collateral-is-index', 'GMX: the collateral is the index token')
    .option('--collateral-price <price>', 'GMX: USD per collateral token of a non-index collateral, its own oracle price (default 1)')
    .option('--gmx-market <name|address>', 'GMX: take the market parameters below from the dated snapshot of this market (e.g. ETH-USD); flags override')
    .option('--min-collateral-factor <f>', 'GMX: minCollateralFactorForLiquidation of the market (default 0.01)')
    .option('--min-collateral-usd <n>', 'GMX: minCollateralUsd (default 1)')
    .option('--position-fee-factor <f>', 'GMX: position fee factor of the close (fraction of size)')
    .option('--borrowing-factor <f>', "GMX: the position's borrowingFactor (fraction)")
    .option('--cumulative-borrowing-factor <f>', "GMX: the market side's cumulative borrowing factor now (fraction): pending borrowing = size x difference")
    .option('--funding-fee-per-size <n>', "GMX: the position's fundingFeeAmountPerSize (collateral tokens per USD)")
    .option('--latest-funding-fee-per-size <n>', "GMX: the market's latest fundingFeeAmountPerSize (collateral tokens per USD)")
    .option('--pending-impact-tokens <n>', 'GMX: the position pendingImpactAmount, index tokens (negative = cost)')
    .option('--fees-usd <n>', 'GMX: other pending costs to close, USD')
    .option('--price-impact-usd <n>', 'GMX: price impact of closing, USD (negative = cost)')
    .option('--max-impact-factor <f>', 'GMX: maxPositionImpactFactorForLiquidations')
    .option('--mark <price>', 'GMX: mark price to test liquidatable at')
    .option('--funding-paid <n>', 'funding paid since entry, quote (negative: received): gives the funding-adjusted liquidation price')
    .option('--json', 'print JSON (numbers as decimal strings)')
    .action((flags: Record<string, string | boolean | undefined>) => {
      const input: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(flags)) {
        if (v === undefined || k === 'json') continue;
        const key = RENAMED[k] ?? k;
        input[key] = SWITCHES.has(k) ? v === true : v;
      }
      if (typeof flags.brackets === 'string') input.brackets = readBrackets(flags.brackets, flags.symbol ?? flags.coin);
      const q = quotePosition(input);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(q, null, 2)}\n`);
        return;
      }
      const rows: [string, string | number | boolean | null | undefined][] = [
        ['liquidation price', q.liquidationPrice ?? 'none (price cannot liquidate it)'],
        ['bankruptcy price', q.bankruptcyPrice ?? 'none'],
        ['initial margin', q.initialMargin],
        ['maintenance margin', q.maintenanceMargin],
        ['tier', q.tier],
        ['liquidatable at mark', q.liquidatable],
        ['brackets', q.brackets],
      ];
      for (const [k, v] of rows) if (v !== undefined && v !== null) process.stdout.write(`${k.padEnd(20)} ${String(v)}\n`);
    });
}
