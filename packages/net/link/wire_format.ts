/**
 * The wire format of remote links, version 1: every message of a link — media, events, data,
 * end-of-stream, flush, and the link's own control messages — travels as one length-prefixed
 * binary frame with a checksum.
 *
 * ```txt
 * offset  size  field
 *  0      2     magic "SL"
 *  2      1     version (1)
 *  3      1     type (WIRE_TYPES)
 *  4      2     flags (bit 0: key frame; bit 1: data payload is raw bytes)
 *  6      2     metadata length M
 *  8      4     sequence number (per link, media messages only)
 * 12      4     payload length P
 * 16      4     payload checksum (32-bit Fletcher-style sum of the payload's LE words)
 * 20      4     header checksum (CRC-32C of bytes 0–19, then the metadata)
 * 24      M     metadata (per type: timing, format, sizes… little-endian; strings u16 + UTF-8)
 * 24+M    P     payload (pixels, samples, a coded picture or packet, JSON, a chunk)
 * ```
 *
 * Every number is little-endian. Timing is four fields: timestamp, duration and position as
 * float64, then the clock id as a string. The decoder ({@linkcode WireDecoder}) is strict.
 *
 * End-of-stream goes both ways: the receiver sends the sender's `eos` back (same sequence
 * number) once it has it, and the sender closes the link only then; a session that ends before
 * that carries the same `eos` again on the next one.
 *
 * @module
 */

import {
  type AudioBuffer,
  type DataMessage,
  type KeyEvent,
  type MouseEvent,
  packedFrameData,
  type StreamEvent,
  StreamlibError,
  type Timing,
  type VideoColorSpace,
  type VideoFrame,
  type VideoPixelFormat,
} from "@streamlib/core";
import { _crc32c, _sum32 } from "./_checksum.ts";
import { _MetaWriter, _utf8Bytes } from "./_wire_meta.ts";
import {
  _FLAG_BYTES,
  _FLAG_DESCRIPTION,
  _FLAG_KEY,
  _FORMATS,
  _KEY_TYPES,
  _MATRICES,
  _MOUSE_TYPES,
} from "./_wire_constants.ts";

/**
 * The wire format version this code speaks.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WIRE_VERSION } from "@streamlib/net";
 * assert.ok(WIRE_VERSION === 1);
 * ```
 */
export const WIRE_VERSION = 1;

/**
 * Bytes before a frame's metadata.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WIRE_HEADER_BYTES } from "@streamlib/net";
 * assert.ok(WIRE_HEADER_BYTES === 24);
 * ```
 */
export const WIRE_HEADER_BYTES = 24;

/**
 * The type byte of each kind of frame.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WIRE_TYPES } from "@streamlib/net";
 * assert.ok(WIRE_TYPES.video === 16 && WIRE_TYPES.eos === 23);
 * ```
 */
export const WIRE_TYPES = {
  hello: 1,
  accept: 2,
  refuse: 3,
  credit: 4,
  ping: 5,
  pong: 6,
  probe: 7,
  video: 16,
  "video-coded": 17,
  audio: 18,
  "audio-coded": 19,
  key: 20,
  mouse: 21,
  data: 22,
  eos: 23,
  flush: 24,
  chunk: 25,
} as const;

/**
 * Codecs of coded video and audio frames, by number on the wire.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WIRE_CODECS } from "@streamlib/net";
 * assert.ok(WIRE_CODECS.h264 === 2);
 * ```
 */
export const WIRE_CODECS = { jpeg: 1, h264: 2, opus: 3 } as const;

/**
 * A coded video picture: JPEG or H.264 (AVC: length-prefixed NAL units; a key frame's
 * `description` is the avcC record), with what the receiver needs to restore the frame.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { CodedVideo } from "@streamlib/net";
 * const picture: CodedVideo = {
 *   codec: "jpeg", key: true, format: "RGBA", codedWidth: 2, codedHeight: 2,
 *   timestamp: 0, duration: 33_333, position: 0, clockId: "", data: new Uint8Array(0),
 * };
 * assert.ok(picture.key);
 * ```
 */
export interface CodedVideo extends Timing {
  /** `jpeg` or `h264`. */
  readonly codec: "jpeg" | "h264";
  /** A picture that decodes alone. */
  readonly key: boolean;
  /** The pixel format the sender had, which the receiver restores. */
  readonly format: VideoPixelFormat;
  /** Picture width. */
  readonly codedWidth: number;
  /** Picture height. */
  readonly codedHeight: number;
  /** Colour space of the sender's frame. */
  readonly colorSpace?: VideoColorSpace;
  /** The codec's configuration (H.264: the avcC record), sent with key frames. */
  readonly description?: Uint8Array;
  /** The coded bytes. */
  readonly data: Uint8Array;
}

