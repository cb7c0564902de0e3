/**
 * The two transfer actors, `gpuupload` and `gpudownload`, registered with core when this module
 * is imported, so that a pipeline inserts them wherever a `cpu` port meets a `gpu` one. One
 * module for both: each registers the other's direction too, and every GPU actor's module
 * imports this one, so that whichever GPU actor a pipeline loads first, both transfers are
 * known.
 *
 * @module
 */

import {
  Actor,
  type Contract,
  registerTransfer,
  StreamlibError,
  type TimedTick,
  type VideoFrame,
} from "@streamlib/core";
import { type Gpu, requestGpu } from "./device.ts";
import { uploadFrame } from "./transfer_frames.ts";
import { _Readback } from "./_readback.ts";
import { _stale } from "./_frames.ts";

const _FORMATS = ["RGBA", "BGRA", "I420", "NV12"] as const;

/**
 * The contract of {@linkcode GpuUpload}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gpuUploadContract } from "@streamlib/gpu";
 * assert.deepEqual(gpuUploadContract.outputs.out.capabilities, ["gpu"]);
 * ```
 */
export const gpuUploadContract = {
  type: "gpuupload",
  description: "Copies video frames from CPU memory to GPU memory (inserted automatically)",
  classification: "Filter/Converter/Video/Transfer",
  inputs: { in: { kind: "video", formats: _FORMATS } },
  outputs: {
    out: {
      kind: "video",
      formatFrom: "in",
      formats: _FORMATS,
      capabilities: ["gpu"],
      description: "The same frames in GPU memory: a texture (RGBA, BGRA) or buffer (I420, NV12)",
    },
  },
} as const satisfies Contract;

/**
 * Copies each frame into GPU memory with {@linkcode uploadFrame} (queued on the device, so it
 * returns at once). A pipeline inserts one wherever a `cpu` output feeds a `gpu`-only input; it
 * can be placed by hand too. Costs a copy of the frame into GPU memory: on a discrete GPU a trip
 * over PCIe, on the software adapter a memory copy.
 *
 * ```text
 * videotestsrc ! gpuupload ! gpublur sigma=4 ! gpudownload ! filesink location=out.mp4
 * ```
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GpuUpload } from "@streamlib/gpu";
 * assert.ok(new GpuUpload().contract.type === "gpuupload");
 * ```
 */
export class GpuUpload extends Actor<typeof gpuUploadContract> {
  /** Ports. */
  static override contract: typeof gpuUploadContract = gpuUploadContract;
  #gpu: Gpu | undefined;

  /** Gets the shared GPU (`SL_GPU_UNAVAILABLE` without one). */
  override async start(): Promise<void> {
    this.#gpu = await requestGpu();
  }

  /**
   * Uploads one frame and writes it on.
   *
   * @param _tick Unused.
   */
  process(_tick: TimedTick): void {
    const frame = this.inputs.in.read();
    if (frame === undefined) return;
    const gpu = this.#gpu!;
    gpu.check(this.name);
    this.outputs.out.write(uploadFrame(gpu, frame));
  }
}

/**
 * The contract of {@linkcode GpuDownload}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gpuDownloadContract } from "@streamlib/gpu";
 * assert.ok(gpuDownloadContract.params.buffers.default === 2);
 * ```
 */
export const gpuDownloadContract = {
  type: "gpudownload",
  description: "Copies video frames from GPU memory back to CPU memory (inserted automatically)",
  classification: "Filter/Converter/Video/Transfer",
  inputs: { in: { kind: "video", formats: _FORMATS, capabilities: ["gpu"] } },
  outputs: {
    out: {
      kind: "video",
      formatFrom: "in",
      formats: _FORMATS,
      description: "The same frames in CPU memory, tightly packed",
    },
  },
  params: {
    buffers: {
      type: "integer",
      default: 2,
      minimum: 1,
      maximum: 8,
      description: "Staging buffers: how many readbacks may be on their way at once",
    },
  },
} as const satisfies Contract;

/**
 * Reads each frame back into CPU memory through `buffers` staging buffers (two by default):
 * `process()` copies the frame into the next free one, asks WebGPU to map it (`mapAsync`) and
 * returns at once, and the CPU frame is written on once mapped, in order. So a readback never
 * stalls the next frame's work; only when every staging buffer is still on its way does the
 * actor wait for the oldest. A pipeline inserts one wherever a `gpu` output feeds a `cpu`-only
 * input. End-of-stream goes on after the last frame is out.
 *
 * Cost: a copy of the frame into the staging buffer and one out of it into the new frame, and
 * the latency of a mapping (Deno polls the device about every 10 ms).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GpuDownload } from "@streamlib/gpu";
 * assert.ok(new GpuDownload({ buffers: 3 }).params.buffers === 3);
 * ```
 */
export class GpuDownload extends Actor<typeof gpuDownloadContract> {
  /** Ports and parameters. */
  static override contract: typeof gpuDownloadContract = gpuDownloadContract;
  #gpu: Gpu | undefined;
  #readback: _Readback | undefined;
  /** Settles once the latest frame read back has been written. */
  #last: Promise<void> = Promise.resolve();
  #error: unknown;
  #stopped = false;

  /** Gets the shared GPU and makes the staging ring. */
  override async start(): Promise<void> {
    this.#gpu = await requestGpu();
    this.#readback = new _Readback(this.#gpu, this.params.buffers, this.name);
    this.#last = Promise.resolve();
    this.#error = undefined;
    this.#stopped = false;
  }

  /**
   * Starts reading one frame back; waits first when every staging buffer is busy.
   *
   * @param _tick Unused.
   * @returns Nothing, or a promise while waiting for a staging buffer.
   */
  process(_tick: TimedTick): void | Promise<void> {
    this.#raise();
    if (!this.#readback!.ready) return this.#readback!.whenReady().then(() => this.#take());
    this.#take();
  }

  /** Waits until every frame read back has been written. */
  override async flush(): Promise<void> {
    await this.#last;
    this.#raise();
  }

  /** Lets readbacks under way finish (their frames are no longer written) and frees the ring. */
  override async stop(): Promise<void> {
    this.#stopped = true;
    await this.#readback?.close();
    this.#readback = undefined;
  }

  #take(): void {
    this.#raise();
    const frame = this.inputs.in.read();
    if (frame === undefined) return;
    this.#gpu!.check(this.name);
    if (_stale(frame, this.#gpu!)) return;
    const previous = this.#last;
    this.#last = this.#readback!.read(frame, async (cpu: VideoFrame) => {
      await previous;
      if (!this.#stopped) await this.outputs.out.write(cpu);
    }).catch((error) => {
      this.#error ??= error;
    });
  }

  /** Throws what went wrong with an earlier readback. */
  #raise(): void {
    if (this.#error === undefined) return;
    const error = this.#error;
    this.#error = undefined;
    if (error instanceof StreamlibError) throw error;
    throw new StreamlibError("SL_GPU_ERROR", `Reading a frame back failed: ${error}`, {
      cause: error,
    });
  }
}

registerTransfer({
  type: "gpuupload",
  from: "cpu",
  to: "gpu",
  kinds: ["video"],
  create: () => new GpuUpload(),
});
registerTransfer({
  type: "gpudownload",
  from: "gpu",
  to: "cpu",
  kinds: ["video"],
  create: () => new GpuDownload(),
});
