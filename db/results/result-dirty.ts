import { sql } from 'kysely';
import type { Store } from '../store.js';

/**
 * Moves the market's late-data mark onto every parameter set persisted for it (keeping the
 * earlier time where a set is marked already) and clears the market's mark — in one statement,
 * and only while the market is still at `version` (a batch landing meanwhile keeps its mark for
 * the next round; data-modifying CTEs run whether or not they are referenced). New parameter sets need no mark: they compute from the start.
 */
export async function fanOutDirty(store: Store, market: string, version: number): Promise<void> {
  await sql`
    with m as (select dirty_from from market_versions where market_id = ${market} and version = ${version} and dirty_from is not null),
    ins as (
      insert into result_dirty (market_id, params_hash, dirty_from)
      select ${market}, h.params_hash, m.dirty_from from (select distinct params_hash from model_checkpoints where market_id = ${market}) h cross join m
      on conflict (market_id, params_hash) do update set dirty_from = least(result_dirty.dirty_from, excluded.dirty_from)
    )
    update market_versions set dirty_from = null where market_id = ${market} and version = ${version} and dirty_from is not null`.execute(store.db);
}

/** Where late data invalidated results of one parameter set (epoch ms), or null. */
export async function paramsDirtyFrom(store: Store, market: string, paramsHash: string): Promise<number | null> {
  const r = await sql<{ d: Date }>`select dirty_from as d from result_dirty where market_id = ${market} and params_hash = ${paramsHash}`.execute(store.db);
  return r.rows[0] ? r.rows[0].d.getTime() : null;
}

/** Clears a parameter set's mark if it is still the one recomputed from (`fromMs`). */
export async function clearParamsDirty(store: Store, market: string, paramsHash: string, fromMs: number): Promise<void> {
  await sql`delete from result_dirty where market_id = ${market} and params_hash = ${paramsHash} and dirty_from = ${new Date(fromMs)}`.execute(store.db);
}

/** The parameter sets persisted for a market (those with a checkpoint), with their parameters. */
export async function persistedParamSets(store: Store, market: string): Promise<{ paramsHash: string; params: unknown }[]> {
  const r = await sql<{ params_hash: string; params: unknown }>`
    select p.params_hash, p.params from model_params p
    where exists (select 1 from model_checkpoints c where c.market_id = ${market} and c.params_hash = p.params_hash)
    order by p.created_at, p.params_hash`.execute(store.db);
  return r.rows.map((x) => ({ paramsHash: x.params_hash, params: typeof x.params === 'string' ? JSON.parse(x.params) : x.params }));
}

/**
 * (Market, parameter set) pairs whose results are behind: marked by late data, behind the
 * market's data version, or the market is marked and not yet fanned out; plus markets with data
 * and no results at all (to be computed under the defaults).
 */
export async function staleResultSets(store: Store): Promise<{ market: string; paramsHash: string | null }[]> {
  const r = await sql<{ market_id: string; params_hash: string | null }>`
    select v.market_id, c.params_hash from market_versions v
    join lateral (select params_hash, max(data_version) as dv from model_checkpoints where market_id = v.market_id group by params_hash) c on true
    where v.dirty_from is not null or c.dv < v.version
       or exists (select 1 from result_dirty d where d.market_id = v.market_id and d.params_hash = c.params_hash)
    union all
    select v.market_id, null from market_versions v where not exists (select 1 from model_checkpoints c where c.market_id = v.market_id)
    order by 1, 2`.execute(store.db);
  return r.rows.map((x) => ({ market: x.market_id, paramsHash: x.params_hash }));
}
