import { PNG } from 'pngjs';
import type { HeatmapMatrix } from '../levels/heatmap.js';
import { colourIndex, VIRIDIS } from './viridis.js';

/** Size of a rendered heatmap, pixels. */
export interface PngSize {
  readonly width: number;
  readonly height: number;
}

/**
 * Renders a heatmap (long + short) as a PNG: time across, price up, viridis by cell notional,
 * the price line in white over it. Nearest-cell sampling: each pixel shows one cell.
 */
export function renderHeatmapPng(m: HeatmapMatrix, size: PngSize): Buffer {
  const { width, height } = size;
  const png = new PNG({ width, height });
  const cols = m.times.length;
  const rows = m.prices.length;
  let max = 0;
  for (let i = 0; i < m.long.length; i++) max = Math.max(max, (m.long[i] ?? 0) + (m.short[i] ?? 0));
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
      const v = i < 0 || j < 0 ? 0 : (m.long[i * rows + j] ?? 0) + (m.short[i * rows + j] ?? 0);
      setPixel(x, y, VIRIDIS[colourIndex(v, max)]!);
    }
  }
  if (cols > 0 && rows > 0) {
    const lo = m.prices[0]!;
    const span = rows * m.priceBucket;
    for (let x = 0; x < width; x++) {
      const i = Math.min(cols - 1, Math.floor((x / width) * cols));
      const y = Math.round((1 - ((m.priceLine[i] ?? lo) - lo) / span) * (height - 1));
      if (y >= 0 && y < height) setPixel(x, y, [255, 255, 255]);
    }
  }
  return PNG.sync.write(png);
}
