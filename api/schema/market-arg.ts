import type { ApiContext } from '../context.js';
import { userError } from '../errors.js';

/** The market named by an argument, or a caller-facing NOT_FOUND error. */
export async function requireMarket(ctx: ApiContext, id: string): Promise<string> {
  checkMarketId(id);
  const m = await ctx.loaders.market.load(id);
  if (!m) throw userError('NOT_FOUND', `market "${id}" is not indexed; query \`markets\` for the ones that are`);
  return m.id;
}

/** `id` when it has the form exchange:SYMBOL, else a BAD_USER_INPUT error (no query: whether it is indexed is the caller's read). */
export function checkMarketId(id: string): string {
  if (!/^[a-z0-9_-]+:[A-Za-z0-9._/-]+$/.test(id)) {
    throw userError('BAD_USER_INPUT', `market "${id.slice(0, 60)}" is not an id of the form exchange:SYMBOL, e.g. binance:BTCUSDT`);
  }
  return id;
}

/** Checks a time range against the configured maximum (LIQMAP_MAX_RANGE_DAYS). */
export function checkRange(ctx: ApiContext, fromUs: number, toUs: number, what: string): void {
  if (toUs < fromUs) throw userError('BAD_USER_INPUT', `${what}: \`to\` is before \`from\``);
  const maxUs = ctx.config.LIQMAP_MAX_RANGE_DAYS * 86_400 * 1e6;
  if (toUs - fromUs > maxUs) {
    throw userError('RANGE_TOO_LARGE', `${what}: the range is ${((toUs - fromUs) / 86_400e6).toFixed(1)} days; at most ${ctx.config.LIQMAP_MAX_RANGE_DAYS} days per query (LIQMAP_MAX_RANGE_DAYS)`);
  }
}
