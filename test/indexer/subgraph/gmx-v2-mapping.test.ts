import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Decimal as DecimalJs } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import {
  divideToDecimal,
  formatFixed,
  toCanonical,
  type GmxV2Entity,
} from '../../../indexer/subgraph/index.js';
import { fundingRateSchema, liquidationSchema, marketConfigUpdateSchema, marketFactorUpdateSchema, positionChangeSchema } from '../../../indexer/subgraph/gmx-v2-entities.js';
import { GMX_V2_FIXTURE_DIR } from '../../_fixtures/graph-node-server.js';

const Decimal = DecimalJs.clone({ precision: 60 });

type Json = Record<string, unknown>;
const fixture = (file: string): Json[] => JSON.parse(readFileSync(path.join(GMX_V2_FIXTURE_DIR, file), 'utf8')) as Json[];
const changes = fixture('position-changes.json').map((r) => positionChangeSchema.parse({ __typename: 'PositionChange', ...r }));
const liquidations = fixture('liquidations.json').map((r) => liquidationSchema.parse({ __typename: 'Liquidation', ...r }));
const rates = fixture('funding-rates.json').map((r) => fundingRateSchema.parse({ __typename: 'FundingRate', ...r }));

const ETH_USD = '0x70d95587d40a2caf56bd97485ab3eec10bee6336';
const BTC_USD = '0x47c031236e19d024b42f8ae6780e44a573170703';

describe('formatFixed / divideToDecimal', () => {
  it('scales GMX integers to exact decimal strings', () => {
    expect(formatFixed(3412570000000000n, 12)).toBe('3412.57');
    expect(formatFixed(25000n * 10n ** 30n, 30)).toBe('25000');
    expect(formatFixed(1n, 30)).toBe('0.000000000000000000000000000001');
    expect(formatFixed(-5n, 2)).toBe('-0.05');
    expect(formatFixed(0n, 18)).toBe('0');
    expect(formatFixed(-980193562105000000000000000000000n, 30)).toBe('-980.193562105');
    expect(formatFixed(12n, 0)).toBe('12');
    expect(formatFixed(12n, -2)).toBe('1200');
  });

  it('divides with half-away-from-zero rounding', () => {
    expect(divideToDecimal(2n, 3n, 4)).toBe('0.6667');
    expect(divideToDecimal(-2n, 3n, 4)).toBe('-0.6667');
    expect(divideToDecimal(1n, 8n, 2)).toBe('0.13');
    expect(divideToDecimal(10n, 4n, 18)).toBe('2.5');
  });
});

