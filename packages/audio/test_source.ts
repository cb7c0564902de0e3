import {
  Actor,
  type AudioBuffer,
  type Contract,
  createAudioBuffer,
  type TimedTick,
} from "@streamlib/core";
import { _renderWave, type _Wave, type _WaveSettings } from "./_waveform.ts";

/**
 * The contract of {@linkcode AudioTestSource}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { audioTestSourceContract } from "@streamlib/audio";
 * assert.ok(audioTestSourceContract.type === "audiotestsrc");
 * assert.ok(audioTestSourceContract.params.wave.default === "sine");
 * ```
 */
export const audioTestSourceContract = {
  type: "audiotestsrc",
  description: "Generates test audio: a sine, square, sawtooth or triangle tone, white or pink " +
    "noise, silence, or a frequency sweep",
  classification: "Source/Audio",
  outputs: {
    out: {
      kind: "audio",
      formats: ["f32-planar"],
      description: "samplesPerBuffer frames a tick at sampleRate",
    },
  },
  params: {
    wave: {
      type: "string",
      enum: [
        "sine",
        "square",
        "sawtooth",
        "triangle",
        "white-noise",
        "pink-noise",
        "silence",
        "sweep",
      ],
      default: "sine",
      description: "sine, square, sawtooth, triangle: tones at frequency (not band-limited); " +
        "white-noise: uniform; pink-noise: −3 dB/octave (Voss-McCartney); sweep: a sine " +
        "gliding from frequency to sweepTo",
    },
    frequency: {
      type: "number",
      default: 440,
      exclusiveMinimum: 0,
      unit: "Hz",
      description: "Frequency of the tone, or where a sweep starts",
    },
    volume: {
      type: "number",
      default: 0.8,
      minimum: 0,
      maximum: 1,
      description: "Peak amplitude, linear (1 is full scale)",
    },
    sampleRate: {
      type: "integer",
      default: 48_000,
      minimum: 1,
      maximum: 768_000,
      unit: "Hz",
      description: "Samples a second",
    },
    channels: {
      type: "integer",
      default: 2,
      minimum: 1,
      maximum: 64,
      description: "Channels; tones are the same on all, noise is independent on each",
    },
    samplesPerBuffer: {
      type: "integer",
      default: 1024,
      minimum: 1,
      maximum: 1_048_576,
      description:
        "Frames in each buffer; buffers go out at sampleRate / samplesPerBuffer a second",
    },
    buffers: {
      type: "integer",
      default: 0,
      minimum: 0,
      description: "Buffers to send before end-of-stream; 0 for endless",
    },
    duration: {
      type: "number",
      default: 0,
      minimum: 0,
      unit: "s",
      description: "End after round(duration × sampleRate) frames (the last buffer may be " +
        "shorter); 0 for endless",
    },
    sweepTo: {
      type: "number",
      default: 20_000,
      exclusiveMinimum: 0,
      unit: "Hz",
      description: "Where a sweep ends",
    },
    sweepDuration: {
      type: "number",
      default: 10,
      exclusiveMinimum: 0,
      unit: "s",
      description: "How long a sweep takes; it then starts again",
    },
    sweepMode: {
      type: "string",
      enum: ["linear", "log"],
      default: "log",
      description: "linear: the same Hz a second; log: the same octaves a second",
    },
    seed: {
      type: "integer",
      default: 0,
      description: "Seed of the noise: a seed, a channel and a sample index always give the " +
        "same sample",
    },
  },
} as const satisfies Contract;