/**
 * A coded audio packet (Opus), with the buffer's shape to restore.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { CodedAudio } from "@streamlib/net";
 * const packet: CodedAudio = {
 *   codec: "opus", sampleRate: 48_000, numberOfChannels: 2, numberOfFrames: 960,
 *   timestamp: 0, duration: 20_000, position: 0, clockId: "", data: new Uint8Array(3),
 * };
 * assert.ok(packet.numberOfFrames === 960);
 * ```
 */
export interface CodedAudio extends Timing {
  /** `opus`. */
  readonly codec: "opus";
  /** The sender's sample rate. */
  readonly sampleRate: number;
  /** Channels. */
  readonly numberOfChannels: number;
  /** Samples a channel this packet stands for. */
  readonly numberOfFrames: number;
  /** The codec's configuration (Opus: the OpusHead), sent with the first packet. */
  readonly description?: Uint8Array;
  /** The packet. */
  readonly data: Uint8Array;
}

/**
 * One decoded frame of the wire format. Media frames carry the link's sequence number; the
 * control frames (`hello` … `probe`) carry what the link's protocol needs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { WireMessage } from "@streamlib/net";
 * const m: WireMessage = { type: "credit", limit: 8 };
 * assert.ok(m.type === "credit");
 * ```
 */
export type WireMessage =
  | { readonly type: "hello"; readonly body: Readonly<Record<string, unknown>> }
  | { readonly type: "accept"; readonly body: Readonly<Record<string, unknown>> }
  | { readonly type: "refuse"; readonly code: string; readonly message: string }
  | { readonly type: "credit"; readonly limit: number }
  | { readonly type: "ping"; readonly t1: number }
  | { readonly type: "pong"; readonly t1: number; readonly t2: number; readonly t3: number }
  | { readonly type: "probe"; readonly next: number }
  | { readonly type: "video"; readonly seq: number; readonly message: VideoFrame }
  | { readonly type: "video-coded"; readonly seq: number; readonly message: CodedVideo }
  | { readonly type: "audio"; readonly seq: number; readonly message: AudioBuffer }
  | { readonly type: "audio-coded"; readonly seq: number; readonly message: CodedAudio }
  | { readonly type: "event"; readonly seq: number; readonly message: StreamEvent }
  | { readonly type: "data"; readonly seq: number; readonly message: DataMessage }
  | { readonly type: "eos"; readonly seq: number }
  | { readonly type: "flush"; readonly seq: number }
  | {
    readonly type: "chunk";
    readonly id: number;
    readonly index: number;
    readonly count: number;
    readonly total: number;
    readonly data: Uint8Array;
  };

const _EMPTY = new Uint8Array(0);

/**
 * Encodes one message as a wire frame: the header with its metadata, and the payload, as two
 * parts to write one after the other (the payload is a view of the message's own bytes where
 * it can be, so a raw frame is not copied). Throws `SL_WIRE_MALFORMED` for what the format
 * cannot carry (a data value JSON cannot represent, a string over 65,535 bytes).
 *
 * @example A data message, decoded again
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeWire, WireDecoder } from "@streamlib/net";
 * const parts = encodeWire({
 *   type: "data", seq: 7,
 *   message: { kind: "data", topic: "t", value: { a: 1 }, timestamp: 5, duration: 0, position: 7, clockId: "c" },
 * });
 * const [decoded] = new WireDecoder().push(parts[0]!, parts[1]);
 * assert.ok(decoded!.type === "data" && decoded!.seq === 7);
 * assert.deepEqual(decoded!.message.value, { a: 1 });
 * ```
 *
 * @param message The message.
 * @returns `[header and metadata, payload]`.
 */
