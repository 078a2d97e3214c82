import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { PngSize, RenderInput } from './heatmap-png.js';

const THREAD = new URL('./render-thread.mjs', import.meta.url).href;

/** Renders waiting for a thread at most; beyond, the endpoint answers 503 at once. */
export const MAX_QUEUED_RENDERS = 16;

/**
 * PNG rendering off the event loop: a piscina pool of worker threads (at most half the cores, at
 * least one), so a 4000-pixel image never stalls `/healthz` or GraphQL. Threads start on first
 * use and exit when idle.
 */
export class RenderPool {
  #pool: Piscina | null = null;

  /** Renders `input` at `size` in a thread; rejects with `RENDER_BUSY` when the queue is full. */
  async render(input: RenderInput, size: PngSize): Promise<Buffer> {
    this.#pool ??= new Piscina({ filename: THREAD, minThreads: 0, maxThreads: Math.max(1, Math.floor(availableParallelism() / 2)), idleTimeout: 10_000, maxQueue: MAX_QUEUED_RENDERS });
    const transfer = [input.values.buffer, input.priceLine.buffer, input.stepStarts.buffer, input.liquidations.buffer] as ArrayBuffer[];
    const out = (await this.#pool.run({ input, size }, { transferList: transfer })) as Uint8Array;
    return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  }

  async close(): Promise<void> {
    await this.#pool?.destroy();
    this.#pool = null;
  }
}
