/**
 * Binance USDⓈ-M leverage brackets: dated snapshots of `/fapi/v1/leverageBracket`.
 * Brackets change over time; callers pass their own (or `--mmr`/`--cum`) to override.
 */

/** One bracket: notional up to `cap` (quote), its maintenance margin rate, `cum` and max leverage. */
export interface Bracket {
  /** Upper notional bound of the bracket, quote (the lower bound is the previous cap). */
  readonly cap: string;
  /** Maintenance margin rate (0.004 = 0.4%). */
  readonly mmr: string;
  /** Maintenance amount, quote: cum_n = cum_{n−1} + floor_n × (MMR_n − MMR_{n−1}). */
  readonly cum: string;
  /** Highest initial leverage allowed in the bracket. */
  readonly maxLeverage: number;
}

/** A dated snapshot of one symbol's brackets. */
export interface BracketSnapshot {
  readonly symbol: string;
  /** When the snapshot was taken (YYYY-MM). */
  readonly asOf: string;
  readonly source: string;
  readonly brackets: readonly Bracket[];
}

const BTCUSDT: BracketSnapshot = {
  symbol: 'BTCUSDT',
  asOf: '2024-10',
  source: 'Binance /fapi/v1/leverageBracket (snapshot in shared/reference/margin-formulas.md)',
  brackets: [
    { cap: '50000', mmr: '0.004', cum: '0', maxLeverage: 125 },
    { cap: '600000', mmr: '0.005', cum: '50', maxLeverage: 100 },
    { cap: '3000000', mmr: '0.0065', cum: '950', maxLeverage: 75 },
    { cap: '12000000', mmr: '0.01', cum: '11450', maxLeverage: 50 },
    { cap: '70000000', mmr: '0.02', cum: '131450', maxLeverage: 25 },
    { cap: '100000000', mmr: '0.025', cum: '481450', maxLeverage: 20 },
    { cap: '230000000', mmr: '0.05', cum: '2981450', maxLeverage: 10 },
    { cap: '480000000', mmr: '0.1', cum: '14481450', maxLeverage: 5 },
    { cap: '600000000', mmr: '0.125', cum: '26481450', maxLeverage: 4 },
    { cap: '800000000', mmr: '0.15', cum: '41481450', maxLeverage: 3 },
    { cap: '1200000000', mmr: '0.25', cum: '121481450', maxLeverage: 2 },
    { cap: '1800000000', mmr: '0.5', cum: '421481450', maxLeverage: 1 },
  ],
};

/** A bracket whose leverage cap the source does not give. */
const UNCHECKED = Number.POSITIVE_INFINITY;

const ETHUSDT: BracketSnapshot = {
  symbol: 'ETHUSDT',
  // Binance's own date of this table is unknown: it is the ETH-USDT table of Binance's web
  // calculator as copied in public gists (crackcomm/e29582030d9eeac6c6124a7503cd0ac2, and its
  // fork mattj161/21bec86528700b7e4cb025730485a2a7, last active 2023-09-18). Older than the
  // BTCUSDT snapshot; pass --mmr/--cum (or model maintenanceTiers) for today's. The source
  // gives the table's 100× only: the leverage caps of the higher brackets are not checked.
  asOf: 'undated, ≤ 2023-09',
  source: 'Binance USDⓈ-M ETHUSDT leverage and margin table, via public gists (see comment)',
  brackets: [
    { cap: '10000', mmr: '0.005', cum: '0', maxLeverage: 100 },
    { cap: '100000', mmr: '0.0065', cum: '15', maxLeverage: UNCHECKED },
    { cap: '500000', mmr: '0.01', cum: '365', maxLeverage: UNCHECKED },
    { cap: '1000000', mmr: '0.02', cum: '5365', maxLeverage: UNCHECKED },
    { cap: '2000000', mmr: '0.05', cum: '35365', maxLeverage: UNCHECKED },
    { cap: '5000000', mmr: '0.1', cum: '135365', maxLeverage: UNCHECKED },
    { cap: '10000000', mmr: '0.125', cum: '260365', maxLeverage: UNCHECKED },
    { cap: '20000000', mmr: '0.15', cum: '510365', maxLeverage: UNCHECKED },
    { cap: '5000000000', mmr: '0.25', cum: '2510365', maxLeverage: UNCHECKED },
  ],
};

/** Built-in snapshots by symbol. */
export const BINANCE_BRACKETS: Readonly<Record<string, BracketSnapshot>> = { BTCUSDT, ETHUSDT };
