import {
  Actor,
  type Contract,
  StreamlibError,
  type TimedTick,
  type VideoFrame,
} from "@streamlib/core";
import { _derivedFrame, _framePlanes, type _Plane } from "./_frame_planes.ts";
import { _boxPlaneSimd, _gaussianPlaneSimd } from "./_blur_simd.ts";
import { _boxesFor, _fastGaussianPlane, _fastGaussianPlaneSimd } from "./_blur_fast.ts";

/**
 * What {@linkcode blurFrame} does:
 * - `mode: "box"` averages the (2·`radius` + 1)² square around each pixel;
 * - `mode: "gaussian"` (default) weighs the neighbourhood by a Gaussian of standard deviation
 *   `sigma`, cut off at 3·`sigma`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { BlurOptions } from "@streamlib/video";
 * const soft: BlurOptions = { mode: "box", radius: 3 };
 * assert.ok(soft.radius === 3);
 * ```
 */
export interface BlurOptions {
  /** `box` or `gaussian` (default). */
  mode?: "box" | "gaussian";
  /** Box radius in pixels, an integer from 0 to 1024 (default 2; 0 leaves the picture). */
  radius?: number;
  /** Gaussian standard deviation in pixels, 0 to 100 (default 2; 0 leaves the picture). */
  sigma?: number;
  /**
   * How the Gaussian is computed: `exact` (the Gaussian itself, cut off at 3·sigma), `fast`
   * (three box blurs each way, cost independent of sigma, within a few levels of the exact
   * one) or `auto` (default: `fast` from sigma 3, `exact` below).
   */
  method?: "auto" | "exact" | "fast";
}

/** Largest box radius. */
const _MAX_RADIUS = 1024;
/** Largest Gaussian sigma. */
const _MAX_SIGMA = 100;
/** The smallest sigma `method: "auto"` computes with boxes. */
const _FAST_FROM = 3;

/**
 * Blurs a frame with a box or Gaussian filter, separably (columns, then rows), with edges
 * clamped (pixels beyond the border repeat the border). The box blur keeps running sums, so it
 * costs the same at any radius, and gives exactly the rounded mean of its square.
 *
 * The Gaussian has two methods. `exact` weighs the neighbourhood by the Gaussian itself (cut
 * off at 3·sigma), within ±1 of its exact rounded value, at about 12·sigma operations a sample.
 * `fast` applies three box blurs each way (widths chosen as in Kovesi's "boxes for Gauss", whose
 * variances add up to about sigma²), which costs the same at any sigma: on 1080p pictures
 * (ffmpeg's `testsrc2`, `smptehdbars`, `mandelbrot`, and noise) it is within 5 levels of
 * `exact` (mean error under 0.2 of a level at sigma 3 to 8, under 0.6 up to sigma 32; more
 * where the blur spans a good part of the picture, 1.4 at sigma 16 on 201 × 157), and
 * `_blur_fast_test.ts` holds it to that. `auto` (default) takes `fast` from sigma 3, where it
 * becomes the cheaper (the exact one then has 19 taps each way), and `exact` below; `fast` falls
 * back to `exact` below sigma 1.5 (boxes narrower than 3) and above 63.5 (sums too wide for its
 * 16 bits), and so does a chroma plane at half the sigma.
 *
 * Both run in WebAssembly SIMD where the runtime has it (plain TypeScript otherwise, with the
 * same box and fast-Gaussian results and exact-Gaussian results within ±1 of the SIMD ones):
 * the exact Gaussian in 16-bit fixed point up to a half-width 3·sigma of 31 pixels, in 32-bit
 * floats beyond. On one core of a 2-core x86 server shared with other work (load average
 * 9–16, `deno task bench:kernels`), a 1080p RGBA frame takes 14.5–18 ms fast at sigma 4 (ffmpeg's
 * recursive, approximate `gblur` 21–23 ms) and 26–30 ms exact (about 18 ms on a quiet machine),
 * and 10 ms for a box of radius 6 (ffmpeg's `boxblur` 36–42 ms).
 *
 * RGBA and BGRA blur their four channels each on their own (alpha too, not premultiplied).
 * I420 and NV12 blur every plane; the chroma planes, at half resolution, use half the radius
 * (rounded) or half the sigma.
 *
 * With a radius or sigma of 0 the frame comes back as it is; otherwise the result is a new,
 * tightly packed frame with the input's format, timing and colour space, and the input is not
 * modified. Throws `SL_PARAM_INVALID` for an unknown mode or method, or a radius or sigma out
 * of range.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { blurFrame } from "@streamlib/video";
 * import { createVideoFrame } from "@streamlib/core";
 * const frame = createVideoFrame({ format: "I420", codedWidth: 3, codedHeight: 1 });
 * frame.data.set([0, 90, 0]);
 * const blurred = blurFrame(frame, { mode: "box", radius: 1 });
 * assert.ok(blurred.data[0] === 30 && blurred.data[1] === 30); // (0+0+90)/3, (0+90+0)/3
 * ```
 *
 * @param frame The frame.
 * @param options Mode, radius or sigma.
 * @returns The blurred frame (or `frame` itself for a radius or sigma of 0).
 */
