import { parse } from 'csv-parse/sync';
import type { CanonicalEvent } from '../../db/index.js';
import type { Format } from './format.js';
import { RowError } from './format.js';
import { genericEvent } from './generic-record.js';

function columnsOf(header: string): string[] {
  return (parse(header) as string[][])[0]!.map((c) => c.trim().toLowerCase());
}

/**
 * The generic CSV layout: a header row naming the columns (`kind,market,time,price,qty,…`, any
 * order, see {@link genericEvent}), then one event per row. Fields may be quoted, so rows go
 * through csv-parse (slower than the exchange layouts' plain split, which is fine for the
 * hand-made files this layout is for).
 */
export const genericCsv: Format = {
  name: 'generic-csv',
  description: 'generic CSV with a header naming columns: kind,market,time,… (see indexer/sources/README.md)',
  needsMarket: false,
  detect: (_fileName, firstLine) => {
    if (firstLine.startsWith('{')) return false;
    const cols = firstLine.toLowerCase().split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
    return cols.includes('kind') && (cols.includes('time') || cols.includes('ts') || cols.includes('timestamp'));
  },
  isHeader: (line) => /(^|,)"?kind"?(,|$)/i.test(line),
  marketFromFileName: () => null,
  withHeader(header) {
    const cols = columnsOf(header);
    return {
      ...genericCsv,
      parseLine(line, ctx): CanonicalEvent[] {
        let cells: string[];
        try {
          cells = (parse(line, { relax_quotes: false }) as string[][])[0] ?? [];
        } catch (e) {
          throw new RowError('row', `not a valid CSV row: ${(e as Error).message}`);
        }
        if (cells.length !== cols.length) throw new RowError('row', `expected ${cols.length} columns (as in the header), found ${cells.length}`);
        const record: Record<string, string> = {};
        cols.forEach((c, i) => (record[c] = cells[i]!));
        return [genericEvent(record, ctx)];
      },
    };
  },
  parseLine() {
    throw new RowError('row', 'generic CSV needs its header row first');
  },
};

/**
 * The generic JSON-lines layout: one object per line with the same keys as the generic CSV
 * (`{"kind":"trade","market":"bybit:BTCUSDT","time":"2024-01-01T00:00:00Z","price":"42000.5","qty":"0.1"}`).
 * Numbers may be JSON numbers or strings; strings keep exactness.
 */
export const genericJsonl: Format = {
  name: 'generic-jsonl',
  description: 'generic JSON lines: {"kind":…,"market":…,"time":…, …} per line',
  needsMarket: false,
  detect: (_fileName, firstLine) => firstLine.startsWith('{') && /"kind"\s*:/.test(firstLine),
  isHeader: () => false,
  marketFromFileName: () => null,
  parseLine(line, ctx): CanonicalEvent[] {
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      throw new RowError('row', 'not valid JSON');
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new RowError('row', 'each line must be a JSON object');
    const record: Record<string, string> = {};
    for (const [k, v] of Object.entries(obj)) {
      if (v === null || v === undefined) continue;
      if (typeof v === 'object') throw new RowError(k, `${k} must be a string or number`);
      record[k.toLowerCase()] = String(v);
    }
    return [genericEvent(record, ctx)];
  },
};
