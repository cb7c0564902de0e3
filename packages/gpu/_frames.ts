/**
 * Small helpers on frames shared by the GPU actors. Internal.
 *
 * @module
 */

import type { GpuVideoFrame, Timing } from "@streamlib/core";
import type { Gpu } from "./device.ts";
import { GpuMemory } from "./gpu_frame.ts";

/** The timing fields of a frame, to copy onto a frame made from it. */
export function _timing(frame: Timing): Timing {
  return {
    timestamp: frame.timestamp,
    duration: frame.duration,
    position: frame.position,
    clockId: frame.clockId,
  };
}

/**
 * Whether a GPU frame lies on a device that has been lost (and replaced since): nothing can read
 * it any more, so a restarted actor drops such frames, still queued from before the loss,
 * instead of failing on each.
 */
export function _stale(frame: GpuVideoFrame, gpu: Gpu): boolean {
  const memory = frame.gpu;
  return memory instanceof GpuMemory && memory.gpu !== gpu && memory.gpu.lost;
}
