import { EngineError } from '../errors.js';
import type { QuoteInput } from './quote-input.js';

type Venue = QuoteInput['exchange'];

/**
 * Inputs each venue's rule reads in one margin mode only: given in the other, they would be
 * dropped and the quote come back as if they were not there, so they are refused.
 */
const ONLY_IN: Readonly<Partial<Record<Venue, { readonly cross?: readonly string[]; readonly isolated?: readonly string[] }>>> = {
  binance: { cross: ['otherMaintenance', 'otherUpnl'], isolated: ['extraMargin'] },
  okx: { cross: ['wallet', 'otherMaintenance', 'otherUpnl'], isolated: ['margin', 'extraMargin'] },
  hyperliquid: { cross: ['accountValue', 'otherMaintenance'], isolated: ['margin'] },
  dydx: { cross: ['otherMaintenance'] },
};

/** Inputs a tier table replaces: given with `brackets`, one of the two would be ignored. */
const REPLACED_BY_BRACKETS = ['mmr', 'cum', 'mmDeduction', 'maxLeverage'] as const;

/** `otherMaintenance (--other-maintenance)`: the field and the CLI flag it comes from. */
const named = (field: string) => `${field} (--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)})`;

/**
 * Refuses (INPUT_INVALID, naming the input, its flag and the mode) an input that has no
 * meaning in the quote's margin mode, and a rate override given together with a tier table.
 */
export function checkModeInputs(input: QuoteInput): void {
  const given = (k: string) => (input as Record<string, unknown>)[k] !== undefined;
  const mode = 'mode' in input ? input.mode : undefined;
  const only = ONLY_IN[input.exchange];
  if (mode !== undefined && only) {
    const other = mode === 'cross' ? 'isolated' : 'cross';
    const wrong = (only[other] ?? []).find(given);
    if (wrong !== undefined) {
      throw new EngineError('INPUT_INVALID', `${named(wrong)} is read in ${other} mode only; this ${input.exchange} position is ${mode} (pass --mode ${other}, or leave it out)`);
    }
  }
  if (given('brackets')) {
    const clash = REPLACED_BY_BRACKETS.find(given);
    if (clash !== undefined) throw new EngineError('INPUT_INVALID', `${named(clash)} and --brackets both give the tier's figures: pass one`);
  }
}
