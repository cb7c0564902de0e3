import {
  Actor,
  type AudioBuffer,
  type Contract,
  createAudioBuffer,
  StreamlibError,
  type TimedTick,
} from "@streamlib/core";
import { type _SincFilter, _sincFilter } from "./_sinc_filter.ts";
import { type _Resampled, _SincResampler } from "./_sinc_resampler.ts";
import { _writeAll } from "./_write_all.ts";

/**
 * The contract of {@linkcode Resampler}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resamplerContract } from "@streamlib/audio";
 * assert.ok(resamplerContract.params.rate.default === 48_000);
 * ```
 */
export const resamplerContract = {
  type: "audioresample",
  description: "Converts audio to another sample rate (windowed-sinc, any ratio)",
  classification: "Filter/Converter/Audio",
  inputs: { in: { kind: "audio", formats: ["f32-planar"] } },
  outputs: { out: { kind: "audio", formats: ["f32-planar"] } },
  params: {
    rate: {
      type: "integer",
      default: 48_000,
      minimum: 1,
      maximum: 768_000,
      unit: "Hz",
      description: "Output sample rate",
    },
    quality: {
      type: "integer",
      default: 4,
      minimum: 0,
      maximum: 10,
      description: "Filter quality: stopband rejection 40 dB at 0, 80 dB at 4, 140 dB at 10",
    },
  },
} as const satisfies Contract;

/**
 * Converts audio from its sample rate to `rate` Hz (GStreamer's `audioresample`), for any ratio
 * of integer rates: 44.1 kHz ↔ 48 kHz, 48 kHz → 16 kHz, 8 kHz → 48 kHz, 44.1 kHz → 47 999 Hz.
 * Audio already at `rate` passes through untouched.
 *
 * ```text
 * filesrc location=talk.wav ! audioresample rate=16000 quality=6 ! filesink location=talk16k.wav
 * ```
 *
 * **Filter.** A polyphase Kaiser-windowed sinc, its cutoff (−6 dB) at 0.95 × the Nyquist frequency
 * of the lower of the two rates and its transition band from 0.9 to 1.0 × that frequency, so
 * nothing above the new Nyquist frequency aliases back (downsampling) and no image above the old
 * one appears (upsampling). Each output sample reads 2K input samples around it; `quality` picks
 * the stopband rejection and with it K. Each polyphase row is scaled to sum to 1, so the gain at
 * DC is exactly 1. Ratios of up to 2^18 coefficients (all common rates) use an exact table of
 * rows; others (44 100 → 47 999: 6857 phases) interpolate each row between rows computed at 512
 * phases per zero crossing (4-point Lagrange), with the same figures. Measured on the actual
 * filters' frequency responses (`_sinc_filter_test.ts`), on 44.1k→48k, 48k→44.1k, 48k→32k,
 * 48k→16k, 22.05k→48k and 8k→48k, worst case:
 *
 * | quality | taps per output (44.1k→48k) | passband ripple, DC to 0.9 × Nyquist | stopband rejection |
 * | ------- | --------------------------- | ------------------------------------ | ------------------ |
 * | 0       | 46                          | ±0.083 dB                            | ≥ 39 dB            |
 * | 1       | 60                          | ±0.030 dB                            | ≥ 49 dB            |
 * | 2       | 74                          | ±0.0095 dB                           | ≥ 59 dB            |
 * | 3       | 88                          | ±0.0025 dB                           | ≥ 69 dB            |
 * | 4       | 102                         | ±0.00096 dB                          | ≥ 79 dB            |
 * | 5       | 116                         | ±0.00031 dB                          | ≥ 89 dB            |
 * | 6       | 130                         | ±0.000090 dB                         | ≥ 99 dB            |
 * | 7       | 144                         | ±0.000028 dB                         | ≥ 109 dB           |
 * | 8       | 158                         | ±0.0000098 dB                        | ≥ 119 dB           |
 * | 9       | 172                         | ±0.0000028 dB                        | ≥ 129 dB           |
 * | 10      | 184                         | ±0.00000095 dB                       | ≥ 139 dB           |
 *
 * Downsampling by r reads 1/r times more input samples per output (48k → 16k at quality 4:
 * 302 taps), the same work per input sample. Tabulated rows are applied in WebAssembly SIMD
 * where the runtime has it, in 32-bit floats (within 1e-6 of full scale of the double-precision
 * TypeScript loop that runs otherwise, and for interpolated rows): 10 s of stereo 44.1k→48k at
 * quality 4 takes about 14–20 ms on one core of a 2-core x86 server shared with other work,
 * against 10–13 ms for ffmpeg 5.1's `aresample` with as many taps (`filter_size=102`; its
 * default, 32, is shorter than our quality 0) (`deno task bench:kernels`); 44.1k→47 999
 * (interpolated rows, in TypeScript) about 0.22 s.
 *
 * **Timing (zero phase, no delay).** Output sample Q is the signal at time Q / `rate`, exactly:
 * the filter is symmetric and centred on it, so timestamps need no compensation and a tone keeps
 * its phase. Output positions are integers counted without rounding; the first input sample at
 * position P gives outputs from ⌈P·rate/inRate⌉ on, and a stream of N samples from position 0
 * gives ⌈N·rate/inRate⌉ samples, at positions 0 … (timestamps follow from `createAudioBuffer`).
 * Since each output needs K input samples after its position, outputs lag their input by K
 * input samples (quality 4 at 44.1 kHz: 51 samples, 1.2 ms): a buffer of input yields the
 * outputs it completes and the rest comes out with later input, or at end of stream (`flush`),
 * where the signal is taken as zero after its end (and before its start).
 *
 * **Changes.** A change of input sample rate or channel count, a gap or jump in input positions,
 * or a change of `rate` or `quality` ends the current segment (its tail is written, read against
 * zeros) and starts a new one at the new buffer's position, with fresh history. Output
 * positions then follow the new input position as above.
 *
 * Input rates must be integers (`SL_AUDIO_FORMAT` otherwise). For whole signals in memory, see
 * {@linkcode resampleAudio}, which gives the same samples.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Resampler } from "@streamlib/audio";
 * const resampler = new Resampler({ rate: 16_000 });
 * assert.ok(resampler.params.quality === 4);
 * ```
 */
