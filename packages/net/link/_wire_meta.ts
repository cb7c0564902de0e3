/**
 * Writing and reading the metadata of wire frames: fixed-size little-endian numbers and
 * length-prefixed UTF-8 strings. The reader is strict: running past the end, a string that is
 * not UTF-8 or a number that is not finite throws `SL_WIRE_MALFORMED`. Internal to the link code.
 *
 * @module
 */

import { StreamlibError } from "@streamlib/core";

const _encoder = new TextEncoder();
const _decoder = new TextDecoder("utf-8", { fatal: true });

/** Builds metadata bytes. */
export class _MetaWriter {
  #bytes = new Uint8Array(64);
  #view = new DataView(this.#bytes.buffer);
  #length = 0;

  #room(n: number): void {
    if (this.#length + n <= this.#bytes.length) return;
    const bigger = new Uint8Array(Math.max(this.#bytes.length * 2, this.#length + n));
    bigger.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = bigger;
    this.#view = new DataView(bigger.buffer);
  }

  u8(v: number): this {
    this.#room(1);
    this.#view.setUint8(this.#length, v);
    this.#length += 1;
    return this;
  }

  u16(v: number): this {
    this.#room(2);
    this.#view.setUint16(this.#length, v, true);
    this.#length += 2;
    return this;
  }

  i16(v: number): this {
    this.#room(2);
    this.#view.setInt16(this.#length, v, true);
    this.#length += 2;
    return this;
  }

  u32(v: number): this {
    this.#room(4);
    this.#view.setUint32(this.#length, v, true);
    this.#length += 4;
    return this;
  }

  f64(v: number): this {
    this.#room(8);
    this.#view.setFloat64(this.#length, v, true);
    this.#length += 8;
    return this;
  }

  /** A string of at most 65,535 UTF-8 bytes, after its length. */
  str(v: string): this {
    const bytes = _encoder.encode(v);
    if (bytes.length > 0xffff) {
      throw new StreamlibError(
        "SL_WIRE_MALFORMED",
        `A text of ${bytes.length} bytes is too long for a wire frame's metadata (at most 65535)`,
      );
    }
    this.u16(bytes.length);
    this.bytes(bytes);
    return this;
  }

  bytes(v: Uint8Array): this {
    this.#room(v.length);
    this.#bytes.set(v, this.#length);
    this.#length += v.length;
    return this;
  }

  get length(): number {
    return this.#length;
  }

  /** The bytes written (a view). */
  done(): Uint8Array {
    return this.#bytes.subarray(0, this.#length);
  }
}

/** Reads metadata bytes, strictly. */
export class _MetaReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #what: string;
  #at = 0;

  constructor(bytes: Uint8Array, what: string) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    this.#what = what;
  }

  fail(why: string): never {
    throw new StreamlibError("SL_WIRE_MALFORMED", `Malformed ${this.#what} frame: ${why}`, {
      details: { frame: this.#what },
    });
  }

  #need(n: number): number {
    const at = this.#at;
    if (at + n > this.#bytes.length) {
      this.fail(`its metadata ends at byte ${this.#bytes.length}, ${n} more were expected`);
    }
    this.#at = at + n;
    return at;
  }

  u8(): number {
    return this.#view.getUint8(this.#need(1));
  }

  u16(): number {
    return this.#view.getUint16(this.#need(2), true);
  }

  i16(): number {
    return this.#view.getInt16(this.#need(2), true);
  }

  u32(): number {
    return this.#view.getUint32(this.#need(4), true);
  }

  /** A finite number. */
  f64(name: string): number {
    const v = this.#view.getFloat64(this.#need(8), true);
    if (!Number.isFinite(v)) this.fail(`${name} is ${v}, not a finite number`);
    return v;
  }

  str(name: string): string {
    const n = this.u16();
    const at = this.#need(n);
    try {
      return _decoder.decode(this.#bytes.subarray(at, at + n));
    } catch {
      return this.fail(`${name} is not UTF-8`);
    }
  }

  /** Throws unless every byte was read. */
  end(): void {
    if (this.#at !== this.#bytes.length) {
      this.fail(`${this.#bytes.length - this.#at} bytes follow its metadata's last field`);
    }
  }
}

/** Decodes UTF-8 strictly (`SL_WIRE_MALFORMED` for bad bytes). */
export function _utf8(bytes: Uint8Array, what: string): string {
  try {
    return _decoder.decode(bytes);
  } catch {
    throw new StreamlibError("SL_WIRE_MALFORMED", `Malformed ${what} frame: its text is not UTF-8`);
  }
}

/** Encodes text as UTF-8. */
export function _utf8Bytes(text: string): Uint8Array {
  return _encoder.encode(text);
}
