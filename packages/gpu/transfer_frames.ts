import {
  type GpuVideoFrame,
  packedFrameData,
  StreamlibError,
  type VideoFrame,
} from "@streamlib/core";
import type { Gpu } from "./device.ts";
import { createGpuFrame, frameBuffer, frameTexture } from "./gpu_frame.ts";
import { _Readback } from "./_readback.ts";

/**
 * Copies a CPU frame into GPU memory: a pooled texture for RGBA and BGRA (the bytes as they
 * are), a pooled storage buffer for I420 and NV12 (the planes packed). The copy is queued on the
 * device (`writeTexture`, `writeBuffer`) and the function returns at once; work submitted later
 * sees the pixels. Any plane layout is taken.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createVideoFrame } from "@streamlib/core";
 * import { downloadFrame, requestGpu, uploadFrame } from "@streamlib/gpu";
 * const gpu = await requestGpu().catch(() => undefined); // undefined without a GPU
 * if (gpu !== undefined) {
 *   const frame = createVideoFrame({ format: "RGBA", codedWidth: 3, codedHeight: 2 });
 *   frame.data.set([1, 2, 3, 4]);
 *   const back = await downloadFrame(gpu, uploadFrame(gpu, frame));
 *   assert.deepEqual(back.data, frame.data);
 * }
 * ```
 *
 * @param gpu The GPU.
 * @param frame The frame in CPU memory.
 * @returns The same picture, format, timing and colour space in GPU memory.
 */
export function uploadFrame(gpu: Gpu, frame: VideoFrame): GpuVideoFrame {
  const { format, codedWidth: width, codedHeight: height } = frame;
  const out = createGpuFrame(gpu, {
    format,
    codedWidth: width,
    codedHeight: height,
    timestamp: frame.timestamp,
    duration: frame.duration,
    position: frame.position,
    clockId: frame.clockId,
    ...(frame.colorSpace === undefined ? {} : { colorSpace: frame.colorSpace }),
  });
  const queue = gpu.device.queue;
  if (format === "RGBA" || format === "BGRA") {
    const plane = frame.layout[0]!;
    queue.writeTexture(
      { texture: frameTexture(out) },
      frame.data as Uint8Array<ArrayBuffer>, // shared memory too (Deno copies it)
      { offset: plane.offset, bytesPerRow: plane.stride, rowsPerImage: height },
      [width, height],
    );
    return out;
  }
  const packed = packedFrameData(frame);
  const buffer = frameBuffer(out);
  // writeBuffer takes whole 4-byte words: the last 0–3 bytes go in a padded word of their own.
  const whole = packed.length & ~3;
  if (whole > 0) queue.writeBuffer(buffer, 0, packed as Uint8Array<ArrayBuffer>, 0, whole);
  if (whole < packed.length) {
    const tail = new Uint8Array(4);
    tail.set(packed.subarray(whole));
    queue.writeBuffer(buffer, whole, tail);
  }
  return out;
}

/**
 * Reads a GPU frame back into a new, tightly packed CPU frame with the same format, size,
 * timing and colour space. It waits for the GPU to finish what was submitted before (WebGPU's
 * `mapAsync`), which in Deno takes at least one device poll, about 10 ms; `gpudownload` keeps
 * two readbacks in flight so that a stream does not wait for each.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createVideoFrame } from "@streamlib/core";
 * import { downloadFrame, requestGpu, uploadFrame } from "@streamlib/gpu";
 * const gpu = await requestGpu().catch(() => undefined); // undefined without a GPU
 * if (gpu !== undefined) {
 *   const frame = createVideoFrame({ format: "I420", codedWidth: 3, codedHeight: 3 });
 *   frame.data.fill(7);
 *   const back = await downloadFrame(gpu, uploadFrame(gpu, frame));
 *   assert.ok(back.data.length === 17 && back.data.every((v) => v === 7));
 * }
 * ```
 *
 * @param gpu The GPU the frame is on.
 * @param frame The frame in GPU memory.
 * @returns The frame in CPU memory; rejects with `SL_GPU_DEVICE_LOST` or `SL_GPU_ERROR`.
 */
export async function downloadFrame(gpu: Gpu, frame: GpuVideoFrame): Promise<VideoFrame> {
  const readback = new _Readback(gpu, 1, "downloadFrame");
  let out: VideoFrame | undefined;
  try {
    await readback.read(frame, (cpu) => void (out = cpu));
  } finally {
    await readback.close();
  }
  if (out === undefined) throw new StreamlibError("SL_GPU_ERROR", "The readback gave no frame");
  return out;
}
