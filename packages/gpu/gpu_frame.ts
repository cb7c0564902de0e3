import { _poolsOf } from "./_gpu_state.ts";
import {
  type GpuVideoFrame,
  isGpuFrame,
  StreamlibError,
  type Timing,
  type VideoColorSpace,
  videoFrameLayout,
  type VideoPixelFormat,
} from "@streamlib/core";
import type { Gpu } from "./device.ts";

/**
 * Where a GPU frame's pixels are: the `gpu` field of every {@linkcode GpuVideoFrame} this
 * package makes.
 *
 * - RGBA and BGRA frames are an `rgba8uint` texture of `codedWidth` × `codedHeight`, one texel a
 *   pixel holding the frame's four bytes in their order (a BGRA frame's texel is B, G, R, A), so
 *   kernels see the exact bytes a CPU frame would have.
 * - I420 and NV12 frames are a storage buffer holding the bytes of a tightly packed CPU frame
 *   (`videoFrameLayout`), its size rounded up to a multiple of 4.
 *
 * Textures and buffers come from the device's pools: a frame takes one, and it goes back once
 * nothing holds the frame (or a copy of it) any more. Treat a frame you received as read-only,
 * as on the CPU: write results into a new frame ({@linkcode createGpuFrame}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GpuMemory } from "@streamlib/gpu";
 * assert.ok(typeof GpuMemory === "function");
 * ```
 */
export class GpuMemory {
  /** The GPU (device) the memory belongs to. */
  readonly gpu: Gpu;
  /** The texture of an RGBA or BGRA frame. */
  readonly texture: GPUTexture | undefined;
  /** The storage buffer of an I420 or NV12 frame. */
  readonly buffer: GPUBuffer | undefined;

  /**
   * Takes a texture (`rgba` true) or a buffer from the pools of `gpu`.
   *
   * @param gpu The GPU.
   * @param rgba Whether a texture is wanted.
   * @param width Texture width.
   * @param height Texture height.
   * @param bytes Buffer size in bytes, a multiple of 4.
   */
  constructor(gpu: Gpu, rgba: boolean, width: number, height: number, bytes: number) {
    this.gpu = gpu;
    this.texture = rgba ? _poolsOf(gpu).texture(width, height, this) : undefined;
    this.buffer = rgba ? undefined : _poolsOf(gpu).buffer(bytes, this);
  }
}

/**
 * What {@linkcode createGpuFrame} needs; timing fields default to 0 and `""`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { GpuFrameInit } from "@streamlib/gpu";
 * const init: GpuFrameInit = { format: "RGBA", codedWidth: 1920, codedHeight: 1080 };
 * assert.ok(init.timestamp === undefined);
 * ```
 */
export interface GpuFrameInit extends Partial<Timing> {
  /** Pixel format. */
  readonly format: VideoPixelFormat;
  /** Width in pixels. */
  readonly codedWidth: number;
  /** Height in pixels. */
  readonly codedHeight: number;
  /** Colour space of YUV frames. */
  readonly colorSpace?: VideoColorSpace;
}

/**
 * Bytes of a GPU buffer frame: the packed CPU frame's size rounded up to a multiple of 4.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gpuBufferBytes } from "@streamlib/gpu";
 * assert.ok(gpuBufferBytes("I420", 3, 3) === 20); // 9 + 4 + 4 = 17 bytes, rounded up
 * ```
 *
 * @param format The pixel format.
 * @param width Width in pixels.
 * @param height Height in pixels.
 * @returns The byte size.
 */
export function gpuBufferBytes(format: VideoPixelFormat, width: number, height: number): number {
  return Math.ceil(videoFrameLayout(format, width, height).byteLength / 4) * 4;
}

/**
 * A new frame in GPU memory with a texture (RGBA, BGRA) or buffer (I420, NV12) from the pools
 * of `gpu`; its contents are whatever the pool's memory held: write all of it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createGpuFrame, frameTexture, requestGpu } from "@streamlib/gpu";
 * const gpu = await requestGpu().catch(() => undefined); // undefined without a GPU
 * if (gpu !== undefined) {
 *   const frame = createGpuFrame(gpu, { format: "RGBA", codedWidth: 64, codedHeight: 48 });
 *   assert.ok(frame.memory === "gpu" && frameTexture(frame, gpu).width === 64);
 * }
 * ```
 *
 * @param gpu The GPU.
 * @param init Format, size, colour space and timing.
 * @returns The frame.
 */
