import { move } from 'piscina';
import { renderHeatmapPng, type PngSize, type RenderInput } from './heatmap-png.js';

/** The render thread's task: a heatmap in, its PNG bytes out (moved to the caller, not copied). */
export default function renderTask({ input, size }: { input: RenderInput; size: PngSize }): unknown {
  const png = renderHeatmapPng(input, size);
  return move(new Uint8Array(png.buffer, png.byteOffset, png.byteLength));
}
