import { _allocateFrame } from "./_frame_alloc.ts";
import { StreamlibError } from "./errors.ts";

/**
 * What a port carries. Connecting two ports checks that their kinds are equal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PortKind } from "@streamlib/core";
 * const kind: PortKind = "video";
 * assert.ok(kind === "video");
 * ```
 */
export type PortKind = "video" | "audio" | "event" | "data";

/**
 * The timing every message carries. Times are in **microseconds** (WebCodecs' unit) of running
 * time: 0 is the moment the pipeline started, whatever the clock.
 *
 * `position` is the frame number for video, the index of the first sample for audio and a
 * sequence number for events and data. `clockId` names the clock that stamped the message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Timing } from "@streamlib/core";
 * const t: Timing = { timestamp: 33_333, duration: 33_334, position: 1, clockId: "sw0" };
 * assert.ok(t.timestamp + t.duration === 66_667);
 * ```
 */
export interface Timing {
  /** Presentation time in µs of running time. */
  readonly timestamp: number;
  /** How long the message lasts, in µs (0 for instantaneous events). */
  readonly duration: number;
  /** Frame number (video), first sample index (audio) or sequence number (events, data). */
  readonly position: number;
  /** Id of the clock that stamped this message. */
  readonly clockId: string;
}

/**
 * Pixel formats, named as in WebCodecs' `VideoPixelFormat`.
 *
 * - `RGBA`, `BGRA`: one interleaved plane, 4 bytes a pixel, straight (not premultiplied) alpha.
 * - `I420`: planar Y, U, V; chroma subsampled 2×2 (odd sizes round up).
 * - `NV12`: planar Y, then interleaved UV; chroma subsampled 2×2.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { VideoPixelFormat } from "@streamlib/core";
 * const format: VideoPixelFormat = "NV12";
 * assert.ok(format.length === 4);
 * ```
 */
export type VideoPixelFormat = "RGBA" | "BGRA" | "I420" | "NV12";

/**
 * Where one plane starts in a frame's `data` and how many bytes a row takes (as in WebCodecs).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PlaneLayout } from "@streamlib/core";
 * const plane: PlaneLayout = { offset: 0, stride: 1920 * 4 };
 * assert.ok(plane.stride === 7680);
 * ```
 */
export interface PlaneLayout {
  /** Byte offset of the plane's first row in `data`. */
  readonly offset: number;
  /** Bytes from the start of one row to the start of the next. */
  readonly stride: number;
}

/**
 * Colour space of YUV frames, a subset of WebCodecs' `VideoColorSpaceInit`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { VideoColorSpace } from "@streamlib/core";
 * const hd: VideoColorSpace = { matrix: "bt709", fullRange: false };
 * assert.ok(hd.matrix === "bt709");
 * ```
 */
export interface VideoColorSpace {
  /** YUV matrix: `bt709` (HD), `bt470bg` / `smpte170m` (BT.601, SD). */
  readonly matrix?: "bt709" | "bt470bg" | "smpte170m";
  /** `true` for full range (0–255), `false` for limited range (16–235 luma). */
  readonly fullRange?: boolean;
}

/**
 * A video frame. Field names follow WebCodecs' `VideoFrame`: the picture is `codedWidth` ×
 * `codedHeight` pixels in `format`, and `layout` says where each plane lies in `data`.
 *
 * `data` is a view: sending a frame passes the reference, it never copies pixels. Treat a frame
 * you received as read-only: other consumers may hold the same object.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createVideoFrame } from "@streamlib/core";
 * const frame = createVideoFrame({ format: "RGBA", codedWidth: 4, codedHeight: 2 });
 * assert.ok(frame.data.length === 4 * 2 * 4);
 * assert.ok(frame.layout[0]!.stride === 16);
 * ```
 */
export interface VideoFrame extends Timing {
  /** Discriminates the message type. */
  readonly kind: "video";
  /** Pixel format. */
  readonly format: VideoPixelFormat;
  /** Width of the picture in pixels. */
  readonly codedWidth: number;
  /** Height of the picture in pixels. */
  readonly codedHeight: number;
  /** Pixel bytes; planes as described by `layout`. */
  readonly data: Uint8Array;
  /** One entry per plane (1 for RGBA/BGRA, 3 for I420, 2 for NV12). */
  readonly layout: readonly PlaneLayout[];
  /** Colour space of YUV formats; absent means BT.601 limited range for SD, BT.709 for HD. */
  readonly colorSpace?: VideoColorSpace;
  /** Where the pixels are: absent or `"cpu"` for a frame in `data` (see {@linkcode GpuVideoFrame}). */
  readonly memory?: "cpu";
}

