import type { ParsedFrame } from '../venue-feed.js';

/** JSON.parse that returns undefined instead of throwing. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A malformed-frame result (quarantined by the connection). */
export function malformed(stream: string, market: string | null, field: string | null, reason: string): ParsedFrame {
  return { type: 'malformed', stream, market, field, reason };
}
