import { createReadStream, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { open as openFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline, type Readable, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import yauzl from 'yauzl';
import { LiqmapError } from '../../base/index.js';

/** One readable member of an input: a plain file, a `.gz` file, or one entry of a `.zip`. */
export interface InputMember {
  /** Stable identity for checkpoints: absolute path, plus `#entry` inside an archive. */
  readonly sourceKey: string;
  /** Base name of the data inside (`BTCUSDT-aggTrades-2024-01-01.csv`), used for detection. */
  readonly name: string;
  /** Full path of the file on disk. */
  readonly path: string;
  /** Compressed size of the member's data (bytes), or null for an uncompressed file. */
  readonly compressedSize: number | null;
  /** Opens the decompressed bytes. */
  open(): Promise<Readable>;
}

/** An input file: its identity and its members. */
export interface InputFile {
  readonly path: string;
  /** Compressed size on disk, bytes. */
  readonly size: number;
  /** Size, mtime and a hash of the first 64 KiB: a changed file is read from the start. */
  readonly fingerprint: string;
  /**
   * The members, in archive order. A `.zip` is read once, entry by entry (yauzl's lazy
   * entries), so an archive of 20,000 entries costs 20,000 steps, not 20,000².
   */
  readonly members: AsyncIterable<InputMember> | Iterable<InputMember>;
}

/** Counts the raw (on-disk) bytes read so far, for progress. */
export class ByteCounter {
  bytes = 0;
}

/** A pass-through that adds `scale` × each chunk's length to the counter. */
function counting(counter: ByteCounter, scale = 1): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      counter.bytes += chunk.length * scale;
      cb(null, chunk);
    },
  });
}

async function fingerprintOf(file: string): Promise<{ size: number; fingerprint: string }> {
  const st = statSync(file);
  const fh = await openFile(file, 'r');
  try {
    const buf = Buffer.alloc(Math.min(65536, st.size));
    await fh.read(buf, 0, buf.length, 0);
    const head = createHash('sha256').update(buf).digest('hex').slice(0, 16);
    return { size: st.size, fingerprint: `${st.size}:${Math.floor(st.mtimeMs)}:${head}` };
  } finally {
    await fh.close();
  }
}

function unreadable(file: string, why: string): LiqmapError {
  return new LiqmapError('FILE_UNREADABLE', `${file}: ${why}`, { file });
}

/**
 * The entries of a zip archive, read lazily: one pass over the central directory, each
 * entry's data opened only when asked for. The archive closes when the iteration ends.
 */
async function* zipMembers(file: string, abs: string, counter: ByteCounter): AsyncGenerator<InputMember> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => {
    yauzl.open(abs, { lazyEntries: true, autoClose: false }, (err, z) => {
      if (err || !z) reject(unreadable(file, `not a readable zip archive (${err?.message ?? 'unknown error'})`));
      else resolve(z);
    });
  });
  let failure: Error | null = null;
  let waiting: ((entry: yauzl.Entry | null) => void) | null = null;
  zip.on('entry', (entry: yauzl.Entry) => waiting?.(entry));
  zip.on('end', () => waiting?.(null));
  zip.on('error', (e: Error) => {
    failure = unreadable(file, `corrupt zip archive (${e.message})`);
    waiting?.(null);
  });
  let files = 0;
  try {
    for (;;) {
      const entry = await new Promise<yauzl.Entry | null>((resolve) => {
        waiting = resolve;
        zip.readEntry();
      });
      waiting = null;
      if (failure) throw failure as Error;
      if (!entry) break;
      if (entry.fileName.endsWith('/')) continue;
      files++;
      yield {
        sourceKey: `${abs}#${entry.fileName}`,
        name: path.basename(entry.fileName),
        path: abs,
        compressedSize: entry.compressedSize,
        open: () =>
          new Promise<Readable>((resolve, reject) => {
            zip.openReadStream(entry, (e2, stream) => {
              if (e2 || !stream) return reject(unreadable(file, `cannot read ${entry.fileName} (${e2?.message ?? ''})`));
              // Progress counts on-disk bytes, so scale the decompressed ones down.
              const pass = counting(counter, entry.compressedSize / Math.max(1, entry.uncompressedSize));
              resolve(
                pipeline(stream, pass, () => {}).on('error', (e3) => {
                  if (!e3.message.startsWith('corrupt')) e3.message = `corrupt or truncated zip entry data (${e3.message})`;
                }),
              );
            });
          }),
      };
    }
    if (files === 0) throw unreadable(file, 'the zip archive is empty');
  } finally {
    zip.close();
  }
}

/**
 * Opens an input path as its members. `.zip` files yield each (non-directory) entry, `.gz`
 * files their decompressed stream, anything else its bytes. Throws `FILE_UNREADABLE` with the
 * file name for a missing file or a broken archive.
 */
export async function openInput(file: string, counter: ByteCounter = new ByteCounter()): Promise<InputFile> {
  const abs = path.resolve(file);
  let fp: { size: number; fingerprint: string };
  try {
    fp = await fingerprintOf(abs);
  } catch (e) {
    throw unreadable(file, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message);
  }
  const base = path.basename(abs);
  if (/\.zip$/i.test(base)) return { path: abs, ...fp, members: zipMembers(file, abs, counter) };
  const gz = /\.gz$/i.test(base);
  return {
    path: abs,
    ...fp,
    members: [
      {
        sourceKey: abs,
        name: gz ? base.replace(/\.gz$/i, '') : base,
        path: abs,
        compressedSize: gz ? fp.size : null,
        async open() {
          // pipeline, not pipe: a read or zlib error reaches the consumer (the line reader)
          // instead of being left on an intermediate stream.
          const noop = () => {};
          if (!gz) return pipeline(createReadStream(abs), counting(counter), noop);
          const gunzip = createGunzip();
          return pipeline(createReadStream(abs), counting(counter), gunzip, noop).on('error', (e) => {
            if (!e.message.startsWith('corrupt')) e.message = `corrupt or truncated gzip data (${e.message})`;
          });
        },
      },
    ],
  };
}
