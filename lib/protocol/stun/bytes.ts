/** Byte helpers that behave the same for a plain Uint8Array and a Node Buffer passed in by an adapter. */

/**
 * A fresh copy of `bytes[start, end)`. Needed because `Buffer#slice` returns a view, not a copy, so code that
 * mutates a "sliced" prefix (integrity checks rewrite the length field) would corrupt the caller's message.
 */
export function copyBytes(bytes: Uint8Array, start = 0, end = bytes.length): Uint8Array {
  const out = new Uint8Array(Math.max(0, end - start));
  out.set(bytes.subarray(start, end));
  return out;
}
