import {
  type AudioBuffer,
  createVideoFrame,
  type DataMessage,
  type StreamEvent,
  StreamlibError,
  type Timing,
  type VideoColorSpace,
  videoFrameLayout,
} from "@streamlib/core";
import { _crc32c, _sum32 } from "./_checksum.ts";
import { _MetaReader, _utf8 } from "./_wire_meta.ts";
import {
  _FLAG_BYTES,
  _FLAG_DESCRIPTION,
  _FLAG_KEY,
  _FLAGS_KNOWN,
  _FORMATS,
  _KEY_TYPES,
  _MATRICES,
  _MOUSE_TYPES,
} from "./_wire_constants.ts";
import { WIRE_HEADER_BYTES, WIRE_TYPES, WIRE_VERSION, type WireMessage } from "./wire_format.ts";

/**
 * Options of {@linkcode WireDecoder}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { WireDecoderOptions } from "@streamlib/net";
 * const options: WireDecoderOptions = { maxFrameBytes: 64 << 20 };
 * assert.ok(options.maxFrameBytes! > 0);
 * ```
 */
export interface WireDecoderOptions {
  /** The largest payload accepted, in bytes (default 256 MiB: an 8K RGBA frame fits). */
  readonly maxFrameBytes?: number;
}

/** The largest picture side the decoder accepts. */
const _MAX_SIDE = 16_384;
const _TYPE_NAMES = new Map<number, keyof typeof WIRE_TYPES>(
  Object.entries(WIRE_TYPES).map(([name, n]) => [n, name as keyof typeof WIRE_TYPES]),
);
const _MEDIA = new Set(["video", "video-coded", "audio", "audio-coded", "key", "mouse", "data"]);

/**
 * Turns a link's bytes back into messages, however they were cut on the way. It is strict:
 * bad magic, an unknown type or flag, lengths past the limit, a field out of range, trailing
 * bytes, text that is not UTF-8 or a checksum that does not match throw a `StreamlibError`
 * (`SL_WIRE_MALFORMED`, `SL_WIRE_VERSION` for another format version, `SL_WIRE_CHECKSUM`,
 * `SL_WIRE_TOO_LARGE`; `SL_WIRE_TRUNCATED` from `end()` in the middle of a frame), and the
 * decoder then refuses everything after it: the link it reads is to be closed. Payloads are
 * copied once, into a buffer of their own that the decoded frame then uses, or read straight
 * into it ({@linkcode WireDecoder.prototype.payloadSpace}).
 *
 * @example Bytes cut anywhere decode to the same message
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeWire, WireDecoder } from "@streamlib/net";
 * const [head, payload] = encodeWire({ type: "eos", seq: 3 });
 * const bytes = new Uint8Array([...head, ...payload]);
 * const decoder = new WireDecoder();
 * assert.deepEqual(decoder.push(bytes.subarray(0, 5)), []);
 * assert.deepEqual(decoder.push(bytes.subarray(5)), [{ type: "eos", seq: 3 }]);
 * decoder.end();
 * ```
 *
 * @example Garbage is a coded error
 * ```ts
 * import assert from "node:assert/strict";
 * import { isStreamlibError } from "@streamlib/core";
 * import { WireDecoder } from "@streamlib/net";
 * assert.throws(
 *   () => new WireDecoder().push(new TextEncoder().encode("GET / HTTP/1.1\r\n\r\n...")),
 *   (e) => isStreamlibError(e, "SL_WIRE_MALFORMED"),
 * );
 * ```
 */
export class WireDecoder {
  readonly #max: number;
  readonly #head = new Uint8Array(WIRE_HEADER_BYTES);
  #headFill = 0;
  #meta: Uint8Array | undefined;
  #metaFill = 0;
  #payload: Uint8Array | undefined;
  #payloadFill = 0;
  #failed: StreamlibError | undefined;
  /** Parsed header fields of the frame being read. */
  #type = 0;
  #flags = 0;
  #seq = 0;
  #sum = 0;
  #crc = 0;

