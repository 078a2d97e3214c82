/** A Buffer as a fetch body, without copying (Node's Buffers are Uint8Arrays over an ArrayBuffer). */
export function bodyOf(b: Buffer): BodyInit {
  return b as Uint8Array<ArrayBuffer>;
}