export function blurFrame(frame: VideoFrame, options: BlurOptions = {}): VideoFrame {
  const { mode = "gaussian", radius = 2, sigma = 2, method = "auto" } = options;
  if (mode !== "box" && mode !== "gaussian") {
    throw new StreamlibError(
      "SL_PARAM_INVALID",
      `Unknown blur mode "${mode as string}"; use "box" or "gaussian"`,
    );
  }
  if (mode === "box" && !(Number.isInteger(radius) && radius >= 0 && radius <= _MAX_RADIUS)) {
    throw new StreamlibError(
      "SL_PARAM_INVALID",
      `Blur radius ${JSON.stringify(radius)} is invalid: give an integer from 0 to ${_MAX_RADIUS}`,
    );
  }
  if (mode === "gaussian" && !(sigma >= 0 && sigma <= _MAX_SIGMA)) {
    throw new StreamlibError(
      "SL_PARAM_INVALID",
      `Blur sigma ${JSON.stringify(sigma)} is invalid: give a number from 0 to ${_MAX_SIGMA}`,
    );
  }
  if (method !== "auto" && method !== "exact" && method !== "fast") {
    throw new StreamlibError(
      "SL_PARAM_INVALID",
      `Unknown blur method "${method as string}"; use "auto", "exact" or "fast"`,
    );
  }
  if ((mode === "box" ? radius : sigma) === 0) return frame;
  const fast = method === "fast" || (method === "auto" && sigma >= _FAST_FROM);
  const out = _derivedFrame(frame, frame.format, frame.codedWidth, frame.codedHeight);
  const clamped = new Uint8ClampedArray(out.data.buffer, out.data.byteOffset, out.data.length);
  const dst = _framePlanes(out);
  _framePlanes(frame).forEach((src, i) => {
    const chroma = i > 0;
    if (mode === "box") {
      const r = chroma ? Math.round(radius / 2) : radius;
      if (r === 0 || !_boxPlaneSimd(frame.data, src, out.data, dst[i]!, r)) {
        _boxPlane(frame.data, src, out.data, dst[i]!, r);
      }
    } else {
      const boxes = fast ? _boxesFor(chroma ? sigma / 2 : sigma) : undefined;
      if (boxes !== undefined) {
        if (!_fastGaussianPlaneSimd(frame.data, src, out.data, dst[i]!, boxes)) {
          _fastGaussianPlane(frame.data, src, out.data, dst[i]!, boxes);
        }
        return;
      }
      const kernel = _gaussianKernel(chroma ? sigma / 2 : sigma);
      if (!_gaussianPlaneSimd(frame.data, src, out.data, dst[i]!, kernel)) {
        _gaussianPlane(frame.data, src, clamped, dst[i]!, kernel);
      }
    }
  });
  return out;
}

/** Index `i` clamped to 0…n−1. */
function _clamp(i: number, n: number): number {
  return i < 0 ? 0 : i >= n ? n - 1 : i;
}

/**
 * Box blur of one plane: a running sum of rows per column, then a running sum along each row
 * over a copy padded with the edge values.
 */
function _boxPlane(data: Uint8Array, src: _Plane, out: Uint8Array, dst: _Plane, r: number): void {
  const { width, height, channels: ch, stride, offset } = src;
  if (r === 0) {
    for (let y = 0; y < height; y++) {
      const s = offset + y * stride;
      out.set(data.subarray(s, s + width * ch), dst.offset + y * dst.stride);
    }
    return;
  }
  const rowLength = width * ch;
  const columns = new Int32Array(rowLength);
  // One spare pixel at the end: the last step of a running sum reads it (and discards it).
  const padded = new Int32Array((width + 2 * r + 1) * ch);
  const area = (2 * r + 1) * (2 * r + 1);
  const addRow = (y: number, sign: number): void => {
    const s = offset + _clamp(y, height) * stride;
    for (let i = 0; i < rowLength; i++) columns[i]! += sign * data[s + i]!;
  };
  for (let k = -r; k <= r; k++) addRow(k, 1);
  const last = (width - 1) * ch;
  const span = (2 * r + 1) * ch;
  for (let y = 0; y < height; y++) {
    // padded[(x + r) * ch + c] = columns at x clamped, for x from −r to width + r.
    for (let k = 0; k < r * ch; k += ch) {
      for (let c = 0; c < ch; c++) {
        padded[k + c] = columns[c]!;
        padded[(width + r) * ch + k + c] = columns[last + c]!;
      }
    }
    padded.set(columns, r * ch);
    for (let c = 0; c < ch; c++) {
      let sum = 0;
      for (let k = c; k < span; k += ch) sum += padded[k]!;
      let o = dst.offset + y * dst.stride + c;
      for (let x = c; x < rowLength; x += ch, o += ch) {
        out[o] = Math.floor((2 * sum + area) / (2 * area));
        sum += padded[x + span]! - padded[x]!;
      }
    }
    addRow(y + r + 1, 1);
    addRow(y - r, -1);
  }
}

