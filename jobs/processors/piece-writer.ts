import { commitResultsChunk, type ClusterRow, type HeatmapRow, type ModelCheckpoint, type Store } from '../../db/index.js';
import type { BucketPart } from '../../engine/index.js';

/** A modelled piece of a compute range, ready to commit. */
export interface PieceResults {
  readonly fromMs: number;
  readonly toMs: number;
  /** The bucket inputs of [fromMs, toMs). */
  readonly parts: readonly BucketPart[];
  readonly rows: readonly HeatmapRow[];
  readonly clusters: readonly ClusterRow[];
  /** The model state after the piece's last bucket; null when it had no priced bucket (then it is committed with the next one). */
  readonly checkpoint: ModelCheckpoint | null;
  /** Committed in a transaction of its own (a live market's newest bucket: its rollback must leave the checkpoint before it). */
  readonly alone?: boolean | undefined;
}

/**
 * Commits pieces in order, one transaction at a time, in the background of the model: {@link add}
 * starts a commit when none is running, else the piece waits and joins the pieces that arrive
 * meanwhile, committed together when the running commit ends. A transaction holds whole pieces
 * and the checkpoint of its last one, so a kill resumes exactly after the last committed piece.
 * Joining bounds the commits by the database's pace rather than the pieces': a commit has a fixed
 * cost (three COPYs, a checkpoint of hundreds of KB, the thinning delete; 250-400 ms each while
 * the sockets waited for delayed ACKs), so a commit per piece could leave the writes behind the model.
 */
export class PieceWriter {
  readonly #store: Store;
  readonly #market: string;
  readonly #paramsHash: string;
  readonly #queue: PieceResults[] = [];
  #writing: Promise<void> | null = null;
  #failed: { error: unknown } | null = null;

  constructor(store: Store, market: string, paramsHash: string) {
    this.#store = store;
    this.#market = market;
    this.#paramsHash = paramsHash;
  }

  /** Queues a piece (after every piece added before it); throws when an earlier commit failed. */
  add(piece: PieceResults): void {
    if (this.#failed) throw this.#failed.error;
    this.#queue.push(piece);
    if (!this.#writing) this.#next();
  }

  /**
   * Waits until every committable piece is committed and throws the first commit's failure, if
   * any. Pieces left without a checkpoint after them are not written (nothing to resume from).
   */
  async flush(): Promise<void> {
    while (this.#writing) await this.#writing;
    if (this.#failed) throw this.#failed.error;
  }

  /** Starts the commit of the queue's first group: up to its last checkpoint, an `alone` piece apart. */
  #next(): void {
    const q = this.#queue;
    let n = 0;
    for (let i = 0; i < q.length; i++) {
      // Pieces without a checkpoint have no rows: an `alone` piece takes those before it along.
      if (q[i]!.alone && n > 0) break;
      if (q[i]!.checkpoint) n = i + 1;
      if (q[i]!.alone) break;
    }
    if (n === 0) return;
    const group = q.splice(0, n);
    const last = group.at(-1)!;
    const chunk = {
      market: this.#market,
      paramsHash: this.#paramsHash,
      rows: group.flatMap((p) => p.rows),
      clusters: group.flatMap((p) => p.clusters),
      checkpoint: last.checkpoint!,
      inputs: { fromMs: group[0]!.fromMs, toMs: last.toMs, parts: group.flatMap((p) => p.parts) },
    };
    this.#writing = commitResultsChunk(this.#store, chunk).then(
      () => {
        this.#writing = null;
        this.#next();
      },
      (error: unknown) => {
        this.#failed = { error };
        this.#writing = null;
      },
    );
  }
}
