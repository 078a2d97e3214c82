import { parentPort, workerData } from 'node:worker_threads';
import { connect } from '../../db/index.js';
import type { CheckLoader, CheckSpec } from './check-spec.js';
import { runEstimatedCheck } from './run-check.js';
import { storeLoader } from './store-loader.js';

/** What the parent hands a check thread. */
export interface CheckThreadData {
  readonly spec: CheckSpec;
  /** Postgres URL: the thread reads with its own connection; absent (embedded PGlite): it asks the parent. */
  readonly databaseUrl?: string | undefined;
}

/** A data request of the thread to its parent, and the answer. */
export type LoaderCall = { readonly call: number; readonly op: keyof CheckLoader; readonly args: unknown[] };
export type LoaderAnswer = { readonly call: number; readonly value?: unknown; readonly error?: string };

const port = parentPort!;
const data = workerData as CheckThreadData;

// The embedded PGlite lives in the parent: data requests go there as messages.
function parentLoader(): CheckLoader {
  let seq = 0;
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  port.on('message', (m: LoaderAnswer) => {
    const w = waiting.get(m.call);
    if (!w) return;
    waiting.delete(m.call);
    if (m.error !== undefined) w.reject(new Error(m.error));
    else w.resolve(m.value);
  });
  const ask =
    (op: keyof CheckLoader) =>
    (...args: unknown[]) =>
      new Promise<never>((resolve, reject) => {
        const call = ++seq;
        waiting.set(call, { resolve: resolve as (v: unknown) => void, reject });
        port.postMessage({ call, op, args } satisfies LoaderCall);
      });
  return { bucketInputs: ask('bucketInputs'), firstBucket: ask('firstBucket'), events: ask('events') };
}

try {
  const store = data.databaseUrl ? await connect({ databaseUrl: data.databaseUrl, dataDir: '' }) : null;
  try {
    const verdict = await runEstimatedCheck(store ? storeLoader(store) : parentLoader(), data.spec);
    port.postMessage({ verdict });
  } finally {
    await store?.close();
  }
} catch (e) {
  port.postMessage({ error: (e as Error).message ?? String(e) });
}
