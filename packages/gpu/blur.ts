import {
  Actor,
  type Contract,
  type GpuVideoFrame,
  StreamlibError,
  type TimedTick,
} from "@streamlib/core";
import { type Gpu, requestGpu } from "./device.ts";
import { createGpuFrame, frameTexture } from "./gpu_frame.ts";
import { _block, _dispatch, _scratch, _storage, _submit, _uniform } from "./_kernel.ts";
import { _BOX_H, _BOX_V, _GAUSSIAN_H, _GAUSSIAN_V } from "./_blur_wgsl.ts";
import { _stale, _timing } from "./_frames.ts";
import "./transfers.ts";

/**
 * What {@linkcode gpuBlurFrame} does, as the CPU blur's options: `mode` `gaussian` (default) of
 * standard deviation `sigma`, or `box` of `radius`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { GpuBlurOptions } from "@streamlib/gpu";
 * const soft: GpuBlurOptions = { mode: "box", radius: 3 };
 * assert.ok(soft.radius === 3);
 * ```
 */
export interface GpuBlurOptions {
  /** `box` or `gaussian` (default). */
  readonly mode?: "box" | "gaussian";
  /** Box radius in pixels, an integer from 0 to 1024 (default 2; 0 leaves the picture). */
  readonly radius?: number;
  /** Gaussian standard deviation in pixels, 0 to 100 (default 2; 0 leaves the picture). */
  readonly sigma?: number;
}

const _MAX_RADIUS = 1024;
const _MAX_SIGMA = 100;

/** Gaussian weights for offsets 0…R, R = max(1, ⌈3σ⌉), summing to 1 over −R…R (as the CPU's). */
function _gaussianWeights(sigma: number): Float32Array {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const weights = new Float64Array(2 * radius + 1);
  let total = 0;
  for (let k = -radius; k <= radius; k++) {
    total += weights[k + radius] = Math.exp(-(k * k) / (2 * sigma * sigma));
  }
  return Float32Array.from(weights.subarray(radius), (w) => w / total);
}

/**
 * Blurs an RGBA or BGRA frame on the GPU, separably (a vertical pass, then a horizontal one),
 * with edges clamped, into a new GPU frame: the same filter as `@streamlib/video`'s
 * `blurFrame` (its exact Gaussian, `method: "exact"`; the CPU's default takes its box
 * approximation from sigma 3, within 5 levels of this). The box blur sums integers and rounds the mean as the CPU does, so its result is
 * the same to the byte; the Gaussian computes in `f32` where the CPU keeps doubles for the
 * horizontal pass, so a channel may differ by 1 where a value falls next to a half. Each
 * channel is blurred on its own, alpha too. The passes cost (2·radius + 1) loads a pixel each
 * (about 12·sigma for the Gaussian); nothing waits for the GPU.
 *
 * With a radius or sigma of 0 the frame comes back as it is. Throws `SL_PARAM_INVALID` for an
 * unknown mode or a value out of range, and `SL_CAPS_MISMATCH` for an I420 or NV12 frame
 * (convert it with `gpuconvert` first).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createVideoFrame } from "@streamlib/core";
 * import { downloadFrame, gpuBlurFrame, requestGpu, uploadFrame } from "@streamlib/gpu";
 * const gpu = await requestGpu().catch(() => undefined); // undefined without a GPU
 * if (gpu !== undefined) {
 *   const frame = createVideoFrame({ format: "RGBA", codedWidth: 3, codedHeight: 1 });
 *   frame.data.set([90, 90, 90, 90], 4); // the middle pixel
 *   const blurred = gpuBlurFrame(gpu, uploadFrame(gpu, frame), { mode: "box", radius: 1 });
 *   const back = await downloadFrame(gpu, blurred);
 *   // Edges clamped: the first pixel's square holds itself twice and the middle one once, in
 *   // each of 3 rows (the one row, clamped): 3 × 90 / 9.
 *   assert.deepEqual([...back.data.subarray(0, 4)], [30, 30, 30, 30]);
 * }
 * ```
 *
 * @param gpu The GPU the frame is on.
 * @param frame An RGBA or BGRA frame in GPU memory.
 * @param options Mode, radius or sigma.
 * @param who Who asks, for errors (default `"gpublur"`).
 * @returns The blurred frame, or `frame` itself for a radius or sigma of 0.
 */
