/**
 * {@linkcode blurFrame}'s pixel work in the WebAssembly SIMD kernels of `_blur.wat`, a plane at
 * a time: the plane is copied into the module's memory with rows padded to whole chunks,
 * blurred there, and copied out.
 *
 * @module
 */

import { _BLUR_WASM, _BLUR_WASM_RELAXED } from "./_blur_wasm.ts";
import { _copyRows, type _Plane } from "./_frame_planes.ts";
import { lazyWasmKernels } from "@streamlib/core";

interface _Exports {
  box(
    src: number,
    dst: number,
    stride: number,
    n: number,
    h: number,
    ch: number,
    r: number,
    cols: number,
    sums: number,
    wide: number,
    inv: number,
  ): void;
  gaussian(
    src: number,
    dst: number,
    stride: number,
    n: number,
    h: number,
    ch: number,
    R: number,
    weights: number,
    ring: number,
    ringStride: number,
    table: number,
    tmp: number,
    float: number,
  ): void;
}

const _kernels = lazyWasmKernels<_Exports>(_BLUR_WASM, _BLUR_WASM_RELAXED);

/**
 * Largest Gaussian half-width for the 16-bit kernel: its rounding moves a result by at most
 * (R + 1)/64 of a level and its Q15 weights by at most R/64, together under 1 up to R = 31.
 */
export const _MAX_FIXED_RADIUS = 31;

/** Spare bytes after each region: a chunk may read or write past a row's end. */
const _SLACK = 128;

/** Where a plane lies in the module's memory. */
interface _Layout {
  readonly stride: number;
  readonly dst: number;
  /** First free byte after the two planes, 16-aligned. */
  readonly free: number;
}

/** Copies `src` in, rows `stride` = its samples a row rounded up to 32 bytes apart. */
function _copyIn(mem: Uint8Array, data: Uint8Array, src: _Plane, layout: _Layout): void {
  const n = src.width * src.channels;
  _copyRows(data, src.offset, src.stride, mem, 0, layout.stride, n, src.height);
}

function _layout(src: _Plane): _Layout {
  const stride = _align(src.width * src.channels, 32);
  const dst = _align(stride * src.height + _SLACK, 16);
  return { stride, dst, free: _align(dst + stride * src.height + _SLACK, 16) };
}

/**
 * Box blur of one plane, exactly as `blur.ts`'s TypeScript code.
 *
 * @returns `false`, having done nothing, where the kernels are unavailable.
 */
export function _boxPlaneSimd(
  data: Uint8Array,
  src: _Plane,
  out: Uint8Array,
  dst: _Plane,
  r: number,
): boolean {
  const kernels = _kernels();
  if (kernels === undefined) return false;
  const { width, height, channels: ch } = src;
  const n = width * ch;
  const layout = _layout(src);
  const cols = layout.free;
  const sums = _align(cols + (n + 2 * r * ch) * 4 + _SLACK, 16);
  const mem = kernels.reserve(sums + n * 4 + _SLACK);
  _copyIn(mem, data, src, layout);
  const side = 2 * r + 1;
  const area = side * side;
  const wide = area * 255 >= 1 << 22;
  kernels.exports.box(
    0,
    layout.dst,
    layout.stride,
    n,
    height,
    ch,
    r,
    cols,
    sums,
    wide ? 1 : 0,
    1 / area,
  );
  _copyRows(mem, layout.dst, layout.stride, out, dst.offset, dst.stride, n, height);
  return true;
}

/**
 * Gaussian blur of one plane, within ±1 of the exact blur: in 16-bit fixed point up to a
 * half-width of {@linkcode _MAX_FIXED_RADIUS}, in f32 beyond.
 *
 * @param kernel The weights for offsets −R…R, summing to 1.
 * @returns `false`, having done nothing, where the kernels are unavailable.
 */
export function _gaussianPlaneSimd(
  data: Uint8Array,
  src: _Plane,
  out: Uint8Array,
  dst: _Plane,
  kernel: Float32Array,
): boolean {
  const kernels = _kernels();
  if (kernels === undefined) return false;
  const R = (kernel.length - 1) / 2;
  const float = R > _MAX_FIXED_RADIUS;
  const size = float ? 4 : 2;
  const { width, height, channels: ch } = src;
  const n = width * ch;
  const layout = _layout(src);
  const weights = layout.free;
  const slots = 2 * R + 1;
  const ringStride = size * layout.stride + 64;
  const ring = _align(weights + (R + 1) * 16, 16);
  const table = ring + slots * ringStride + _SLACK;
  const tmp = _align(table + slots * 4, 16);
  const mem = kernels.reserve(tmp + (2 * R * ch + layout.stride) * size + _SLACK);
  _copyIn(mem, data, src, layout);
  if (float) {
    const f32 = new Float32Array(mem.buffer, weights, (R + 1) * 4);
    for (let k = 0; k <= R; k++) f32.fill(kernel[R + k]!, k * 4, k * 4 + 4);
  } else {
    const q15 = new Int16Array(mem.buffer, weights, (R + 1) * 8);
    let sides = 0;
    for (let k = 1; k <= R; k++) {
      const w = Math.round(kernel[R + k]! * 32768);
      sides += 2 * w;
      q15.fill(w, k * 8, k * 8 + 8);
    }
    q15.fill(Math.min(32767, 32768 - sides), 0, 8);
  }
  kernels.exports.gaussian(
    0,
    layout.dst,
    layout.stride,
    n,
    height,
    ch,
    R,
    weights,
    ring,
    ringStride,
    table,
    tmp,
    float ? 1 : 0,
  );
  _copyRows(mem, layout.dst, layout.stride, out, dst.offset, dst.stride, n, height);
  return true;
}

/** `n` rounded up to a multiple of `to` (a power of two). */
function _align(n: number, to = 16): number {
  return (n + to - 1) & -to;
}