/**
 * A video frame whose pixels are in GPU memory: what ports with the `gpu` capability carry
 * (`@streamlib/gpu` makes and reads them). It has a {@linkcode VideoFrame}'s format, size,
 * colour space and timing, but no `data`: `gpu` holds the GPU object (a pooled texture or
 * storage buffer, with its device), opaque to core, which never reads it. A link between a
 * `cpu` and a `gpu` port goes through a transfer actor that the pipeline inserts (see
 * {@linkcode TransferProvider}), so an actor whose ports are `cpu` only never receives one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type GpuVideoFrame, isGpuFrame } from "@streamlib/core";
 * const frame: GpuVideoFrame = {
 *   kind: "video", memory: "gpu", format: "RGBA", codedWidth: 2, codedHeight: 2, gpu: {},
 *   timestamp: 0, duration: 0, position: 0, clockId: "",
 * };
 * assert.ok(isGpuFrame(frame) && !("data" in frame));
 * ```
 */
export interface GpuVideoFrame extends Timing {
  /** Discriminates the message type. */
  readonly kind: "video";
  /** The pixels are in GPU memory. */
  readonly memory: "gpu";
  /** Pixel format (as the bytes would be in a {@linkcode VideoFrame}). */
  readonly format: VideoPixelFormat;
  /** Width of the picture in pixels. */
  readonly codedWidth: number;
  /** Height of the picture in pixels. */
  readonly codedHeight: number;
  /** Colour space of YUV formats, as in {@linkcode VideoFrame}. */
  readonly colorSpace?: VideoColorSpace;
  /** The GPU memory holding the pixels, made by the package that made the frame; opaque here. */
  readonly gpu: object;
}

/**
 * Tells whether a message is a frame in GPU memory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createVideoFrame, isGpuFrame } from "@streamlib/core";
 * assert.ok(!isGpuFrame(createVideoFrame({ format: "RGBA", codedWidth: 1, codedHeight: 1 })));
 * ```
 *
 * @param message A message.
 * @returns `true` for a {@linkcode GpuVideoFrame}.
 */
export function isGpuFrame(message: AnyMessage): message is GpuVideoFrame {
  return (message as { memory?: string }).memory === "gpu";
}

/**
 * A block of audio, named after WebCodecs' `AudioData`: `numberOfFrames` samples for each of
 * `numberOfChannels` channels, stored planar in one `Float32Array` (channel `c` starts at
 * `c * numberOfFrames`). `position` is the index of the first sample since the stream began;
 * {@linkcode createAudioBuffer} derives `timestamp` and `duration` from it so that they never
 * drift however long a stream runs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { audioChannel, createAudioBuffer } from "@streamlib/core";
 * const buffer = createAudioBuffer({ sampleRate: 48_000, numberOfChannels: 2, numberOfFrames: 480 });
 * assert.ok(audioChannel(buffer, 1).length === 480);
 * assert.ok(buffer.duration === 10_000);
 * ```
 */
export interface AudioBuffer extends Timing {
  /** Discriminates the message type. */
  readonly kind: "audio";
  /** Sample format; planar 32-bit float, as WebCodecs' `"f32-planar"`. */
  readonly format: "f32-planar";
  /** Samples a second. */
  readonly sampleRate: number;
  /** Samples in each channel. */
  readonly numberOfFrames: number;
  /** Number of channels. */
  readonly numberOfChannels: number;
  /** Samples, planar: channel `c` is `data.subarray(c * numberOfFrames, (c + 1) * numberOfFrames)`. */
  readonly data: Float32Array;
}

/**
 * A key pressed or released, with the fields of the DOM's `KeyboardEvent`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createKeyEvent } from "@streamlib/core";
 * const e = createKeyEvent({ type: "keydown", key: "a", code: "KeyA" });
 * assert.ok(e.kind === "event" && e.shiftKey === false);
 * ```
 */
export interface KeyEvent extends Timing {
  /** Discriminates the message type. */
  readonly kind: "event";
  /** `keydown` or `keyup`. */
  readonly type: "keydown" | "keyup";
  /** The key value, e.g. `"a"`, `"Enter"`. */
  readonly key: string;
  /** The physical key, e.g. `"KeyA"`. */
  readonly code: string;
  /** Alt was held. */
  readonly altKey: boolean;
  /** Control was held. */
  readonly ctrlKey: boolean;
  /** Meta was held. */
  readonly metaKey: boolean;
  /** Shift was held. */
  readonly shiftKey: boolean;
  /** The key is held down and repeating. */
  readonly repeat: boolean;
}

