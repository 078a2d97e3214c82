import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../base/index.js';
import { finishCheck, insertPendingCheck, readCheck, type Store } from '../../db/index.js';
import type { CheckSpec, CheckVerdict } from './check-spec.js';
import type { CheckThreadData, LoaderAnswer, LoaderCall } from './check-thread.js';
import { storeLoader } from './store-loader.js';

const THREAD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'check-thread.mjs');

/** A check as the API reports it. */
export interface CheckStatus {
  /** Stable id of the check: market, parameters, data version, field and the served cells. */
  readonly id: string;
  readonly status: 'DONE' | 'PENDING' | 'FAILED';
  readonly verdict: CheckVerdict | null;
  readonly error: string | null;
}

/** Runs checks of served cells off the event loop, within a time budget per request, computed once. */
export interface CheckService {
  /** Starts (or finds) the check of these served cells; resolves within the budget with its status. */
  request(spec: CheckSpec): Promise<CheckStatus>;
  /** A check by id: finished, still pending (waited for up to the budget), failed, or null. */
  get(id: string): Promise<CheckStatus | null>;
  close(): Promise<void>;
}

/** Options of {@link createCheckService}. */
export interface CheckServiceOptions {
  readonly store: Store;
  readonly logger: Logger;
  /** Postgres URL for the check threads' own connections; absent on the embedded PGlite (the thread asks this process). */
  readonly databaseUrl?: string | undefined;
  /** How long a request waits for its check before answering PENDING, ms. */
  readonly budgetMs: number;
  /** The API may not write: verdicts are kept in memory instead of `result_checks`. */
  readonly readOnly?: boolean;
  /** Checks queued or running at most (default 16); more are refused (FAILED, try later). */
  readonly maxQueued?: number;
  /** A check running longer than this is stopped and reported FAILED, ms (default 10 minutes). */
  readonly hardLimitMs?: number;
}

/** The id of the check of `spec`'s served cells (their values included: other cells, another check). */
export function checkId(spec: CheckSpec): string {
  const h = createHash('sha256');
  h.update(JSON.stringify([spec.market, spec.paramsHash, spec.dataVersion, spec.field, spec.untilT, spec.window.fromMs, spec.window.toMs]));
  const s = spec.served;
  if (s.kind === 'grid') {
    const g = s.grid;
    h.update(JSON.stringify([g.layer, g.priceBucket, g.times, g.prices]));
    h.update(new Uint8Array(Float64Array.from(g.long).buffer));
    h.update(new Uint8Array(Float64Array.from(g.short).buffer));
  } else h.update(JSON.stringify([s.t, s.clusters]));
  return h.digest('hex').slice(0, 32);
}

/**
 * Checks run in worker threads (one at a time per process, queued), so the API's event loop
 * never runs the reference engine. A finished verdict is persisted in `result_checks` by id;
 * the same request (same id) returns it without recomputing.
 */
