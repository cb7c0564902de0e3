/**
 * The resampler's filter loop in the WebAssembly SIMD kernel of `_resample.wat`: 32-bit float
 * dot products of each output's history window with its polyphase row, two channels at a time.
 *
 * @module
 */

import { _RESAMPLE_WASM, _RESAMPLE_WASM_RELAXED } from "./_resample_wasm.ts";
import type { _SincFilter } from "./_sinc_filter.ts";
import { lazyWasmKernels } from "@streamlib/core";

interface _Exports {
  resample(
    hist: number,
    histStride: number,
    channels: number,
    table: number,
    rowStride: number,
    taps8: number,
    L: number,
    start: number,
    phase: number,
    stepWhole: number,
    stepPhase: number,
    count: number,
    out: number,
    outStride: number,
  ): void;
}

const _kernels = lazyWasmKernels<_Exports>(_RESAMPLE_WASM, _RESAMPLE_WASM_RELAXED);

/** The filter whose rows are in each instance's memory, from byte 0. */
const _loaded = new WeakMap<object, _SincFilter>();

/** What {@linkcode _resampleSimd} needs of the resampler's state. */
export interface _ResampleJob {
  readonly filter: _SincFilter;
  /** One history array per channel. */
  readonly history: readonly Float32Array[];
  /** Valid samples in each. */
  readonly length: number;
  /** History index of the first output's window. */
  readonly start: number;
  readonly phase: number;
  readonly count: number;
}

/**
 * Computes `count` output samples of every channel into `data` (planar), as the TypeScript
 * loop of `_sinc_resampler.ts` does but in 32-bit floats.
 *
 * @returns `false`, having done nothing, where the kernel is unavailable or the filter's rows
 *   are interpolated rather than tabulated.
 */
export function _resampleSimd(job: _ResampleJob, data: Float32Array): boolean {
  const { filter, history, length, count } = job;
  const table = filter.table;
  if (table === undefined) return false;
  const kernels = _kernels();
  if (kernels === undefined) return false;
  const { L, M, taps } = filter;
  const taps8 = (taps + 7) & ~7;
  const tableBytes = L * taps8 * 4;
  const channels = history.length;
  const histStride = ((length + 8 + 3) & ~3) * 4;
  const hist = tableBytes;
  const out = hist + channels * histStride;
  const mem = kernels.reserve(out + count * channels * 4);
  const f32 = new Float32Array(mem.buffer);
  if (_loaded.get(kernels) !== filter) {
    f32.fill(0, 0, tableBytes / 4);
    for (let r = 0; r < L; r++) f32.set(table.subarray(r * taps, (r + 1) * taps), r * taps8);
    _loaded.set(kernels, filter);
  }
  for (let c = 0; c < channels; c++) {
    const at = (hist + c * histStride) / 4;
    f32.set(history[c]!.subarray(0, length), at);
    f32.fill(0, at + length, at + histStride / 4);
  }
  kernels.exports.resample(
    hist,
    histStride,
    channels,
    0,
    taps8 * 4,
    taps8,
    L,
    job.start,
    job.phase,
    Math.floor(M / L),
    M % L,
    count,
    out,
    count * 4,
  );
  data.set(f32.subarray(out / 4, out / 4 + count * channels));
  return true;
}
