import {
  Actor,
  type Contract,
  type GpuVideoFrame,
  StreamlibError,
  type TimedTick,
} from "@streamlib/core";
import { type Gpu, requestGpu } from "./device.ts";
import { createGpuFrame, frameTexture } from "./gpu_frame.ts";
import { _block, _dispatch, _storage, _submit, _uniform } from "./_kernel.ts";
import { _SCALE } from "./_scale_wgsl.ts";
import { _taps } from "./_taps.ts";
import { _stale, _timing } from "./_frames.ts";
import "./transfers.ts";

/**
 * How {@linkcode gpuScaleFrame} resamples, as the CPU scaler: `bilinear` (the 2×2 nearest
 * source pixels), `area` (every source pixel an output pixel covers, weighed by the covered
 * area) or `auto` (`area` when shrinking in both dimensions, else `bilinear`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { GpuScaleMethod } from "@streamlib/gpu";
 * const method: GpuScaleMethod = "bilinear";
 * assert.ok(method === "bilinear");
 * ```
 */
export type GpuScaleMethod = "bilinear" | "area" | "auto";

/**
 * Resamples an RGBA or BGRA frame on the GPU to `width` × `height`, keeping its format and
 * timing: `@streamlib/video`'s `scaleFrame` on the GPU, with the same tap tables (pixel centres
 * aligned as in ffmpeg, edges clamped). Sums run in `f32` where the CPU keeps doubles across a
 * row, so a channel may differ by 1. A frame already that size comes back as it is.
 *
 * Throws `SL_PARAM_INVALID` for a size that is not a positive integer or an unknown method,
 * `SL_CAPS_MISMATCH` for an I420 or NV12 frame.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createVideoFrame } from "@streamlib/core";
 * import { downloadFrame, gpuScaleFrame, requestGpu, uploadFrame } from "@streamlib/gpu";
 * const gpu = await requestGpu().catch(() => undefined); // undefined without a GPU
 * if (gpu !== undefined) {
 *   const frame = createVideoFrame({ format: "RGBA", codedWidth: 4, codedHeight: 4 });
 *   frame.data.fill(200);
 *   const small = await downloadFrame(gpu, gpuScaleFrame(gpu, uploadFrame(gpu, frame), 2, 2));
 *   assert.ok(small.codedWidth === 2 && small.data.every((v) => v === 200));
 * }
 * ```
 *
 * @param gpu The GPU the frame is on.
 * @param frame An RGBA or BGRA frame in GPU memory.
 * @param width The new width.
 * @param height The new height.
 * @param method `bilinear`, `area` or `auto` (default).
 * @param who Who asks, for errors (default `"gpuscale"`).
 * @returns The scaled frame (or `frame` itself at its own size).
 */
export function gpuScaleFrame(
  gpu: Gpu,
  frame: GpuVideoFrame,
  width: number,
  height: number,
  method: GpuScaleMethod = "auto",
  who = "gpuscale",
): GpuVideoFrame {
  for (const [name, value] of [["width", width], ["height", height]] as const) {
    if (!Number.isInteger(value) || value <= 0) {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `Cannot scale to a ${name} of ${JSON.stringify(value)}: give a positive integer`,
      );
    }
  }
  if (method !== "bilinear" && method !== "area" && method !== "auto") {
    throw new StreamlibError(
      "SL_PARAM_INVALID",
      `Unknown scaling method "${method as string}"; use "bilinear", "area" or "auto"`,
    );
  }
  const src = frameTexture(frame, gpu);
  const { codedWidth: srcW, codedHeight: srcH } = frame;
  if (srcW === width && srcH === height) return frame;
  const chosen = method !== "auto" ? method : width < srcW && height < srcH ? "area" : "bilinear";
  const h = _taps(srcW, width, chosen);
  const v = _taps(srcH, height, chosen);
  const out = createGpuFrame(gpu, {
    format: frame.format,
    codedWidth: width,
    codedHeight: height,
    ..._timing(frame),
  });
  _submit(gpu, who, (pass) => {
    _dispatch(
      gpu,
      pass,
      gpu.pipeline("scale", () => _SCALE),
      [
        _uniform(gpu, _block([width, height, h.n, v.n])),
        src.createView(),
        frameTexture(out).createView(),
        { buffer: _storage(gpu, "scale h", h.pairs) },
        { buffer: _storage(gpu, "scale v", v.pairs) },
      ],
      width,
      height,
    );
  });
  return out;
}

