import { z } from 'zod';
import { parseModelParams } from '../engine/index.js';
import { LiqmapError } from './errors.js';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** A venue's base URL for live feeds: ws(s):// or http(s)://, no trailing slash. */
const baseUrl = (protocols: RegExp, message: string, fallback: string) =>
  z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((v) => protocols.test(v), message)
      .default(fallback)
      .transform((v) => v.replace(/\/+$/, '')),
  );
const wsUrl = (fallback: string) => baseUrl(/^wss?:\/\//, 'must be a ws:// or wss:// URL', fallback);
const restUrl = (fallback: string) => baseUrl(/^https?:\/\//, 'must be an http:// or https:// URL', fallback);

/** The environment liqmap reads, parsed once at start-up. */
export const configSchema = z.object({
  DATABASE_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// or postgresql:// URL')
      .optional(),
  ),
  LIQMAP_DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('./.liqmap')),
  REDIS_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((v) => /^rediss?:\/\//.test(v), 'must be a redis:// or rediss:// URL')
      .optional(),
  ),
  PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).default(4000)),
  HOST: z.preprocess(emptyToUndefined, z.string().default('0.0.0.0')),
  LOG_LEVEL: z.preprocess(emptyToUndefined, z.enum(logLevels).default('info')),
  API_KEY: z.preprocess(emptyToUndefined, z.string().min(16, 'must be at least 16 characters').optional()),
  /** Queue/key prefix on Redis, so several deployments (or tests) can share one Redis. */
  LIQMAP_QUEUE_PREFIX: z.preprocess(emptyToUndefined, z.string().regex(/^[A-Za-z0-9:_-]+$/).default('liqmap')),
  /** Largest time range one API query may cover, in days. */
  LIQMAP_MAX_RANGE_DAYS: z.preprocess(emptyToUndefined, z.coerce.number().positive().default(31)),
  /**
   * The API process's own database URL (typically a role with SELECT only); `liqmap serve`
   * uses it instead of DATABASE_URL and runs every transaction read-only.
   */
  API_DATABASE_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// or postgresql:// URL')
      .optional(),
  ),
  /** `true`: the API never writes (results come from the workers); implied by API_DATABASE_URL. */
  LIQMAP_API_READ_ONLY: z.preprocess(emptyToUndefined, z.enum(['true', 'false']).default('false').transform((v) => v === 'true')),
  /** JSON file mapping sha256 hashes to GraphQL documents (persisted operations). */
  LIQMAP_PERSISTED_OPERATIONS: z.preprocess(emptyToUndefined, z.string().optional()),
  /** `true`: accept only persisted operations. */
  LIQMAP_PERSISTED_ONLY: z.preprocess(emptyToUndefined, z.enum(['true', 'false']).default('false').transform((v) => v === 'true')),
  /** How long a request with `check: true` waits for its check before answering PENDING with a check id, ms. */
  LIQMAP_CHECK_BUDGET_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(600_000).default(5000)),
  /**
   * How long a worker's lock on a running job lasts without renewal, ms (BullMQ's
   * `lockDuration`; renewed at half of it). A worker killed mid-job is found out at most this
   * long plus LIQMAP_JOB_STALLED_CHECK_MS later, and its job retried by another worker.
   */
  LIQMAP_JOB_LOCK_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1000).max(3_600_000).default(30_000)),
  /** How often a worker looks for jobs whose worker died (lock expired), ms (BullMQ's `stalledInterval`). */
  LIQMAP_JOB_STALLED_CHECK_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1000).max(3_600_000).default(30_000)),
  /** Computed results older than this many days are pruned daily (0 keeps everything). */
  LIQMAP_RETENTION_DAYS: z.preprocess(emptyToUndefined, z.coerce.number().min(0).default(0)),
  /**
   * Named model parameter sets the workers keep computed besides the default, and the API
   * serves to anyone (JSON: `{"name": {"timeBucketSeconds": 300, "priceBucketFraction": 0.001}}`,
   * fields as the GraphQL `ModelInput` plus `timeBucketSeconds`). Any other set is computed
   * only at the request of a caller holding API_KEY.
   */
  LIQMAP_MODEL_PRESETS: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .optional()
      .transform((raw, ctx) => {
        if (raw === undefined) return {} as Record<string, Record<string, unknown>>;
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw);
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: `not JSON: ${(e as Error).message}` });
          return z.NEVER;
        }
        const shape = z.record(z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'preset names are 1–40 letters, digits, _ or -'), z.record(z.string(), z.unknown())).safeParse(parsed);
        if (!shape.success) {
          ctx.addIssue({ code: 'custom', message: `must be an object of name → parameters: ${shape.error.issues[0]!.message}` });
          return z.NEVER;
        }
        for (const [name, partial] of Object.entries(shape.data)) {
          try {
            parseModelParams(partial);
          } catch (e) {
            ctx.addIssue({ code: 'custom', message: `preset "${name}": ${(e as Error).message}` });
            return z.NEVER;
          }
        }
        return shape.data;
      }),
  ),
  /** `production` turns GraphQL introspection (and GraphiQL) off unless LIQMAP_INTROSPECTION says otherwise. */
  NODE_ENV: z.preprocess(emptyToUndefined, z.string().optional()),
  /** `true`/`false`: GraphQL introspection and GraphiQL on or off (default: on, off when NODE_ENV=production). */
  LIQMAP_INTROSPECTION: z.preprocess(emptyToUndefined, z.enum(['true', 'false']).optional().transform((v) => (v === undefined ? undefined : v === 'true'))),
  /** Open GraphQL subscriptions one client (an IP address, an IPv6 /64, or the API key) may hold. */
  LIQMAP_MAX_SUBSCRIPTIONS_PER_CLIENT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(1_000_000).default(20)),
  /** Open GraphQL subscriptions the API process holds in all. */
  LIQMAP_MAX_SUBSCRIPTIONS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(1_000_000).default(2000)),
  /** Comma-separated CORS origins for the API; `*` allows any. */
  CORS_ORIGINS: z.preprocess(emptyToUndefined, z.string().default('*')),
  /** Markets `liqmap ingest live` follows when no --market is given (comma or space separated). */
  LIQMAP_LIVE_MARKETS: z.preprocess(emptyToUndefined, z.string().optional()),
  // Live feeds' base URLs (point them at a relay or a local replay server). Binance's default is
  // its 2026 layout: market streams under `/market` (the feed appends `/stream?streams=…`).
  LIQMAP_BINANCE_WS_URL: wsUrl('wss://fstream.binance.com/market'),
  LIQMAP_BINANCE_REST_URL: restUrl('https://fapi.binance.com'),
  LIQMAP_BYBIT_WS_URL: wsUrl('wss://stream.bybit.com/v5/public/linear'),
  LIQMAP_BYBIT_REST_URL: restUrl('https://api.bybit.com'),
  LIQMAP_OKX_WS_URL: wsUrl('wss://ws.okx.com:8443/ws/v5/public'),
  LIQMAP_OKX_REST_URL: restUrl('https://www.okx.com'),
  LIQMAP_HYPERLIQUID_WS_URL: wsUrl('wss://api.hyperliquid.xyz/ws'),
  LIQMAP_HYPERLIQUID_REST_URL: restUrl('https://api.hyperliquid.xyz'),
});

/** Parsed configuration. */
export type Config = z.infer<typeof configSchema>;

/**
 * Parses configuration from an environment object. Throws a {@link LiqmapError} with code
 * `CONFIG_INVALID` naming every bad variable; never returns a partially valid config.
 */
export function parseConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new LiqmapError('CONFIG_INVALID', `invalid configuration: ${lines.join('; ')}`, {
      variables: result.error.issues.map((i) => i.path.join('.')),
    });
  }
  return result.data;
}

/**
 * Loads `.env` from the working directory (if present) into `process.env` without overriding
 * variables already set, then parses. Call once at start-up.
 */
export async function loadConfig(): Promise<Config> {
  const { existsSync } = await import('node:fs');
  if (existsSync('.env')) {
    const dotenv = await import('dotenv');
    dotenv.config({ path: '.env', quiet: true } as Parameters<typeof dotenv.config>[0]);
  }
  return parseConfig(process.env);
}
