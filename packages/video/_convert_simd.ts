/**
 * {@linkcode convertFrame}'s pixel work in the WebAssembly SIMD kernels of `_convert.wat`: the
 * planes are copied into the module's memory with rows padded to whole chunks, converted, and
 * the rows' real part copied out. Same samples as the TypeScript code of `convert.ts`.
 *
 * @module
 */

import type { VideoFrame } from "@streamlib/core";
import { _CONVERT_WASM, _CONVERT_WASM_RELAXED } from "./_convert_wasm.ts";
import { _copyRows, _framePlanes, type _Plane } from "./_frame_planes.ts";
import { lazyWasmKernels } from "@streamlib/core";
import type { _Coefficients } from "./_yuv_coefficients.ts";

interface _Exports {
  rgb_to_yuv(
    src: number,
    srcStride: number,
    y: number,
    yStride: number,
    u: number,
    uStride: number,
    v: number,
    vStride: number,
    nv12: number,
    chunks: number,
    rows: number,
    c0: number,
    c1: number,
    c2: number,
    yBias: number,
    cu0: number,
    cu1: number,
    cu2: number,
    cv0: number,
    cv1: number,
    cv2: number,
    cBias: number,
  ): void;
  yuv_to_rgb(
    y: number,
    yStride: number,
    u: number,
    uStride: number,
    v: number,
    vStride: number,
    nv12: number,
    dst: number,
    dstStride: number,
    chunks: number,
    pairs: number,
    ky: number,
    bias: number,
    rv: number,
    gu: number,
    gv: number,
    bu: number,
    bgra: number,
  ): void;
  swap_rb(p: number, n: number): void;
  interleave(u: number, v: number, uv: number, n: number): void;
  deinterleave(uv: number, u: number, v: number, n: number): void;
}

const _kernels = lazyWasmKernels<_Exports>(_CONVERT_WASM, _CONVERT_WASM_RELAXED);

/** Spare bytes after each region: a chunk may read or write past the end. */
const _SLACK = 64;

/**
 * Converts `frame` into `out`, a packed frame of the same size in another format, with the
 * kernels.
 *
 * @param frame The source frame.
 * @param out The destination frame.
 * @param k The YUV coefficients (for a conversion between RGB and YUV).
 * @returns `false`, having done nothing, where the kernels are unavailable.
 */
export function _convertSimd(
  frame: VideoFrame,
  out: VideoFrame,
  k: _Coefficients | undefined,
): boolean {
  const kernels = _kernels();
  if (kernels === undefined) return false;
  const src = _framePlanes(frame);
  const dst = _framePlanes(out);
  const fromYuv = src.length > 1;
  const toYuv = dst.length > 1;
  const { codedWidth: w, codedHeight: h } = frame;
  const x = kernels.exports;
  if (!fromYuv && !toYuv) {
    const bytes = w * 4 * h;
    const mem = kernels.reserve(bytes + _SLACK);
    _copyRows(frame.data, src[0]!.offset, src[0]!.stride, mem, 0, w * 4, w * 4, h);
    x.swap_rb(0, bytes);
    _copyRows(mem, 0, w * 4, out.data, dst[0]!.offset, dst[0]!.stride, w * 4, h);
  } else if (fromYuv && toYuv) {
    const [y, ...chroma] = src as [_Plane, ..._Plane[]];
    _copyRows(frame.data, y.offset, y.stride, out.data, dst[0]!.offset, dst[0]!.stride, w, h);
    const cw = Math.ceil(w / 2);
    const ch = Math.ceil(h / 2);
    const n = cw * ch;
    const plane = _align(n) + _SLACK;
    const mem = kernels.reserve(4 * plane);
    if (chroma.length === 2) {
      const [u, v] = chroma as [_Plane, _Plane];
      _copyRows(frame.data, u.offset, u.stride, mem, 0, cw, cw, ch);
      _copyRows(frame.data, v.offset, v.stride, mem, plane, cw, cw, ch);
      x.interleave(0, plane, 2 * plane, n);
      _copyRows(mem, 2 * plane, 2 * cw, out.data, dst[1]!.offset, dst[1]!.stride, 2 * cw, ch);
    } else {
      const uv = chroma[0]!;
      _copyRows(frame.data, uv.offset, uv.stride, mem, 2 * plane, 2 * cw, 2 * cw, ch);
      x.deinterleave(2 * plane, 0, plane, n);
      _copyRows(mem, 0, cw, out.data, dst[1]!.offset, dst[1]!.stride, cw, ch);
      _copyRows(mem, plane, cw, out.data, dst[2]!.offset, dst[2]!.stride, cw, ch);
    }
  } else if (toYuv) {
    _rgbToYuv(kernels.reserve.bind(kernels), x, frame, src[0]!, out, dst, k!);
  } else {
    _yuvToRgb(kernels.reserve.bind(kernels), x, frame, src, out, dst[0]!, k!);
  }
  return true;
}

type _Reserve = (size: number) => Uint8Array;

