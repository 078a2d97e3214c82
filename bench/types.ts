/** One benchmark figure: a value next to a baseline measured in the same run. */
export interface BenchFigure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The baseline's value in the same unit (measured in the same run). */
  readonly baseline: number;
  /** value / baseline (higher is better for rates; for times, say so in `name`). */
  readonly ratio: number;
  /** What the baseline is. */
  readonly baselineName?: string;
  readonly note?: string;
}
