/** cli/backtest: CSV loading and report formatting shared by `liqmap accuracy` and `liqmap calibrate`. */
export { loadBacktestCsv, parseDuration, type BacktestFiles, type BacktestData } from './load-csv.js';
export { formatInterval, formatWalkForward } from './format.js';
