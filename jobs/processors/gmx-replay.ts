import { GmxMarketState, gmxV2, type Dec, type GmxPosition, type RuleSet } from '../../engine/index.js';
import type { MarketStateRow, PositionChangeRow } from '../../db/index.js';

/** An open position with its liquidation price under the market's state at the replay's time. */
export interface ReplayedPosition {
  readonly position: PositionChangeRow;
  /** The rule's input (null: the position lacks what the rule needs). */
  readonly input: GmxPosition | null;
  readonly liquidationPrice: Dec | null;
}

/**
 * Replays a GMX v2 market forward in time: position changes open, move and close positions;
 * accumulator and Config updates move the market's state; every open position's liquidation
 * price follows both (pending borrowing and funding grow with the accumulators). A price is
 * recomputed only when its position or the market's state changed since it was last computed.
 */
export class GmxReplay {
  readonly #history: readonly PositionChangeRow[];
  readonly #updates: readonly MarketStateRow[];
  readonly #rules: RuleSet<GmxPosition>;
  readonly #state = new GmxMarketState();
  readonly #open = new Map<string, PositionChangeRow>();
  readonly #cache = new Map<string, { changeId: string; version: number; value: ReplayedPosition }>();
  #nextChange = 0;
  #nextUpdate = 0;

  /** `history` and `updates` in time order (db `positionHistory`, `marketStateHistory`). */
  constructor(history: readonly PositionChangeRow[], updates: readonly MarketStateRow[], rules: RuleSet<GmxPosition> = gmxV2) {
    this.#history = history;
    this.#updates = updates;
    this.#rules = rules;
  }

  /** Applies every change and update with a time before `untilUs` (epoch µs) not applied yet. */
  advanceTo(untilUs: number): void {
    for (;;) {
      const h = this.#history[this.#nextChange];
      const u = this.#updates[this.#nextUpdate];
      const hNext = h !== undefined && h.ts < untilUs;
      const uNext = u !== undefined && u.ts < untilUs;
      if (!hNext && !uNext) return;
      // Same time: the accumulators first (GMX updates them before it logs the position change).
      if (uNext && (!hNext || u.ts <= h.ts)) {
        this.#state.apply(u);
        this.#nextUpdate++;
        continue;
      }
      this.#nextChange++;
      if (!h!.collateralIsIndex) this.#state.price(h!.collateralToken, h!.collateralPrice);
      if (h!.open) this.#open.set(h!.key, h!);
      else this.#open.delete(h!.key);
    }
  }

  /** Every open position with its liquidation price under the state applied so far. */
  positions(): ReplayedPosition[] {
    const out: ReplayedPosition[] = [];
    for (const [key, p] of this.#open) {
      const hit = this.#cache.get(key);
      if (hit && hit.changeId === p.changeId && hit.version === this.#state.version) {
        out.push(hit.value);
        continue;
      }
      const input = this.#state.inputOf(p);
      const value = { position: p, input, liquidationPrice: input === null ? null : this.#rules.quote(input).liquidationPrice };
      this.#cache.set(key, { changeId: p.changeId, version: this.#state.version, value });
      out.push(value);
    }
    for (const key of this.#cache.keys()) if (!this.#open.has(key)) this.#cache.delete(key);
    return out;
  }
}