export class Resampler extends Actor<typeof resamplerContract> {
  /** Ports and parameters. */
  static override contract: typeof resamplerContract = resamplerContract;
  #engine: _SincResampler | undefined;
  #filter: _SincFilter | undefined;
  /** Input rate and channel count of the current segment; 0 before the first buffer. */
  #inRate = 0;
  #channels = 0;
  /** Input position the next buffer of this segment should have. */
  #expected = 0;
  #clockId = "";
  #reconfigure = false;

  /** Forgets any segment. */
  override start(): void {
    this.#engine = undefined;
    this.#inRate = 0;
    this.#channels = 0;
    this.#reconfigure = false;
  }

  /**
   * Resamples one input buffer and writes the output samples it completes (after the tail of
   * the previous segment when this buffer starts a new one).
   *
   * @param _tick Unused.
   * @returns A promise while an output waits for space.
   */
  process(_tick: TimedTick): void | Promise<void> {
    const buffer = this.inputs.in.read();
    if (buffer === undefined) return;
    const out: AudioBuffer[] = [];
    if (
      this.#reconfigure || buffer.sampleRate !== this.#inRate ||
      buffer.numberOfChannels !== this.#channels || buffer.position !== this.#expected
    ) {
      this.#finish(out);
      this.#begin(buffer);
    }
    this.#expected = buffer.position + buffer.numberOfFrames;
    this.#clockId = buffer.clockId;
    const engine = this.#engine;
    if (engine === undefined) out.push(buffer);
    else {
      const channels: Float32Array[] = [];
      const n = buffer.numberOfFrames;
      for (let c = 0; c < buffer.numberOfChannels; c++) {
        channels.push(buffer.data.subarray(c * n, (c + 1) * n));
      }
      this.#collect(engine, engine.push(channels), out);
    }
    return _writeAll(this.outputs.out, out);
  }

  /**
   * Writes the tail of the last segment.
   *
   * @returns A promise while the output waits for space.
   */
  override flush(): void | Promise<void> {
    const out: AudioBuffer[] = [];
    this.#finish(out);
    return _writeAll(this.outputs.out, out);
  }

  /**
   * Notes that `rate` or `quality` changed: the next buffer starts a new segment.
   *
   * @param changed The changed parameters.
   */
  override paramsChanged(changed: readonly string[]): void {
    if (changed.includes("rate") || changed.includes("quality")) this.#reconfigure = true;
  }

