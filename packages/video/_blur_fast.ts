/**
 * The fast approximate Gaussian of {@linkcode blurFrame} (`method: "fast"`): three box blurs in
 * a row each way (Kovesi's "boxes for Gauss": widths w_l and w_l + 2 whose variances add up to
 * about σ²), in 16-bit fixed point, with the same cost at any sigma. The TypeScript code here
 * and the SIMD kernels of `_blur_fast.wat` compute the same samples.
 *
 * @module
 */

import type { _Plane } from "./_frame_planes.ts";
import { _BLUR_FAST_WASM, _BLUR_FAST_WASM_RELAXED } from "./_blur_fast_wasm.ts";
import { lazyWasmKernels } from "@streamlib/core";

/** The three boxes standing in for one Gaussian. */
export interface _Boxes {
  /** Radii of the three passes (each ≥ 1), each way. */
  readonly radii: readonly [number, number, number];
  /** round(2^15 / (2r + 1)) of each radius. */
  readonly factors: readonly [number, number, number];
  /** Samples are held ×2^shift. */
  readonly shift: number;
}

/**
 * The boxes for a Gaussian of `sigma`, or `undefined` where they would not do: below sigma
 * 1.5 (the narrowest boxes are 3 wide) and above the widths whose sums fit 16 bits (sigma
 * 63.5).
 *
 * @param sigma The standard deviation.
 * @returns The three boxes, or `undefined`.
 */
export function _boxesFor(sigma: number): _Boxes | undefined {
  const n = 3;
  const ideal = Math.sqrt((12 * sigma * sigma) / n + 1);
  let wl = Math.floor(ideal);
  if (wl % 2 === 0) wl--;
  if (wl < 3) return undefined;
  const wu = wl + 2;
  const m = Math.min(
    n,
    Math.max(
      0,
      Math.round((12 * sigma * sigma - n * wl * wl - 4 * n * wl - 3 * n) / (-4 * wl - 4)),
    ),
  );
  const widths = [0, 1, 2].map((i) => (i < m ? wl : wu));
  const widest = Math.max(...widths);
  // A pass's result may exceed 255·2^s by a little (its factor rounds up): keep w of them
  // under 2^15.
  let shift = 3;
  while (shift >= 0 && (255 * 2 ** shift + 2) * widest > 32767) shift--;
  if (shift < 0) return undefined;
  const radii = widths.map((w) => (w - 1) / 2) as [number, number, number];
  const factors = widths.map((w) => Math.round(32768 / w)) as [number, number, number];
  return { radii, factors, shift };
}

/** (a·b + 2^14) >> 15, WebAssembly's `i16x8.q15mulr_sat_s` (which never saturates here). */
function _q15(a: number, b: number): number {
  return (a * b + 16384) >> 15;
}

/**
 * The fast Gaussian of one plane in TypeScript: the same samples as the kernels. The plane is
 * extended by r0 + r1 + r2 copies of its edge pixels and rows (as the exact Gaussian clamps its
 * edges), and each pass computes the part of the extension that the next one reads.
 *
 * @param data The source frame's bytes.
 * @param src The plane in `data`.
 * @param out The destination frame's bytes.
 * @param dst The plane in `out`.
 * @param boxes The boxes.
 */
export function _fastGaussianPlane(
  data: Uint8Array,
  src: _Plane,
  out: Uint8Array,
  dst: _Plane,
  boxes: _Boxes,
): void {
  const { width, height, channels: ch, stride, offset } = src;
  const n = width * ch;
  const { radii, factors, shift } = boxes;
  const e = radii[0] + radii[1] + radii[2];
  /** The three passes over `line`: `count` samples with `e` more each side. */
  const passes = (line: Int32Array, count: number): void => {
    let reach = e;
    for (let p = 0; p < 3; p++) {
      const r = radii[p]!, m = factors[p]!;
      reach -= r;
      const copy = line.slice();
      for (let i = e - reach; i < e + count + reach; i++) {
        let sum = 0;
        for (let k = -r; k <= r; k++) sum += copy[i + k]!;
        line[i] = _q15(sum, m);
      }
    }
  };
  const extended = new Int32Array(n * (height + 2 * e));
  const row = new Int32Array(width + 2 * e);
  for (let y = 0; y < height; y++) {
    for (let c = 0; c < ch; c++) {
      for (let x = -e; x < width + e; x++) {
        const at = offset + y * stride + (x < 0 ? 0 : x >= width ? width - 1 : x) * ch + c;
        row[x + e] = data[at]! << shift;
      }
      passes(row, width);
      for (let x = 0; x < width; x++) extended[(y + e) * n + x * ch + c] = row[x + e]!;
    }
  }
  for (let y = 0; y < e; y++) {
    extended.copyWithin(y * n, e * n, (e + 1) * n);
    extended.copyWithin((height + e + y) * n, (height + e - 1) * n, (height + e) * n);
  }
  const column = new Int32Array(height + 2 * e);
  const half = (1 << shift) >> 1;
  for (let i = 0; i < n; i++) {
    for (let y = 0; y < height + 2 * e; y++) column[y] = extended[y * n + i]!;
    passes(column, height);
    for (let y = 0; y < height; y++) {
      out[dst.offset + y * dst.stride + i] = Math.min(255, (column[y + e]! + half) >> shift);
    }
  }
}

