/**
 * float8[] columns read in Postgres's binary array form instead of text. postgres.js hands
 * results over as text, and parsing `{1.5,2.25,…}` character by character was half the API's
 * busy CPU on heatmap and liquidation-map reads; `encode(array_send(x), 'base64')` ships the same
 * doubles as bytes that Node decodes natively, read here with a DataView. Exact: the float8 bits
 * as stored.
 */

/** SQL selecting float8[] expression `expr` as base64 of its binary array form. */
export const binaryFloats = (expr: string): string => `encode(array_send(${expr}), 'base64')`;

/**
 * Decodes `array_send` of a one-dimensional float8[] (base64 text, or the bytes themselves):
 * header (dimensions, null flag, element type; length and lower bound per dimension), then per
 * element its byte length (−1 for NULL, read as 0) and 8 big-endian bytes. An empty array has
 * no dimensions.
 */
export function decodeFloat8Array(v: string | Uint8Array | null): number[] {
  if (v === null) return [];
  const bytes = typeof v === 'string' ? Buffer.from(v, 'base64') : v;
  if (bytes.byteLength < 12) throw new TypeError('decodeFloat8Array: not a binary array (shorter than its header)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ndim = view.getInt32(0);
  if (ndim === 0) return [];
  if (ndim !== 1) throw new TypeError(`decodeFloat8Array: ${ndim}-dimensional array, expected 1`);
  const n = view.getInt32(12);
  const out = new Array<number>(n);
  let off = 20;
  for (let i = 0; i < n; i++) {
    const len = view.getInt32(off);
    off += 4;
    if (len === -1) {
      out[i] = 0;
      continue;
    }
    if (len !== 8) throw new TypeError(`decodeFloat8Array: element of ${len} bytes, expected 8 (float8)`);
    out[i] = view.getFloat64(off);
    off += 8;
  }
  return out;
}
