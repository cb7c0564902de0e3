/**
 * The streaming core of the resampler: keeps the input history a polyphase filter needs, so
 * that resampling a stream buffer by buffer gives exactly the samples of resampling it at once.
 *
 * @module
 */

import type { _SincFilter } from "./_sinc_filter.ts";
import { _resampleSimd } from "./_resample_simd.ts";

/** What {@linkcode _SincResampler.push} and {@linkcode _SincResampler.flush} give back. */
export interface _Resampled {
  /** Planar samples: channel c is `data.subarray(c * frames, (c + 1) * frames)`. */
  readonly data: Float32Array;
  /** Samples in each channel. */
  readonly frames: number;
  /** Output position (index at the output rate) of the first sample. */
  readonly position: number;
}

/**
 * Resamples one segment of a stream: consecutive input samples from input position `start`.
 * Output sample Q lies at time Q / toRate, i.e. at input position Q·M/L; the segment yields
 * every Q with start ≤ Q·M/L < start + (samples pushed), each from the 2K input samples around
 * it (zeros before the segment's start and after its end).
 */
export class _SincResampler {
  /** The filter. */
  readonly filter: _SincFilter;
  /** Channels. */
  readonly channels: number;
  /** Output position of the next output sample. */
  position: number;
  readonly #history: Float32Array[] = [];
  /** Valid samples in each history array. */
  #length: number;
  /** History index of the input sample n just before (or at) the next output's position. */
  #head: number;
  /** The next output's position is n + phase / L. */
  #phase: number;
  readonly #row: Float64Array;

  /**
   * Starts a segment whose first input sample has input position `start`.
   *
   * @param filter The filter.
   * @param channels Channels.
   * @param start Input position of the segment's first sample (an integer).
   */
  constructor(filter: _SincFilter, channels: number, start = 0) {
    this.filter = filter;
    this.channels = channels;
    const { K, L, M } = filter;
    // The first output Q0 = ⌈start·L/M⌉ lies x0/L input samples after the segment's start.
    // BigInt: start·L may pass 2^53 on very long streams.
    const sl = BigInt(start) * BigInt(L);
    const q0 = _ceilDiv(sl, BigInt(M));
    const x0 = Number(q0 * BigInt(M) - sl);
    this.position = Number(q0);
    this.#phase = x0 % L;
    // K zeros stand for the samples before the segment's start.
    this.#length = K;
    this.#head = K + Math.floor(x0 / L);
    for (let c = 0; c < channels; c++) this.#history.push(new Float32Array(K + 4096));
    this.#row = new Float64Array(filter.taps);
  }

  /**
   * Adds input samples and returns every output sample they complete.
   *
   * @param input One array per channel, all the same length.
   * @returns The output samples now ready (possibly none).
   */
  push(input: readonly Float32Array[]): _Resampled {
    const frames = input[0]?.length ?? 0;
    this.#append(frames, (history, at, c) => history.set(input[c]!, at));
    // Output n + φ/L is ready once input n + K has arrived: n + K < length.
    const num = (this.#length - this.#head - this.filter.K) * this.filter.L - this.#phase;
    return this.#produce(num > 0 ? Math.ceil(num / this.filter.M) : 0);
  }

  /**
   * Ends the segment: returns the outputs that lie before its end, reading zeros past it.
   *
   * @returns The last output samples.
   */
  flush(): _Resampled {
    const K = this.filter.K;
    this.#append(K, (history, at) => history.fill(0, at, at + K));
    const end = this.#length - K;
    // Outputs before the end: n + φ/L < end.
    const num = (end - this.#head) * this.filter.L - this.#phase;
    return this.#produce(num > 0 ? Math.ceil(num / this.filter.M) : 0);
  }

  /** Drops history no output needs any more, makes room and writes `frames` samples. */
  #append(
    frames: number,
    write: (history: Float32Array, at: number, channel: number) => void,
  ): void {
    const first = this.#head - this.filter.K + 1;
    const drop = Math.min(first, this.#length);
    if (drop > 0) {
      for (const history of this.#history) history.copyWithin(0, drop, this.#length);
      this.#length -= drop;
      this.#head -= drop;
    }
    const needed = this.#length + frames;
    for (let c = 0; c < this.channels; c++) {
      let history = this.#history[c]!;
      if (needed > history.length) {
        const grown = new Float32Array(Math.max(needed, history.length * 2));
        grown.set(history.subarray(0, this.#length));
        this.#history[c] = history = grown;
      }
      write(history, this.#length, c);
    }
    this.#length = needed;
  }

  /**
   * Computes the next `count` output samples: with the SIMD kernel where it runs (in 32-bit
   * floats), else here (in doubles).
   */
  #produce(count: number): _Resampled {
    const data = new Float32Array(count * this.channels);
    const { K, L, M } = this.filter;
    const job = {
      filter: this.filter,
      history: this.#history,
      length: this.#length,
      start: this.#head - K + 1,
      phase: this.#phase,
      count,
    };
    if (count > 0 && _resampleSimd(job, data)) {
      const steps = this.#phase + count * M;
      this.#head += Math.floor(steps / L);
      this.#phase = steps % L;
    } else {
      this.#produceHere(count, data);
    }
    const position = this.position;
    this.position += count;
    return { data, frames: count, position };
  }

  /** Computes the next `count` output samples into `data` in doubles. */
  #produceHere(count: number, data: Float32Array): void {
    const { K, L, M, taps, table } = this.filter;
    const channels = this.channels;
    const stepWhole = Math.floor(M / L);
    const stepPhase = M % L;
    const history = this.#history;
    let head = this.#head;
    let phase = this.#phase;
    let row = this.#row;
    let offset = 0;
    for (let k = 0; k < count; k++) {
      if (table === undefined) this.filter.row(phase, row);
      else {
        row = table;
        offset = phase * taps;
      }
      const start = head - K + 1;
      for (let c = 0; c < channels; c++) {
        data[c * count + k] = _dot(history[c]!, start, row, offset, taps);
      }
      head += stepWhole;
      phase += stepPhase;
      if (phase >= L) {
        phase -= L;
        head++;
      }
    }
    this.#head = head;
    this.#phase = phase;
  }
}

/** Σ a[i + m] · b[j + m] for m in 0..n−1, two sums interleaved. */
function _dot(a: Float32Array, i: number, b: Float64Array, j: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  const end = i + n - 1;
  for (; i < end; i += 2, j += 2) {
    s0 += a[i]! * b[j]!;
    s1 += a[i + 1]! * b[j + 1]!;
  }
  if (i === end) s0 += a[i]! * b[j]!;
  return s0 + s1;
}

/** ⌈a / b⌉ for b > 0. */
function _ceilDiv(a: bigint, b: bigint): bigint {
  return a >= 0n ? (a + b - 1n) / b : -(-a / b);
}
