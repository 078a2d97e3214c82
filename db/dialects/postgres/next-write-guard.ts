/**
 * postgres.js 3.4 (up to 3.4.9, the latest) defers writes under 1 KiB to a `setImmediate`; when
 * the connection closes before it fires (a Postgres restart), `nextWrite` calls `write` on a
 * null socket and throws from the timer — an uncaught TypeError that kills the process
 * (porsager/postgres#1154, #1208; guards proposed in #1168, #1176, #1209, none released). By then
 * `closed()` has already failed the connection's queries with `CONNECTION_CLOSED`, so the
 * deferred write is moot: that one exception is ignored, and the callers' retries run.
 *
 * scripts/patch-postgres-driver.mjs (postinstall) repairs the driver so that this no longer
 * happens; the guard stays for an install that skipped scripts.
 *
 * Every other uncaught exception keeps Node's behaviour: when no other listener handles it,
 * it is printed and the process exits with code 1.
 */
function isNextWriteOnClosedSocket(e: unknown): boolean {
  return (
    e instanceof TypeError &&
    /reading 'write'|evaluating 'socket\.write'/.test(e.message) &&
    /nextWrite[^\n]*node_modules[\\/]postgres[\\/]src[\\/]connection\.js/.test(e.stack ?? '')
  );
}

let installed = false;

/** Installs the guard once per process. */
export function guardPostgresNextWrite(): void {
  if (installed) return;
  installed = true;
  const onUncaught = (e: unknown) => {
    if (isNextWriteOnClosedSocket(e)) return;
    if (process.listenerCount('uncaughtException') > 1) return; // another listener reports it
    process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
    process.exit(1);
  };
  process.on('uncaughtException', onUncaught);
}
