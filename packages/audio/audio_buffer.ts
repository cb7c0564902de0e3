import { type AudioBuffer, createAudioBuffer, StreamlibError } from "@streamlib/core";

/**
 * The timing of a buffer made from raw samples by {@linkcode deinterleave} or
 * {@linkcode fromS16}: its rate, the index of its first sample and its clock.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { SampleTiming } from "@streamlib/audio";
 * const timing: SampleTiming = { sampleRate: 48_000, position: 480 };
 * assert.ok(timing.position === 480);
 * ```
 */
export interface SampleTiming {
  /** Samples a second (positive). */
  readonly sampleRate: number;
  /** Index of the first sample since the stream began (default 0). */
  readonly position?: number;
  /** Stamping clock id (default `""`). */
  readonly clockId?: string;
}

/**
 * The samples of an audio buffer interleaved, frame by frame (`L R L R …` for stereo): sample `i`
 * of channel `c` lands at `i * numberOfChannels + c`. The result is a fresh array.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createAudioBuffer } from "@streamlib/core";
 * import { interleave } from "@streamlib/audio";
 * const buffer = createAudioBuffer({
 *   sampleRate: 8000, numberOfChannels: 2, numberOfFrames: 2, data: new Float32Array([1, 2, 3, 4]),
 * });
 * assert.ok(interleave(buffer).join() === "1,3,2,4");
 * ```
 *
 * @param buffer The planar buffer.
 * @returns `numberOfFrames × numberOfChannels` interleaved samples.
 */
export function interleave(buffer: AudioBuffer): Float32Array {
  const { numberOfChannels: channels, numberOfFrames: frames, data } = buffer;
  const out = new Float32Array(channels * frames);
  for (let c = 0; c < channels; c++) {
    const base = c * frames;
    for (let i = 0, j = c; i < frames; i++, j += channels) out[j] = data[base + i]!;
  }
  return out;
}

/**
 * An audio buffer from interleaved samples (`L R L R …`), the inverse of {@linkcode interleave}.
 * The samples are copied into a fresh planar array; `timestamp` and `duration` come from
 * `position` as with `createAudioBuffer`.
 *
 * Throws `SL_PARAM_INVALID` for a channel count that is not a positive integer or a bad rate,
 * and `SL_AUDIO_FORMAT` when the number of samples is not a multiple of `channels`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { deinterleave } from "@streamlib/audio";
 * const buffer = deinterleave(new Float32Array([1, 3, 2, 4]), 2, { sampleRate: 8000 });
 * assert.ok(buffer.numberOfFrames === 2 && buffer.data.join() === "1,2,3,4");
 * ```
 *
 * @param samples Interleaved samples.
 * @param channels Channels in `samples`.
 * @param timing Rate, position of the first sample and clock of the buffer.
 * @returns The planar buffer.
 */
export function deinterleave(
  samples: Float32Array,
  channels: number,
  timing: SampleTiming,
): AudioBuffer {
  const frames = _frames(samples.length, channels);
  const data = new Float32Array(samples.length);
  for (let c = 0; c < channels; c++) {
    const base = c * frames;
    for (let i = 0, j = c; i < frames; i++, j += channels) data[base + i] = samples[j]!;
  }
  return _create(data, channels, frames, timing);
}

/**
 * The samples of an audio buffer as interleaved signed 16-bit integers, the layout of WAV files
 * and of ffmpeg's `s16le`.
 *
 * Scaling is ffmpeg's (libswresample): one symmetric factor, `s = round(x × 32768)`, clipped to
 * −32768…32767. So −1 maps to −32768, +1 clips to 32767, and `toS16(fromS16(s))` gives back
 * every 16-bit value exactly. Rounding is to the nearest integer, halves away from zero; values
 * beyond ±1 clip; NaN becomes 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createAudioBuffer } from "@streamlib/core";
 * import { toS16 } from "@streamlib/audio";
 * const buffer = createAudioBuffer({
 *   sampleRate: 8000, numberOfChannels: 1, numberOfFrames: 4,
 *   data: new Float32Array([-1, 0.5, 1, 2]),
 * });
 * assert.ok(toS16(buffer).join() === "-32768,16384,32767,32767");
 * ```
 *
 * @param buffer The planar float buffer.
 * @returns `numberOfFrames × numberOfChannels` interleaved 16-bit samples.
 */
export function toS16(buffer: AudioBuffer): Int16Array {
  const { numberOfChannels: channels, numberOfFrames: frames, data } = buffer;
  const out = new Int16Array(channels * frames);
  for (let c = 0; c < channels; c++) {
    const base = c * frames;
    for (let i = 0, j = c; i < frames; i++, j += channels) {
      const v = data[base + i]! * 32768;
      // NaN fails both comparisons and ends up as 0 (Int16Array stores NaN as 0).
      out[j] = v >= 32767 ? 32767 : v <= -32768 ? -32768 : v < 0 ? -Math.round(-v) : Math.round(v);
    }
  }
  return out;
}

/**
 * An audio buffer from interleaved signed 16-bit samples, each divided by 32768 (so −32768 reads
 * −1 and 32767 reads 32767/32768); the inverse of {@linkcode toS16}, exactly.
 *
 * Throws as {@linkcode deinterleave} does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fromS16 } from "@streamlib/audio";
 * const buffer = fromS16(new Int16Array([-32768, 16384]), 2, { sampleRate: 8000 });
 * assert.ok(buffer.data.join() === "-1,0.5");
 * ```
 *
 * @param samples Interleaved 16-bit samples.
 * @param channels Channels in `samples`.
 * @param timing Rate, position of the first sample and clock of the buffer.
 * @returns The planar float buffer.
 */
