import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The jobs pipeline's Prometheus registry (exposed by `liqmap work --metrics-port`). */
export const jobsRegistry = new Registry();
collectDefaultMetrics({ register: jobsRegistry, prefix: 'liqmap_worker_' });

/** Job and pipeline metrics. */
export const jobMetrics = {
  duration: new Histogram({ name: 'liqmap_job_duration_seconds', help: 'Compute job duration', labelNames: ['queue'], buckets: [0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 300], registers: [jobsRegistry] }),
  buckets: new Counter({ name: 'liqmap_buckets_processed_total', help: 'Model time buckets computed', labelNames: ['market'], registers: [jobsRegistry] }),
  depth: new Gauge({ name: 'liqmap_queue_depth', help: 'Jobs per queue and state', labelNames: ['queue', 'state'], registers: [jobsRegistry] }),
  lag: new Gauge({ name: 'liqmap_compute_lag_seconds', help: 'Newest event minus newest computed bucket, per market', labelNames: ['market'], registers: [jobsRegistry] }),
  failures: new Counter({ name: 'liqmap_job_failures_total', help: 'Failed job attempts', labelNames: ['queue'], registers: [jobsRegistry] }),
};
