import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { BatchWriter, type CanonicalEvent } from '../../db/index.js';
import { computeMarket } from '../../jobs/index.js';
import { createTestStore, type TestStore } from '../_setup/store.js';
import { startTestApi, type TestApi } from '../_setup/api.js';

/** The documented budget of a check over 30 days of minute buckets (README, "check"). */
export const CHECK_30_DAYS_BUDGET_MS = 180_000;

const MARKET = 'binance:MONTHUSDT';
const DAYS = 30;
const T0 = Date.UTC(2024, 2, 1) * 1000;
// High leverage on a coarser grid: narrower persisted rows, so computing the month stays quick;
// the check replays every minute bucket all the same.
const MODEL = { leverages: [{ leverage: 25, weight: 0.5 }, { leverage: 50, weight: 0.5 }], priceBucketFraction: 0.001 };
const MODEL_ARG = '{ leverages: [{ leverage: 25, weight: 0.5 }, { leverage: 50, weight: 0.5 }], priceBucketFraction: 0.001 }';

/** 30 days of minute buckets: a trade a minute on a wandering price, open interest every 5 minutes, funding every 8 hours. */
function month(): CanonicalEvent[] {
  const out: CanonicalEvent[] = [];
  let p = 3000;
  let oi = 50_000;
  for (let i = 0; i < DAYS * 1440; i++) {
    p *= 1 + 0.0008 * Math.sin(i / 211) + 0.0004 * Math.cos(i / 17);
    const ts = T0 + i * 60e6 + 7e6;
    out.push({ kind: 'trade', market: MARKET, ts, tradeId: String(i), price: p.toFixed(2), qty: (1 + (i % 5)).toFixed(2), side: i % 3 ? 'buy' : 'sell' });
    if (i % 5 === 0) {
      oi = Math.max(1000, oi + 40 * Math.sin(i / 300) + ((i * 7919) % 11) - 5);
      out.push({ kind: 'open_interest', market: MARKET, ts: ts + 1e6, oiQty: oi.toFixed(3), oiValue: null });
    }
    if (i % 480 === 0) out.push({ kind: 'funding', market: MARKET, ts: T0 + i * 60e6, rate: (((i % 7) - 3) / 100_000).toString(), markPrice: null, intervalHours: 8 });
  }
  return out;
}

describe('a check of 30 days of minute buckets runs off the event loop, within its budget', () => {
  let t: TestStore;
  let api: TestApi;
  beforeAll(async () => {
    t = await createTestStore();
    await new BatchWriter(t.store).write({ events: month() });
    await computeMarket(t.store, { market: MARKET, params: MODEL });
    api = await startTestApi(t.store, { DATABASE_URL: t.url, LIQMAP_CHECK_BUDGET_MS: '500' });
  }, 300_000);
  afterAll(async () => {
    await api?.close();
    await t?.drop();
  });

  it('answers PENDING with an id at once, keeps /healthz under 50 ms meanwhile, and check(id) gives the verdict', async () => {
    const probe = async () => {
      const h0 = performance.now();
      const res = await api.get('/healthz');
      expect(res.status).toBe(200);
      return performance.now() - h0;
    };
    // The machine's own latency, no check running (the same probes, for 3 s).
    const idle: number[] = [];
    for (const end = performance.now() + 3000; performance.now() < end; ) {
      idle.push(await probe());
      await new Promise((res) => setTimeout(res, 50));
    }
    const started = performance.now();
    const r = await api.gql(`{ heatmap(market: "${MARKET}", model: ${MODEL_ARG}, check: true) { times prices check { id status ok } } }`);
    expect(r.errors).toBeUndefined();
    const first = r.data!.heatmap.check;
    expect(first.status).toBe('PENDING');
    expect(first.id).toMatch(/^[0-9a-f]{32}$/);
    const health: number[] = [];
    let verdict: Record<string, any> | null = null;
    let nextPoll = 0;
    while (performance.now() - started < CHECK_30_DAYS_BUDGET_MS) {
      health.push(await probe());
      if (performance.now() > nextPoll) {
        nextPoll = performance.now() + 2000;
        const c = await api.gql(`{ check(id: "${first.id}") { status ok fault cellsCompared model { buckets from ms } aggregation { ok buckets } elapsedMs } }`);
        if (c.data!.check.status !== 'PENDING') {
          verdict = c.data!.check;
          break;
        }
      }
      await new Promise((res) => setTimeout(res, 50));
    }
    const elapsed = performance.now() - started;
    const pct = (a: number[], q: number) => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(q * a.length))]!;
    console.log(
      `30-day check: ${(elapsed / 1000).toFixed(1)} s (model stage ${((verdict?.model?.ms ?? 0) / 1000).toFixed(1)} s); /healthz during it p50 ${pct(health, 0.5).toFixed(1)} ms, p95 ${pct(health, 0.95).toFixed(1)} ms, max ${Math.max(...health).toFixed(1)} ms (${health.length} probes); idle p50 ${pct(idle, 0.5).toFixed(1)}, p95 ${pct(idle, 0.95).toFixed(1)}, max ${Math.max(...idle).toFixed(1)} ms`,
    );
    expect(verdict, `no verdict within ${CHECK_30_DAYS_BUDGET_MS} ms`).not.toBeNull();
    expect(verdict).toMatchObject({ status: 'DONE', ok: true, fault: null });
    expect(verdict!.model.buckets).toBe(DAYS * 1440);
    expect(verdict!.model.from).toBe(new Date(T0 / 1000).toISOString());
    expect(verdict!.cellsCompared).toBe(r.data!.heatmap.times.length * r.data!.heatmap.prices.length * 2);
    expect(health.length).toBeGreaterThan(10);
    // Under 50 ms while the check runs: the 95th percentile always. The slowest probe is held to
    // 100 ms, or twice the machine's own slowest with no check: a check on the event loop stalls
    // it for seconds (the model stage alone is ~13 s of CPU), while a host loaded by other
    // processes pauses any thread now and then (CI under load 8: one probe of 76 ms, idle max
    // 29 ms over its 3 s sample).
    expect(pct(health, 0.95)).toBeLessThan(50);
    expect(Math.max(...health)).toBeLessThan(Math.max(100, 2 * Math.max(...idle)));
  }, 400_000);
});
