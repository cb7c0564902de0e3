/**
 * The display's wire format, server to page: binary WebSocket messages of a 32-byte
 * little-endian header and a payload.
 *
 * | offset | video (type 1)                         | audio (type 2)              |
 * |--------|----------------------------------------|-----------------------------|
 * | 0      | u8 type = 1                            | u8 type = 2                 |
 * | 1      | u8 codec: 1 JPEG, 2 WebP, 3 H.264      | u8 channels                 |
 * | 2      | u8 flags: bit 0 keyframe               | u8 0                        |
 * | 4      | u32 width                              | u32 sample rate             |
 * | 8      | u32 height                             | u32 frames (per channel)    |
 * | 12     | u32 description bytes (H.264 avcC)     | u32 0                       |
 * | 16     | f64 timestamp, µs of running time      | f64 timestamp, µs           |
 * | 24     | f64 wall time the frame was made, ms   | f64 wall time, ms           |
 * | 32     | description, then the encoded picture  | interleaved f32 samples     |
 *
 * H.264 pictures are length-prefixed NAL units (AVC format, as in MP4), decoded with the avcC
 * record that keyframes carry as their description. The page answers with small JSON text
 * messages (see `_display_events.ts`).
 *
 * @module
 */

import type { AudioBuffer } from "@streamlib/core";

/** Bytes before the payload. */
export const _HEADER_BYTES = 32;
/** Message type of a video frame. */
export const _VIDEO_MESSAGE = 1;
/** Message type of an audio buffer. */
export const _AUDIO_MESSAGE = 2;

/** The display's codecs, and their ids on the wire. */
export const _CODEC_IDS = { jpeg: 1, webp: 2, h264: 3 } as const;

/** A codec the display can send. */
export type _DisplayCodec = keyof typeof _CODEC_IDS;

/** One encoded picture, ready to send. */
export interface _EncodedFrame {
  readonly codec: _DisplayCodec;
  /** Decodable on its own (every JPEG and WebP picture; H.264 IDR pictures). */
  readonly key: boolean;
  readonly width: number;
  readonly height: number;
  /** The frame's timestamp, µs of running time. */
  readonly timestamp: number;
  /** Wall time (ms since the epoch) at which the frame was made, for latency figures. */
  readonly created: number;
  /** The H.264 decoder configuration (avcC), on keyframes. */
  readonly description?: Uint8Array;
  /** The encoded picture. */
  readonly data: Uint8Array;
}

/** The message carrying `frame`. */
export function _videoMessage(frame: _EncodedFrame): Uint8Array {
  const description = frame.description ?? new Uint8Array(0);
  const message = new Uint8Array(_HEADER_BYTES + description.length + frame.data.length);
  const view = new DataView(message.buffer);
  view.setUint8(0, _VIDEO_MESSAGE);
  view.setUint8(1, _CODEC_IDS[frame.codec]);
  view.setUint8(2, frame.key ? 1 : 0);
  view.setUint32(4, frame.width, true);
  view.setUint32(8, frame.height, true);
  view.setUint32(12, description.length, true);
  view.setFloat64(16, frame.timestamp, true);
  view.setFloat64(24, frame.created, true);
  message.set(description, _HEADER_BYTES);
  message.set(frame.data, _HEADER_BYTES + description.length);
  return message;
}

/** The message carrying `buffer`, its samples interleaved; `created` as for video. */
export function _audioMessage(buffer: AudioBuffer, created: number): Uint8Array {
  const { numberOfChannels: channels, numberOfFrames: frames, data } = buffer;
  const message = new Uint8Array(_HEADER_BYTES + channels * frames * 4);
  const view = new DataView(message.buffer);
  view.setUint8(0, _AUDIO_MESSAGE);
  view.setUint8(1, channels);
  view.setUint32(4, buffer.sampleRate, true);
  view.setUint32(8, frames, true);
  view.setFloat64(16, buffer.timestamp, true);
  view.setFloat64(24, created, true);
  const samples = new Float32Array(message.buffer, _HEADER_BYTES, channels * frames);
  for (let c = 0; c < channels; c++) {
    const from = c * frames;
    for (let i = 0; i < frames; i++) samples[i * channels + c] = data[from + i]!;
  }
  if (!_LITTLE_ENDIAN) {
    for (let i = _HEADER_BYTES; i < message.length; i += 4) message.subarray(i, i + 4).reverse();
  }
  return message;
}

const _LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