/** Gaussian weights for offsets −R…R, R = ⌈3σ⌉, summing to 1. */
function _gaussianKernel(sigma: number): Float32Array {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const weights = new Float64Array(2 * radius + 1);
  let total = 0;
  for (let k = -radius; k <= radius; k++) {
    total += weights[k + radius] = Math.exp(-(k * k) / (2 * sigma * sigma));
  }
  return Float32Array.from(weights, (w) => w / total);
}

/**
 * Gaussian blur of one plane: columns into a float row, then along the padded row. The kernel is
 * symmetric, so each step adds the two samples at ±k before weighing them.
 */
function _gaussianPlane(
  data: Uint8Array,
  src: _Plane,
  out: Uint8ClampedArray,
  dst: _Plane,
  kernel: Float32Array,
): void {
  const { width, height, channels: ch, stride, offset } = src;
  const r = (kernel.length - 1) / 2;
  const w0 = kernel[r]!;
  const rowLength = width * ch;
  const padded = new Float32Array((width + 2 * r) * ch);
  const mid = r * ch;
  const last = (width - 1) * ch;
  for (let y = 0; y < height; y++) {
    // Vertical pass straight into the middle of the padded row.
    const centre = offset + y * stride;
    for (let i = 0; i < rowLength; i++) padded[mid + i] = w0 * data[centre + i]!;
    for (let k = 1; k <= r; k++) {
      const w = kernel[r + k]!;
      const above = offset + _clamp(y - k, height) * stride;
      const below = offset + _clamp(y + k, height) * stride;
      for (let i = 0; i < rowLength; i++) {
        padded[mid + i]! += w * (data[above + i]! + data[below + i]!);
      }
    }
    for (let k = 0; k < mid; k += ch) {
      for (let c = 0; c < ch; c++) {
        padded[k + c] = padded[mid + c]!;
        padded[mid + rowLength + k + c] = padded[mid + last + c]!;
      }
    }
    const o = dst.offset + y * dst.stride;
    for (let i = 0; i < rowLength; i++) {
      const p = mid + i;
      let acc = w0 * padded[p]!;
      for (let k = 1, d = ch; k <= r; k++, d += ch) {
        acc += kernel[r + k]! * (padded[p - d]! + padded[p + d]!);
      }
      out[o + i] = acc;
    }
  }
}

/**
 * The contract of {@linkcode Blur}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { blurContract } from "@streamlib/video";
 * assert.ok(blurContract.params.mode.default === "gaussian");
 * ```
 */
export const blurContract = {
  type: "blur",
  description: "Blurs the picture with a Gaussian or a box filter",
  classification: "Filter/Effect/Video",
  inputs: { in: { kind: "video", formats: ["RGBA", "BGRA", "I420", "NV12"] } },
  outputs: {
    out: {
      kind: "video",
      formatFrom: "in",
      formats: ["RGBA", "BGRA", "I420", "NV12"],
      description: "The blurred video, in the input's format",
    },
  },
  params: {
    mode: {
      type: "string",
      enum: ["gaussian", "box"],
      default: "gaussian",
      description: "gaussian (smooth, cost grows with sigma) or box (mean of a square, same " +
        "cost at any radius)",
    },
    radius: {
      type: "integer",
      default: 2,
      minimum: 0,
      maximum: _MAX_RADIUS,
      unit: "px",
      description: "Box mode: pixels on each side of the averaged square (0 leaves the picture)",
    },
    sigma: {
      type: "number",
      default: 2,
      minimum: 0,
      maximum: _MAX_SIGMA,
      unit: "px",
      description: "Gaussian mode: standard deviation (0 leaves the picture)",
    },
    method: {
      type: "string",
      enum: ["auto", "exact", "fast"],
      default: "auto",
      description: "Gaussian mode: exact (cost grows with sigma), fast (three box blurs each " +
        "way, within 5 levels of exact, same cost at any sigma) or auto (fast from sigma 3)",
    },
  },
} as const satisfies Contract;

/**
 * Blurs video frames with {@linkcode blurFrame}: a Gaussian of standard deviation `sigma`
 * (default), or with `mode=box` the mean of the (2·`radius` + 1)² square around each pixel,
 * with edges clamped. Works on every plane of RGBA, BGRA, I420 and NV12. Parameters may change
 * while running; a radius or sigma of 0 passes frames through.
 *
 * ```text
 * videotestsrc pattern=ball ! blur sigma=4 ! display
 * videotestsrc pattern=ball ! blur sigma=4 method=exact ! display
 * videotestsrc ! blur mode=box radius=8 ! display
 * ```
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Blur } from "@streamlib/video";
 * const blur = new Blur({ mode: "box", radius: 5 });
 * assert.ok(blur.params.sigma === 2);
 * ```
 */
export class Blur extends Actor<typeof blurContract> {
  /** Ports and parameters. */
  static override contract: typeof blurContract = blurContract;

  /**
   * Blurs one frame and writes it on.
   *
   * @param _tick Unused.
   */
  process(_tick: TimedTick): void {
    const frame = this.inputs.in.read();
    if (frame === undefined) return;
    this.outputs.out.write(blurFrame(frame, this.params));
  }
}
