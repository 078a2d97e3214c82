import { EngineError } from '../errors.js';
import { Dec, dec, type Num } from './decimal.js';

/** A strictly positive input, or an INPUT_INVALID error naming it. */
export function positive(v: Num, name: string): Dec {
  const d = parse(v, name);
  if (d.lte(0)) throw new EngineError('INPUT_INVALID', `${name} must be greater than zero, got ${d.toString()}`);
  return d;
}

/** A non-negative input. */
export function nonNegative(v: Num, name: string): Dec {
  const d = parse(v, name);
  if (d.lt(0)) throw new EngineError('INPUT_INVALID', `${name} must not be negative, got ${d.toString()}`);
  return d;
}

/** A fraction in [0, 1). */
export function fraction(v: Num, name: string): Dec {
  const d = parse(v, name);
  if (d.lt(0) || d.gte(1)) throw new EngineError('INPUT_INVALID', `${name} must be a fraction in [0, 1), got ${d.toString()} (0.005 = 0.5%)`);
  return d;
}

/** Any finite number. */
export function parse(v: Num, name: string): Dec {
  try {
    const d = dec(v);
    if (!d.isFinite()) throw new Error();
    return d;
  } catch {
    throw new EngineError('INPUT_INVALID', `${name} is not a number: ${String(v)}`);
  }
}

/** Leverage within a venue's maximum. */
export function leverageWithin(leverage: Dec, max: Dec, where: string): Dec {
  if (leverage.lte(0)) throw new EngineError('INPUT_INVALID', `leverage must be greater than zero, got ${leverage.toString()}`);
  if (leverage.gt(max)) throw new EngineError('LEVERAGE_TOO_HIGH', `leverage ${leverage.toString()}× is above the maximum ${max.toString()}× of ${where}`);
  return leverage;
}

export { Dec };
