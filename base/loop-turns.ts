/**
 * Gives the event loop a turn when a long synchronous stretch has run `everyMs`: a loop over many
 * items (a chunk's model steps, encoding a chunk of heatmap rows) asks {@link due} per item and
 * awaits {@link take} only then, so timers (an inline BullMQ worker's lock renewal) and I/O still
 * run, and the items in between pay a clock read, not a promise.
 */
export class LoopTurns {
  #last = performance.now();

  constructor(readonly everyMs: number) {}

  /** Whether the stretch since the last turn has run `everyMs`. */
  get due(): boolean {
    return performance.now() - this.#last > this.everyMs;
  }

  /** A turn of the event loop (setImmediate: after pending I/O and timers); the stretch restarts. */
  async take(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    this.#last = performance.now();
  }
}
