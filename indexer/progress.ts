import cliProgress from 'cli-progress';
import type { Logger } from '../base/index.js';
import type { ByteCounter } from './files/open-input.js';
import type { MemberProgress } from './ingest-member.js';

/** Receives ingest progress. */
export interface ProgressReporter {
  startFile(file: string, totalBytes: number, counter: ByteCounter): void;
  update(p: MemberProgress): void;
  endFile(file: string): void;
}

/**
 * A progress bar (rows/s, bytes, ETA) on a terminal; structured `ingest.progress` log lines
 * every few seconds elsewhere (CI, containers).
 */
export function createProgressReporter(logger: Logger, tty: boolean = Boolean(process.stderr.isTTY)): ProgressReporter {
  let bar: cliProgress.SingleBar | undefined;
  let counter: ByteCounter | undefined;
  let total = 0;
  let started = 0;
  let lastLog = 0;
  let file = '';
  const mb = (b: number) => (b / 1e6).toFixed(1);
  return {
    startFile(f, totalBytes, c) {
      file = f;
      total = totalBytes;
      counter = c;
      started = Date.now();
      lastLog = started;
      if (tty) {
        bar = new cliProgress.SingleBar(
          {
            format: `${f.length > 40 ? '…' + f.slice(-39) : f} [{bar}] {percentage}% | {mbDone}/{mbTotal} MB | {rows} rows | {rate} rows/s | ETA {eta_formatted}`,
            stream: process.stderr,
            hideCursor: true,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(totalBytes, 0, { rows: 0, rate: 0, mbDone: '0.0', mbTotal: mb(totalBytes) });
      }
    },
    update(p) {
      const bytes = Math.min(counter?.bytes ?? 0, total);
      const secs = Math.max(0.001, (Date.now() - started) / 1000);
      const rate = Math.round(p.rows / secs);
      if (bar) bar.update(bytes, { rows: p.rows, rate, mbDone: mb(bytes), mbTotal: mb(total) });
      else if (Date.now() - lastLog > 2000) {
        lastLog = Date.now();
        const eta = bytes > 0 ? Math.round((secs * (total - bytes)) / bytes) : null;
        logger.info({ at: 'ingest#progress', file, bytes, totalBytes: total, rows: p.rows, rowsPerSec: rate, etaSec: eta, quarantined: p.quarantined }, 'ingest progress');
      }
    },
    endFile() {
      if (bar) {
        bar.update(total);
        bar.stop();
        bar = undefined;
      }
    },
  };
}