  /** Starts a segment at `buffer`. */
  #begin(buffer: AudioBuffer): void {
    const { sampleRate, numberOfChannels, position } = buffer;
    const { rate, quality } = this.params;
    _checkRate(sampleRate, "input sample rate");
    this.#inRate = sampleRate;
    this.#channels = numberOfChannels;
    this.#reconfigure = false;
    if (sampleRate === rate) {
      this.#engine = undefined;
      return;
    }
    const filter = this.#filter;
    this.#filter = filter !== undefined && filter.fromRate === sampleRate &&
        filter.toRate === rate && filter.quality === quality
      ? filter
      : _sincFilter(sampleRate, rate, quality);
    this.#engine = new _SincResampler(this.#filter, numberOfChannels, position);
  }

  /** Adds the tail of the current segment, if any, to `out` and forgets the segment. */
  #finish(out: AudioBuffer[]): void {
    const engine = this.#engine;
    if (engine === undefined) return;
    this.#engine = undefined;
    this.#collect(engine, engine.flush(), out);
  }

  /** Adds what `engine` gave to `out` as a buffer, unless it is empty. */
  #collect(engine: _SincResampler, samples: _Resampled, out: AudioBuffer[]): void {
    if (samples.frames === 0) return;
    out.push(createAudioBuffer({
      sampleRate: engine.filter.toRate,
      numberOfChannels: engine.channels,
      numberOfFrames: samples.frames,
      data: samples.data,
      position: samples.position,
      clockId: this.#clockId,
    }));
  }
}

/**
 * Resamples a whole signal in memory from `fromRate` to `toRate` Hz, with the filter of
 * {@linkcode Resampler} (same `quality` scale, default 4, same samples as streaming it through
 * the actor from position 0): N input samples give ⌈N·toRate/fromRate⌉ output samples, output
 * sample k being the signal at time k / toRate (zero phase). Equal rates give copies.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resampleAudio } from "@streamlib/audio";
 * const tone = Float32Array.from({ length: 441 }, (_, i) => Math.sin(2 * Math.PI * 1000 * i / 44_100));
 * const [left] = resampleAudio([tone], 44_100, 48_000);
 * assert.ok(left!.length === 480);
 * ```
 *
 * @param samples One array per channel, all the same length.
 * @param fromRate Their sample rate, a positive integer.
 * @param toRate The sample rate wanted, a positive integer.
 * @param quality 0 (fast) to 10 (best), default 4; see {@linkcode Resampler}.
 * @returns One array per channel at `toRate`.
 */
export function resampleAudio(
  samples: readonly Float32Array[],
  fromRate: number,
  toRate: number,
  quality = 4,
): Float32Array[] {
  _checkRate(fromRate, "fromRate");
  _checkRate(toRate, "toRate");
  if (!Number.isInteger(quality) || quality < 0 || quality > 10) {
    throw new StreamlibError(
      "SL_PARAM_INVALID",
      `Resampling quality must be an integer from 0 to 10, got ${quality}`,
    );
  }
  const length = samples[0]?.length ?? 0;
  if (samples.some((channel) => channel.length !== length)) {
    throw new StreamlibError(
      "SL_PARAM_INVALID",
      `Every channel must have the same length, got ${samples.map((c) => c.length).join(", ")}`,
    );
  }
  if (fromRate === toRate) return samples.map((channel) => channel.slice());
  if (samples.length === 0) return [];
  const engine = new _SincResampler(_sincFilter(fromRate, toRate, quality), samples.length);
  // Streamed through in chunks, so that the engine's history and output stay small (in the
  // cache) and each output sample is written once, into arrays of the final length.
  let outputs = samples.map(() => new Float32Array(Math.ceil((length * toRate) / fromRate)));
  let frames = 0;
  const take = ({ data, frames: count }: { data: Float32Array; frames: number }): void => {
    if (frames + count > outputs[0]!.length) {
      outputs = outputs.map((out) => {
        const grown = new Float32Array(frames + count);
        grown.set(out.subarray(0, frames));
        return grown;
      });
    }
    outputs.forEach((out, c) => out.set(data.subarray(c * count, (c + 1) * count), frames));
    frames += count;
  };
  for (let at = 0; at < length; at += _CHUNK) {
    take(engine.push(samples.map((channel) => channel.subarray(at, at + _CHUNK))));
  }
  take(engine.flush());
  return frames === outputs[0]!.length ? outputs : outputs.map((out) => out.slice(0, frames));
}

/** Input samples a channel that {@linkcode resampleAudio} pushes through at a time. */
const _CHUNK = 8192;

/** Throws `SL_AUDIO_FORMAT` unless `rate` is a positive integer. */
function _checkRate(rate: number, what: string): void {
  if (!Number.isInteger(rate) || rate <= 0) {
    throw new StreamlibError(
      "SL_AUDIO_FORMAT",
      `Cannot resample: the ${what} must be a positive integer number of Hz, got ${rate}`,
    );
  }
}
