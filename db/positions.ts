import { sql } from 'kysely';
import type { CanonicalEvent } from './events.js';
import { eventTable } from './event-tables.js';
import type { RawTx, Store } from './store.js';
import { timestampText } from './copy-csv.js';

/** A position after one change, as the subgraph source delivers it (amounts decimal strings). */
export interface PositionChangeRow {
  readonly key: string;
  readonly changeId: string;
  readonly market: string;
  readonly account: string;
  readonly collateralToken: string;
  readonly isLong: boolean;
  /** USD. */
  readonly sizeUsd: string;
  readonly sizeTokens: string | null;
  readonly collateralTokens: string | null;
  /** USD. */
  readonly collateralUsd: string;
  readonly entryPrice: string | null;
  readonly open: boolean;
  readonly block: number;
  /** Epoch µs. */
  readonly ts: number;
  /** On-chain market address (GMX market token), lower-case; null for rows written before it was recorded. */
  readonly marketToken: string | null;
  /** The collateral is the market's index token (valued at the index price). */
  readonly collateralIsIndex: boolean;
  /** USD per whole collateral token at the change (the oracle's min price). */
  readonly collateralPrice: string | null;
  /** GMX: the position's cumulative borrowing factor at the change, fraction. */
  readonly borrowingFactor: string | null;
  /** GMX: the position's funding fee amount per size at the change, whole collateral tokens per USD. */
  readonly fundingFeePerSize: string | null;
  /** GMX: Position.pendingImpactAmount after the change, index tokens, signed. */
  readonly pendingImpactTokens: string | null;
}

/**
 * One update of an on-chain market's accumulator or Config parameter (GMX v2), whole units:
 * `cumulativeBorrowingFactor` (fraction, per side: flag = isLong), `fundingFeeAmountPerSize`
 * (collateral tokens per USD, per collateral token and side), or a Config key
 * (`minCollateralFactorForLiquidation`, … ; flag = the key's bool). `market` is the canonical
 * market id, `gmx:*` for protocol-wide keys.
 */
export interface MarketStateRow {
  readonly market: string;
  readonly kind: string;
  /** '' when the kind has no collateral token. */
  readonly collateralToken: string;
  readonly flag: boolean;
  /** The log's id (tx hash + log index). */
  readonly entryId: string;
  readonly block: number;
  /** Epoch µs. */
  readonly ts: number;
  readonly value: string;
}

/** The columns of position_history and positions, in one order. */
const POSITION_COLUMNS = `position_key, change_id, market_id, account, collateral_token, is_long, size_usd, size_tokens, collateral_tokens, collateral_usd, entry_price, open, block, ts,
  market_token, collateral_is_index, collateral_price, borrowing_factor, funding_fee_per_size, pending_impact_tokens`;

/**
 * Writes market state updates (idempotent by entry id), inside `tx`. Levels computed before a
 * newly inserted value are stale from its time on: the market's version moves and its dirty
 * mark reaches back to that time.
 */
export async function writeMarketState(tx: RawTx, rows: readonly MarketStateRow[]): Promise<void> {
  if (rows.length === 0) return;
  const json = JSON.stringify(rows.map((r) => ({ ...r, ts: timestampText(r.ts) })));
  await tx.query(
    `with ins as (
       insert into market_state (market_id, kind, collateral_token, flag, entry_id, block, ts, value)
       select market, kind, "collateralToken", flag, "entryId", block, ts, value
       from jsonb_to_recordset($1::text::jsonb) as r(market text, kind text, "collateralToken" text, flag boolean, "entryId" text, block bigint, ts timestamptz, value numeric)
       on conflict do nothing
       returning market_id, ts)
     update market_versions v set version = version + 1, dirty_from = least(coalesce(v.dirty_from, x.first), x.first)
     from (select market_id, min(ts) as first from ins group by market_id) x
     where v.market_id = x.market_id`,
    [json],
  );
}

/**
 * Writes position changes (history, idempotent by change id) and moves each position's
 * current row forward when the change is newer (block, then change id), inside `tx`.
 */
