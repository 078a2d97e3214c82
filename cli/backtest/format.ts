import type { Interval, WalkForwardScore, WindowScore } from '../../engine/index.js';

/** `0.256 [0.190, 0.294]` as `25.6% [19.0–29.4]` (percent) or `1.28× [0.95–1.47]` (ratio). */
export function formatInterval(i: Interval | null | undefined, kind: 'pct' | 'ratio' | 'rho'): string {
  if (!i || i.value === null) return 'n/a';
  const f = (x: number) => (kind === 'pct' ? (100 * x).toFixed(1) : x.toFixed(2));
  const unit = kind === 'pct' ? '%' : kind === 'ratio' ? '×' : '';
  return i.low === null || i.high === null ? `${f(i.value)}${unit}` : `${f(i.value)}${unit} [${f(i.low)}–${f(i.high)}]`;
}

function windowLines(label: string, w: WindowScore): string {
  const c = w.capture;
  const lines = [
    `  ${label}: ${new Date(w.from).toISOString()} → ${new Date(w.to).toISOString()}, ${c.predictions} predictions, ${c.liquidations} liquidations in the traversed ranges` +
      (c.insideTraversed === null ? '' : ` (${(100 * c.insideTraversed).toFixed(0)}% of the horizons' notional), ${c.bucketsPerPrediction?.toFixed(0) ?? 'n/a'} buckets ranked per prediction`),
  ];
  for (const f of c.figures) {
    lines.push(`    capture q=${(100 * f.q).toFixed(0)}%: model ${formatInterval(f.model, 'pct')} (lift ${formatInterval(f.modelLift, 'ratio')}), distance baseline ${formatInterval(f.distance, 'pct')} (lift ${formatInterval(f.distanceLift, 'ratio')}), know-nothing ${(100 * f.q).toFixed(0)}%`);
  }
  lines.push(`    amounts: Spearman(predicted crossed, realized) ${formatInterval(w.amounts.model, 'rho')} vs |return|×volume ${formatInterval(w.amounts.modelFree, 'rho')} over ${w.amounts.samples} bucket-sides, ${w.amounts.liquidations} liquidations`);
  return lines.join('\n');
}

/** The text report of a walk-forward score. */
export function formatWalkForward(s: WalkForwardScore): string {
  return [
    `  scored at the ${s.semantics} price${s.sided ? '' : ' (records carry no side: both sides pooled)'}; horizon ${s.horizonMs / 3_600_000} h; intervals: 95%, block bootstrap over prediction times`,
    windowLines('in sample (before the first scored fold)', s.train),
    windowLines(`out of sample (${s.folds.length} fold${s.folds.length === 1 ? '' : 's'}, each fitted on everything before it, pooled)`, s.test),
    ...s.folds.map((f) => {
      const q = (c: typeof f.test) => c.figures.find((x) => Math.abs(x.q - 0.2) < 1e-9);
      return `    fold ${new Date(f.from).toISOString()} → ${new Date(f.to).toISOString()}: capture q=20% model ${formatInterval(q(f.test)?.model, 'pct')}, distance ${formatInterval(q(f.test)?.distance, 'pct')} over ${f.test.predictions} predictions (its fit window: model ${formatInterval(q(f.fit)?.model, 'pct')} over ${f.fit.predictions})`;
    }),
  ].join('\n');
}
