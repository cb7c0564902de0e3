import {
  Actor,
  type AudioBuffer,
  type Contract,
  createDataMessage,
  type DataMessage,
  type TimedTick,
} from "@streamlib/core";
import { _writeAll } from "./_write_all.ts";

/**
 * The contract of {@linkcode Level}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { levelContract } from "@streamlib/audio";
 * assert.ok(levelContract.params.interval.default === 0.1);
 * ```
 */
export const levelContract = {
  type: "level",
  description: "Measures the RMS and peak level of each channel every interval; audio passes on",
  classification: "Filter/Analyzer/Audio",
  inputs: { in: { kind: "audio", formats: ["f32-planar"] } },
  outputs: {
    out: { kind: "audio", formats: ["f32-planar"], description: "The audio, unchanged" },
    level: {
      kind: "data",
      formats: ["level"],
      description: "{ rms, peak, decay } per channel in dBFS, once an interval",
    },
  },
  params: {
    interval: {
      type: "number",
      default: 0.1,
      exclusiveMinimum: 0,
      unit: "s",
      description: "Length of each measurement",
    },
    peakTtl: {
      type: "number",
      default: 0.3,
      minimum: 0,
      unit: "s",
      description: "How long the decaying peak holds a peak before it falls",
    },
    peakFalloff: {
      type: "number",
      default: 10,
      minimum: 0,
      unit: "dB/s",
      description: "How fast the decaying peak falls once the hold is over",
    },
  },
} as const satisfies Contract;

/**
 * What the `level` output of {@linkcode Level} carries (topic `"level"`): one number per channel,
 * in dB relative to full scale (1.0). Levels below {@linkcode LEVEL_FLOOR_DB}, silence included,
 * read as that floor, so every value is a finite number (JSON-safe).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { LevelReading } from "@streamlib/audio";
 * const reading: LevelReading = { rms: [-3.01, -9.03], peak: [0, -6.02], decay: [0, -6.02] };
 * assert.ok(reading.rms.length === 2);
 * ```
 */
export interface LevelReading {
  /** Root mean square level of each channel over the interval: 20·log10(√(Σx² / n)). */
  readonly rms: readonly number[];
  /** Largest absolute sample of each channel in the interval: 20·log10(max |x|). */
  readonly peak: readonly number[];
  /**
   * Decaying peak of each channel (a meter's falling peak indicator): the highest recent peak,
   * held for `peakTtl` seconds after the interval that set it, then falling by `peakFalloff`
   * dB a second, never below the current interval's peak.
   */
  readonly decay: readonly number[];
}

/**
 * The lowest level {@linkcode Level} reports, in dBFS: quieter channels and silence read as it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LEVEL_FLOOR_DB } from "@streamlib/audio";
 * assert.ok(LEVEL_FLOOR_DB === -120);
 * ```
 */
export const LEVEL_FLOOR_DB: number = -120;

/**
 * Measures audio levels like GStreamer's `level`: every `interval` seconds it emits a data
 * message on `level` (topic `"level"`) with each channel's RMS, peak and decaying peak in dBFS
 * ({@linkcode LevelReading}), and passes the audio on through `out` unchanged (the same buffers).
 * A full-scale sine reads RMS −3.01 dBFS and peak 0 dBFS.
 *
 * ```text
 * audiotestsrc ! level interval=0.05 name=meter ! audiosink
 * meter.level ! log
 * ```
 *
 * Intervals are counted in samples from the first buffer's position: interval j covers samples
 * [P + round(j·interval·rate), P + round((j + 1)·interval·rate)), at least one sample each, so
 * they never drift, whatever the buffer sizes (an interval can span many buffers, a buffer many
 * intervals). A message goes out as soon as its interval's last sample has arrived; its
 * `timestamp` is the interval's start and `duration` its length (both in µs, derived from sample
 * positions like an audio buffer's), its `position` the message's sequence number from 0 and its
 * `clockId` the audio's. A change of sample rate or channel count, or a gap or jump in input
 * positions, ends the interval early (a shorter message for the samples it has) and starts
 * counting again at the new buffer; so does the end of the stream. A new `interval` takes effect
 * when the current interval ends.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Level } from "@streamlib/audio";
 * const meter = new Level({ interval: 0.05 });
 * assert.ok(meter.params.peakFalloff === 10);
 * ```
 */
export class Level extends Actor<typeof levelContract> {
  /** Ports and parameters. */
  static override contract: typeof levelContract = levelContract;
  #rate = 0;
  #channels = 0;
  #clockId = "";
  /** Interval in use, s, and the sample position its counting started from. */
  #interval = 0;
  #origin = 0;
  /** Index of the current interval since `#origin`, and its first and end sample positions. */
  #index = 0;
  #start = 0;
  #end = 0;
  /** Input position the next buffer should have. */
  #expected = 0;
  /** Samples measured so far in the current interval, and their sums per channel. */
  #count = 0;
  #squares = new Float64Array(0);
  #peaks = new Float64Array(0);
  /** Decaying peak per channel: its value, the peak it fell from, seconds since that peak. */
  #decay = new Float64Array(0);
  #held = new Float64Array(0);
  #age = new Float64Array(0);
  #sequence = 0;

  /** Forgets any measurement. */
  override start(): void {
    this.#rate = 0;
    this.#channels = 0;
    this.#sequence = 0;
  }

