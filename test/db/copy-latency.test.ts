import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, type TestStore } from '../_setup/store.js';

/**
 * A small COPY costs a round trip, not a delayed ACK: postgres.js's sockets would run with
 * Nagle's algorithm on, and a COPY's data and CopyDone then wait about 40 ms for the server's
 * ACK each time (a compute commit makes several of them). scripts/patch-postgres-driver.mjs
 * (postinstall) turns it off.
 */
describe('Postgres store sockets', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await createTestStore();
    await t.store.rawTransaction((tx) => tx.query('create table one_row (a int)'));
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('commits a transaction of two one-row COPYs well under a delayed ACK (40 ms)', async () => {
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      const started = performance.now();
      await t.store.rawTransaction(async (tx) => {
        await tx.copyIn('one_row', ['a'], '1\n');
        await tx.copyIn('one_row', ['a'], '2\n');
      });
      times.push(performance.now() - started);
    }
    // The fastest of seven: a loaded machine delays some, Nagle delays every one (≥ 80 ms seen).
    expect(Math.min(...times), 'an install older than the Nagle repair: run node scripts/patch-postgres-driver.mjs').toBeLessThan(40);
  });
});
