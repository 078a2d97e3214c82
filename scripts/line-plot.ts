import { PNG } from 'pngjs';

/** One line of a plot: points in data units and an RGB colour. */
export interface Series {
  readonly points: readonly (readonly [number, number])[];
  readonly rgb: readonly [number, number, number];
  /** Dashed (every other 6 px). */
  readonly dashed?: boolean;
}

/**
 * A line plot as PNG bytes: white background, light grid at tenths of each axis, the series
 * drawn 2 px wide. No text (axes and legend go in the caption beside it), which keeps this to
 * pngjs alone.
 */
export function linePlot(series: readonly Series[], opts: { width?: number; height?: number; x: [number, number]; y: [number, number] }): Buffer {
  const w = opts.width ?? 640;
  const h = opts.height ?? 400;
  const pad = 24;
  const png = new PNG({ width: w, height: h });
  png.data.fill(255);
  const set = (x: number, y: number, [r, g, b]: readonly [number, number, number]) => {
    if (x < 0 || y < 0 || x >= w || y >= h) return;
    const i = (y * w + x) * 4;
    png.data[i] = r;
    png.data[i + 1] = g;
    png.data[i + 2] = b;
    png.data[i + 3] = 255;
  };
  const px = (x: number) => Math.round(pad + ((x - opts.x[0]) / (opts.x[1] - opts.x[0] || 1)) * (w - 2 * pad));
  const py = (y: number) => Math.round(h - pad - ((y - opts.y[0]) / (opts.y[1] - opts.y[0] || 1)) * (h - 2 * pad));
  for (let k = 0; k <= 10; k++) {
    const gx = Math.round(pad + (k / 10) * (w - 2 * pad));
    const gy = Math.round(pad + (k / 10) * (h - 2 * pad));
    const c: [number, number, number] = k === 0 || k === 10 ? [120, 120, 120] : [225, 225, 225];
    for (let y = pad; y <= h - pad; y++) set(gx, y, c);
    for (let x = pad; x <= w - pad; x++) set(x, gy, c);
  }
  for (const s of series) {
    let walked = 0;
    for (let i = 1; i < s.points.length; i++) {
      const [x0, y0] = [px(s.points[i - 1]![0]), py(s.points[i - 1]![1])];
      const [x1, y1] = [px(s.points[i]![0]), py(s.points[i]![1])];
      const n = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0), 1);
      for (let k = 0; k <= n; k++, walked++) {
        if (s.dashed && Math.floor(walked / 6) % 2 === 1) continue;
        const x = Math.round(x0 + ((x1 - x0) * k) / n);
        const y = Math.round(y0 + ((y1 - y0) * k) / n);
        set(x, y, s.rgb);
        set(x + 1, y, s.rgb);
        set(x, y + 1, s.rgb);
      }
    }
  }
  return PNG.sync.write(png);
}