export async function writePositionChanges(tx: RawTx, rows: readonly PositionChangeRow[]): Promise<void> {
  if (rows.length === 0) return;
  const json = JSON.stringify(rows.map((r) => ({ ...r, ts: timestampText(r.ts) })));
  const from = `from jsonb_to_recordset($1::text::jsonb) as r("key" text, "changeId" text, market text, account text, "collateralToken" text, "isLong" boolean,
      "sizeUsd" numeric, "sizeTokens" numeric, "collateralTokens" numeric, "collateralUsd" numeric, "entryPrice" numeric, open boolean, block bigint, ts timestamptz,
      "marketToken" text, "collateralIsIndex" boolean, "collateralPrice" numeric, "borrowingFactor" numeric, "fundingFeePerSize" numeric, "pendingImpactTokens" numeric)`;
  const select = `select "key", "changeId", market, account, "collateralToken", "isLong", "sizeUsd", "sizeTokens", "collateralTokens", "collateralUsd", "entryPrice", open, block, ts,
      "marketToken", coalesce("collateralIsIndex", false), "collateralPrice", "borrowingFactor", "fundingFeePerSize", "pendingImpactTokens"`;
  const cols = POSITION_COLUMNS;
  await tx.query(`insert into position_history (${cols}) ${select} ${from} on conflict do nothing`, [json]);
  await tx.query(
    `insert into positions (${cols})
     select distinct on ("key") * from (${select} ${from}) x order by "key", block desc, "changeId" desc
     on conflict (position_key) do update set
       change_id = excluded.change_id, market_id = excluded.market_id, account = excluded.account, collateral_token = excluded.collateral_token,
       is_long = excluded.is_long, size_usd = excluded.size_usd, size_tokens = excluded.size_tokens, collateral_tokens = excluded.collateral_tokens,
       collateral_usd = excluded.collateral_usd, entry_price = excluded.entry_price, open = excluded.open, block = excluded.block, ts = excluded.ts,
       market_token = excluded.market_token, collateral_is_index = excluded.collateral_is_index, collateral_price = excluded.collateral_price,
       borrowing_factor = excluded.borrowing_factor, funding_fee_per_size = excluded.funding_fee_per_size, pending_impact_tokens = excluded.pending_impact_tokens
     where (excluded.block, excluded.change_id) > (positions.block, positions.change_id)`,
    [json],
  );
}

/** Remembers which page (by its last block) wrote each canonical row of a subgraph source. */
export async function recordSubgraphRows(tx: RawTx, sourceKey: string, pageBlock: number, events: readonly CanonicalEvent[]): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map((e) => {
    const key = eventTable(e.kind).keyOf(e as never).split('|').slice(2).join('|');
    return { kind: e.kind, market: e.market, ts: timestampText(e.ts), key };
  });
  await tx.query(
    `insert into subgraph_rows (source_key, page_block, kind, market_id, ts, key)
     select $1, $2, kind, market, ts, key from jsonb_to_recordset($3::text::jsonb) as r(kind text, market text, ts timestamptz, key text)
     on conflict do nothing`,
    [sourceKey, pageBlock, JSON.stringify(rows)],
  );
}

/**
 * Undoes everything a subgraph source wrote from pages after the newest page ending at or
 * below `safeBlock`: canonical rows (by `subgraph_rows`), position history above that block,
 * and current positions rebuilt from the history that remains. Returns the block to resume
 * after (the kept page's last block), so no row of a cut page is lost.
 */
export async function rollbackSubgraph(store: Store, sourceKey: string, safeBlock: number): Promise<number> {
  return store.rawTransaction(async (tx) => {
    const kept = await tx.query<{ b: string | number | null }>(`select max(page_block) as b from subgraph_rows where source_key = $1 and page_block <= $2`, [sourceKey, safeBlock]);
    const resume = kept[0]?.b === null || kept[0]?.b === undefined ? Math.min(safeBlock, 0) : Number(kept[0].b);
    // Results computed from the rows about to go are stale from their earliest time on.
    await tx.query(
      `update market_versions v set version = version + 1, dirty_from = least(coalesce(v.dirty_from, x.first), x.first)
       from (select market_id, min(ts) as first from (
               select market_id, ts from subgraph_rows where source_key = $1 and page_block > $2
               union all select market_id, ts from position_history where block > $2) u group by market_id) x
       where v.market_id = x.market_id`,
      [sourceKey, resume],
    );
    for (const [kind, table, keyCol] of [
      ['trade', 'trades', 'trade_id'],
      ['liquidation', 'liquidations', 'key'],
      ['funding', 'funding_rates', null],
    ] as const) {
      const match = keyCol ? `t.${keyCol} = s.key` : `true`;
      await tx.query(
        `delete from ${table} t using subgraph_rows s
         where s.source_key = $1 and s.page_block > $2 and s.kind = '${kind}' and t.market_id = s.market_id and t.ts = s.ts and ${match}`,
        [sourceKey, resume],
      );
    }
    const touched = await tx.query<{ position_key: string }>(`delete from position_history where block > $1 returning position_key`, [resume]);
    await tx.query(`delete from market_state where block > $1`, [resume]);
    await tx.query(`delete from subgraph_rows where source_key = $1 and page_block > $2`, [sourceKey, resume]);
    const keys = [...new Set(touched.map((r) => r.position_key))];
    if (keys.length > 0) {
      await tx.query(`delete from positions where position_key = any($1::text[])`, [keys]);
      await tx.query(
        `insert into positions (${POSITION_COLUMNS}) select distinct on (position_key) ${POSITION_COLUMNS}
         from position_history where position_key = any($1::text[]) order by position_key, block desc, change_id desc`,
        [keys],
      );
    }
    return resume;
  });
}

