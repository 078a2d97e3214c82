/**
 * What a PostGraphile user adds to expose liqmap's persisted results (PostGraphile serves tables
 * and SQL functions; windowing rows and slicing arrays is a function's job): the same SQL as
 * liqmap's read models, as `stable` functions PostGraphile turns into query fields.
 * - `heatmapWindow`: the row standing at the end of each display step of a window, its arrays
 *   sliced to a price range (what `heatmap` reads before binning);
 * - `clustersAt`: the clusters of the bucket at or before a time;
 * - `liquidationLevelsAt`: the levels of that bucket within ±range of its price.
 * Trades need nothing: `allTrades` with the connection-filter plugin pages them. Tables are named
 * with their schema (PostGraphile's connections keep the default search_path).
 */
export const postgraphileFunctions = (schema: string): string => `
set search_path = ${schema};
create type heatmap_column as (t timestamptz, price float8, price_step float8, a_lo int, a float8[], b_lo int, b float8[]);

create function heatmap_window(p_market text, p_params_hash text, p_from timestamptz, p_to timestamptz, p_step_ms int, p_price_lo float8, p_price_hi float8)
returns setof heatmap_column language sql stable as $$
  with pick as (
    select distinct on (date_bin(p_step_ms * interval '1 millisecond', t, timestamptz 'epoch')) t from ${schema}.heatmap_rows
    where market_id = p_market and params_hash = p_params_hash and t >= p_from and t <= p_to
    order by date_bin(p_step_ms * interval '1 millisecond', t, timestamptz 'epoch'), t desc)
  select h.t, h.price, h.price_step,
    greatest(h.long_lo, floor(p_price_lo / h.price_step)::int),
    h.long[greatest(1, floor(p_price_lo / h.price_step)::int - h.long_lo + 1) : floor(p_price_hi / h.price_step)::int - h.long_lo + 1],
    greatest(h.short_lo, floor(p_price_lo / h.price_step)::int),
    h.short[greatest(1, floor(p_price_lo / h.price_step)::int - h.short_lo + 1) : floor(p_price_hi / h.price_step)::int - h.short_lo + 1]
  from ${schema}.heatmap_rows h join pick p on p.t = h.t
  where h.market_id = p_market and h.params_hash = p_params_hash order by h.t
$$;

create function clusters_at(p_market text, p_params_hash text, p_at timestamptz) returns setof clusters language sql stable as $$
  select c.* from ${schema}.clusters c
  where c.market_id = p_market and c.params_hash = p_params_hash
    and c.t = (select t from ${schema}.heatmap_rows where market_id = p_market and params_hash = p_params_hash and t <= p_at order by t desc limit 1)
  order by c.rank
$$;

create function liquidation_levels_at(p_market text, p_params_hash text, p_at timestamptz, p_range float8) returns heatmap_column language sql stable as $$
  select h.t, h.price, h.price_step,
    greatest(h.long_lo, floor(h.price * (1 - p_range) / h.price_step)::int),
    h.long[greatest(1, floor(h.price * (1 - p_range) / h.price_step)::int - h.long_lo + 1) : floor(h.price * (1 + p_range) / h.price_step)::int - h.long_lo + 1],
    greatest(h.short_lo, floor(h.price * (1 - p_range) / h.price_step)::int),
    h.short[greatest(1, floor(h.price * (1 - p_range) / h.price_step)::int - h.short_lo + 1) : floor(h.price * (1 + p_range) / h.price_step)::int - h.short_lo + 1]
  from ${schema}.heatmap_rows h
  where h.market_id = p_market and h.params_hash = p_params_hash and h.t <= p_at order by h.t desc limit 1
$$;
`;
