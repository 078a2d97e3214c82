/** Position side. */
export type Side = 'long' | 'short';

/** Venues whose margin rules the engine knows. */
export type Exchange = 'binance' | 'bybit' | 'okx' | 'hyperliquid' | 'dydx' | 'gmx';

/** Every supported exchange, in a stable order. */
export const EXCHANGES: readonly Exchange[] = ['binance', 'bybit', 'okx', 'hyperliquid', 'dydx', 'gmx'];

/** Margin mode. */
export type MarginMode = 'isolated' | 'cross';