export function createCheckService(opts: CheckServiceOptions): CheckService {
  const { store, logger } = opts;
  const inFlight = new Map<string, Promise<CheckStatus>>();
  const memory = new Map<string, CheckStatus>();
  const threads = new Set<Worker>();
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;

  const remember = (s: CheckStatus) => {
    memory.set(s.id, s);
    if (memory.size > 1000) memory.delete(memory.keys().next().value!);
    return s;
  };

  const runThread = (spec: CheckSpec): Promise<CheckVerdict> =>
    new Promise((resolve, reject) => {
      if (closed) return reject(new Error('the API is shutting down'));
      const data: CheckThreadData = { spec, databaseUrl: opts.databaseUrl };
      const w = new Worker(THREAD, { workerData: data });
      threads.add(w);
      const loader = opts.databaseUrl ? null : storeLoader(store);
      let settled = false;
      const done = (f: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(limit);
        threads.delete(w);
        void w.terminate();
        f();
      };
      const limit = setTimeout(() => done(() => reject(new Error(`the check ran past its ${Math.round((opts.hardLimitMs ?? 600_000) / 1000)} s limit`))), opts.hardLimitMs ?? 600_000);
      w.on('message', (m: LoaderCall | { verdict: CheckVerdict } | { error: string }) => {
        if ('call' in m) {
          const fn = loader![m.op] as (...a: unknown[]) => Promise<unknown>;
          fn(...m.args).then(
            (value) => w.postMessage({ call: m.call, value } satisfies LoaderAnswer),
            (e: unknown) => w.postMessage({ call: m.call, error: (e as Error).message } satisfies LoaderAnswer),
          );
        } else if ('verdict' in m) done(() => resolve(m.verdict));
        else done(() => reject(new Error(m.error)));
      });
      w.on('error', (e) => done(() => reject(e)));
      w.on('exit', (code) => done(() => reject(new Error(`the check thread exited (${code})`))));
    });

  const start = (id: string, spec: CheckSpec): Promise<CheckStatus> => {
    let run = inFlight.get(id);
    if (run) return run;
    run = (async (): Promise<CheckStatus> => {
      if (!opts.readOnly) await insertPendingCheck(store, { id, market: spec.market, paramsHash: spec.paramsHash, dataVersion: spec.dataVersion, field: spec.field, windowFromMs: spec.window.fromMs, windowToMs: spec.window.toMs, cells: describe(spec) });
      // One check thread at a time: checks queue behind each other, the API keeps its cores.
      const turn = queue.then(() => runThread(spec));
      queue = turn.catch(() => {});
      try {
        const verdict = await turn;
        if (!opts.readOnly) await finishCheck(store, id, { verdict });
        return remember({ id, status: 'DONE', verdict, error: null });
      } catch (e) {
        const error = (e as Error).message;
        logger.warn({ at: 'api#check', id, market: spec.market, err: e }, 'check failed');
        if (!opts.readOnly) await finishCheck(store, id, { error }).catch(() => {});
        return remember({ id, status: 'FAILED', verdict: null, error });
      }
    })().finally(() => inFlight.delete(id));
    inFlight.set(id, run);
    return run;
  };

  const within = async (id: string, run: Promise<CheckStatus>): Promise<CheckStatus> => {
    let timer: NodeJS.Timeout | undefined;
    const pending = new Promise<CheckStatus>((r) => (timer = setTimeout(() => r({ id, status: 'PENDING', verdict: null, error: null }), opts.budgetMs)));
    try {
      return await Promise.race([run, pending]);
    } finally {
      clearTimeout(timer);
    }
  };

  const known = async (id: string): Promise<CheckStatus | null> => {
    const m = memory.get(id);
    if (m) return m;
    if (opts.readOnly) return null;
    const row = await readCheck(store, id);
    if (!row) return null;
    if (row.status === 'DONE') return remember({ id, status: 'DONE', verdict: row.verdict as CheckVerdict, error: null });
    if (row.status === 'FAILED') return { id, status: 'FAILED', verdict: null, error: row.error };
    return { id, status: 'PENDING', verdict: null, error: null };
  };

  return {
    async request(spec) {
      const id = checkId(spec);
      const run = inFlight.get(id);
      if (run) return within(id, run);
      const k = await known(id);
      if (k?.status === 'DONE') return k;
      // Anonymous callers must not queue unbounded work: a bounded number of checks wait their turn.
      if (inFlight.size >= (opts.maxQueued ?? 16)) return { id, status: 'FAILED', verdict: null, error: `${inFlight.size} checks are queued or running on this API process; try again later` };
      // Pending elsewhere (a process that stopped) or failed: the same request runs it again here.
      return within(id, start(id, spec));
    },
    async get(id) {
      const run = inFlight.get(id);
      if (run) return within(id, run);
      const k = await known(id);
      if (k?.status === 'PENDING') return { ...k, status: 'FAILED', error: 'the check was started by a process that stopped before it finished: repeat the request with check: true' };
      return k;
    },
    async close() {
      closed = true;
      await Promise.all([...threads].map((w) => w.terminate()));
    },
  };
}

/** What a check compares, for its row in `result_checks`. */
function describe(spec: CheckSpec): unknown {
  const s = spec.served;
  if (s.kind === 'clusters') return { kind: 'clusters', t: s.t, clusters: s.clusters.length };
  const g = s.grid;
  return { kind: 'grid', layer: g.layer, columns: g.times.length, firstT: g.times[0] ?? null, lastT: g.times.at(-1) ?? null, rows: g.prices.length, priceLow: g.prices[0] ?? null, priceBucket: g.priceBucket };
}