export function createGpuFrame(gpu: Gpu, init: GpuFrameInit): GpuVideoFrame {
  const { format, codedWidth: width, codedHeight: height } = init;
  const rgba = format === "RGBA" || format === "BGRA";
  const bytes = rgba ? 0 : gpuBufferBytes(format, width, height);
  if (rgba) videoFrameLayout(format, width, height); // checks the size
  const frame: GpuVideoFrame = {
    kind: "video",
    memory: "gpu",
    format,
    codedWidth: width,
    codedHeight: height,
    gpu: new GpuMemory(gpu, rgba, width, height, bytes),
    timestamp: init.timestamp ?? 0,
    duration: init.duration ?? 0,
    position: init.position ?? 0,
    clockId: init.clockId ?? "",
  };
  return init.colorSpace !== undefined && !rgba ? { ...frame, colorSpace: init.colorSpace } : frame;
}

/**
 * The memory of a GPU frame, checked: it must be this package's, and on `gpu`'s device. A frame
 * from a device that has since been lost throws `SL_GPU_DEVICE_LOST`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { frameMemory } from "@streamlib/gpu";
 * import type { GpuVideoFrame } from "@streamlib/core";
 * const stranger = { kind: "video", memory: "gpu", gpu: {} } as unknown as GpuVideoFrame;
 * assert.throws(() => frameMemory(stranger), { code: "SL_CAPS_MISMATCH" });
 * ```
 *
 * @param frame The frame.
 * @param gpu The GPU it should be on (any when absent).
 * @returns Its memory.
 */
export function frameMemory(frame: GpuVideoFrame, gpu?: Gpu): GpuMemory {
  const memory = frame.gpu;
  if (!isGpuFrame(frame) || !(memory instanceof GpuMemory)) {
    throw new StreamlibError(
      "SL_CAPS_MISMATCH",
      `Expected a frame in GPU memory made by @streamlib/gpu, got ${
        isGpuFrame(frame) ? "GPU memory of another kind" : "a frame in CPU memory"
      }`,
    );
  }
  if (gpu !== undefined && memory.gpu !== gpu) {
    memory.gpu.check("this frame");
    throw new StreamlibError(
      "SL_GPU_DEVICE_LOST",
      "The frame's GPU memory is on another device than this actor's (one of them was lost and " +
        "replaced); frames cannot move between devices",
    );
  }
  return memory;
}

/**
 * The texture of an RGBA or BGRA GPU frame (`SL_CAPS_MISMATCH` for I420 or NV12).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { frameTexture } from "@streamlib/gpu";
 * assert.ok(typeof frameTexture === "function");
 * ```
 *
 * @param frame The frame.
 * @param gpu The GPU it should be on.
 * @returns The `rgba8uint` texture.
 */
export function frameTexture(frame: GpuVideoFrame, gpu?: Gpu): GPUTexture {
  const texture = frameMemory(frame, gpu).texture;
  if (texture === undefined) {
    throw new StreamlibError(
      "SL_CAPS_MISMATCH",
      `Expected an RGBA or BGRA frame, got ${frame.format}: convert it first (gpuconvert)`,
    );
  }
  return texture;
}

/**
 * The storage buffer of an I420 or NV12 GPU frame (`SL_CAPS_MISMATCH` for RGBA or BGRA).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { frameBuffer } from "@streamlib/gpu";
 * assert.ok(typeof frameBuffer === "function");
 * ```
 *
 * @param frame The frame.
 * @param gpu The GPU it should be on.
 * @returns The buffer, holding the packed planes.
 */
export function frameBuffer(frame: GpuVideoFrame, gpu?: Gpu): GPUBuffer {
  const buffer = frameMemory(frame, gpu).buffer;
  if (buffer === undefined) {
    throw new StreamlibError(
      "SL_CAPS_MISMATCH",
      `Expected an I420 or NV12 frame, got ${frame.format}`,
    );
  }
  return buffer;
}
