#!/usr/bin/env node
// Repairs postgres.js 3.4.x's handling of closed connections in node_modules (run by `postinstall`, and by the
// Dockerfile, whose installs skip scripts), and turns Nagle's algorithm off on its sockets. Each
// closed-connection defect below wedged a process through a Postgres restart
// (test/db/driver-restart.test.ts shows each one; test/jobs/restarts.test.ts and the fault
// campaign run the commands through one).
// connection.js — small writes wait for a `setImmediate`; when the socket closes first:
// - the teardown (`closed()`, `terminate()`) cancels that immediate but leaves `nextWriteTimer`
//   set and the bytes buffered, so the connection never arms the timer again: after its
//   reconnect its start-up message is never sent and every query on it waits forever;
// - a write scheduled after the close calls `write` on a null socket from the timer: an
//   uncaught TypeError that kills the process (or, in a BullMQ sandbox, the worker thread and
//   its job attempt), and whose query, were the exception ignored, would never settle.
// index.js (the pool) — Kysely reserves a connection for every query:
// - a reservation whose connection closed is released later: the release put the connection back
//   open, socket-less (every later query on it failed, it was never reconnected), or, when it had
//   reconnected meanwhile and been reserved again, took it from its new holder;
// - a queued reservation handed to a connection that reconnects because of it (`onclose`) left the
//   queue, but a connecting connection drops a reservation, expecting the pool to still hold it:
//   that request never settled (a query hung for good);
// - a reservation whose connect failed (ECONNREFUSED while Postgres restarts) was rejected but
//   stayed queued: the next connection that opened was handed to it and never came back (the pool
//   shrank by one per refused attempt, to nothing: every query then waited forever).
// The repair resets the timer and the buffer on teardown, fails the connection's queries with
// CONNECTION_CLOSED (a rejection the caller retries) instead of writing to no socket, makes a
// release act only for the reservation still holding the connection, keeps a reservation queued
// while a connection reconnects for it, and unqueues a reservation when it is rejected.
// Upstream: porsager/postgres#1154, #1208; fixes proposed in #1168, #1176, #1209, none released.
// connection.js, Nagle — a COPY writes its data and CopyDone as separate small segments, and with
// Nagle on the second waited for the server's delayed ACK, ~40 ms per COPY
// (test/db/copy-latency.test.ts). The driver's own sockets get `setNoDelay` once connected, so its
// connect, connect_timeout and error path stay as published: its `socket` option cannot carry this,
// as a factory whose promise rejects (ECONNREFUSED) leaves the connection in the pool's connecting
// queue for good, and once `max` connects were refused every query waited forever.
// Idempotent (a marker per file); exits non-zero when a file no longer has the expected shape (a
// new driver version: check whether it still needs the repair, then update or drop this script).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const MARKER = '/* liqmap: repaired for closed connections */';
// The pool's repair has its own marker: an install that has the earlier, partial one fails loudly.
const POOL_MARKER = '/* liqmap: pool repaired for closed connections, 2 */';
// Its own marker too, so that a driver already repaired for closed connections gets it on a rerun.
const NO_DELAY_MARKER = '/* liqmap: Nagle off */';
// The package's CommonJS entry is <root>/cjs/src/index.js (its exports hide package.json).
const root = path.resolve(path.dirname(createRequire(import.meta.url).resolve('postgres')), '../..');

const connectionEdits = [
  {
    from: '  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)',
    to: `  function nextWrite(fn) { ${MARKER}\n    if (socket === null) {\n      nextWriteTimer !== null && clearImmediate(nextWriteTimer)\n      chunk = nextWriteTimer = null\n      error(Errors.connection('CONNECTION_CLOSED', options))\n      return false\n    }\n    const x = socket.write(chunk, fn)`,
  },
  // terminate() and closed(): the only two other places that touch the timer.
  { from: '    clearImmediate(nextWriteTimer)\n', to: '    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null\n', count: 2 },
];
const noDelayEdits = [
  {
    from: '      keep_alive && socket.setKeepAlive && socket.setKeepAlive(true, 1000 * keep_alive)\n',
    to: `      keep_alive && socket.setKeepAlive && socket.setKeepAlive(true, 1000 * keep_alive)\n      socket.setNoDelay && socket.setNoDelay(true) ${NO_DELAY_MARKER}\n`,
  },
];
const poolEdits = [
  {
    from: '        const query = { reserve: resolve, reject }\n',
    to: '        const query = { reserve: resolve, reject: e => (queries.remove(query), reject(e)) }\n',
  },
  {
    from: '    c.reserved = () => queue.length\n',
    to: '    const reservation = c.reserved = () => queue.length\n',
  },
  {
    from: '    sql.release = () => {\n      c.reserved = null\n',
    to: `    sql.release = () => { ${POOL_MARKER}\n      if (c.reserved !== reservation)\n        return\n      c.reserved = null\n`,
  },
  {
    from: '    queries.length && connect(c, queries.shift())\n',
    to: '    if (queries.length) {\n      const query = queries.shift()\n      query.reserve && queries.push(query)\n      connect(c, query)\n    }\n',
  },
];
const files = ['src', 'cjs/src', 'cf/src'].flatMap((dir) => [
  { file: path.join(root, dir, 'connection.js'), edits: connectionEdits, marker: MARKER },
  { file: path.join(root, dir, 'connection.js'), edits: noDelayEdits, marker: NO_DELAY_MARKER },
  { file: path.join(root, dir, 'index.js'), edits: poolEdits, marker: POOL_MARKER, stale: MARKER },
]);

let failed = false;
for (const { file, edits, marker, stale } of files) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    continue; // a layout without this build
  }
  if (text.includes(marker)) continue;
  if (stale && text.includes(stale)) {
    process.stderr.write(`patch-postgres-driver: ${file} has an earlier liqmap repair; reinstall postgres (npm ci) and run this again\n`);
    failed = true;
    continue;
  }
  let ok = true;
  for (const e of edits) {
    const n = text.split(e.from).length - 1;
    if (n !== (e.count ?? 1)) {
      process.stderr.write(`patch-postgres-driver: ${file} does not have the expected code (found ${n} of ${e.count ?? 1}); postgres.js changed\n`);
      ok = false;
      break;
    }
    text = text.replaceAll(e.from, e.to);
  }
  if (ok) writeFileSync(file, text);
  else failed = true;
}
process.exit(failed ? 1 : 0);
