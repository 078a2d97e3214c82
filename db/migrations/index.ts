import type { Migration } from 'kysely';
import * as m0001 from './0001_initial.js';
import * as m0002 from './0002_results.js';
import * as m0003 from './0003_positions.js';
import * as m0004 from './0004_compute_locks.js';
import * as m0005 from './0005_live_feeds.js';
import * as m0006 from './0006_verified_results.js';
import * as m0007 from './0007_trade_parties.js';
import * as m0008 from './0008_gmx_market_state.js';
import * as m0009 from './0009_aggregates.js';
import * as m0010 from './0010_heatmap_lz4.js';

/**
 * Every migration, by name, in order. Listed in code (not read from a folder) so they work
 * the same under tsx, in a bundle and in tests.
 */
export const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_results': m0002,
  '0003_positions': m0003,
  '0004_compute_locks': m0004,
  '0005_live_feeds': m0005,
  '0006_verified_results': m0006,
  '0007_trade_parties': m0007,
  '0008_gmx_market_state': m0008,
  '0009_aggregates': m0009,
  '0010_heatmap_lz4': m0010,
};
