/**
 * The sums of one output buffer of the audio mixer: inputs scaled by their gains and added,
 * then clipped. In the WebAssembly SIMD kernels of `_mix.wat` where they run (the parts are
 * copied into the module's memory), else in TypeScript; both compute in 32-bit floats, every
 * product and sum rounded in the same order (gains too are rounded to f32), so they give the
 * same samples.
 *
 * @module
 */

import { _MIX_WASM } from "./_mix_wasm.ts";
import { lazyWasmKernels } from "@streamlib/core";

/** A part of an input that covers a whole output buffer, waiting to be summed with three more. */
export interface _Whole {
  /** Planar samples; channel c starts at `c * stride`. */
  data: Float32Array;
  stride: number;
  /** Index (within a channel) of the sample for the buffer's first. */
  at: number;
  gain: number;
}

/** How the sum is clipped: see `AudioMixer`. */
export type _Clip = "hard" | "soft";

/** The sums of one output buffer of `channels` × `frames` planar samples, zero at first. */
export interface _MixSums {
  /** Adds four whole-buffer parts, scaled by their gains, in one pass a channel. */
  addFour(parts: readonly _Whole[]): void;
  /** Adds `gain` × `count` samples of each channel of `src` (from `from`) at `at`. */
  addScaled(
    at: number,
    src: Float32Array,
    srcStride: number,
    from: number,
    count: number,
    gain: number,
  ): void;
  /** Clips the sums and returns them, a fresh array. */
  finish(clip: _Clip): Float32Array;
}

/** −1 dBFS: where the soft clip's knee starts. */
export const _KNEE: number = 10 ** (-1 / 20);

interface _Exports {
  add4(
    out: number,
    a: number,
    b: number,
    c: number,
    d: number,
    ga: number,
    gb: number,
    gc: number,
    gd: number,
    n: number,
  ): void;
  add1(out: number, a: number, g: number, n: number): void;
  hard_clip(p: number, n: number): void;
  peak(p: number, n: number): number;
}

const _kernels = lazyWasmKernels<_Exports>(_MIX_WASM);

/**
 * Starts the sums of an output buffer.
 *
 * @param channels Channels.
 * @param frames Samples a channel.
 * @returns The sums, in the kernels where they run.
 */
export function _mixSums(channels: number, frames: number): _MixSums {
  const kernels = _kernels();
  if (kernels === undefined) return new _TsSums(channels, frames);
  const n = channels * frames;
  const mem = kernels.reserve(5 * n * 4);
  const f32 = new Float32Array(mem.buffer, 0, 5 * n);
  f32.fill(0, 0, n);
  const x = kernels.exports;
  return {
    addFour(parts): void {
      for (let k = 0; k < 4; k++) {
        const { data, stride, at } = parts[k]!;
        if (stride === frames) {
          // The channels lie back to back: one copy for all of them.
          f32.set(at === 0 && data.length === n ? data : data.subarray(at, at + n), (k + 1) * n);
          continue;
        }
        for (let c = 0; c < channels; c++) {
          const from = c * stride + at;
          f32.set(data.subarray(from, from + frames), (k + 1) * n + c * frames);
        }
      }
      const [a, b, c, d] = parts as [_Whole, _Whole, _Whole, _Whole];
      x.add4(0, 4 * n, 8 * n, 12 * n, 16 * n, a.gain, b.gain, c.gain, d.gain, n);
    },
    addScaled(at, src, srcStride, from, count, gain): void {
      for (let c = 0; c < channels; c++) {
        const s = c * srcStride + from;
        f32.set(src.subarray(s, s + count), n);
        x.add1((c * frames + at) * 4, 4 * n, gain, count);
      }
    },
    finish(clip): Float32Array {
      if (clip === "hard") x.hard_clip(0, n);
      const out = f32.slice(0, n);
      if (clip === "soft" && !(x.peak(0, n) <= _KNEE)) _softClip(out);
      return out;
    },
  };
}

/** The sums in TypeScript. */
class _TsSums implements _MixSums {
  readonly #out: Float32Array;
  readonly #channels: number;
  readonly #frames: number;

  constructor(channels: number, frames: number) {
    this.#out = new Float32Array(channels * frames);
    this.#channels = channels;
    this.#frames = frames;
  }

  addFour(parts: readonly _Whole[]): void {
    const [p, q, r, s] = parts as [_Whole, _Whole, _Whole, _Whole];
    const out = this.#out, frames = this.#frames;
    const a = p.data, b = q.data, c = r.data, d = s.data;
    const ga = Math.fround(p.gain), gb = Math.fround(q.gain);
    const gc = Math.fround(r.gain), gd = Math.fround(s.gain);
    const f = Math.fround;
    for (let ch = 0; ch < this.#channels; ch++) {
      const o = ch * frames;
      const ia = ch * p.stride + p.at, ib = ch * q.stride + q.at;
      const ic = ch * r.stride + r.at, id = ch * s.stride + s.at;
      for (let i = 0; i < frames; i++) {
        const ab = f(f(ga * a[ia + i]!) + f(gb * b[ib + i]!));
        out[o + i] = out[o + i]! + f(f(ab + f(gc * c[ic + i]!)) + f(gd * d[id + i]!));
      }
    }
  }

  addScaled(
    at: number,
    src: Float32Array,
    srcStride: number,
    from: number,
    count: number,
    gain: number,
  ): void {
    const g = Math.fround(gain);
    for (let c = 0; c < this.#channels; c++) {
      const o = c * this.#frames + at;
      const s = c * srcStride + from;
      for (let i = 0; i < count; i++) {
        this.#out[o + i] = this.#out[o + i]! + Math.fround(g * src[s + i]!);
      }
    }
  }

  finish(clip: _Clip): Float32Array {
    if (clip === "hard") _hardClip(this.#out);
    else _softClip(this.#out);
    return this.#out;
  }
}

/** Clamps every sample to [−1, 1]. */
function _hardClip(samples: Float32Array): void {
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i]!;
    if (x > 1) samples[i] = 1;
    else if (x < -1) samples[i] = -1;
  }
}

/** Soft knee above −1 dBFS: k + (1 − k)·tanh((|x| − k) / (1 − k)), sign kept. */
function _softClip(samples: Float32Array): void {
  const k = _KNEE;
  const room = 1 - k;
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i]!;
    if (x > k) samples[i] = k + room * Math.tanh((x - k) / room);
    else if (x < -k) samples[i] = -k - room * Math.tanh((-x - k) / room);
  }
}
