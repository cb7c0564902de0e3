import {
  Actor,
  type Contract,
  type GpuVideoFrame,
  StreamlibError,
  type TimedTick,
  type VideoColorSpace,
  type VideoPixelFormat,
} from "@streamlib/core";
import { type Gpu, requestGpu } from "./device.ts";
import { createGpuFrame, frameBuffer, frameTexture, gpuBufferBytes } from "./gpu_frame.ts";
import { _block, _dispatch, _storage, _submit, _uniform } from "./_kernel.ts";
import { _REPACK, _SWAP, _TO_RGB, _TO_YUV, _WORDS_ROW } from "./_convert_wgsl.ts";
import { _yuv } from "./_yuv.ts";
import { _stale, _timing } from "./_frames.ts";
import "./transfers.ts";

/**
 * How {@linkcode gpuConvertFrame} maps between RGB and YUV, as the CPU converter's options.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { GpuConvertOptions } from "@streamlib/gpu";
 * const hd: GpuConvertOptions = { matrix: "bt709", fullRange: false };
 * assert.ok(hd.matrix === "bt709");
 * ```
 */
export interface GpuConvertOptions {
  /** `bt601` or `bt709`; default from a YUV frame's `colorSpace`, else by picture height. */
  readonly matrix?: "bt601" | "bt709";
  /** Full range YUV; default from a YUV frame's `colorSpace`, else `false` (limited). */
  readonly fullRange?: boolean;
}

const _FORMATS: readonly VideoPixelFormat[] = ["RGBA", "BGRA", "I420", "NV12"];

function _isYuv(format: VideoPixelFormat): boolean {
  return format === "I420" || format === "NV12";
}

/**
 * Converts a GPU frame to another pixel format — RGBA, BGRA, I420 and NV12 in every direction —
 * into a new GPU frame, with `@streamlib/video`'s `convertFrame` arithmetic (the same 16-bit
 * fixed-point BT.601 / BT.709 factors and tables, limited or full range, 2×2 chroma averaging
 * and nearest-neighbour upsampling), so its bytes are the CPU converter's. The matrix and range
 * follow the same rules: the options, else a YUV frame's `colorSpace`, else BT.601 below 720
 * lines and BT.709 from 720 up, limited range; YUV outputs carry their `colorSpace`. A frame
 * already in `format` comes back as it is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createVideoFrame } from "@streamlib/core";
 * import { downloadFrame, gpuConvertFrame, requestGpu, uploadFrame } from "@streamlib/gpu";
 * const gpu = await requestGpu().catch(() => undefined); // undefined without a GPU
 * if (gpu !== undefined) {
 *   const white = createVideoFrame({ format: "RGBA", codedWidth: 2, codedHeight: 2 });
 *   white.data.fill(255);
 *   const yuv = gpuConvertFrame(gpu, uploadFrame(gpu, white), "I420", { matrix: "bt709" });
 *   const back = await downloadFrame(gpu, yuv);
 *   assert.ok(back.data[0] === 235 && back.data[4] === 128); // Y, then Cb
 *   assert.ok(yuv.colorSpace?.matrix === "bt709");
 * }
 * ```
 *
 * @param gpu The GPU the frame is on.
 * @param frame The frame in GPU memory.
 * @param format The format wanted.
 * @param options Matrix and range.
 * @param who Who asks, for errors (default `"gpuconvert"`).
 * @returns The converted frame (or `frame` itself when already in `format`).
 */
