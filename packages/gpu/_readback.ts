/**
 * Reading GPU frames back into CPU memory through a ring of staging buffers: each read copies the
 * frame into the next staging buffer, asks WebGPU to map it (`mapAsync`) and returns at once, so
 * the next frame's work is submitted while the previous one is still on its way back. A slot
 * stays busy until what the caller does with the frame is done, which bounds the frames in
 * flight by the number of slots. Internal: `gpudownload` and `downloadFrame` use it.
 *
 * @module
 */

import {
  createVideoFrame,
  type GpuVideoFrame,
  StreamlibError,
  type VideoFrame,
} from "@streamlib/core";
import type { Gpu } from "./device.ts";
import { frameMemory, gpuBufferBytes } from "./gpu_frame.ts";

/** A texture copied to a buffer needs rows that are a multiple of this many bytes. */
const _ROW_ALIGN = 256;

interface _Slot {
  buffer: GPUBuffer | undefined;
  /** Set while a read through this slot is under way (until its `deliver` is done). */
  busy: Promise<void> | undefined;
}

/** @internal */
export class _Readback {
  readonly #gpu: Gpu;
  readonly #slots: _Slot[];
  readonly #who: string;
  #next = 0;

  constructor(gpu: Gpu, count: number, who: string) {
    this.#gpu = gpu;
    this.#who = who;
    this.#slots = Array.from({ length: count }, () => ({ buffer: undefined, busy: undefined }));
  }

  /** Whether the next read can start now. */
  get ready(): boolean {
    return this.#slots[this.#next]!.busy === undefined;
  }

  /** Settles when the next read can start. */
  async whenReady(): Promise<void> {
    await this.#slots[this.#next]!.busy?.catch(() => {});
  }

  /**
   * Copies `frame` into the next staging buffer and starts mapping it; once mapped, the bytes
   * become a new tightly packed CPU frame with the same format, size, timing and colour space,
   * handed to `deliver`. Needs {@linkcode _Readback.ready}.
   *
   * @returns Settles when `deliver` has settled; rejects with a coded error.
   */
  read(
    frame: GpuVideoFrame,
    deliver: (frame: VideoFrame) => void | Promise<void>,
  ): Promise<void> {
    const slot = this.#slots[this.#next]!;
    if (slot.busy !== undefined) throw new StreamlibError("SL_STATE", "No free staging buffer");
    this.#next = (this.#next + 1) % this.#slots.length;
    const gpu = this.#gpu;
    const memory = frameMemory(frame, gpu);
    const { codedWidth: width, codedHeight: height } = frame;
    const rowBytes = width * 4;
    const texture = memory.texture;
    const stride = texture ? Math.ceil(rowBytes / _ROW_ALIGN) * _ROW_ALIGN : 0;
    const size = texture ? stride * height : gpuBufferBytes(frame.format, width, height);
    if (slot.buffer === undefined || slot.buffer.size < size) {
      slot.buffer?.destroy();
      slot.buffer = gpu.device.createBuffer({
        label: "readback",
        size,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      });
    }
    const staging = slot.buffer;
    const encoder = gpu.device.createCommandEncoder({ label: "readback" });
    if (texture) {
      encoder.copyTextureToBuffer(
        { texture },
        { buffer: staging, bytesPerRow: stride, rowsPerImage: height },
        [width, height],
      );
    } else {
      encoder.copyBufferToBuffer(memory.buffer!, 0, staging, 0, size);
    }
    gpu.device.queue.submit([encoder.finish()]);
    const run = async (): Promise<void> => {
      let out: VideoFrame;
      try {
        await staging.mapAsync(GPUMapMode.READ, 0, size);
        out = createVideoFrame({
          format: frame.format,
          codedWidth: width,
          codedHeight: height,
          timestamp: frame.timestamp,
          duration: frame.duration,
          position: frame.position,
          clockId: frame.clockId,
          ...(frame.colorSpace === undefined ? {} : { colorSpace: frame.colorSpace }),
        });
        const mapped = new Uint8Array(staging.getMappedRange(0, size));
        if (!texture || stride === rowBytes) {
          out.data.set(mapped.subarray(0, out.data.length));
        } else {
          for (let y = 0; y < height; y++) {
            out.data.set(mapped.subarray(y * stride, y * stride + rowBytes), y * rowBytes);
          }
        }
        staging.unmap();
      } catch (error) {
        // Most often the device was lost: wait a moment for WebGPU to say so.
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          gpu.whenLost,
          new Promise((resolve) => timer = setTimeout(resolve, 200)),
        ]);
        clearTimeout(timer);
        gpu.check(this.#who);
        throw new StreamlibError(
          "SL_GPU_ERROR",
          `Reading a ${frame.format} ${width}×${height} frame back from the GPU failed: ${
            (error as Error).message
          }`,
          { cause: error },
        );
      }
      await deliver(out);
    };
    const busy = run();
    slot.busy = busy.then(
      () => void (slot.busy = undefined),
      () => void (slot.busy = undefined),
    );
    return busy;
  }

  /** Waits for reads under way, then destroys the staging buffers. */
  async close(): Promise<void> {
    await Promise.all(this.#slots.map((slot) => slot.busy?.catch(() => {})));
    for (const slot of this.#slots) {
      slot.buffer?.destroy();
      slot.buffer = undefined;
    }
  }
}
