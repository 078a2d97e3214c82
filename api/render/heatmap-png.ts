import { PNG } from 'pngjs';
import type { HeatmapMatrix } from '../levels/heatmap.js';
import { colourIndex, VIRIDIS } from './viridis.js';

/** Size of a rendered heatmap, pixels. */
export interface PngSize {
  readonly width: number;
  readonly height: number;
}

/** What a render needs of a heatmap, in transferable form (handed to a render thread). */
export interface RenderInput {
  readonly cols: number;
  readonly rows: number;
  /** long + short per cell, row-major by time (values[i × rows + j]). */
  readonly values: Float64Array;
  /** Close of each column, quote. */
  readonly priceLine: Float64Array;
  /** Lower edge of the lowest row, and the row height, quote. */
  readonly lo: number;
  readonly priceBucket: number;
}

/** A heatmap as a render input. */
export function toRenderInput(m: HeatmapMatrix): RenderInput {
  const values = new Float64Array(m.long.length);
  for (let i = 0; i < values.length; i++) values[i] = (m.long[i] ?? 0) + (m.short[i] ?? 0);
  return { cols: m.times.length, rows: m.prices.length, values, priceLine: Float64Array.from(m.priceLine), lo: m.prices[0] ?? 0, priceBucket: m.priceBucket };
}

/**
 * Renders a heatmap (long + short) as a PNG: time across, price up, viridis by cell notional,
 * the price line in white over it. Nearest-cell sampling: each pixel shows one cell.
 */
export function renderHeatmapPng(m: RenderInput, size: PngSize): Buffer {
  const { width, height } = size;
  const png = new PNG({ width, height });
  const { cols, rows, values } = m;
  let max = 0;
  for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  const setPixel = (x: number, y: number, rgb: readonly [number, number, number]) => {
    const o = (y * width + x) * 4;
    png.data[o] = rgb[0];
    png.data[o + 1] = rgb[1];
    png.data[o + 2] = rgb[2];
    png.data[o + 3] = 255;
  };
  for (let y = 0; y < height; y++) {
    // Row 0 of the image is the highest price.
    const j = rows === 0 ? -1 : Math.min(rows - 1, Math.floor(((height - 1 - y) / height) * rows));
    for (let x = 0; x < width; x++) {
      const i = cols === 0 ? -1 : Math.min(cols - 1, Math.floor((x / width) * cols));
      const v = i < 0 || j < 0 ? 0 : (values[i * rows + j] ?? 0);
      setPixel(x, y, VIRIDIS[colourIndex(v, max)]!);
    }
  }
  if (cols > 0 && rows > 0) {
    const span = rows * m.priceBucket;
    for (let x = 0; x < width; x++) {
      const i = Math.min(cols - 1, Math.floor((x / width) * cols));
      const y = Math.round((1 - ((m.priceLine[i] ?? m.lo) - m.lo) / span) * (height - 1));
      if (y >= 0 && y < height) setPixel(x, y, [255, 255, 255]);
    }
  }
  return PNG.sync.write(png);
}
