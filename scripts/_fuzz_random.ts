/**
 * The fuzz suite's randomness: a small seeded generator, so that a run and each of its cases
 * can be replayed from the seed, and the mutations it applies to bytes and text. Internal to
 * the scripts.
 *
 * @module
 */

/** A seeded pseudo-random generator (sfc32): the same seed gives the same sequence. */
export class _Random {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  /** A generator for `seed`, further told apart by `streams` (a target's name, a case index). */
  constructor(seed: number, ...streams: Array<string | number>) {
    let h = 0x9e3779b9 ^ seed;
    for (const part of streams) {
      for (const c of String(part) + "\0") h = Math.imul(h ^ c.charCodeAt(0), 0x85ebca6b);
    }
    this.#a = h ^ 0xdeadbeef;
    this.#b = Math.imul(h, 0x27d4eb2f) ^ seed;
    this.#c = seed ^ 0x165667b1;
    this.#d = 1;
    for (let i = 0; i < 16; i++) this.uint32();
  }

  /** A uniform 32-bit unsigned integer. */
  uint32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  float(): number {
    return this.uint32() / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /** `true` with probability `p`. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** One of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** A small count, more often small than large: 1 with probability ½, 2 with ¼… up to `max`. */
  small(max: number): number {
    let n = 1;
    while (n < max && this.chance(0.5)) n++;
    return n;
  }
}

/** Bytes that matter to parsers: zero, ones, sign bits, ASCII punctuation. */
const _BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x20, 0x0a, 0x22, 0x5c, 0x7b, 0x5b];
/** 32-bit values that matter to length and count fields. */
const _WORDS = [0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff];

/**
 * Mutates bytes: bit flips, bytes and 16/32-bit words set to values that matter to length
 * fields, ranges deleted, duplicated, moved or overwritten from `donor`, truncation, insertion.
 * `head` is how many leading bytes hold headers: half of the mutations fall there.
 */
export function _mutateBytes(
  random: _Random,
  input: Uint8Array,
  options: { count?: number; head?: number; donor?: Uint8Array } = {},
): Uint8Array {
  let bytes: Uint8Array = input.slice();
  const count = options.count ?? random.small(8);
  const head = Math.max(1, Math.min(options.head ?? 64, bytes.length));
  const at = (): number =>
    bytes.length === 0 ? 0 : random.chance(0.5) ? random.int(head) : random.int(bytes.length);
  for (let i = 0; i < count; i++) {
    const op = random.int(10);
    const pos = Math.min(at(), bytes.length);
    if (bytes.length === 0 && op < 8) {
      bytes = Uint8Array.of(random.int(256));
      continue;
    }
    const p = Math.min(pos, bytes.length - 1);
    switch (op) {
      case 0:
        bytes[p]! ^= 1 << random.int(8);
        break;
      case 1:
        bytes[p] = random.chance(0.5) ? random.pick(_BYTES) : random.int(256);
        break;
      case 2: {
        const word = random.pick(_WORDS);
        const size = random.chance(0.5) ? 2 : 4;
        const little = random.chance(0.5);
        for (let k = 0; k < size && p + k < bytes.length; k++) {
          const shift = 8 * (little ? k : size - 1 - k);
          bytes[p + k] = (word >>> shift) & 0xff;
        }
        break;
      }
      case 3: {
        const end = Math.min(bytes.length, p + random.small(256));
        bytes = _concat(bytes.subarray(0, p), bytes.subarray(end));
        break;
      }
      case 4: {
        const end = Math.min(bytes.length, p + random.small(256));
        const to = random.int(bytes.length + 1);
        bytes = _concat(bytes.subarray(0, to), bytes.slice(p, end), bytes.subarray(to));
        break;
      }
      case 5: {
        const insert = new Uint8Array(random.small(64));
        for (let k = 0; k < insert.length; k++) insert[k] = random.int(256);
        bytes = _concat(bytes.subarray(0, pos), insert, bytes.subarray(pos));
        break;
      }
      case 6:
        bytes = bytes.slice(0, random.int(bytes.length + 1));
        break;
      case 7: {
        const donor = options.donor;
        if (donor === undefined || donor.length === 0) break;
        const from = random.chance(0.5) ? 0 : random.int(donor.length);
        const chunk = donor.subarray(from, Math.min(donor.length, from + random.small(512)));
        bytes = _concat(bytes.subarray(0, p), chunk, bytes.subarray(p + chunk.length));
        break;
      }
      case 8: {
        const end = Math.min(bytes.length, p + random.small(64));
        bytes.fill(random.pick(_BYTES), p, end);
        break;
      }
      default: {
        const a = random.int(bytes.length);
        const b = random.int(bytes.length);
        const n = Math.min(random.small(32), bytes.length - Math.max(a, b));
        const chunk = bytes.slice(a, a + n);
        bytes.copyWithin(a, b, b + n);
        bytes.set(chunk, b);
      }
    }
  }
  return bytes;
}