/**
 * A pointer event in **video pixel** coordinates, with the fields of the DOM's `MouseEvent` /
 * `WheelEvent`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createMouseEvent } from "@streamlib/core";
 * const e = createMouseEvent({ type: "mousedown", x: 640, y: 360, button: 0 });
 * assert.ok(e.buttons === 0 && e.x === 640);
 * ```
 */
export interface MouseEvent extends Timing {
  /** Discriminates the message type. */
  readonly kind: "event";
  /** What happened. */
  readonly type: "mousedown" | "mouseup" | "mousemove" | "click" | "wheel";
  /** Horizontal position in video pixels. */
  readonly x: number;
  /** Vertical position in video pixels. */
  readonly y: number;
  /** Button that changed: 0 main, 1 middle, 2 secondary. */
  readonly button: number;
  /** Bit mask of the buttons held. */
  readonly buttons: number;
  /** Horizontal scroll amount (`wheel`). */
  readonly deltaX: number;
  /** Vertical scroll amount (`wheel`). */
  readonly deltaY: number;
  /** Alt was held. */
  readonly altKey: boolean;
  /** Control was held. */
  readonly ctrlKey: boolean;
  /** Meta was held. */
  readonly metaKey: boolean;
  /** Shift was held. */
  readonly shiftKey: boolean;
}

/**
 * Either input event.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createKeyEvent, type StreamEvent } from "@streamlib/core";
 * const e: StreamEvent = createKeyEvent({ type: "keyup", key: "q" });
 * assert.ok(e.type === "keyup");
 * ```
 */
export type StreamEvent = KeyEvent | MouseEvent;

/**
 * Any other value: detections, levels, commands. `topic` says what the value is, and `value`
 * should be structured-cloneable so that it can cross threads and machines.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createDataMessage } from "@streamlib/core";
 * const m = createDataMessage({ motion: 0.4 }, { topic: "motion", position: 7 });
 * assert.ok(m.topic === "motion" && m.value.motion === 0.4);
 * ```
 */
export interface DataMessage<T = unknown> extends Timing {
  /** Discriminates the message type. */
  readonly kind: "data";
  /** What the value is, e.g. `"motion"`; `""` when unspecified. */
  readonly topic: string;
  /** The payload. */
  readonly value: T;
}

/**
 * Every message a port in CPU memory can carry (ports without the `gpu` capability, the default).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createDataMessage, type Message } from "@streamlib/core";
 * const m: Message = createDataMessage(1);
 * assert.ok(m.kind === "data");
 * ```
 */
export type Message = VideoFrame | AudioBuffer | StreamEvent | DataMessage;

/**
 * Every message any port can carry: a {@linkcode Message}, or a {@linkcode GpuVideoFrame} on a
 * port with the `gpu` capability.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AnyMessage, createDataMessage, isGpuFrame } from "@streamlib/core";
 * const m: AnyMessage = createDataMessage(1);
 * assert.ok(!isGpuFrame(m));
 * ```
 */
export type AnyMessage = Message | GpuVideoFrame;

/**
 * The message type a port of kind `K` carries; `"any"` (generic actors such as sinks and
 * loggers) carries every message type.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { MessageOfKind, VideoFrame } from "@streamlib/core";
 * type V = MessageOfKind<"video">;
 * const same: V extends VideoFrame ? true : false = true;
 * assert.ok(same);
 * ```
 */
export type MessageOfKind<K extends PortKind | "any"> = K extends "video" ? VideoFrame
  : K extends "audio" ? AudioBuffer
  : K extends "event" ? StreamEvent
  : K extends "data" ? DataMessage
  : Message;

/**
 * The byte layout of a tightly packed frame: each plane's offset and stride, and the total size.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { videoFrameLayout } from "@streamlib/core";
 * const { layout, byteLength } = videoFrameLayout("I420", 5, 3);
 * // Y 5×3, then U and V of 3×2 each
 * assert.ok(byteLength === 15 + 6 + 6);
 * assert.ok(layout[2]!.offset === 21);
 * ```
 *
 * @param format The pixel format.
 * @param width Picture width in pixels (a positive integer).
 * @param height Picture height in pixels (a positive integer).
 * @returns The planes and the total number of bytes.
 */
