import { createReadStream, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { open as openFile } from 'node:fs/promises';
import path from 'node:path';
import { type Readable, Transform } from 'node:stream';
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
  readonly members: readonly InputMember[];
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

function zipEntries(file: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: true }, (err, zip) => {
      if (err || !zip) return reject(unreadable(file, `not a readable zip archive (${err?.message ?? 'unknown error'})`));
      const names: string[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        if (!entry.fileName.endsWith('/')) names.push(entry.fileName);
        zip.readEntry();
      });
      zip.on('end', () => resolve(names));
      zip.on('error', (e: Error) => reject(unreadable(file, `corrupt zip archive (${e.message})`)));
      zip.readEntry();
    });
  });
}

function openZipEntry(file: string, entryName: string, counter: ByteCounter): Promise<Readable> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: true }, (err, zip) => {
      if (err || !zip) return reject(unreadable(file, `not a readable zip archive (${err?.message ?? ''})`));
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName !== entryName) return zip.readEntry();
        zip.openReadStream(entry, (e2, stream) => {
          if (e2 || !stream) return reject(unreadable(file, `cannot read ${entryName} (${e2?.message ?? ''})`));
          // Progress counts on-disk bytes, so scale the decompressed ones down.
          const pass = counting(counter, entry.compressedSize / Math.max(1, entry.uncompressedSize));
          stream.on('error', (e3) => pass.destroy(unreadable(file, `corrupt data in ${entryName} (${e3.message})`)));
          resolve(stream.pipe(pass));
        });
      });
      zip.on('end', () => reject(unreadable(file, `entry ${entryName} not found`)));
      zip.on('error', (e: Error) => reject(unreadable(file, `corrupt zip archive (${e.message})`)));
      zip.readEntry();
    });
  });
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
  if (/\.zip$/i.test(base)) {
    const entries = await zipEntries(abs);
    if (entries.length === 0) throw unreadable(file, 'the zip archive is empty');
    return {
      path: abs,
      ...fp,
      members: entries.map((entry) => ({
        sourceKey: `${abs}#${entry}`,
        name: path.basename(entry),
        path: abs,
        open: () => openZipEntry(abs, entry, counter),
      })),
    };
  }
  const gz = /\.gz$/i.test(base);
  return {
    path: abs,
    ...fp,
    members: [
      {
        sourceKey: abs,
        name: gz ? base.replace(/\.gz$/i, '') : base,
        path: abs,
        async open() {
          const raw = createReadStream(abs).pipe(counting(counter));
          if (!gz) return raw;
          const gunzip = createGunzip();
          gunzip.on('error', (e) => gunzip.destroy(unreadable(file, `corrupt gzip data (${e.message})`)));
          return raw.pipe(gunzip);
        },
      },
    ],
  };
}
