import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EMBEDDED_ENV, runCliAsync } from '../_setup/cli.js';

describe('liqmap serve on a port that is taken', () => {
  it('stops with one line naming the address and what to do, not a stack trace', { timeout: 120_000 }, async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as AddressInfo).port;
    const dir = mkdtempSync(path.join(tmpdir(), 'liqmap-port-'));
    try {
      const r = await runCliAsync(['serve'], { ...EMBEDDED_ENV, PORT: String(port), LIQMAP_DATA_DIR: dir });
      expect(r.code).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toBe(`liqmap: CANNOT_LISTEN: cannot serve on 127.0.0.1:${port}: the port is already in use (another liqmap or program listens there); stop it or set PORT to a free port`);
    } finally {
      taken.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