describe('toCanonical', () => {
  it('maps a position increase to a trade and a snapshot (1e30 prices → USD per token)', () => {
    const e = changes[0]!;
    expect(e.market).toBe(ETH_USD);
    const out = toCanonical(e);
    expect(out.skipped).toBeNull();
    expect(out.events).toEqual([
      {
        kind: 'trade',
        market: 'gmx:ETH-USD',
        ts: 1720612802 * 1_000_000,
        tradeId: e.id,
        price: '3412.57',
        qty: '7.325857052016515412',
        side: 'buy',
      },
    ]);
    const p = out.position!;
    expect(p).toMatchObject({
      key: e.positionKey,
      account: e.account,
      market: 'gmx:ETH-USD',
      marketToken: ETH_USD,
      isLong: true,
      sizeUsd: '25000',
      sizeTokens: '7.325857052016515412',
      collateralTokens: '2',
      collateralUsd: '6825', // 2 WETH at the collateral min price 3412.5
      open: true,
      block: 233000010,
      ts: 1720612802 * 1_000_000,
      changeId: e.id,
    });
    const entry = new Decimal('25000').div('7.325857052016515412').toDecimalPlaces(18, Decimal.ROUND_HALF_UP);
    expect(p.entryPrice).toBe(entry.toString());
    expect(Number(p.entryPrice)).toBeCloseTo(3412.57, 6);
  });

  it('takes decimals from the entity only (synthetic BTC: the subgraph snapshot), and skips an entity without them', () => {
    const e = changes.find((c) => c.market === BTC_USD && c.type === 'increase' && c.account === changes[1]!.account)!;
    expect(e.indexTokenDecimals).toBe(8);
    const [trade] = toCanonical(e).events;
    expect(trade).toMatchObject({ kind: 'trade', market: 'gmx:BTC-USD', price: '67123.4', side: 'sell' });
    expect(trade?.kind === 'trade' && trade.qty).toBe(formatFixed(e.sizeDeltaInTokens, 8));
    expect(toCanonical({ ...e, indexTokenDecimals: null })).toMatchObject({
      events: [],
      skipped: expect.stringContaining('unknown decimals'),
    });
  });

  it('names unlisted markets by their market token', () => {
    const e = changes[0]!;
    const out = toCanonical(e, { markets: {} });
    expect(out.events[0]?.market).toBe(`gmx:${ETH_USD}`);
  });

  it('keeps the accumulators, pending impact and collateral price of a position change in whole units', () => {
    const e = changes.find((c) => c.market === BTC_USD && c.collateralToken !== c.indexToken)!;
    const p = toCanonical({ ...e, pendingImpactAmount: -1234n }).position!;
    // borrowingFactor / 1e30; fundingFeeAmountPerSize / 1e(15 + 6 USDC decimals); pending / 1e8 BTC decimals.
    expect(p).toMatchObject({ collateralIsIndex: false, borrowingFactor: formatFixed(e.borrowingFactor, 30), fundingFeePerSize: formatFixed(e.fundingFeeAmountPerSize, 21), pendingImpactTokens: '-0.00001234' });
    expect(p.collateralPrice).toBe(formatFixed(e.collateralTokenPriceMin, 24));
    const eth = changes.find((c) => c.market === ETH_USD && c.collateralToken === c.indexToken)!;
    expect(toCanonical(eth).position).toMatchObject({ collateralIsIndex: true, collateralPrice: '3412.5' });
  });

  it('maps accumulator and Config updates to market state rows in whole units', () => {
    const factors = fixture('market-factor-updates.json').map((r) => marketFactorUpdateSchema.parse({ __typename: 'MarketFactorUpdate', ...r }));
    const borrowing = toCanonical(factors.find((f) => f.kind === 'cumulativeBorrowingFactor' && f.value > 1843920411784712930152318n)!);
    expect(borrowing.state[0]).toMatchObject({ market: 'gmx:ETH-USD', kind: 'cumulativeBorrowingFactor', collateralToken: '', flag: true, value: '0.003001843920411784712930152318' });
    const funding = factors.find((f) => f.kind === 'fundingFeeAmountPerSize')!;
    expect(toCanonical(funding).state[0]).toMatchObject({ kind: 'fundingFeeAmountPerSize', collateralToken: funding.collateralToken, value: formatFixed(funding.value, 15 + funding.collateralTokenDecimals!) });
    expect(toCanonical({ ...funding, collateralTokenDecimals: null })).toMatchObject({ state: [], skipped: expect.stringContaining('unknown decimals') });
    const configs = fixture('market-config-updates.json').map((r) => marketConfigUpdateSchema.parse({ __typename: 'MarketConfigUpdate', ...r }));
    expect(configs.map((c) => toCanonical(c).state[0]).map((r) => [r!.market, r!.kind, r!.flag, r!.value])).toEqual([
      ['gmx:ETH-USD', 'minCollateralFactorForLiquidation', false, '0.005'],
      ['gmx:BTC-USD', 'minCollateralFactorForLiquidation', false, '0.005'],
      ['gmx:ETH-USD', 'maxPositionImpactFactorForLiquidations', false, '0'],
      ['gmx:BTC-USD', 'maxPositionImpactFactorForLiquidations', false, '0'],
      ['gmx:ETH-USD', 'positionFeeFactor', false, '0.0006'],
      ['gmx:BTC-USD', 'positionFeeFactor', false, '0.0006'],
      ['gmx:ETH-USD', 'positionFeeFactor', true, '0.0004'],
      ['gmx:*', 'minCollateralUsd', false, '1'],
    ]);
  });

  it('gives a decrease of a long a sell and a closed position no entry price', () => {
    const decrease = changes.find((c) => c.type === 'decrease')!;
    const out = toCanonical(decrease);
    expect(out.events[0]).toMatchObject({ kind: 'trade', side: 'sell', price: '3450.1' });
    expect(out.position).toMatchObject({ sizeUsd: '15000', open: true });

    const liquidated = changes.find((c) => c.type === 'liquidation' && c.market === ETH_USD)!;
    const closed = toCanonical(liquidated);
    expect(closed.events[0]).toMatchObject({ kind: 'trade', side: 'sell', price: '3334.15' });
    expect(closed.position).toMatchObject({ sizeUsd: '0', sizeTokens: '0', entryPrice: null, open: false });
  });

  it('maps a collateral-only change to a snapshot without a trade', () => {
    const deposit = changes.find((c) => c.sizeDeltaUsd === 0n)!;
    const out = toCanonical(deposit);
    expect(out.events).toEqual([]);
    expect(out.skipped).toBeNull();
    expect(out.position?.open).toBe(true);
  });

  it('maps liquidations: side against the position, notional from sizeDeltaUsd', () => {
    const byMarket = new Map(liquidations.map((l) => [l.market, toCanonical(l)]));
    expect(byMarket.get(ETH_USD)?.events).toEqual([
      {
        kind: 'liquidation',
        market: 'gmx:ETH-USD',
        ts: 1720612810 * 1_000_000,
        side: 'sell',
        price: '3334.15',
        qty: formatFixed(liquidations.find((l) => l.market === ETH_USD)!.sizeDeltaInTokens, 18),
        notional: '50000',
        key: liquidations.find((l) => l.market === ETH_USD)!.id,
      },
    ]);
    expect(byMarket.get(BTC_USD)?.events[0]).toMatchObject({ side: 'buy', price: '68795.5', qty: '0.59568131', notional: '40000' });
  });

  it('maps funding factors per second to signed hourly rates', () => {
    const out = rates.map((r) => toCanonical(r));
    expect(out.map((o) => o.events[0])).toEqual([
      { kind: 'funding', market: 'gmx:ETH-USD', ts: rates[0]!.timestamp * 1e6, rate: '0.0000432', markPrice: null, intervalHours: 1 },
      { kind: 'funding', market: 'gmx:BTC-USD', ts: rates[1]!.timestamp * 1e6, rate: '-0.0000306', markPrice: null, intervalHours: 1 },
      { kind: 'funding', market: 'gmx:ETH-USD', ts: rates[2]!.timestamp * 1e6, rate: '0.000054', markPrice: null, intervalHours: 1 },
      { kind: 'funding', market: 'gmx:BTC-USD', ts: rates[3]!.timestamp * 1e6, rate: '0', markPrice: null, intervalHours: 1 },
    ]);
    const unknown: GmxV2Entity = { ...rates[0]!, longsPayShorts: null };
    expect(toCanonical(unknown)).toMatchObject({ events: [], skipped: expect.stringContaining('direction') });
  });

  it('rejects malformed entities at the edge', () => {
    const raw = fixture('position-changes.json')[0]!;
    expect(positionChangeSchema.safeParse({ __typename: 'PositionChange', ...raw, sizeInUsd: '1.5' }).success).toBe(false);
    expect(positionChangeSchema.safeParse({ __typename: 'PositionChange', ...raw, type: 'swap' }).success).toBe(false);
  });
});
