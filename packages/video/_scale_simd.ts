/**
 * {@linkcode scaleFrame}'s pixel work in the WebAssembly SIMD kernels of `_scale.wat`, a plane
 * at a time: the source plane is copied into the module's memory, each output row is made
 * there from its source rows (an f32 row, in cache) and its samples, and the output plane is
 * copied out.
 *
 * @module
 */

import { _copyRows, type _Plane } from "./_frame_planes.ts";
import { _SCALE_WASM } from "./_scale_wasm.ts";
import type { _Taps } from "./_scale_taps.ts";
import { lazyWasmKernels } from "@streamlib/core";

interface _Exports {
  columns(table: number, taps: number, out: number, n: number): void;
  row4(row: number, offsets: number, weights: number, taps: number, out: number, w: number): void;
  row(
    row: number,
    offsets: number,
    weights: number,
    taps: number,
    out: number,
    w: number,
    ch: number,
  ): void;
}

const _kernels = lazyWasmKernels<_Exports>(_SCALE_WASM);

/** Spare bytes after each region: a chunk may read or write past a row's end. */
const _SLACK = 128;

/**
 * Scales one plane with the taps `v` (rows) and `h` (columns): the same samples as
 * `scale.ts`'s TypeScript code.
 *
 * @returns `false`, having done nothing, where the kernels are unavailable.
 */
export function _scalePlaneSimd(
  data: Uint8Array,
  src: _Plane,
  out: Uint8Array,
  dst: _Plane,
  v: _Taps,
  h: _Taps,
): boolean {
  const kernels = _kernels();
  if (kernels === undefined) return false;
  const ch = src.channels;
  const n = src.width * ch;
  const stride = _align(n);
  const acc = _align(stride * src.height + _SLACK);
  const table = _align(acc + stride * 4 + _SLACK);
  const offsets = table + v.n * 8 + _SLACK;
  const taps = (dst.width + 4) * h.n;
  const weights = offsets + taps * 4;
  const outStride = _align(dst.width * ch);
  const outBase = _align(weights + taps * 4 + _SLACK);
  const mem = kernels.reserve(outBase + outStride * dst.height + _SLACK);
  _copyRows(data, src.offset, src.stride, mem, 0, stride, n, src.height);
  const hOffsets = new Int32Array(mem.buffer, offsets, taps);
  const hWeights = new Float32Array(mem.buffer, weights, taps);
  for (let i = 0; i < dst.width * h.n; i++) hOffsets[i] = h.index[i]! * ch * 4;
  hOffsets.fill(0, dst.width * h.n);
  hWeights.set(h.weight);
  hWeights.fill(0, dst.width * h.n);
  const tableI32 = new Int32Array(mem.buffer, table, v.n * 2);
  const tableF32 = new Float32Array(mem.buffer, table, v.n * 2);
  const x = kernels.exports;
  for (let oy = 0; oy < dst.height; oy++) {
    let count = 0;
    for (let k = oy * v.n; k < (oy + 1) * v.n; k++) {
      const w = v.weight[k]!;
      if (w === 0) continue;
      tableI32[2 * count] = v.index[k]! * stride;
      tableF32[2 * count + 1] = w;
      count++;
    }
    x.columns(table, count, acc, n);
    const to = outBase + oy * outStride;
    if (ch === 4) x.row4(acc, offsets, weights, h.n, to, dst.width);
    else x.row(acc, offsets, weights, h.n, to, dst.width, ch);
  }
  _copyRows(mem, outBase, outStride, out, dst.offset, dst.stride, dst.width * ch, dst.height);
  return true;
}

/** `n` rounded up to a multiple of 16. */
function _align(n: number): number {
  return (n + 15) & ~15;
}
