import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { parseConfig, silentLogger } from '../../base/index.js';
import { modelParamsHash, parseModelParams } from '../../engine/index.js';
import { ingestDemo } from '../../indexer/index.js';
import { COMPUTE_QUEUE, createJobRunner, type JobRunner } from '../../jobs/index.js';
import { createTestStore, type TestStore } from '../_setup/store.js';
import { startTestApi, type TestApi } from '../_setup/api.js';
import { TEST_REDIS_URL, testQueuePrefix } from '../_setup/redis.js';

const MARKET = 'demo:BTCUSDT';
const PRESETS = JSON.stringify({ coarse: { timeBucketSeconds: 300 } });

describe('served parameter sets: the default and LIQMAP_MODEL_PRESETS (real Postgres, real Redis)', () => {
  let t: TestStore;
  const q = testQueuePrefix();
  beforeAll(async () => {
    t = await createTestStore();
    await ingestDemo(t.store, { days: 2 / 24 });
  }, 120_000);
  afterAll(async () => {
    await q.cleanup();
    await t.drop();
  });

  it('rejects a bad preset at start-up naming the variable', () => {
    expect(() => parseConfig({ LIQMAP_MODEL_PRESETS: '{"tiny":{"priceBucketFraction":1e-7}}' })).toThrow(/LIQMAP_MODEL_PRESETS: preset "tiny": model parameter priceBucketFraction = 1e-7: must be 0.0001 to 0.1/);
    expect(() => parseConfig({ LIQMAP_MODEL_PRESETS: 'nope' })).toThrow(/LIQMAP_MODEL_PRESETS: not JSON/);
  });

  it('serves a preset to an anonymous caller: NOT_READY with a job id at once, then the results', async () => {
    const env = { LIQMAP_MODEL_PRESETS: PRESETS };
    const jobs: JobRunner = await createJobRunner({ config: parseConfig(env), store: t.store, logger: silentLogger, mode: 'embedded' });
    const api: TestApi = await startTestApi(t.store, env, jobs);
    try {
      const query = `{ heatmap(market: "${MARKET}", timeBucketSeconds: 300) { paramsHash times } }`;
      const first = await api.gql(query);
      expect(first.errors![0]!.extensions).toMatchObject({ code: 'NOT_READY', jobId: expect.stringMatching(/^in-process-/), paramsHash: modelParamsHash(parseModelParams({ timeBucketSeconds: 300 })) });
      await jobs.idle!();
      const r = await api.gql(query);
      expect(r.errors).toBeUndefined();
      expect(r.data!.heatmap.times.length).toBe(2 * 12);
      // A set that is no preset stays NOT_READY without a job for an anonymous caller.
      const other = await api.gql(`{ heatmap(market: "${MARKET}", timeBucketSeconds: 600) { times } }`);
      expect(other.errors![0]!.extensions!.code).toBe('NOT_READY');
      expect(other.errors![0]!.extensions).not.toHaveProperty('jobId');
    } finally {
      await api.close();
      await jobs.close();
    }
  }, 120_000);

  it('gives each parameter set its own BullMQ job: a custom request during a default job is not dropped, and new data enqueues every served set', async () => {
    const config = parseConfig({ REDIS_URL: TEST_REDIS_URL, LIQMAP_QUEUE_PREFIX: q.prefix, DATABASE_URL: t.url, LIQMAP_MODEL_PRESETS: PRESETS });
    const producer = await createJobRunner({ config, store: t.store, logger: silentLogger, mode: 'enqueue-only' });
    const queue = new Queue(COMPUTE_QUEUE, { connection: { url: TEST_REDIS_URL }, prefix: q.prefix });
    try {
      const a = await producer.recompute(MARKET);
      const b = await producer.recompute(MARKET, { halfLifeHours: 12 });
      expect(a).not.toBe(b);
      expect(b).toContain(modelParamsHash(parseModelParams({ halfLifeHours: 12 })));
      expect(await producer.recompute(MARKET)).toBe(a); // the same set collapses
      await producer.onIngested({ touched: [{ market: 'demo:OTHER', fromMs: 0, toMs: 1 }] } as never);
      const ids = (await queue.getJobs(['waiting', 'prioritized', 'delayed'])).map((j) => j.id).sort();
      expect(ids).toHaveLength(4);
      expect(ids.filter((id) => id!.includes('demo~OTHER'))).toHaveLength(2); // default + the preset
      const custom = await queue.getJob(b);
      expect(custom!.data).toEqual({ market: MARKET, params: { halfLifeHours: 12 } });
    } finally {
      await queue.close();
      await producer.close();
    }
  });
});