  /**
   * Measures one buffer, emits the intervals it completes and passes it on.
   *
   * @param _tick Unused.
   * @returns A promise while an output waits for space.
   */
  process(_tick: TimedTick): void | Promise<void> {
    const buffer = this.inputs.in.read();
    if (buffer === undefined) return;
    const messages: Array<DataMessage<LevelReading>> = [];
    if (buffer.sampleRate !== this.#rate || buffer.numberOfChannels !== this.#channels) {
      this.#close(messages);
      this.#reset(buffer);
      this.#restart(buffer.position);
    } else if (buffer.position !== this.#expected) {
      this.#close(messages);
      this.#restart(buffer.position);
    }
    this.#clockId = buffer.clockId;
    this.#measure(buffer, messages);
    this.#expected = buffer.position + buffer.numberOfFrames;
    const levels = _writeAll(this.outputs.level, messages);
    const audio = this.outputs.out.write(buffer);
    if (levels === undefined && audio === undefined) return;
    return Promise.all([levels, audio]).then(() => {});
  }

  /**
   * Emits the last, partial interval.
   *
   * @returns A promise while the output waits for space.
   */
  override flush(): void | Promise<void> {
    const messages: Array<DataMessage<LevelReading>> = [];
    this.#close(messages);
    return _writeAll(this.outputs.level, messages);
  }

  /** New rate or channel count: fresh sums and decaying peaks. */
  #reset(buffer: AudioBuffer): void {
    const channels = buffer.numberOfChannels;
    this.#rate = buffer.sampleRate;
    this.#channels = channels;
    this.#squares = new Float64Array(channels);
    this.#peaks = new Float64Array(channels);
    this.#decay = new Float64Array(channels).fill(LEVEL_FLOOR_DB);
    this.#held = new Float64Array(channels).fill(LEVEL_FLOOR_DB);
    this.#age = new Float64Array(channels);
  }

  /** Starts counting intervals at sample position `position`. */
  #restart(position: number): void {
    this.#interval = this.params.interval;
    this.#origin = position;
    this.#index = 0;
    this.#start = position;
    this.#end = this.#boundary(1);
    this.#count = 0;
    this.#squares.fill(0);
    this.#peaks.fill(0);
  }

  /** Sample position where interval `index` − 1 ends, at least one sample after it starts. */
  #boundary(index: number): number {
    const end = this.#origin + Math.round(index * this.#interval * this.#rate);
    return Math.max(end, this.#start + 1);
  }

  /** Adds `buffer`'s samples to the sums, emitting each interval it completes. */
  #measure(buffer: AudioBuffer, messages: Array<DataMessage<LevelReading>>): void {
    const { data, numberOfFrames: frames, position } = buffer;
    let at = 0;
    while (at < frames) {
      const take = Math.min(frames - at, this.#end - (position + at));
      for (let c = 0; c < this.#channels; c++) {
        const from = c * frames + at;
        const to = from + take;
        let squares = 0;
        let peak = this.#peaks[c]!;
        for (let i = from; i < to; i++) {
          const x = data[i]!;
          squares += x * x;
          const magnitude = x < 0 ? -x : x;
          if (magnitude > peak) peak = magnitude;
        }
        this.#squares[c]! += squares;
        this.#peaks[c] = peak;
      }
      at += take;
      this.#count += take;
      if (position + at === this.#end) {
        this.#close(messages);
        this.#next();
      }
    }
  }

  /** Moves on to the next interval (with a new `interval`, counting from its start). */
  #next(): void {
    const start = this.#end;
    if (this.params.interval !== this.#interval) {
      this.#interval = this.params.interval;
      this.#origin = start;
      this.#index = 0;
    } else this.#index++;
    this.#start = start;
    this.#end = this.#boundary(this.#index + 1);
  }

  /** Emits the current interval if it has samples, and empties the sums. */
  #close(messages: Array<DataMessage<LevelReading>>): void {
    const count = this.#count;
    if (count === 0) return;
    const rms: number[] = [];
    const peak: number[] = [];
    const decay: number[] = [];
    const seconds = count / this.#rate;
    const { peakTtl, peakFalloff } = this.params;
    for (let c = 0; c < this.#channels; c++) {
      rms.push(_db(Math.sqrt(this.#squares[c]! / count)));
      const p = _db(this.#peaks[c]!);
      peak.push(p);
      // The decaying peak: a new high resets it; otherwise it ages and, past the hold, falls.
      if (p >= this.#decay[c]!) {
        this.#held[c] = p;
        this.#age[c] = 0;
        this.#decay[c] = p;
      } else {
        this.#age[c]! += seconds;
        const fall = Math.max(0, this.#age[c]! - peakTtl) * peakFalloff;
        const value = this.#held[c]! - fall;
        if (value > p) this.#decay[c] = value;
        else {
          this.#held[c] = p;
          this.#age[c] = 0;
          this.#decay[c] = p;
        }
      }
      decay.push(Math.max(LEVEL_FLOOR_DB, this.#decay[c]!));
    }
    const timestamp = Math.round((this.#start * 1e6) / this.#rate);
    const end = Math.round(((this.#start + count) * 1e6) / this.#rate);
    messages.push(createDataMessage<LevelReading>({ rms, peak, decay }, {
      topic: "level",
      timestamp,
      duration: end - timestamp,
      position: this.#sequence++,
      clockId: this.#clockId,
    }));
    this.#count = 0;
    this.#squares.fill(0);
    this.#peaks.fill(0);
  }
}

/** An amplitude in dBFS, no lower than the floor. */
function _db(amplitude: number): number {
  return amplitude > 0 ? Math.max(LEVEL_FLOOR_DB, 20 * Math.log10(amplitude)) : LEVEL_FLOOR_DB;
}