/** Text that matters to the pipeline language and JSON: its punctuation, numbers, escapes. */
const _TOKENS = [
  "!",
  " ! ",
  "=",
  "::",
  ".",
  "..",
  "#",
  "\n",
  "\r\n",
  "\t",
  '"',
  "'",
  "\\",
  '\\"',
  "[",
  "]",
  "{",
  "}",
  ",",
  ":",
  "name=",
  "dispatch=worker",
  "layer_1::",
  "1e308",
  "1e309",
  "-1e400",
  "5e-324",
  "-0",
  "0x10",
  "NaN",
  "Infinity",
  "9007199254740993",
  "123456789012345678901234567890",
  "10s",
  "48kHz",
  "-5ms",
  "1e400h",
  "true",
  "null",
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  "é",
  "\u0000",
  "\u2028",
  "\u00a0",
  "\ufeff",
  "😀",
  "\ud800",
  "\udfff",
  "%u",
  "%05d",
  "$",
];

/**
 * Mutates text: the same byte mutations on its UTF-8 (decoded back leniently), and edits of
 * UTF-16 code units that add the language's tokens, lone surrogates and unusual spaces,
 * delete, repeat and swap ranges, or splice in `donor` text.
 */
export function _mutateText(random: _Random, text: string, donor?: string): string {
  if (random.chance(0.3)) {
    const bytes = _mutateBytes(random, new TextEncoder().encode(text), {
      head: text.length,
      count: random.small(6),
    });
    return new TextDecoder().decode(bytes);
  }
  let out = text;
  const count = random.small(6);
  for (let i = 0; i < count; i++) {
    const pos = random.int(out.length + 1);
    switch (random.int(8)) {
      case 0:
      case 1:
        out = out.slice(0, pos) + random.pick(_TOKENS) + out.slice(pos);
        break;
      case 2:
        out = out.slice(0, pos) + out.slice(pos + random.small(16));
        break;
      case 3: {
        const end = Math.min(out.length, pos + random.small(24));
        const piece = out.slice(pos, end);
        out = out.slice(0, end) + piece.repeat(random.small(4)) + out.slice(end);
        break;
      }
      case 4:
        out = out.slice(0, pos) + String.fromCharCode(random.int(0x10000)) + out.slice(pos + 1);
        break;
      case 5: {
        if (donor === undefined || donor.length === 0) break;
        const from = random.int(donor.length);
        out = out.slice(0, pos) + donor.slice(from, from + random.small(64)) + out.slice(pos);
        break;
      }
      case 6: {
        const c = out.charCodeAt(pos);
        if (Number.isNaN(c)) break;
        out = out.slice(0, pos) + String.fromCharCode(c ^ (1 << random.int(7))) +
          out.slice(pos + 1);
        break;
      }
      default:
        out = out.slice(0, pos);
    }
  }
  return out;
}

function _concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