export function videoFrameLayout(
  format: VideoPixelFormat,
  width: number,
  height: number,
): { layout: PlaneLayout[]; byteLength: number } {
  if (!Number.isInteger(width) || width <= 0 || !Number.isInteger(height) || height <= 0) {
    throw new StreamlibError(
      "SL_PARAM_INVALID",
      `Frame size must be positive integers, got ${width}×${height}`,
    );
  }
  const cw = Math.ceil(width / 2);
  const ch = Math.ceil(height / 2);
  switch (format) {
    case "RGBA":
    case "BGRA":
      return { layout: [{ offset: 0, stride: width * 4 }], byteLength: width * height * 4 };
    case "I420": {
      const y = width * height;
      const c = cw * ch;
      return {
        layout: [{ offset: 0, stride: width }, { offset: y, stride: cw }, {
          offset: y + c,
          stride: cw,
        }],
        byteLength: y + 2 * c,
      };
    }
    case "NV12": {
      const y = width * height;
      return {
        layout: [{ offset: 0, stride: width }, { offset: y, stride: cw * 2 }],
        byteLength: y + cw * 2 * ch,
      };
    }
    default:
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `Unknown pixel format "${format as string}"; expected RGBA, BGRA, I420 or NV12`,
      );
  }
}

/**
 * What {@linkcode createVideoFrame} needs; unset timing fields default to 0 and `""`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { VideoFrameInit } from "@streamlib/core";
 * const init: VideoFrameInit = { format: "BGRA", codedWidth: 2, codedHeight: 2 };
 * assert.ok(init.format === "BGRA");
 * ```
 */
export interface VideoFrameInit extends Partial<Timing> {
  /** Pixel format. */
  format: VideoPixelFormat;
  /** Width in pixels. */
  codedWidth: number;
  /** Height in pixels. */
  codedHeight: number;
  /** Pixel bytes to wrap (not copied); a zeroed buffer is allocated when absent. */
  data?: Uint8Array;
  /** Plane layout of `data`; tightly packed when absent. */
  layout?: readonly PlaneLayout[];
  /** Colour space of YUV data. */
  colorSpace?: VideoColorSpace;
}

/**
 * Creates a video frame, wrapping `data` without copying it (or allocating a zeroed buffer).
 * Throws `SL_PARAM_INVALID` when `data` is too small for the format and size.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createVideoFrame } from "@streamlib/core";
 * const pixels = new Uint8Array(2 * 2 * 4).fill(255);
 * const frame = createVideoFrame({ format: "RGBA", codedWidth: 2, codedHeight: 2, data: pixels });
 * assert.ok(frame.data === pixels); // no copy
 * ```
 *
 * @param init Format, size, optional data, layout and timing.
 * @returns The frame.
 */
export function createVideoFrame(init: VideoFrameInit): VideoFrame {
  const packed = videoFrameLayout(init.format, init.codedWidth, init.codedHeight);
  const layout = init.layout ?? packed.layout;
  const data = init.data ?? _allocateFrame(packed.byteLength);
  if (layout.length !== packed.layout.length) {
    throw new StreamlibError(
      "SL_PARAM_INVALID",
      `${init.format} frames have ${packed.layout.length} planes, layout has ${layout.length}`,
    );
  }
  const needed = _layoutEnd(init.format, init.codedWidth, init.codedHeight, layout);
  if (data.length < needed) {
    throw new StreamlibError(
      "SL_PARAM_INVALID",
      `${init.format} ${init.codedWidth}×${init.codedHeight} needs ${needed} bytes, data has ${data.length}`,
    );
  }
  const frame: VideoFrame = {
    kind: "video",
    format: init.format,
    codedWidth: init.codedWidth,
    codedHeight: init.codedHeight,
    data,
    layout,
    timestamp: init.timestamp ?? 0,
    duration: init.duration ?? 0,
    position: init.position ?? 0,
    clockId: init.clockId ?? "",
  };
  return init.colorSpace ? { ...frame, colorSpace: init.colorSpace } : frame;
}

function _layoutEnd(
  format: VideoPixelFormat,
  width: number,
  height: number,
  layout: readonly PlaneLayout[],
): number {
  const cw = Math.ceil(width / 2);
  const ch = Math.ceil(height / 2);
  const rows: Array<[rowBytes: number, rows: number]> = format === "RGBA" || format === "BGRA"
    ? [[width * 4, height]]
    : format === "I420"
    ? [[width, height], [cw, ch], [cw, ch]]
    : [[width, height], [cw * 2, ch]];
  let end = 0;
  rows.forEach(([rowBytes, count], i) => {
    const plane = layout[i]!;
    if (
      !Number.isInteger(plane.stride) || !Number.isInteger(plane.offset) ||
      plane.stride < rowBytes || plane.offset < 0
    ) {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `Plane ${i} of a ${format} ${width}×${height} frame needs an integer offset ≥ 0 and ` +
          `stride ≥ ${rowBytes}, got offset ${plane.offset}, stride ${plane.stride}`,
      );
    }
    end = Math.max(end, plane.offset + plane.stride * (count - 1) + rowBytes);
  });
  return end;
}

