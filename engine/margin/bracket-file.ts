import { parse as parseLossless } from 'lossless-json';
import { z } from 'zod';
import { EngineError } from '../errors.js';
import { dec } from './decimal.js';
import type { TierRow } from './tier-rows.js';

/** Where a table came from and which symbol's table to take from a multi-symbol response. */
export interface BracketFileContext {
  /** Named in every error (the file's path). */
  readonly source: string;
  /** Picks `[{"symbol": …, "brackets": […]}]`'s entry; optional when it holds one symbol. */
  readonly symbol?: string;
}

const decimal = z.string({ error: (i) => (i.input === undefined ? 'missing' : 'must be a decimal number') }).regex(/^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i, 'must be a decimal number');

/** One bracket of Binance's `/fapi/v1/leverageBracket` (other fields it may add are ignored). */
const bracketSchema = z.object(
  {
    bracket: decimal.optional(),
    initialLeverage: decimal,
    notionalCap: decimal,
    notionalFloor: decimal,
    maintMarginRatio: decimal,
    cum: decimal,
  },
  { error: 'must be an object like {"bracket":1,"initialLeverage":125,"notionalCap":50000,"notionalFloor":0,"maintMarginRatio":0.004,"cum":0}' },
);

function fail(ctx: BracketFileContext, where: string, message: string): never {
  throw new EngineError('INPUT_INVALID', `${ctx.source}: ${where}${message}`);
}

/** The bracket list: the bare array, or the entry of `[{"symbol", "brackets"}]` for the symbol. */
function bracketList(raw: unknown, ctx: BracketFileContext): unknown[] {
  if (!Array.isArray(raw) || raw.length === 0) fail(ctx, '', 'expected a non-empty JSON array of brackets, or /fapi/v1/leverageBracket\'s [{"symbol":…,"brackets":[…]}]');
  const first: unknown = raw[0];
  if (typeof first !== 'object' || first === null || !('brackets' in first)) return raw;
  const symbols = raw.map((e) => String((e as { symbol?: unknown }).symbol ?? ''));
  const want = ctx.symbol?.toUpperCase();
  const at = want === undefined ? (raw.length === 1 ? 0 : -1) : symbols.findIndex((s) => s.toUpperCase() === want);
  if (at < 0) fail(ctx, '', want === undefined ? `holds ${symbols.join(', ')}: pass --symbol to pick one` : `no brackets for ${want} (it holds ${symbols.join(', ')})`);
  const list = (raw[at] as { brackets: unknown }).brackets;
  if (!Array.isArray(list) || list.length === 0) fail(ctx, `${symbols[at]}: `, 'brackets: expected a non-empty array');
  return list;
}

/**
 * A tier table from the text of a JSON file: Binance's leverage brackets (the bare array or
 * the `/fapi/v1/leverageBracket` response), the shape every venue's `--brackets` takes.
 * Checked at the edge: each field a decimal, the tiers contiguous from 0 (each floor the
 * previous cap), rates in [0, 1), leverage above 0; errors name the source, the tier (1-based)
 * and the field.
 */
export function parseBracketFile(text: string, ctx: BracketFileContext): TierRow[] {
  let raw: unknown;
  try {
    // Every number as the text it is written as, so that `0.0065` or a 20-digit cap reach the
    // engine as written, not through a binary double.
    raw = parseLossless(text, null, (digits) => digits);
  } catch (e) {
    fail(ctx, '', `not JSON (${(e as Error).message})`);
  }
  const list = bracketList(raw, ctx);
  const rows: TierRow[] = [];
  list.forEach((item, i) => {
    const where = `tier ${i + 1}: `;
    const parsed = bracketSchema.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      fail(ctx, where, `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`);
    }
    const b = parsed.data;
    const floor = dec(b.notionalFloor);
    const prevCap = rows.at(-1)?.cap ?? '0';
    if (!floor.eq(prevCap)) fail(ctx, where, `notionalFloor: ${b.notionalFloor} is not ${i === 0 ? '0 (the first tier starts at 0)' : `the previous tier's notionalCap ${prevCap}`}`);
    if (dec(b.notionalCap).lte(floor)) fail(ctx, where, `notionalCap: ${b.notionalCap} is not above notionalFloor ${b.notionalFloor}`);
    const mmr = dec(b.maintMarginRatio);
    if (mmr.lt(0) || mmr.gte(1)) fail(ctx, where, `maintMarginRatio: ${b.maintMarginRatio} is not a fraction in [0, 1) (0.004 = 0.4%)`);
    if (dec(b.cum).lt(0)) fail(ctx, where, `cum: ${b.cum} must not be negative`);
    const lev = Number(b.initialLeverage);
    if (!(lev > 0) || !Number.isFinite(lev)) fail(ctx, where, `initialLeverage: ${b.initialLeverage} must be greater than zero`);
    rows.push({ floor: b.notionalFloor, cap: b.notionalCap, mmr: b.maintMarginRatio, cum: b.cum, maxLeverage: lev });
  });
  return rows;
}