export function fromS16(samples: Int16Array, channels: number, timing: SampleTiming): AudioBuffer {
  const frames = _frames(samples.length, channels);
  const data = new Float32Array(samples.length);
  const scale = 1 / 32768;
  for (let c = 0; c < channels; c++) {
    const base = c * frames;
    for (let i = 0, j = c; i < frames; i++, j += channels) data[base + i] = samples[j]! * scale;
  }
  return _create(data, channels, frames, timing);
}

/**
 * `count` frames of a buffer from frame `start`, copied into a new buffer whose position is
 * `buffer.position + start` (so its timestamp is exact). The range is clipped to the buffer:
 * asking past the end gives fewer frames, possibly none.
 *
 * Throws `SL_PARAM_INVALID` when `start` or `count` is not a non-negative integer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createAudioBuffer } from "@streamlib/core";
 * import { sliceAudio } from "@streamlib/audio";
 * const buffer = createAudioBuffer({ sampleRate: 1000, numberOfChannels: 2, numberOfFrames: 10 });
 * const tail = sliceAudio(buffer, 4, 100);
 * assert.ok(tail.numberOfFrames === 6 && tail.position === 4 && tail.timestamp === 4000);
 * ```
 *
 * @param buffer The buffer to cut from.
 * @param start The first frame to keep.
 * @param count How many frames to keep.
 * @returns A new buffer with the frames.
 */
export function sliceAudio(buffer: AudioBuffer, start: number, count: number): AudioBuffer {
  for (const [name, value] of [["start", start], ["count", count]] as const) {
    if (!Number.isInteger(value) || value < 0) {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `sliceAudio() needs a non-negative integer ${name}, got ${value}`,
      );
    }
  }
  const { numberOfChannels: channels, numberOfFrames: frames } = buffer;
  const from = Math.min(start, frames);
  const n = Math.min(count, frames - from);
  const data = new Float32Array(channels * n);
  for (let c = 0; c < channels; c++) {
    data.set(buffer.data.subarray(c * frames + from, c * frames + from + n), c * n);
  }
  return createAudioBuffer({
    sampleRate: buffer.sampleRate,
    numberOfChannels: channels,
    numberOfFrames: n,
    data,
    position: buffer.position + from,
    clockId: buffer.clockId,
  });
}

/**
 * One buffer with the frames of `buffers` one after the other, channel by channel. It takes the
 * position and clock of the first buffer; the others' positions are not checked (joining
 * buffers that do not follow each other makes one whose later samples are mistimed).
 *
 * Throws `SL_PARAM_INVALID` for an empty list and `SL_AUDIO_FORMAT` when the buffers differ in
 * sample rate or channel count.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createAudioBuffer } from "@streamlib/core";
 * import { concatAudio } from "@streamlib/audio";
 * const a = createAudioBuffer({ sampleRate: 1000, numberOfChannels: 1, numberOfFrames: 3 });
 * const b = createAudioBuffer({
 *   sampleRate: 1000, numberOfChannels: 1, numberOfFrames: 2, position: 3,
 * });
 * const ab = concatAudio([a, b]);
 * assert.ok(ab.numberOfFrames === 5 && ab.duration === 5000);
 * ```
 *
 * @param buffers The buffers, in order.
 * @returns A new buffer holding all their frames.
 */
export function concatAudio(buffers: readonly AudioBuffer[]): AudioBuffer {
  const first = buffers[0];
  if (first === undefined) {
    throw new StreamlibError("SL_PARAM_INVALID", "concatAudio() needs at least one buffer, got 0");
  }
  const { sampleRate, numberOfChannels: channels } = first;
  let frames = 0;
  for (const [i, b] of buffers.entries()) {
    if (b.sampleRate !== sampleRate || b.numberOfChannels !== channels) {
      throw new StreamlibError(
        "SL_AUDIO_FORMAT",
        `concatAudio() needs buffers of one format: buffer 0 is ${sampleRate} Hz, ${channels} ` +
          `channels, buffer ${i} is ${b.sampleRate} Hz, ${b.numberOfChannels} channels; ` +
          `resample or remix first`,
      );
    }
    frames += b.numberOfFrames;
  }
  const data = new Float32Array(channels * frames);
  for (let c = 0; c < channels; c++) {
    let at = c * frames;
    for (const b of buffers) {
      const n = b.numberOfFrames;
      data.set(b.data.subarray(c * n, (c + 1) * n), at);
      at += n;
    }
  }
  return createAudioBuffer({
    sampleRate,
    numberOfChannels: channels,
    numberOfFrames: frames,
    data,
    position: first.position,
    clockId: first.clockId,
  });
}

/** Frames in `length` interleaved samples of `channels` channels, or a thrown error. */
function _frames(length: number, channels: number): number {
  if (!Number.isInteger(channels) || channels <= 0) {
    throw new StreamlibError(
      "SL_PARAM_INVALID",
      `The channel count must be a positive integer, got ${channels}`,
    );
  }
  if (length % channels !== 0) {
    throw new StreamlibError(
      "SL_AUDIO_FORMAT",
      `${length} interleaved samples do not split into ${channels} channels; pass whole frames ` +
        `(a multiple of ${channels} samples)`,
    );
  }
  return length / channels;
}

function _create(
  data: Float32Array,
  channels: number,
  frames: number,
  timing: SampleTiming,
): AudioBuffer {
  return createAudioBuffer({
    sampleRate: timing.sampleRate,
    numberOfChannels: channels,
    numberOfFrames: frames,
    data,
    position: timing.position ?? 0,
    clockId: timing.clockId ?? "",
  });
}