export function gpuConvertFrame(
  gpu: Gpu,
  frame: GpuVideoFrame,
  format: VideoPixelFormat,
  options: GpuConvertOptions = {},
  who = "gpuconvert",
): GpuVideoFrame {
  if (!_FORMATS.includes(format)) {
    throw new StreamlibError(
      "SL_PARAM_INVALID",
      `Cannot convert to "${format as string}": use RGBA, BGRA, I420 or NV12`,
    );
  }
  if (frame.format === format) return frame;
  const { codedWidth: width, codedHeight: height } = frame;
  const fromYuv = _isYuv(frame.format);
  const toYuv = _isYuv(format);
  const space = fromYuv ? frame.colorSpace : undefined;
  const sourceMatrix = space?.matrix === undefined
    ? (height < 720 ? "bt601" : "bt709")
    : space.matrix === "bt709"
    ? "bt709"
    : "bt601";
  const sourceFullRange = space?.fullRange ?? false;
  const matrix = options.matrix ?? sourceMatrix;
  const fullRange = options.fullRange ?? sourceFullRange;
  if (fromYuv && toYuv && (matrix !== sourceMatrix || fullRange !== sourceFullRange)) {
    // A change of colour space between YUV formats goes through RGB.
    const rgba = gpuConvertFrame(
      gpu,
      frame,
      "RGBA",
      { matrix: sourceMatrix, fullRange: sourceFullRange },
      who,
    );
    return gpuConvertFrame(gpu, rgba, format, { matrix, fullRange }, who);
  }
  const colorSpace: VideoColorSpace | undefined = toYuv
    ? { matrix: matrix === "bt709" ? "bt709" : "smpte170m", fullRange }
    : undefined;
  const out = createGpuFrame(gpu, {
    format,
    codedWidth: width,
    codedHeight: height,
    ..._timing(frame),
    ...(colorSpace === undefined ? {} : { colorSpace }),
  });
  const total = gpuBufferBytes(toYuv ? format : frame.format, width, height);
  const params = _block([
    width,
    height,
    Math.ceil(width / 2),
    Math.ceil(height / 2),
    toYuv ? total : 0,
    format === "NV12" ? 1 : 0,
    (toYuv ? frame.format : format) === "BGRA" ? 1 : 0,
    frame.format === "NV12" ? 1 : 0,
  ]);
  const words = Math.ceil(total / 4);
  const wordGrid = [_WORDS_ROW, Math.ceil(words / _WORDS_ROW)] as const;
  _submit(gpu, who, (pass) => {
    const uniform = _uniform(gpu, params);
    if (!fromYuv && !toYuv) {
      const swap = gpu.pipeline("convert swap", () => _SWAP);
      const resources = [
        uniform,
        frameTexture(frame, gpu).createView(),
        frameTexture(out).createView(),
      ];
      _dispatch(gpu, pass, swap, resources, width, height);
    } else if (fromYuv && toYuv) {
      const repack = gpu.pipeline("convert repack", () => _REPACK);
      const resources = [uniform, { buffer: frameBuffer(frame, gpu) }, {
        buffer: frameBuffer(out),
      }];
      _dispatch(gpu, pass, repack, resources, ...wordGrid);
    } else if (toYuv) {
      const factors = { buffer: _storage(gpu, "convert factors", _yuv(matrix, fullRange).factors) };
      const toYuvPipeline = gpu.pipeline("convert to yuv", () => _TO_YUV);
      const resources = [uniform, frameTexture(frame, gpu).createView(), {
        buffer: frameBuffer(out),
      }, factors];
      _dispatch(gpu, pass, toYuvPipeline, resources, ...wordGrid);
    } else {
      const tables = { buffer: _storage(gpu, "convert tables", _yuv(matrix, fullRange).tables) };
      const toRgb = gpu.pipeline("convert to rgb", () => _TO_RGB);
      const resources = [
        uniform,
        { buffer: frameBuffer(frame, gpu) },
        frameTexture(out).createView(),
        tables,
      ];
      _dispatch(gpu, pass, toRgb, resources, width, height);
    }
  });
  return out;
}

/**
 * The contract of {@linkcode GpuConvert}: the CPU `videoconvert`'s parameters, on GPU frames.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gpuConvertContract } from "@streamlib/gpu";
 * assert.ok(gpuConvertContract.params.format.default === "I420");
 * ```
 */
export const gpuConvertContract = {
  type: "gpuconvert",
  description: "Converts video on the GPU between the RGBA, BGRA, I420 and NV12 pixel formats",
  classification: "Filter/Converter/Video",
  inputs: {
    in: { kind: "video", formats: ["RGBA", "BGRA", "I420", "NV12"], capabilities: ["gpu"] },
  },
  outputs: {
    out: {
      kind: "video",
      formats: ["RGBA", "BGRA", "I420", "NV12"],
      capabilities: ["gpu"],
      description: "The video in the chosen format, in GPU memory",
      formatParam: "format",
    },
  },
  params: {
    format: {
      type: "string",
      enum: ["RGBA", "BGRA", "I420", "NV12"],
      default: "I420",
      description: "Pixel format to convert to",
    },
    matrix: {
      type: "string",
      enum: ["auto", "bt601", "bt709"],
      default: "auto",
      description: "YUV matrix; auto takes a YUV input's colour space, else BT.601 below 720 " +
        "lines and BT.709 from 720 up",
    },
    range: {
      type: "string",
      enum: ["auto", "limited", "full"],
      default: "auto",
      description: "YUV range; auto takes a YUV input's colour space, else limited (Y 16–235)",
    },
  },
} as const satisfies Contract;

/**
 * Converts video frames on the GPU to `format` with {@linkcode gpuConvertFrame}, as
 * `videoconvert` does on the CPU (the same bytes): RGBA, BGRA, I420 and NV12 in every direction,
 * BT.601 or BT.709, limited or full range. Frames already in `format` pass through. Parameters
 * may change while running.
 *
 * ```text
 * filesrc location=in.mp4 format=I420 ! gpuconvert format=RGBA ! gpublur ! filesink location=out.mp4
 * ```
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GpuConvert } from "@streamlib/gpu";
 * const convert = new GpuConvert({ format: "NV12", matrix: "bt709" });
 * assert.ok(convert.params.range === "auto");
 * ```
 */
export class GpuConvert extends Actor<typeof gpuConvertContract> {
  /** Ports and parameters. */
  static override contract: typeof gpuConvertContract = gpuConvertContract;
  #gpu: Gpu | undefined;

  /** Gets the shared GPU (`SL_GPU_UNAVAILABLE` without one). */
  override async start(): Promise<void> {
    this.#gpu = await requestGpu();
  }

  /**
   * Converts one frame and writes it on.
   *
   * @param _tick Unused.
   */
  process(_tick: TimedTick): void {
    const frame = this.inputs.in.read();
    if (frame === undefined) return;
    this.#gpu!.check(this.name);
    if (_stale(frame, this.#gpu!)) return;
    const { format, matrix, range } = this.params;
    const options: { matrix?: "bt601" | "bt709"; fullRange?: boolean } = {};
    if (matrix !== "auto") options.matrix = matrix;
    if (range !== "auto") options.fullRange = range === "full";
    this.outputs.out.write(gpuConvertFrame(this.#gpu!, frame, format, options, this.name));
  }
}
