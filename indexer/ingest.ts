import { existsSync } from 'node:fs';
import { glob } from 'tinyglobby';
import { LiqmapError } from '../base/index.js';
import { BatchWriter, type BatchResult, type Store } from '../db/index.js';
import { ByteCounter, openInput } from './files/open-input.js';
import { ingestMember, type InputLimits, type MemberSummary } from './ingest-member.js';
import type { ProgressReporter } from './progress.js';

/** Options of {@link ingestPaths}. */
export interface IngestOptions {
  readonly market?: string | undefined;
  readonly format?: string | undefined;
  readonly batchSize?: number | undefined;
  readonly force?: boolean | undefined;
  readonly onBatch?: ((result: BatchResult) => Promise<void> | void) | undefined;
  readonly progress?: ProgressReporter | undefined;
  /** Waits between retries of a batch after a lost connection (default ~30 s in all). */
  readonly reconnectDelaysMs?: readonly number[] | undefined;
  /** Line-length and decompression limits (default {@link DEFAULT_INPUT_LIMITS}). */
  readonly limits?: Partial<InputLimits> | undefined;
}

/** The outcome of an ingest run. */
export interface IngestSummary {
  readonly members: readonly MemberSummary[];
  /** Files that could not be read at all, with the reason. */
  readonly failed: readonly { readonly file: string; readonly error: string }[];
  readonly rows: number;
  readonly inserted: number;
  readonly quarantined: number;
}

/** Expands paths and globs into existing files, sorted (so time-ordered names ingest in order). */
export async function expandInputs(patterns: readonly string[]): Promise<string[]> {
  const out = new Set<string>();
  for (const p of patterns) {
    if (existsSync(p)) {
      out.add(p);
      continue;
    }
    const matches = await glob(p, { onlyFiles: true, absolute: false, expandDirectories: false });
    if (matches.length === 0) throw new LiqmapError('FILE_UNREADABLE', `${p}: no such file (and no file matches it as a glob)`);
    for (const m of matches) out.add(m);
  }
  return [...out].sort();
}

/**
 * Ingests files (plain, `.gz` or `.zip`, any supported layout) into the store. Each member is
 * read in bounded memory and committed batch by batch with its checkpoint. A file that cannot
 * be read is reported in `failed` and the others go on; the caller decides the exit code.
 */
export async function ingestPaths(store: Store, patterns: readonly string[], options: IngestOptions = {}): Promise<IngestSummary> {
  const files = await expandInputs(patterns);
  const writer = new BatchWriter(store, options.reconnectDelaysMs ? { reconnectDelaysMs: options.reconnectDelaysMs } : {});
  const members: MemberSummary[] = [];
  const failed: { file: string; error: string }[] = [];
  const progress = options.progress;
  for (const file of files) {
    const counter = new ByteCounter();
    try {
      const input = await openInput(file, counter);
      progress?.startFile(file, input.size, counter);
      for await (const member of input.members) {
        try {
          const summary = await ingestMember(store, writer, input, member, {
            market: options.market,
            format: options.format,
            batchSize: options.batchSize,
            force: options.force,
            onBatch: options.onBatch,
            onProgress: (p) => progress?.update(p),
            limits: options.limits,
          });
          members.push(summary);
        } catch (e) {
          // One unreadable member (an unknown layout, a broken entry) does not stop the others.
          if (e instanceof LiqmapError && e.code !== 'SERVICE_UNAVAILABLE' && input.path !== member.sourceKey) failed.push({ file: member.sourceKey, error: e.message });
          else throw e;
        }
      }
      progress?.endFile(file);
    } catch (e) {
      progress?.endFile(file);
      // A database that is down stops the whole run (the next files would fail the same way).
      if (e instanceof LiqmapError && e.code !== 'SERVICE_UNAVAILABLE') failed.push({ file, error: e.message });
      else throw e;
    }
  }
  return {
    members,
    failed,
    rows: members.reduce((a, m) => a + m.rows, 0),
    inserted: members.reduce((a, m) => a + m.inserted, 0),
    quarantined: members.reduce((a, m) => a + m.quarantined, 0),
  };
}