/**
 * What {@linkcode createAudioBuffer} needs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { AudioBufferInit } from "@streamlib/core";
 * const init: AudioBufferInit = { sampleRate: 44_100, numberOfChannels: 1, numberOfFrames: 441 };
 * assert.ok(init.numberOfFrames === 441);
 * ```
 */
export interface AudioBufferInit {
  /** Samples a second (positive). */
  sampleRate: number;
  /** Channels (positive integer). */
  numberOfChannels: number;
  /** Samples in each channel (non-negative integer). */
  numberOfFrames: number;
  /** Planar samples to wrap (not copied); zeroed when absent. */
  data?: Float32Array;
  /** Index of the first sample since the stream began (default 0). */
  position?: number;
  /** Stamping clock id (default `""`). */
  clockId?: string;
}

/**
 * Creates an audio buffer whose `timestamp` and `duration` are derived from its sample
 * `position`, so consecutive buffers tile time exactly and never drift.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createAudioBuffer } from "@streamlib/core";
 * const a = createAudioBuffer({ sampleRate: 44_100, numberOfChannels: 1, numberOfFrames: 441 });
 * const b = createAudioBuffer({
 *   sampleRate: 44_100, numberOfChannels: 1, numberOfFrames: 441, position: 441,
 * });
 * assert.ok(a.timestamp + a.duration === b.timestamp);
 * ```
 *
 * @param init Rate, channels, frames, optional data, position and clock.
 * @returns The buffer.
 */
export function createAudioBuffer(init: AudioBufferInit): AudioBuffer {
  const { sampleRate, numberOfChannels, numberOfFrames } = init;
  if (!(sampleRate > 0) || !Number.isInteger(numberOfChannels) || numberOfChannels <= 0) {
    throw new StreamlibError(
      "SL_PARAM_INVALID",
      `Audio needs sampleRate > 0 and a positive integer channel count, got ${sampleRate} Hz, ${numberOfChannels} channels`,
    );
  }
  if (!Number.isInteger(numberOfFrames) || numberOfFrames < 0) {
    throw new StreamlibError(
      "SL_PARAM_INVALID",
      `numberOfFrames must be a non-negative integer, got ${numberOfFrames}`,
    );
  }
  const samples = numberOfChannels * numberOfFrames;
  const data = init.data ?? new Float32Array(samples);
  if (data.length < samples) {
    throw new StreamlibError(
      "SL_PARAM_INVALID",
      `${numberOfChannels} × ${numberOfFrames} samples need ${samples} floats, data has ${data.length}`,
    );
  }
  const position = init.position ?? 0;
  const timestamp = Math.round(position * 1e6 / sampleRate);
  const end = Math.round((position + numberOfFrames) * 1e6 / sampleRate);
  return {
    kind: "audio",
    format: "f32-planar",
    sampleRate,
    numberOfFrames,
    numberOfChannels,
    data,
    timestamp,
    duration: end - timestamp,
    position,
    clockId: init.clockId ?? "",
  };
}

/**
 * The samples of one channel of an audio buffer, as a view (no copy).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { audioChannel, createAudioBuffer } from "@streamlib/core";
 * const b = createAudioBuffer({ sampleRate: 8000, numberOfChannels: 2, numberOfFrames: 4 });
 * audioChannel(b, 1).fill(0.5);
 * assert.ok(b.data[4] === 0.5 && b.data[3] === 0);
 * ```
 *
 * @param buffer The audio buffer.
 * @param channel The channel index, from 0.
 * @returns A `Float32Array` view of that channel.
 */
export function audioChannel(buffer: AudioBuffer, channel: number): Float32Array {
  if (!Number.isInteger(channel) || channel < 0 || channel >= buffer.numberOfChannels) {
    throw new StreamlibError(
      "SL_PARAM_INVALID",
      `Channel ${channel} does not exist; the buffer has ${buffer.numberOfChannels}`,
    );
  }
  const n = buffer.numberOfFrames;
  return buffer.data.subarray(channel * n, (channel + 1) * n);
}
