import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LiqmapError, parseConfig } from '../../base/index.js';
import { loadPersistedOperations } from '../../api/index.js';
import { readMarketsFile } from '../../indexer/live/index.js';

/** One error type: a code, a message to act on, and the underlying error chained as `cause`. */
describe('errors chain their cause', () => {
  const missing = path.join(mkdtempSync(path.join(tmpdir(), 'liqmap-causes-')), 'absent.txt');
  const caught = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return e;
    }
    throw new Error('did not throw');
  };

  it('an unreadable markets file (liqmap ingest live --markets-file)', () => {
    const e = caught(() => readMarketsFile(missing));
    expect(e).toBeInstanceOf(LiqmapError);
    expect(e).toMatchObject({ code: 'FILE_UNREADABLE', details: { file: missing }, cause: { code: 'ENOENT' } });
  });

  it('an unreadable LIQMAP_PERSISTED_OPERATIONS file', () => {
    const e = caught(() => loadPersistedOperations(parseConfig({ LIQMAP_PERSISTED_OPERATIONS: missing })));
    expect(e).toBeInstanceOf(LiqmapError);
    expect(e).toMatchObject({ code: 'CONFIG_INVALID', details: { file: missing }, cause: { code: 'ENOENT' } });
  });
});