export function gpuBlurFrame(
  gpu: Gpu,
  frame: GpuVideoFrame,
  options: GpuBlurOptions = {},
  who = "gpublur",
): GpuVideoFrame {
  const { mode = "gaussian", radius = 2, sigma = 2 } = options;
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
  const src = frameTexture(frame, gpu);
  if ((mode === "box" ? radius : sigma) === 0) return frame;
  const { codedWidth: width, codedHeight: height } = frame;
  const out = createGpuFrame(gpu, {
    format: frame.format,
    ..._timing(frame),
    codedWidth: width,
    codedHeight: height,
  });
  const dst = frameTexture(out).createView();
  const tmp = { buffer: _scratch(gpu, "blur", width * height * 16) };
  _submit(gpu, who, (pass) => {
    if (mode === "box") {
      const area = (2 * radius + 1) ** 2;
      const params = _uniform(gpu, _block([width, height, radius, area]));
      const v = gpu.pipeline("blur box v", () => _BOX_V);
      const h = gpu.pipeline("blur box h", () => _BOX_H);
      _dispatch(gpu, pass, v, [params, src.createView(), tmp], width, height);
      _dispatch(gpu, pass, h, [params, tmp, dst], width, height);
    } else {
      const weights = _gaussianWeights(sigma);
      const params = _uniform(gpu, _block([width, height, weights.length - 1, 0]));
      const w = { buffer: _storage(gpu, "blur weights", weights) };
      const v = gpu.pipeline("blur gaussian v", () => _GAUSSIAN_V);
      const h = gpu.pipeline("blur gaussian h", () => _GAUSSIAN_H);
      _dispatch(gpu, pass, v, [params, src.createView(), tmp, w], width, height);
      _dispatch(gpu, pass, h, [params, tmp, dst, w], width, height);
    }
  });
  return out;
}

/**
 * The contract of {@linkcode GpuBlur}: the CPU `blur`'s parameters, on GPU frames.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gpuBlurContract } from "@streamlib/gpu";
 * assert.ok(gpuBlurContract.params.sigma.default === 2);
 * ```
 */
export const gpuBlurContract = {
  type: "gpublur",
  description: "Blurs the picture on the GPU with a Gaussian or a box filter",
  classification: "Filter/Effect/Video",
  inputs: { in: { kind: "video", formats: ["RGBA", "BGRA"], capabilities: ["gpu"] } },
  outputs: {
    out: {
      kind: "video",
      formatFrom: "in",
      formats: ["RGBA", "BGRA"],
      capabilities: ["gpu"],
      description: "The blurred video, in the input's format, in GPU memory",
    },
  },
  params: {
    mode: {
      type: "string",
      enum: ["gaussian", "box"],
      default: "gaussian",
      description: "gaussian (smooth, cost grows with sigma) or box (mean of a square, cost " +
        "grows with radius)",
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
  },
} as const satisfies Contract;

/**
 * Blurs video frames on the GPU with {@linkcode gpuBlurFrame}: a Gaussian of standard deviation
 * `sigma` (default), or with `mode=box` the mean of the (2·`radius` + 1)² square around each
 * pixel, edges clamped, as the CPU `blur` does (within ±1 a channel). Takes RGBA and BGRA
 * frames in GPU memory; linked to CPU actors, the pipeline inserts the transfers. Parameters
 * may change while running.
 *
 * ```text
 * videotestsrc ! gpublur sigma=4 ! filesink location=blurred.mp4
 * ```
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GpuBlur } from "@streamlib/gpu";
 * const blur = new GpuBlur({ mode: "box", radius: 5 });
 * assert.ok(blur.params.sigma === 2);
 * ```
 */
export class GpuBlur extends Actor<typeof gpuBlurContract> {
  /** Ports and parameters. */
  static override contract: typeof gpuBlurContract = gpuBlurContract;
  #gpu: Gpu | undefined;

  /** Gets the shared GPU (`SL_GPU_UNAVAILABLE` without one). */
  override async start(): Promise<void> {
    this.#gpu = await requestGpu();
  }

  /**
   * Blurs one frame and writes it on.
   *
   * @param _tick Unused.
   */
  process(_tick: TimedTick): void {
    const frame = this.inputs.in.read();
    if (frame === undefined) return;
    this.#gpu!.check(this.name);
    if (_stale(frame, this.#gpu!)) return;
    this.outputs.out.write(gpuBlurFrame(this.#gpu!, frame, this.params, this.name));
  }
}
