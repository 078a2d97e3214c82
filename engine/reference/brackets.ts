import { RD } from './decimal.js';
import type { ReferenceParams } from './types.js';

/**
 * The maintenance rate m and amount fraction c = cum / notional the reference applies: from the
 * venue's brackets, the first whose cap holds `positionNotional` (the last beyond them), looked
 * up here in decimals; or the flat rate and amount the parameters give.
 */
export function referenceMaintenance(p: ReferenceParams): { rate: RD; amountFraction: RD } {
  const tiers = p.maintenanceTiers;
  if (!tiers || tiers.length === 0) return { rate: new RD(p.maintenanceMarginRate), amountFraction: new RD(p.maintenanceAmountFraction) };
  const notional = new RD(p.positionNotional);
  let tier = tiers[tiers.length - 1]!;
  for (const t of tiers) {
    if (notional.lte(t.cap)) {
      tier = t;
      break;
    }
  }
  return { rate: new RD(tier.rate), amountFraction: new RD(tier.amount).div(notional) };
}