export function encodeWire(message: WireMessage): [Uint8Array, Uint8Array] {
  const meta = new _MetaWriter();
  let payload: Uint8Array = _EMPTY;
  let flags = 0;
  let seq = 0;
  switch (message.type) {
    case "hello":
    case "accept":
      meta.bytes(_utf8Bytes(JSON.stringify(message.body)));
      break;
    case "refuse":
      meta.str(message.code).str(message.message);
      break;
    case "credit":
      meta.f64(message.limit);
      break;
    case "ping":
      meta.f64(message.t1);
      break;
    case "pong":
      meta.f64(message.t1).f64(message.t2).f64(message.t3);
      break;
    case "probe":
      meta.f64(message.next);
      break;
    case "video": {
      const frame = message.message;
      seq = message.seq;
      _timing(meta, frame);
      meta.u8(_FORMATS.indexOf(frame.format)).u32(frame.codedWidth).u32(frame.codedHeight);
      _colorSpace(meta, frame.colorSpace);
      payload = packedFrameData(frame);
      break;
    }
    case "video-coded": {
      const picture = message.message;
      seq = message.seq;
      if (picture.key) flags |= _FLAG_KEY;
      _timing(meta, picture);
      meta.u8(WIRE_CODECS[picture.codec]).u8(_FORMATS.indexOf(picture.format))
        .u32(picture.codedWidth).u32(picture.codedHeight);
      _colorSpace(meta, picture.colorSpace);
      payload = _withDescription(picture, () => flags |= _FLAG_DESCRIPTION);
      break;
    }
    case "audio": {
      const buffer = message.message;
      seq = message.seq;
      _timing(meta, buffer);
      meta.f64(buffer.sampleRate).u16(buffer.numberOfChannels).u32(buffer.numberOfFrames);
      const samples = buffer.data.subarray(0, buffer.numberOfChannels * buffer.numberOfFrames);
      payload = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
      break;
    }
    case "audio-coded": {
      const packet = message.message;
      seq = message.seq;
      _timing(meta, packet);
      meta.u8(WIRE_CODECS[packet.codec]).f64(packet.sampleRate).u16(packet.numberOfChannels)
        .u32(packet.numberOfFrames);
      payload = _withDescription(packet, () => flags |= _FLAG_DESCRIPTION);
      break;
    }
    case "event": {
      const event = message.message;
      seq = message.seq;
      _timing(meta, event);
      const modifiers = (event.altKey ? 1 : 0) | (event.ctrlKey ? 2 : 0) |
        (event.metaKey ? 4 : 0) | (event.shiftKey ? 8 : 0);
      if (event.type === "keydown" || event.type === "keyup") {
        const key = event as KeyEvent;
        meta.u8(_KEY_TYPES.indexOf(key.type)).u8(modifiers | (key.repeat ? 16 : 0))
          .str(key.key).str(key.code);
        return _frame(WIRE_TYPES.key, flags, seq, meta.done(), payload);
      }
      const mouse = event as MouseEvent;
      meta.u8(_MOUSE_TYPES.indexOf(mouse.type)).u8(modifiers).f64(mouse.x).f64(mouse.y)
        .i16(mouse.button).u16(mouse.buttons).f64(mouse.deltaX).f64(mouse.deltaY);
      return _frame(WIRE_TYPES.mouse, flags, seq, meta.done(), payload);
    }
    case "data": {
      const data = message.message;
      seq = message.seq;
      _timing(meta, data);
      meta.str(data.topic);
      if (data.value instanceof Uint8Array) {
        flags |= _FLAG_BYTES;
        payload = data.value;
      } else {
        let text: string | undefined;
        try {
          text = JSON.stringify(data.value);
        } catch (error) {
          throw new StreamlibError(
            "SL_WIRE_MALFORMED",
            `A data message on topic ${JSON.stringify(data.topic)} cannot cross a link: its ` +
              `value is not JSON (${(error as Error).message})`,
            { cause: error },
          );
        }
        payload = _utf8Bytes(text ?? "null");
      }
      break;
    }
    case "eos":
    case "flush":
      seq = message.seq;
      break;
    case "chunk":
      meta.u32(message.id).u16(message.index).u16(message.count).u32(message.total);
      payload = message.data;
      break;
  }
  return _frame(WIRE_TYPES[message.type], flags, seq, meta.done(), payload);
}

function _frame(
  type: number,
  flags: number,
  seq: number,
  meta: Uint8Array,
  payload: Uint8Array,
): [Uint8Array, Uint8Array] {
  if (meta.length > 0xffff) {
    throw new StreamlibError(
      "SL_WIRE_MALFORMED",
      `A wire frame's metadata of ${meta.length} bytes is too long (at most 65535)`,
    );
  }
  const head = new Uint8Array(WIRE_HEADER_BYTES + meta.length);
  const view = new DataView(head.buffer);
  head[0] = 0x53;
  head[1] = 0x4c;
  head[2] = WIRE_VERSION;
  head[3] = type;
  view.setUint16(4, flags, true);
  view.setUint16(6, meta.length, true);
  view.setUint32(8, seq >>> 0, true);
  view.setUint32(12, payload.length, true);
  view.setUint32(16, _sum32(payload), true);
  head.set(meta, WIRE_HEADER_BYTES);
  const crc = _crc32c(head.subarray(WIRE_HEADER_BYTES), _crc32c(head.subarray(0, 20)));
  view.setUint32(20, crc, true);
  return [head, payload];
}

function _timing(meta: _MetaWriter, t: Timing): void {
  meta.f64(t.timestamp).f64(t.duration).f64(t.position).str(t.clockId);
}

function _colorSpace(meta: _MetaWriter, space: VideoColorSpace | undefined): void {
  meta.u8(_MATRICES.indexOf(space?.matrix)).u8(
    space?.fullRange === undefined ? 0 : space.fullRange ? 2 : 1,
  );
}

/** A coded payload, led by its description (u32 length, bytes) when it has one. */
function _withDescription(
  coded: { readonly description?: Uint8Array; readonly data: Uint8Array },
  flag: () => void,
): Uint8Array {
  if (coded.description === undefined) return coded.data;
  flag();
  const out = new Uint8Array(4 + coded.description.length + coded.data.length);
  new DataView(out.buffer).setUint32(0, coded.description.length, true);
  out.set(coded.description, 4);
  out.set(coded.data, 4 + coded.description.length);
  return out;
}
