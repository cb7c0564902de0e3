/**
 * The wire format's two checksums: CRC-32C (Castagnoli) over a frame's header and metadata,
 * and a Fletcher-style sum over its payload's 32-bit little-endian words, which costs a sixth
 * of a CRC in JavaScript (2 ms against 14 ms for a 1080p RGBA frame here) and still catches
 * flipped bits, swapped and truncated words. Internal to the link code.
 *
 * @module
 */

const _TABLE = _crcTable();

function _crcTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[i] = c >>> 0;
  }
  return table;
}

/** CRC-32C of `bytes`, continuing from `crc` (start with 0). */
export function _crc32c(bytes: Uint8Array, crc = 0): number {
  let c = ~crc;
  for (let i = 0; i < bytes.length; i++) c = _TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/**
 * The payload checksum: over the bytes as little-endian 32-bit words (the last one padded with
 * zeros), `a` sums the words and `b` sums the running `a`s, both modulo 2³²; the result mixes
 * the two.
 */
export function _sum32(bytes: Uint8Array): number {
  const n = bytes.length;
  const words = n >>> 2;
  let a = 1;
  let b = 0;
  if ((bytes.byteOffset & 3) === 0) {
    const view = new Uint32Array(bytes.buffer, bytes.byteOffset, words);
    for (let i = 0; i < words; i++) {
      a = (a + view[i]!) >>> 0;
      b = (b + a) >>> 0;
    }
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, n);
    for (let i = 0; i < words; i++) {
      a = (a + view.getUint32(i * 4, true)) >>> 0;
      b = (b + a) >>> 0;
    }
  }
  const rest = n & 3;
  if (rest !== 0) {
    let w = 0;
    for (let i = 0; i < rest; i++) w |= bytes[words * 4 + i]! << (8 * i);
    a = (a + (w >>> 0)) >>> 0;
    b = (b + a) >>> 0;
  }
  return (Math.imul(b, 0x9e3779b1) ^ a) >>> 0;
}
