import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { CachedResponse } from './http-cache.js';

/** Bodies smaller than this go out as they are (compressing them saves less than it costs). */
export const MIN_COMPRESS_BYTES = 1024;

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

/**
 * The encoding to answer with for an Accept-Encoding header: brotli, else gzip, else none
 * (`q=0` refuses one). Only encodings the header names are used; `*` is not taken as either.
 */
export function negotiateEncoding(acceptEncoding: string | undefined): 'br' | 'gzip' | null {
  if (!acceptEncoding) return null;
  const ok = new Set<string>();
  for (const part of acceptEncoding.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find(Boolean);
    if (name && !(q && Number(q[1]) === 0)) ok.add(name.trim());
  }
  return ok.has('br') ? 'br' : ok.has('gzip') ? 'gzip' : null;
}

/**
 * `r` compressed for a client that accepts it: JSON GraphQL answers of heatmaps run to megabytes
 * of digits (the bench's 24 h × 720-column heatmap: 2.34 MB → 1.05 MB with brotli at quality 1,
 * 1.10 MB with gzip level 1; higher settings gained under 5% at 1.5–5× the CPU, measured on it).
 * Compressed on libuv's thread pool, so the event loop keeps serving. Small bodies and other encodings are returned unchanged;
 * a compressed answer says `vary: accept-encoding`.
 */
export async function compressed(r: CachedResponse, acceptEncoding: string | undefined): Promise<CachedResponse> {
  const enc = negotiateEncoding(acceptEncoding);
  const vary = { ...r.headers, vary: r.headers.vary ? `${r.headers.vary}, accept-encoding` : 'accept-encoding' };
  if (!enc || r.body.length < MIN_COMPRESS_BYTES || r.headers['content-encoding']) return enc ? { ...r, headers: vary } : r;
  const body = enc === 'br' ? await brotli(r.body, { params: { [constants.BROTLI_PARAM_QUALITY]: 1, [constants.BROTLI_PARAM_SIZE_HINT]: r.body.length } }) : await gz(r.body, { level: 1 });
  const headers: Record<string, string> = { ...vary, 'content-encoding': enc };
  delete headers['content-length'];
  return { status: r.status, headers, body };
}
