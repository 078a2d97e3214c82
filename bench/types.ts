import type { Spread } from './alternate.js';

/** One benchmark figure: a value next to a baseline measured in the same run. */
export interface BenchFigure {
  readonly name: string;
  /** Our side's value (the median of the alternated runs where there are several). */
  readonly value: number;
  readonly unit: string;
  /** The baseline's value in the same unit (measured in the same run). */
  readonly baseline: number;
  /** value / baseline (higher is better for rates; for times, say so in `name`); the median round's where alternated. */
  readonly ratio: number;
  /** The ratio of each alternated round (ours, theirs, ours, theirs, …) as min/median/max. */
  readonly ratios?: Spread;
  /** What the baseline is. */
  readonly baselineName?: string;
  readonly note?: string;
}