/**
 * A source of test audio, like GStreamer's `audiotestsrc`: `samplesPerBuffer` frames of
 * `channels` channels a tick, at `sampleRate / samplesPerBuffer` ticks a second, ending after
 * `buffers` buffers or `duration` seconds (whichever comes first; 0 for endless). A `duration`
 * ends on the exact sample, `round(duration × sampleRate)`: the last buffer may be shorter.
 *
 * Every sample is a function of its index `n` since the stream began, never of a running phase,
 * so nothing drifts however long it runs, buffers join without a click, and any buffer comes out
 * the same whatever the buffer size. Buffer `k` starts at sample `k × samplesPerBuffer`; its
 * `timestamp` and `duration` derive from that position (see `createAudioBuffer`). In a live
 * pipeline that skips a late tick, the skipped samples are left out and the stream stays on
 * time.
 *
 * - `sine`: `volume · sin(2π · frequency · n / sampleRate)`.
 * - `square`, `sawtooth`, `triangle`: the same phase, ±volume square (+ for the first half of
 *   each cycle), rising sawtooth and triangle, all starting at 0 going up like the sine (the
 *   square at +volume). They are computed naively, as in GStreamer, not band-limited: partials
 *   above sampleRate / 2 fold back.
 * - `white-noise`: uniform in [−volume, volume), from a counter-based hash of `seed`, the channel
 *   and `n`.
 * - `pink-noise`: Voss-McCartney — the sum of a white row and 16 rows of held white noise, row
 *   `k` renewed every 2^(k+1) samples with one row changing at a time — divided by 17, so it
 *   stays within ±volume (its RMS is about 0.14 · volume). Its spectrum falls 3 dB an octave
 *   (within about ±1 dB) from sampleRate / 2¹⁷ up to about sampleRate / 4, and flattens towards
 *   Nyquist, where the white row dominates.
 * - `silence`: zeros.
 * - `sweep`: a sine whose frequency glides from `frequency` to `sweepTo` over `sweepDuration`
 *   seconds, then starts again at `frequency`: linearly in Hz, or (`log`) exponentially, so
 *   each octave takes the same time and half-way through it sits at the geometric mean. The
 *   phase is the closed-form integral of the instantaneous frequency at `n mod period`, where
 *   `period = round(sweepDuration × sampleRate)`.
 *
 * `sampleRate`, `channels` and `samplesPerBuffer` are read at `start()`; the other parameters
 * may change while running and apply from the next buffer.
 *
 * ```text
 * audiotestsrc wave=sweep frequency=20 sweepTo=20000 sweepDuration=20 duration=20 ! filesink location=sweep.wav
 * ```
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AudioBuffer, Collect, Pipeline } from "@streamlib/core";
 * import { AudioTestSource } from "@streamlib/audio";
 * const sink = new Collect<AudioBuffer>();
 * await new Pipeline({ mode: "offline" })
 *   .pipe(new AudioTestSource({ frequency: 1000, duration: 0.05, samplesPerBuffer: 1000 }), sink)
 *   .run();
 * // 0.05 s at 48 kHz: 2 buffers of 1000 frames and one of 400.
 * assert.ok(sink.messages.map((b) => b.numberOfFrames).join() === "1000,1000,400");
 * assert.ok(sink.messages[2]!.timestamp === 41_667 && sink.messages[2]!.duration === 8_333);
 * ```
 */
export class AudioTestSource extends Actor<typeof audioTestSourceContract> {
  /** Ports and parameters. */
  static override contract: typeof audioTestSourceContract = audioTestSourceContract;
  #sampleRate: number = this.params.sampleRate;
  #channels: number = this.params.channels;
  #samplesPerBuffer: number = this.params.samplesPerBuffer;

  /**
   * Buffers a second: `sampleRate / samplesPerBuffer`.
   *
   * @returns The tick rate.
   */
  override get fps(): number {
    return this.params.sampleRate / this.params.samplesPerBuffer;
  }

  /**
   * Buffers sent, of the `buffers` or `duration` limit (unknown when endless).
   *
   * @returns Progress.
   */
  override progress(): { done: number; total: number | undefined } {
    const total = this.#total(this.params.sampleRate, this.params.samplesPerBuffer);
    return {
      done: this.outputs.out.written,
      total: Number.isFinite(total) ? Math.ceil(total / this.params.samplesPerBuffer) : undefined,
    };
  }

  /** Takes the rate, channel count and buffer size for this run. */
  override start(): void {
    this.#sampleRate = this.params.sampleRate;
    this.#channels = this.params.channels;
    this.#samplesPerBuffer = this.params.samplesPerBuffer;
  }

  /**
   * Writes the buffer of `tick`, or ends at the `buffers` or `duration` limit.
   *
   * @param tick The tick.
   */
  process(tick: TimedTick): void {
    const perBuffer = this.#samplesPerBuffer;
    const total = this.#total(this.#sampleRate, perBuffer);
    const position = tick.frameNumber * perBuffer;
    if (position >= total) {
      this.end();
      return;
    }
    const frames = Math.min(perBuffer, total - position);
    this.outputs.out.write(this.#render(position, frames, tick.clockId));
    if (position + frames >= total) this.end();
  }

  /** Frames the stream has in all (`Infinity` for endless). */
  #total(sampleRate: number, perBuffer: number): number {
    const { buffers, duration } = this.params;
    return Math.min(
      buffers === 0 ? Infinity : buffers * perBuffer,
      duration === 0 ? Infinity : Math.round(duration * sampleRate),
    );
  }

  #render(position: number, frames: number, clockId: string): AudioBuffer {
    const channels = this.#channels;
    const settings: _WaveSettings = {
      ...this.params,
      wave: this.params.wave as _Wave,
      sampleRate: this.#sampleRate,
    };
    const data = new Float32Array(channels * frames);
    const noise = settings.wave === "white-noise" || settings.wave === "pink-noise";
    _renderWave(settings, position, 0, data.subarray(0, frames));
    for (let c = 1; c < channels; c++) {
      const channel = data.subarray(c * frames, (c + 1) * frames);
      if (noise) _renderWave(settings, position, c, channel);
      else channel.set(data.subarray(0, frames));
    }
    return createAudioBuffer({
      sampleRate: this.#sampleRate,
      numberOfChannels: channels,
      numberOfFrames: frames,
      data,
      position,
      clockId,
    });
  }
}
