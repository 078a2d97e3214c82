import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * The process logger: structured JSON lines on stderr (stdout stays free for `--json` output).
 * Components take a child with `at: 'Component#method'`, the way the dYdX indexer does.
 */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { service: 'liqmap' } }, pino.destination(2));
}

/** A logger that writes nothing; the default for library calls and tests. */
export const silentLogger: Logger = pino({ level: 'silent' });
