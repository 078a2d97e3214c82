import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBracketFile } from '../../engine/index.js';
import { runCli } from '../_setup/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'liqmap-brackets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a file of the test's own and returns its path. */
function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

// A table unlike the bundled BTCUSDT one: tier 2 runs to 700,000 at 0.6%, cum = 50,000 × (0.006 − 0.004) = 100.
const table = [
  { bracket: 1, initialLeverage: 125, notionalCap: 50000, notionalFloor: 0, maintMarginRatio: 0.004, cum: 0 },
  { bracket: 2, initialLeverage: 50, notionalCap: 700000, notionalFloor: 50000, maintMarginRatio: 0.006, cum: 100 },
];
const position = ['--exchange', 'binance', '--symbol', 'BTCUSDT', '--mode', 'isolated', '--side', 'long', '--qty', '15', '--entry', '45000', '--wallet', '100000', '--json'];

describe('liqmap quote --brackets', () => {
  it('quotes with the file\'s tier, as the bare array and as the /fapi/v1/leverageBracket response', () => {
    // 15 BTC at 45,000 = 675,000: the file's tier 2 (the bundled table's 3). LP = (100,000 + 100 − 675,000)/(15·0.006 − 15)
    // = −574,900 / −14.91 = 38,558.01475519785378940…; 15·LP = 578,370.2 ∈ (50,000, 700,000].
    for (const text of [JSON.stringify(table), JSON.stringify([{ symbol: 'ETHUSDT', brackets: [] }, { symbol: 'BTCUSDT', brackets: table }])]) {
      const r = runCli(['quote', ...position, '--brackets', file('ok.json', text)]);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ liquidationPrice: '38558.014755197854', tier: 2 });
    }
  });

  it('OKX cross takes the tier holding the entry notional', () => {
    // 3 BTC at 60,000 = 180,000: tier 2, MMR 0.6%, no fee; balance 20,000, max leverage 50 (IM 3,600):
    // 20,000 + 3(P − 60,000) = 3P·0.006 ⇒ P = 160,000 / 2.982 = 53,655.26492287055667337…
    const r = runCli(['quote', '--exchange', 'okx', '--mode', 'cross', '--side', 'long', '--qty', '3', '--entry', '60000', '--wallet', '20000', '--brackets', file('okx.json', JSON.stringify(table)), '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ liquidationPrice: '53655.264922870557', tier: 2, initialMargin: '3600' });
  });

  it('a bad tier is one line naming the file, the tier and the field, exit code 2', () => {
    const bad = [table[0], { ...table[1], maintMarginRatio: 'abc' }];
    const p = file('bad.json', JSON.stringify(bad));
    const r = runCli(['quote', ...position, '--brackets', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`liqmap: INPUT_INVALID: ${p}: tier 2: maintMarginRatio: must be a decimal number\n`);
    const gap = file('gap.json', JSON.stringify([table[0], { ...table[1], notionalFloor: 60000 }]));
    expect(runCli(['quote', ...position, '--brackets', gap]).stderr).toBe(`liqmap: INPUT_INVALID: ${gap}: tier 2: notionalFloor: 60000 is not the previous tier's notionalCap 50000\n`);
    const missing = file('missing.json', JSON.stringify([{ ...table[0], cum: undefined }]));
    expect(runCli(['quote', ...position, '--brackets', missing]).stderr).toBe(`liqmap: INPUT_INVALID: ${missing}: tier 1: cum: missing\n`);
    const none = runCli(['quote', ...position, '--brackets', path.join(dir, 'nope.json')]);
    expect([none.code, none.stderr.split('\n').length]).toEqual([2, 2]);
    expect(none.stderr).toMatch(/^liqmap: INPUT_INVALID: .*nope\.json: cannot read the tier table/);
  });
});

describe('parseBracketFile', () => {
  it('keeps each number as the decimal text it is written as', () => {
    // JSON.parse would give 0.006500000000000001 → 0.0065 and 12345678901234567890 → 12345678901234567000.
    const rows = parseBracketFile('[{"initialLeverage":20,"notionalCap":12345678901234567890,"notionalFloor":0,"maintMarginRatio":0.00650000000000000001,"cum":0}]', { source: 'x.json' });
    expect(rows).toEqual([{ floor: '0', cap: '12345678901234567890', mmr: '0.00650000000000000001', cum: '0', maxLeverage: 20 }]);
  });

  it('picks the symbol of a multi-symbol response, and says when it cannot', () => {
    const text = JSON.stringify([{ symbol: 'BTCUSDT', brackets: table }, { symbol: 'ETHUSDT', brackets: table }]);
    expect(parseBracketFile(text, { source: 'b.json', symbol: 'btcusdt' })).toHaveLength(2);
    expect(() => parseBracketFile(text, { source: 'b.json' })).toThrow('b.json: holds BTCUSDT, ETHUSDT: pass --symbol to pick one');
    expect(() => parseBracketFile(text, { source: 'b.json', symbol: 'SOLUSDT' })).toThrow('b.json: no brackets for SOLUSDT (it holds BTCUSDT, ETHUSDT)');
  });
});
