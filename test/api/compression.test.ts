import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compressed, MIN_COMPRESS_BYTES, negotiateEncoding } from '../../api/compression.js';

const json = Buffer.from(JSON.stringify({ data: { heatmap: { values: Array.from({ length: 5000 }, (_, i) => (i * 1234.5678) % 997) } } }));
const response = { status: 200, headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': String(json.length) }, body: json };

describe('response compression', () => {
  it('picks brotli, then gzip, only among the encodings the client names (q=0 refuses one)', () => {
    expect(negotiateEncoding('gzip, deflate, br')).toBe('br');
    expect(negotiateEncoding('gzip;q=1.0, br;q=0')).toBe('gzip');
    expect(negotiateEncoding('deflate')).toBeNull();
    expect(negotiateEncoding('*')).toBeNull();
    expect(negotiateEncoding(undefined)).toBeNull();
  });

  it('compresses a large JSON answer losslessly, saying how and dropping the stale length', async () => {
    const br = await compressed(response, 'br');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-length']).toBeUndefined();
    expect(br.headers.vary).toBe('accept-encoding');
    expect(br.body.length).toBeLessThan(json.length / 2);
    expect(brotliDecompressSync(br.body).equals(json)).toBe(true);
    const gz = await compressed(response, 'gzip');
    expect(gunzipSync(gz.body).equals(json)).toBe(true);
  });

  it('leaves small bodies and clients that accept no encoding alone', async () => {
    expect(await compressed(response, undefined)).toBe(response);
    const small = { ...response, body: Buffer.alloc(MIN_COMPRESS_BYTES - 1, 'a') };
    const out = await compressed(small, 'gzip');
    expect(out.body).toBe(small.body);
    expect(out.headers['content-encoding']).toBeUndefined();
  });
});