interface _Exports {
  hrow(
    src: number,
    n: number,
    ch: number,
    s: number,
    r0: number,
    r1: number,
    r2: number,
    m0: number,
    m1: number,
    m2: number,
    a: number,
    b: number,
    out: number,
  ): void;
  vinit(sum: number, row: number, n: number, k: number, keep: number): void;
  vstep(sum: number, add: number, sub: number, out: number, n: number, m: number): void;
  vlast(sum: number, add: number, sub: number, out: number, n: number, m: number, s: number): void;
}

const _kernels = lazyWasmKernels<_Exports>(_BLUR_FAST_WASM, _BLUR_FAST_WASM_RELAXED);

/** `n` rounded up to a multiple of `to` (a power of two). */
function _align(n: number, to = 16): number {
  return (n + to - 1) & -to;
}

/**
 * The fast Gaussian of one plane with the kernels: each row is copied in, goes through its
 * horizontal passes into a ring of rows, and the three vertical passes follow it
 * down, each with a running sum of its column and a ring of its input rows.
 *
 * @returns `false`, having done nothing, where the kernels are unavailable.
 */
export function _fastGaussianPlaneSimd(
  data: Uint8Array,
  src: _Plane,
  out: Uint8Array,
  dst: _Plane,
  boxes: _Boxes,
): boolean {
  const kernels = _kernels();
  if (kernels === undefined) return false;
  const { width, height: h, channels: ch } = src;
  const n = width * ch;
  const { radii, factors, shift } = boxes;
  const px = 2 * ch;
  const [r0, r1, r2] = radii;
  const [m0, m1, m2] = factors;
  const e1 = r1 + r2;
  // One source row and one output row at a time, copied in and out as they are needed and
  // made, so that what the kernels touch stays in the cache.
  const rowIn = 0;
  const rowOut = _align(n + 64, 32);
  // The padded rows of the horizontal passes: r0 + r1 + r2 pixels before, as many and a
  // vector after.
  const pad = _align((r0 + e1 + 8) * px + 64);
  const rowBytes = _align(2 * n) + 64;
  const a = rowOut + _align(n + 64, 32) + pad;
  const b = a + rowBytes + 2 * pad;
  // Vertical pass k makes rows first[k] … h − 1 − first[k], at time t = row + lag[k]; its input
  // rows (those of the horizontal passes clamped to the picture, then those of pass k − 1) wait
  // in a ring of slots[k] rows.
  const first = [-e1, -r2, 0];
  const lag = [Math.max(r0, e1), Math.max(r0, e1) + r1, Math.max(r0, e1) + r1 + r2];
  const slots = [lag[0]! + r0 + 2, 2 * r1 + 2, 2 * r2 + 2];
  const rings = [b + rowBytes + pad];
  for (let k = 1; k < 3; k++) rings.push(rings[k - 1]! + slots[k - 1]! * rowBytes);
  const sums = rings[2]! + slots[2]! * rowBytes;
  const mem = kernels.reserve(sums + 3 * rowBytes);
  const x = kernels.exports;
  /** Where input row `j` of pass `k` lies in its ring. */
  const at = (k: number, j: number): number => {
    if (k === 0) j = j < 0 ? 0 : j >= h ? h - 1 : j;
    const slot = j % slots[k]!;
    return rings[k]! + (slot < 0 ? slot + slots[k]! : slot) * rowBytes;
  };
  /** Row `y` of vertical pass `k` into `target`. */
  const pass = (k: number, y: number, target: number): void => {
    const r = radii[k]!;
    const sum = sums + k * rowBytes;
    const sub = at(k, y - r - 1);
    let add = at(k, y + r);
    if (y === first[k]) {
      // The first row's sum from scratch; then the step adds and takes off the same row.
      for (let j = y - r; j <= y + r; j++) x.vinit(sum, at(k, j), n, 1, j === y - r ? 0 : 1);
      add = sub;
    }
    if (k < 2) x.vstep(sum, add, sub, target, n, factors[k]!);
    else x.vlast(sum, add, sub, target, n, factors[k]!, shift);
  };
  for (let t = 0; t < h + lag[2]!; t++) {
    if (t < h) {
      const from = src.offset + t * src.stride;
      mem.set(data.subarray(from, from + n), rowIn);
      x.hrow(rowIn, n, ch, shift, r0, r1, r2, m0, m1, m2, a, b, at(0, t));
    }
    for (let k = 0; k < 3; k++) {
      const y = t - lag[k]!;
      if (y < first[k]! || y >= h - first[k]!) continue;
      pass(k, y, k < 2 ? at(k + 1, y) : rowOut);
      if (k === 2) out.set(mem.subarray(rowOut, rowOut + n), dst.offset + y * dst.stride);
    }
  }
  return true;
}
