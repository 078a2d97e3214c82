import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** Limits on what one input member may decompress to. */
export interface ReadLimits {
  /** Longest line, in characters; a longer one is reported as a {@link LongLine}. */
  readonly maxLineChars: number;
  /** Most decompressed bytes the member may produce (Infinity for plain files). */
  readonly maxBytes: number;
}

/** A line over {@link ReadLimits.maxLineChars}: its length and its start, the rest dropped. */
export class LongLine {
  constructor(
    readonly length: number,
    readonly head: string,
  ) {}
}

/**
 * Reading stopped: the stream failed (truncated or corrupt compressed data, an unreadable
 * archive entry) or the member passed {@link ReadLimits.maxBytes}. Lines before it were
 * delivered; the partial line at the failure point never is.
 */
export class ReadFailure extends Error {
  constructor(
    message: string,
    override readonly cause: unknown,
  ) {
    super(message);
    this.name = 'ReadFailure';
  }
}

const HEAD_CHARS = 4096;

/**
 * Splits a byte stream into lines (`\n` or `\r\n`), in batches of the lines each chunk
 * completes, with a UTF-8 byte-order mark dropped from the start. Memory stays bounded by the
 * chunk size and `maxLineChars`: an over-long line is cut to its first 4 KiB and the rest of
 * it skipped up to its newline (Node's readline keeps the whole line, and a newline-free
 * decompression bomb ends in `RangeError: Invalid string length`). Invalid UTF-8 decodes to
 * U+FFFD, which the pipeline quarantines.
 */
export async function* readLineBatches(stream: Readable, limits: ReadLimits): AsyncGenerator<(string | LongLine)[]> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  // Length of the current over-long line so far, or -1 while the line is within the limit.
  let longLength = -1;
  let longHead = '';
  let bytes = 0;
  let first = true;
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  for (;;) {
    let next: IteratorResult<Buffer>;
    try {
      next = await iterator.next();
    } catch (e) {
      throw new ReadFailure((e as Error).message, e);
    }
    const text = next.done ? decoder.end() : decoder.write(next.value);
    if (!next.done) {
      bytes += next.value.length;
      if (bytes > limits.maxBytes) {
        stream.destroy();
        throw new ReadFailure(`decompressed to more than ${limits.maxBytes} bytes`, null);
      }
    }
    let chunk = text;
    if (first && chunk.length > 0) {
      first = false;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    const parts = chunk.split('\n');
    const out: (string | LongLine)[] = [];
    // Every part but the last ends a line.
    for (let i = 0; i < parts.length - 1; i++) {
      const part = parts[i]!;
      if (longLength >= 0) {
        out.push(new LongLine(longLength + part.length, longHead));
        longLength = -1;
        longHead = '';
        continue;
      }
      const line = i === 0 && pending !== '' ? pending + part : part;
      if (i === 0) pending = '';
      if (line.length > limits.maxLineChars) out.push(new LongLine(line.length, line.slice(0, HEAD_CHARS)));
      else out.push(line.endsWith('\r') ? line.slice(0, -1) : line);
    }
    const tail = parts[parts.length - 1]!;
    if (longLength >= 0) longLength += tail.length;
    else if (pending.length + tail.length > limits.maxLineChars) {
      longHead = (pending + tail.slice(0, HEAD_CHARS)).slice(0, HEAD_CHARS);
      longLength = pending.length + tail.length;
      pending = '';
    } else pending = parts.length === 1 ? pending + tail : tail;
    if (next.done) {
      if (longLength >= 0) out.push(new LongLine(longLength, longHead));
      else if (pending !== '') out.push(pending.endsWith('\r') ? pending.slice(0, -1) : pending);
      if (out.length > 0) yield out;
      return;
    }
    if (out.length > 0) yield out;
  }
}