type RawPositionRow = Record<string, string | number | boolean | null | Date>;

function toPositionRow(x: RawPositionRow): PositionChangeRow {
  return {
    key: String(x.position_key),
    changeId: String(x.change_id),
    market: String(x.market_id),
    account: String(x.account),
    collateralToken: String(x.collateral_token),
    isLong: Boolean(x.is_long),
    sizeUsd: String(x.size_usd),
    sizeTokens: x.size_tokens === null ? null : String(x.size_tokens),
    collateralTokens: x.collateral_tokens === null ? null : String(x.collateral_tokens),
    collateralUsd: String(x.collateral_usd),
    entryPrice: x.entry_price === null ? null : String(x.entry_price),
    open: Boolean(x.open),
    block: Number(x.block),
    ts: (x.ts as Date).getTime() * 1000,
    marketToken: x.market_token === null || x.market_token === undefined ? null : String(x.market_token),
    collateralIsIndex: Boolean(x.collateral_is_index),
    collateralPrice: nullableText(x.collateral_price),
    borrowingFactor: nullableText(x.borrowing_factor),
    fundingFeePerSize: nullableText(x.funding_fee_per_size),
    pendingImpactTokens: nullableText(x.pending_impact_tokens),
  };
}

function nullableText(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

function toStateRow(x: RawPositionRow): MarketStateRow {
  return {
    market: String(x.market_id),
    kind: String(x.kind),
    collateralToken: String(x.collateral_token),
    flag: Boolean(x.flag),
    entryId: String(x.entry_id),
    block: Number(x.block),
    ts: (x.ts as Date).getTime() * 1000,
    value: String(x.value),
  };
}

/** Every state update of a market and the protocol-wide ones (`gmx:*`-style `<venue>:*`), in time order. */
export async function marketStateHistory(store: Store, market: string): Promise<MarketStateRow[]> {
  const r = await sql<RawPositionRow>`
    select * from market_state where market_id in (${market}, ${globalMarketId(market)}) order by ts, block, entry_id`.execute(store.db);
  return r.rows.map(toStateRow);
}

/** The latest state update of each (kind, collateral token, flag) of a market at or before `atMs`, protocol-wide ones included. */
export async function marketStateAt(store: Store, market: string, atMs: number): Promise<MarketStateRow[]> {
  const r = await sql<RawPositionRow>`
    select distinct on (market_id, kind, collateral_token, flag) * from market_state
    where market_id in (${market}, ${globalMarketId(market)}) and ts <= ${timestampText(atMs * 1000)}::text::timestamptz
    order by market_id, kind, collateral_token, flag, ts desc, block desc, entry_id desc`.execute(store.db);
  return r.rows.map(toStateRow);
}

/** The latest oracle price (USD per whole token) of each collateral token seen in a market's position changes at or before `atMs`. */
export async function collateralPricesAt(store: Store, market: string, atMs: number): Promise<Map<string, string>> {
  const r = await sql<{ collateral_token: string; collateral_price: string }>`
    select distinct on (collateral_token) collateral_token, collateral_price from position_history
    where market_id = ${market} and collateral_price is not null and ts <= ${timestampText(atMs * 1000)}::text::timestamptz
    order by collateral_token, ts desc, block desc, change_id desc`.execute(store.db);
  return new Map(r.rows.map((x) => [String(x.collateral_token), String(x.collateral_price)]));
}

/** `gmx:ETH-USD` → `gmx:*`: where a venue's protocol-wide state rows live. */
export function globalMarketId(market: string): string {
  return `${market.split(':')[0]}:*`;
}

/** Open positions of a market as of a time (from history), for the exact model. */
export async function openPositionsAt(store: Store, market: string, atMs: number): Promise<PositionChangeRow[]> {
  const r = await sql<RawPositionRow>`
    select * from (
      select distinct on (position_key) * from position_history
      where market_id = ${market} and ts <= ${timestampText(atMs * 1000)}::text::timestamptz
      order by position_key, block desc, change_id desc) p
    where open`.execute(store.db);
  return r.rows.map(toPositionRow);
}

/** Whether a market has known positions (its levels can be computed exactly). */
export async function hasPositions(store: Store, market: string): Promise<boolean> {
  const r = await sql<{ e: boolean }>`select exists(select 1 from position_history where market_id = ${market}) as e`.execute(store.db);
  return Boolean(r.rows[0]?.e);
}

/** Every position change of a market in time order (the exact model replays them). */
export async function positionHistory(store: Store, market: string): Promise<PositionChangeRow[]> {
  const r = await sql<RawPositionRow>`
    select * from position_history where market_id = ${market} order by ts, block, change_id`.execute(store.db);
  return r.rows.map(toPositionRow);
}