/** RGBA/BGRA → I420/NV12 in chunks of 8 × 2 pixels. */
function _rgbToYuv(
  reserve: _Reserve,
  x: _Exports,
  frame: VideoFrame,
  rgb: _Plane,
  out: VideoFrame,
  dst: _Plane[],
  k: _Coefficients,
): void {
  const { codedWidth: w, codedHeight: h } = frame;
  const w2 = w + (w & 1);
  const h2 = h + (h & 1);
  const chunks = Math.ceil(w2 / 8);
  const wp = chunks * 8;
  const srcStride = wp * 4;
  const yBase = _align(h2 * srcStride) + _SLACK;
  const uBase = yBase + _align(h2 * wp) + _SLACK;
  const cStride = wp / 2;
  const vBase = uBase + _align(h2 * cStride) + _SLACK;
  const mem = reserve(vBase + _align(h2 * cStride) + _SLACK);
  _copyRows(frame.data, rgb.offset, rgb.stride, mem, 0, srcStride, w * 4, h);
  if (w2 !== w) {
    // Odd width: the last pixel again, as the TypeScript code counts it twice.
    for (let r = 0, at = w * 4; r < h; r++, at += srcStride) mem.copyWithin(at, at - 4, at);
  }
  if (h2 !== h) mem.copyWithin(h * srcStride, (h - 1) * srcStride, h * srcStride);
  const ri = frame.format === "RGBA" ? 0 : 2;
  const byByte = (r: number, g: number, b: number): [number, number, number] =>
    ri === 0 ? [r, g, b] : [b, g, r];
  const nv12 = out.format === "NV12";
  x.rgb_to_yuv(
    0,
    srcStride,
    yBase,
    wp,
    uBase,
    nv12 ? 2 * cStride : cStride,
    vBase,
    cStride,
    nv12 ? 1 : 0,
    chunks,
    h2 / 2,
    ...byByte(k.yr, k.yg, k.yb),
    k.yBias,
    ...byByte(k.ur, k.ug, k.ub),
    ...byByte(k.vr, k.vg, k.vb),
    k.cBias,
  );
  const cw = w2 / 2;
  const ch = h2 / 2;
  const [y, u, v] = dst as [_Plane, _Plane, _Plane | undefined];
  _copyRows(mem, yBase, wp, out.data, y.offset, y.stride, w, h);
  if (nv12) {
    _copyRows(mem, uBase, 2 * cStride, out.data, u.offset, u.stride, 2 * cw, ch);
  } else {
    _copyRows(mem, uBase, cStride, out.data, u.offset, u.stride, cw, ch);
    _copyRows(mem, vBase, cStride, out.data, v!.offset, v!.stride, cw, ch);
  }
}

/** Rows of I420/NV12 → RGBA/BGRA converted at a time: their pixels stay in the cache. */
const _BAND = 16;

/**
 * I420/NV12 → RGBA/BGRA in chunks of 16 pixels of two rows, in bands of `_BAND` rows, each copied
 * in, converted and copied out while it is still in the cache.
 */
function _yuvToRgb(
  reserve: _Reserve,
  x: _Exports,
  frame: VideoFrame,
  src: _Plane[],
  out: VideoFrame,
  rgb: _Plane,
  k: _Coefficients,
): void {
  const { codedWidth: w, codedHeight: h } = frame;
  const chunks = Math.ceil(w / 16);
  const wp = chunks * 16;
  const cw = Math.ceil(w / 2);
  const nv12 = frame.format === "NV12";
  const cStride = nv12 ? wp : wp / 2;
  const band = Math.min(_BAND, h + (h & 1));
  // An odd last row has a row after it to read and write.
  const uBase = _align(band * wp) + _SLACK;
  const vBase = uBase + _align((band / 2) * cStride) + _SLACK;
  const dBase = vBase + _align((band / 2) * cStride) + _SLACK;
  const mem = reserve(dBase + _align(band * wp * 4) + _SLACK);
  const [y, u, v] = src as [_Plane, _Plane, _Plane | undefined];
  const { ky, yBias16, rv, gu, gv, bu } = k;
  for (let top = 0; top < h; top += band) {
    const rows = Math.min(band, h - top);
    const cTop = top / 2;
    const cRows = Math.ceil(rows / 2);
    _copyRows(frame.data, y.offset + top * y.stride, y.stride, mem, 0, wp, w, rows);
    if (nv12) {
      _copyRows(
        frame.data,
        u.offset + cTop * u.stride,
        u.stride,
        mem,
        uBase,
        cStride,
        2 * cw,
        cRows,
      );
    } else {
      _copyRows(frame.data, u.offset + cTop * u.stride, u.stride, mem, uBase, cStride, cw, cRows);
      _copyRows(
        frame.data,
        v!.offset + cTop * v!.stride,
        v!.stride,
        mem,
        vBase,
        cStride,
        cw,
        cRows,
      );
    }
    x.yuv_to_rgb(
      0,
      wp,
      uBase,
      cStride,
      vBase,
      cStride,
      nv12 ? 1 : 0,
      dBase,
      wp * 4,
      chunks,
      cRows,
      ky,
      yBias16,
      rv,
      gu,
      gv,
      bu,
      out.format === "BGRA" ? 1 : 0,
    );
    _copyRows(mem, dBase, wp * 4, out.data, rgb.offset + top * rgb.stride, rgb.stride, w * 4, rows);
  }
}

/** `n` rounded up to a multiple of 16. */
function _align(n: number): number {
  return (n + 15) & ~15;
}