  /**
   * Creates a decoder.
   *
   * @param options The payload size limit.
   */
  constructor(options: WireDecoderOptions = {}) {
    this.#max = options.maxFrameBytes ?? 256 * 1024 * 1024;
  }

  /**
   * Bytes of a frame not complete yet.
   *
   * @returns The count.
   */
  get buffered(): number {
    return this.#headFill + this.#metaFill + this.#payloadFill;
  }

  /**
   * The part of the current frame's payload still to come, for a reader that reads the link
   * straight into it instead of into a buffer of its own (saving a copy of each large
   * payload); `undefined` outside a payload. After writing `n` bytes at its start, call
   * {@linkcode WireDecoder.prototype.filled}.
   *
   * @example A payload read in place
   * ```ts
   * import assert from "node:assert/strict";
   * import { encodeWire, WireDecoder } from "@streamlib/net";
   * const [head, payload] = encodeWire({
   *   type: "data", seq: 0,
   *   message: { kind: "data", topic: "t", value: "x".repeat(100), timestamp: 0, duration: 0,
   *     position: 0, clockId: "c" },
   * });
   * const decoder = new WireDecoder();
   * assert.deepEqual(decoder.push(head), []);
   * const space = decoder.payloadSpace()!;
   * assert.equal(space.length, payload.length);
   * space.set(payload);
   * assert.equal(decoder.filled(payload.length)[0]?.type, "data");
   * assert.equal(decoder.payloadSpace(), undefined);
   * ```
   *
   * @returns The empty rest of the payload, or `undefined`.
   */
  payloadSpace(): Uint8Array | undefined {
    const payload = this.#payload;
    if (this.#failed || payload === undefined || this.#metaFill !== this.#meta!.length) {
      return undefined;
    }
    return payload.subarray(this.#payloadFill);
  }

  /**
   * Counts `n` bytes written at the start of {@linkcode WireDecoder.prototype.payloadSpace} as
   * arrived, and returns the message they complete (none, or one).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { encodeWire, WireDecoder } from "@streamlib/net";
   * const [head, payload] = encodeWire({
   *   type: "data", seq: 0,
   *   message: { kind: "data", topic: "t", value: "hello", timestamp: 0, duration: 0,
   *     position: 0, clockId: "c" },
   * });
   * const decoder = new WireDecoder();
   * decoder.push(head);
   * decoder.payloadSpace()!.set(payload.subarray(0, 1));
   * assert.deepEqual(decoder.filled(1), []);
   * decoder.payloadSpace()!.set(payload.subarray(1));
   * assert.equal(decoder.filled(payload.length - 1).length, 1);
   * ```
   *
   * @param n Bytes written there, 0 to its length.
   * @returns The messages completed.
   */
  filled(n: number): WireMessage[] {
    if (this.#failed) throw this.#failed;
    const space = this.payloadSpace();
    if (space === undefined || !(n >= 0 && n <= space.length)) {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `filled(${n}): the payload has ${space?.length ?? 0} bytes of room`,
      );
    }
    this.#payloadFill += n;
    if (this.#payloadFill !== this.#payload!.length) return [];
    try {
      return [this.#complete()];
    } catch (error) {
      this.#failed = error as StreamlibError;
      throw error;
    }
  }

  /**
   * Takes the next bytes of the link and returns the messages they complete.
   *
   * @param parts Bytes, in order.
   * @returns The messages completed, in order.
   */
  push(...parts: Uint8Array[]): WireMessage[] {
    if (this.#failed) throw this.#failed;
    const out: WireMessage[] = [];
    try {
      for (const bytes of parts) this.#take(bytes, out);
    } catch (error) {
      this.#failed = error instanceof StreamlibError ? error : new StreamlibError(
        "SL_WIRE_MALFORMED",
        `Malformed wire frame: ${(error as Error).message}`,
        { cause: error },
      );
      throw this.#failed;
    }
    return out;
  }

  /** Says the link ended: throws `SL_WIRE_TRUNCATED` when it ended inside a frame. */
  end(): void {
    if (this.#failed) throw this.#failed;
    if (this.buffered !== 0 || this.#meta !== undefined) {
      this.#failed = new StreamlibError(
        "SL_WIRE_TRUNCATED",
        `The link ended inside a wire frame (${this.buffered} bytes of it had come)`,
        { details: { buffered: this.buffered } },
      );
      throw this.#failed;
    }
  }

  #take(bytes: Uint8Array, out: WireMessage[]): void {
    let at = 0;
    while (at < bytes.length) {
      if (this.#meta === undefined) {
        const n = Math.min(WIRE_HEADER_BYTES - this.#headFill, bytes.length - at);
        this.#head.set(bytes.subarray(at, at + n), this.#headFill);
        this.#headFill += n;
        at += n;
        // Check the magic and version as soon as their bytes are here.
        if (this.#headFill >= 2 && (this.#head[0] !== 0x53 || this.#head[1] !== 0x4c)) {
          this.#fail("SL_WIRE_MALFORMED", 'it does not start with the magic bytes "SL"');
        }
        if (this.#headFill >= 3 && this.#head[2] !== WIRE_VERSION) {
          throw new StreamlibError(
            "SL_WIRE_VERSION",
            `A wire frame of format version ${this.#head[2]} came; this side speaks version ` +
              `${WIRE_VERSION}: run the same streamlib version on both nodes`,
            { details: { version: this.#head[2], supported: WIRE_VERSION } },
          );
        }
        if (this.#headFill >= 4 && !_TYPE_NAMES.has(this.#head[3]!)) {
          this.#fail("SL_WIRE_MALFORMED", `its type ${this.#head[3]} is not a known frame type`);
        }
        if (this.#headFill < WIRE_HEADER_BYTES) continue;
        this.#header();
      } else if (this.#metaFill < this.#meta.length) {
        const n = Math.min(this.#meta.length - this.#metaFill, bytes.length - at);
        this.#meta.set(bytes.subarray(at, at + n), this.#metaFill);
        this.#metaFill += n;
        at += n;
        if (this.#metaFill === this.#meta.length) this.#checkHeader();
      } else {
        const payload = this.#payload!;
        const n = Math.min(payload.length - this.#payloadFill, bytes.length - at);
        payload.set(bytes.subarray(at, at + n), this.#payloadFill);
        this.#payloadFill += n;
        at += n;
      }
      if (
        this.#meta !== undefined && this.#metaFill === this.#meta.length &&
        this.#payloadFill === this.#payload!.length
      ) {
        out.push(this.#complete());
      }
    }
  }

  #header(): void {
    const view = new DataView(this.#head.buffer);
    this.#type = this.#head[3]!;
    if (!_TYPE_NAMES.has(this.#type)) {
      this.#fail("SL_WIRE_MALFORMED", `its type ${this.#type} is not a known frame type`);
    }
    this.#flags = view.getUint16(4, true);
    if ((this.#flags & ~_FLAGS_KNOWN) !== 0) {
      this.#fail("SL_WIRE_MALFORMED", `it sets unknown flags (0x${this.#flags.toString(16)})`);
    }
    const metaLength = view.getUint16(6, true);
    this.#seq = view.getUint32(8, true);
    const payloadLength = view.getUint32(12, true);
    this.#sum = view.getUint32(16, true);
    this.#crc = view.getUint32(20, true);
    if (payloadLength > this.#max) {
      throw new StreamlibError(
        "SL_WIRE_TOO_LARGE",
        `A wire frame of ${payloadLength} bytes came; this side accepts at most ${this.#max}`,
        { details: { bytes: payloadLength, max: this.#max } },
      );
    }
    this.#meta = new Uint8Array(metaLength);
    this.#metaFill = 0;
    // The payload is allocated once the header checksum holds, not on a stranger's word.
    this.#payload = new Uint8Array(0);
    this.#payloadLength = payloadLength;
    if (metaLength === 0) this.#checkHeader();
  }

  #payloadLength = 0;

  #checkHeader(): void {
    const crc = _crc32c(this.#meta!, _crc32c(this.#head.subarray(0, 20)));
    if (crc !== this.#crc) {
      this.#fail("SL_WIRE_CHECKSUM", "its header checksum does not match its header");
    }
    this.#payload = new Uint8Array(this.#payloadLength);
    this.#payloadFill = 0;
  }

  #complete(): WireMessage {
    const meta = this.#meta!;
    const payload = this.#payload!;
    this.#headFill = 0;
    this.#meta = undefined;
    this.#metaFill = 0;
    this.#payload = undefined;
    this.#payloadFill = 0;
    if (_sum32(payload) !== this.#sum) {
      this.#fail("SL_WIRE_CHECKSUM", "its payload checksum does not match its payload");
    }
    return _parse(_TYPE_NAMES.get(this.#type)!, this.#flags, this.#seq, meta, payload);
  }

  #fail(code: string, why: string): never {
    throw new StreamlibError(code, `Bad wire frame: ${why}`);
  }
}

/**
 * Decodes a buffer that holds exactly one wire frame (a NATS message), strictly, as
 * {@linkcode WireDecoder} does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeWire, encodeWire } from "@streamlib/net";
 * const [head, payload] = encodeWire({ type: "credit", limit: 12 });
 * const bytes = new Uint8Array([...head, ...payload]);
 * assert.deepEqual(decodeWire(bytes), { type: "credit", limit: 12 });
 * ```
 *
 * @param bytes One frame.
 * @param options The payload size limit.
 * @returns The message.
 */
export function decodeWire(bytes: Uint8Array, options: WireDecoderOptions = {}): WireMessage {
  const decoder = new WireDecoder(options);
  const out = decoder.push(bytes);
  decoder.end();
  if (out.length !== 1) {
    throw new StreamlibError(
      "SL_WIRE_MALFORMED",
      `A buffer meant to hold one wire frame holds ${out.length}`,
    );
  }
  return out[0]!;
}

function _parse(
  type: keyof typeof WIRE_TYPES,
  flags: number,
  seq: number,
  meta: Uint8Array,
  payload: Uint8Array,
): WireMessage {
  const r = new _MetaReader(meta, type);
  const allowed = type === "video-coded"
    ? _FLAG_KEY | _FLAG_DESCRIPTION
    : type === "audio-coded"
    ? _FLAG_DESCRIPTION
    : type === "data"
    ? _FLAG_BYTES
    : 0;
  if ((flags & ~allowed) !== 0) r.fail(`flags 0x${flags.toString(16)} do not apply to it`);
  const media = _MEDIA.has(type) || type === "eos" || type === "flush";
  if (!media && seq !== 0) r.fail(`a control frame has sequence number ${seq}`);
  const noPayload = (): void => {
    if (payload.length !== 0) r.fail(`it has a payload of ${payload.length} bytes`);
  };
  switch (type) {
    case "hello":
    case "accept": {
      noPayload();
      let body: unknown;
      try {
        body = JSON.parse(_utf8(meta, type));
      } catch (error) {
        if (error instanceof StreamlibError) throw error;
        r.fail("its metadata is not JSON");
      }
      if (typeof body !== "object" || body === null || Array.isArray(body)) {
        r.fail("its metadata is not a JSON object");
      }
      return { type, body: body as Record<string, unknown> };
    }
    case "refuse": {
      noPayload();
      const code = r.str("code");
      const message = r.str("message");
      r.end();
      if (!/^SL_[A-Z0-9_]{1,60}$/.test(code)) {
        r.fail(`its code ${JSON.stringify(code)} is not an SL_ code`);
      }
      return { type, code, message };
    }
    case "credit":
    case "probe":
    case "ping": {
      noPayload();
      const v = r.f64(type);
      r.end();
      if (v < 0) r.fail(`its value ${v} is negative`);
      return type === "credit"
        ? { type, limit: v }
        : type === "probe"
        ? { type, next: v }
        : { type, t1: v };
    }
    case "pong": {
      noPayload();
      const t1 = r.f64("t1");
      const t2 = r.f64("t2");
      const t3 = r.f64("t3");
      r.end();
      return { type, t1, t2, t3 };
    }
    case "eos":
    case "flush":
      noPayload();
      r.end();
      return { type, seq };
    case "chunk": {
      const id = r.u32();
      const index = r.u16();
      const count = r.u16();
      const total = r.u32();
      r.end();
      if (count === 0 || index >= count) r.fail(`chunk ${index} of ${count} does not exist`);
      if (payload.length > total) {
        r.fail(`a chunk of ${payload.length} bytes exceeds its frame's ${total}`);
      }
      return { type, id, index, count, total, data: payload };
    }
    default:
      return _parseMedia(type, flags, seq, r, payload);
  }
}

function _parseMedia(
  type: keyof typeof WIRE_TYPES,
  flags: number,
  seq: number,
  r: _MetaReader,
  payload: Uint8Array,
): WireMessage {
  const timing: Timing = {
    timestamp: r.f64("timestamp"),
    duration: r.f64("duration"),
    position: r.f64("position"),
    clockId: r.str("clock id"),
  };
  switch (type) {
    case "video":
    case "video-coded": {
      const codec = type === "video-coded" ? r.u8() : 0;
      const format = _FORMATS[r.u8()] ?? r.fail("its pixel format is not RGBA, BGRA, I420 or NV12");
      const codedWidth = r.u32();
      const codedHeight = r.u32();
      const colorSpace = _readColorSpace(r);
      r.end();
      if (codedWidth < 1 || codedHeight < 1 || codedWidth > _MAX_SIDE || codedHeight > _MAX_SIDE) {
        r.fail(`its size ${codedWidth}×${codedHeight} is outside 1 to ${_MAX_SIDE}`);
      }
      const space = colorSpace === undefined ? {} : { colorSpace };
      if (type === "video") {
        const expected = videoFrameLayout(format, codedWidth, codedHeight).byteLength;
        if (payload.length !== expected) {
          r.fail(
            `a ${format} ${codedWidth}×${codedHeight} frame has ${expected} bytes, not ${payload.length}`,
          );
        }
        const frame = createVideoFrame({
          ...timing,
          format,
          codedWidth,
          codedHeight,
          data: payload,
          ...space,
        });
        return { type, seq, message: frame };
      }
      if (codec !== 1 && codec !== 2) r.fail(`its codec ${codec} is not JPEG (1) or H.264 (2)`);
      const [description, data] = _split(flags, payload, r);
      return {
        type,
        seq,
        message: {
          ...timing,
          codec: codec === 1 ? "jpeg" : "h264",
          key: (flags & _FLAG_KEY) !== 0,
          format,
          codedWidth,
          codedHeight,
          ...space,
          ...(description === undefined ? {} : { description }),
          data,
        },
      };
    }
    case "audio":
    case "audio-coded": {
      const codec = type === "audio-coded" ? r.u8() : 0;
      const sampleRate = r.f64("sample rate");
      const numberOfChannels = r.u16();
      const numberOfFrames = r.u32();
      r.end();
      if (!(sampleRate > 0 && sampleRate <= 768_000)) {
        r.fail(`its sample rate ${sampleRate} is outside (0, 768000]`);
      }
      if (numberOfChannels < 1 || numberOfChannels > 64) {
        r.fail(`it has ${numberOfChannels} channels, not 1 to 64`);
      }
      if (type === "audio") {
        const bytes = numberOfChannels * numberOfFrames * 4;
        if (payload.length !== bytes) {
          r.fail(
            `${numberOfChannels} × ${numberOfFrames} samples are ${bytes} bytes, not ${payload.length}`,
          );
        }
        const buffer: AudioBuffer = {
          kind: "audio",
          format: "f32-planar",
          sampleRate,
          numberOfChannels,
          numberOfFrames,
          data: new Float32Array(payload.buffer, payload.byteOffset, payload.length / 4),
          ...timing,
        };
        return { type, seq, message: buffer };
      }
      if (codec !== 3) r.fail(`its codec ${codec} is not Opus (3)`);
      const [description, data] = _split(flags, payload, r);
      return {
        type,
        seq,
        message: {
          ...timing,
          codec: "opus",
          sampleRate,
          numberOfChannels,
          numberOfFrames,
          ...(description === undefined ? {} : { description }),
          data,
        },
      };
    }
    case "key":
    case "mouse":
      return { type: "event", seq, message: _event(type, timing, r, payload) };
    default: {
      const topic = r.str("topic");
      r.end();
      let value: unknown = payload;
      if ((flags & _FLAG_BYTES) === 0) {
        try {
          value = JSON.parse(_utf8(payload, "data"));
        } catch (error) {
          if (error instanceof StreamlibError) throw error;
          r.fail("its value is not JSON");
        }
      }
      const message: DataMessage = { kind: "data", topic, value, ...timing };
      return { type: "data", seq, message };
    }
  }
}

function _event(
  type: "key" | "mouse",
  timing: Timing,
  r: _MetaReader,
  payload: Uint8Array,
): StreamEvent {
  if (payload.length !== 0) r.fail(`it has a payload of ${payload.length} bytes`);
  const kind = r.u8();
  const mods = r.u8();
  const modifiers = {
    altKey: (mods & 1) !== 0,
    ctrlKey: (mods & 2) !== 0,
    metaKey: (mods & 4) !== 0,
    shiftKey: (mods & 8) !== 0,
  };
  if (type === "key") {
    const name = _KEY_TYPES[kind] ?? r.fail(`its key event type ${kind} is unknown`);
    if (mods >= 32) r.fail(`its modifier bits 0x${mods.toString(16)} are unknown`);
    const key = r.str("key");
    const code = r.str("code");
    r.end();
    return {
      kind: "event",
      type: name,
      key,
      code,
      ...modifiers,
      repeat: (mods & 16) !== 0,
      ...timing,
    };
  }
  const name = _MOUSE_TYPES[kind] ?? r.fail(`its mouse event type ${kind} is unknown`);
  if (mods >= 16) r.fail(`its modifier bits 0x${mods.toString(16)} are unknown`);
  const x = r.f64("x");
  const y = r.f64("y");
  const button = r.i16();
  const buttons = r.u16();
  const deltaX = r.f64("deltaX");
  const deltaY = r.f64("deltaY");
  r.end();
  return {
    kind: "event",
    type: name,
    x,
    y,
    button,
    buttons,
    deltaX,
    deltaY,
    ...modifiers,
    ...timing,
  };
}

function _readColorSpace(r: _MetaReader): VideoColorSpace | undefined {
  const m = r.u8();
  const range = r.u8();
  if (m >= _MATRICES.length) r.fail(`its colour matrix ${m} is unknown`);
  if (range > 2) r.fail(`its colour range ${range} is unknown`);
  const matrix = _MATRICES[m];
  if (matrix === undefined && range === 0) return undefined;
  return {
    ...(matrix === undefined ? {} : { matrix }),
    ...(range === 0 ? {} : { fullRange: range === 2 }),
  };
}

/** A coded payload's description (when flagged) and its data. */
function _split(
  flags: number,
  payload: Uint8Array,
  r: _MetaReader,
): [Uint8Array | undefined, Uint8Array] {
  if ((flags & _FLAG_DESCRIPTION) === 0) return [undefined, payload];
  if (payload.length < 4) r.fail("its codec description has no length");
  const n = new DataView(payload.buffer, payload.byteOffset, 4).getUint32(0, true);
  if (n > payload.length - 4) r.fail(`its codec description of ${n} bytes runs past its payload`);
  return [payload.subarray(4, 4 + n), payload.subarray(4 + n)];
}
