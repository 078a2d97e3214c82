import postgres from 'postgres';
import { BatchWriter, createPostgresStore, loadBucketParts, migrateToLatest, rollbackResults, type CanonicalEvent } from '../db/index.js';
import { modelParamsHash } from '../engine/index.js';
import { simulateMarket } from '../indexer/index.js';
import { computeMarket, effectiveParams } from '../jobs/index.js';
import { alternate, spread, spreadText } from './alternate.js';
import type { BenchFigure } from './types.js';

const PG = process.env.LIQMAP_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * End to end: one day of a busy market’s aggregate trades (~2.6M rows) from Postgres to
 * persisted heatmap rows, clusters and checkpoint at 1-minute × 0.05%-of-price buckets: wall
 * time and peak memory, next to Postgres alone aggregating the same day into buckets, each
 * alternately three times.
 */
export async function run(): Promise<BenchFigure[]> {
  const schema = `bench_jobs_${process.pid}`;
  const admin = postgres(PG, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop schema if exists ${schema} cascade`);
  const store = createPostgresStore({ url: `${PG}?schema=${schema}`, max: 4 });
  try {
    await migrateToLatest(store);
    const w = new BatchWriter(store);
    let batch: CanonicalEvent[] = [];
    let trades = 0;
    for (const e of simulateMarket({ market: 'bench:BTCUSDT', days: 1, tradesPerMinute: Number(process.env.BENCH_JOBS_TPM ?? 1000) })) {
      if (e.kind !== 'trade' && e.kind !== 'funding') continue;
      if (e.kind === 'trade') trades++;
      batch.push(e);
      if (batch.length >= 100_000) {
        await w.write({ events: batch });
        batch = [];
      }
    }
    await w.write({ events: batch });
    await admin.unsafe(`analyze ${schema}.trades`);
    const d0 = Date.UTC(2024, 0, 1);
    const market = 'bench:BTCUSDT';
    const hash = modelParamsHash(await effectiveParams(store, market));
    let buckets = 0;
    let peakGrowth = 0;
    // Alternately: the whole compute from scratch (its results rolled back before each round),
    // then Postgres alone aggregating the same day.
    const r = await alternate(
      {
        ours: async () => {
          await rollbackResults(store, market, hash, 0);
          const rss0 = process.memoryUsage().rss;
          let peak = rss0;
          const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
          const t = performance.now();
          const out = await computeMarket(store, { market });
          const secs = (performance.now() - t) / 1000;
          clearInterval(timer);
          buckets = out.buckets;
          peakGrowth = Math.max(peakGrowth, peak - rss0);
          return secs;
        },
        theirs: async () => {
          const t = performance.now();
          await loadBucketParts(store, market, d0, d0 + 86_400_000, 60_000);
          return (performance.now() - t) / 1000;
        },
      },
      (x) => x,
    );
    const ours = spread(r.ours);
    return [
      {
        name: `one day, ${trades.toLocaleString('en')} aggregate trades → ${buckets} persisted heatmap rows + clusters (wall seconds; lower is better)`,
        value: Number(ours.median.toFixed(2)),
        unit: 's',
        baseline: Number(spread(r.theirs).median.toFixed(2)),
        baselineName: 'Postgres alone aggregating the same day into 1-minute buckets',
        ratio: r.ratios.median,
        ratios: r.ratios,
        note: `min/median/max ${spreadText(ours)} s vs ${spreadText(spread(r.theirs))} s; peak RSS growth ${(peakGrowth / 1e6).toFixed(0)} MB; target < 3 s`,
      },
    ];
  } finally {
    await store.close();
    await admin.unsafe(`drop schema if exists ${schema} cascade`).catch(() => {});
    await admin.end();
  }
}