/**
 * The contract of {@linkcode GpuScale}: the CPU `videoscale`'s parameters, on GPU frames.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gpuScaleContract } from "@streamlib/gpu";
 * assert.ok(gpuScaleContract.params.method.default === "auto");
 * ```
 */
export const gpuScaleContract = {
  type: "gpuscale",
  description: "Resizes video on the GPU to a given width and height (bilinear or area " +
    "averaging)",
  classification: "Filter/Converter/Video/Scaler",
  inputs: { in: { kind: "video", formats: ["RGBA", "BGRA"], capabilities: ["gpu"] } },
  outputs: {
    out: {
      kind: "video",
      formatFrom: "in",
      formats: ["RGBA", "BGRA"],
      capabilities: ["gpu"],
      description: "The video at the new size, in the input's format, in GPU memory",
    },
  },
  params: {
    width: {
      type: "integer",
      default: 0,
      minimum: 0,
      maximum: 16_384,
      unit: "px",
      description: "Output width; 0 keeps the aspect ratio from height (or the input's width)",
    },
    height: {
      type: "integer",
      default: 0,
      minimum: 0,
      maximum: 16_384,
      unit: "px",
      description: "Output height; 0 keeps the aspect ratio from width (or the input's height)",
    },
    method: {
      type: "string",
      enum: ["auto", "bilinear", "area"],
      default: "auto",
      description: "Resampling: area averaging when shrinking in both dimensions (auto), " +
        "bilinear interpolation, or area averaging",
    },
  },
} as const satisfies Contract;

/**
 * Resizes video frames on the GPU with {@linkcode gpuScaleFrame}, as `videoscale` does on the
 * CPU: a size of 0 follows the other dimension keeping the aspect ratio (rounded), both 0 pass
 * frames through. RGBA and BGRA frames in GPU memory; parameters may change while running.
 *
 * ```text
 * videotestsrc width=1920 height=1080 ! gpuscale width=640 ! filesink location=small.mp4
 * ```
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GpuScale } from "@streamlib/gpu";
 * const scale = new GpuScale({ width: 640 });
 * assert.ok(scale.params.height === 0 && scale.params.method === "auto");
 * ```
 */
export class GpuScale extends Actor<typeof gpuScaleContract> {
  /** Ports and parameters. */
  static override contract: typeof gpuScaleContract = gpuScaleContract;
  #gpu: Gpu | undefined;

  /** Gets the shared GPU (`SL_GPU_UNAVAILABLE` without one). */
  override async start(): Promise<void> {
    this.#gpu = await requestGpu();
  }

  /**
   * Scales one frame and writes it on.
   *
   * @param _tick Unused.
   */
  process(_tick: TimedTick): void {
    const frame = this.inputs.in.read();
    if (frame === undefined) return;
    this.#gpu!.check(this.name);
    if (_stale(frame, this.#gpu!)) return;
    const { codedWidth: w, codedHeight: h } = frame;
    let { width, height } = this.params;
    if (width === 0 && height === 0) {
      width = w;
      height = h;
    } else if (width === 0) {
      width = Math.max(1, Math.round(w * height / h));
    } else if (height === 0) {
      height = Math.max(1, Math.round(h * width / w));
    }
    this.outputs.out.write(
      gpuScaleFrame(this.#gpu!, frame, width, height, this.params.method, this.name),
    );
  }
}
