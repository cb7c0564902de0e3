/**
 * Test helpers of the GPU package: whether this machine has a WebGPU adapter, a wrapper that
 * skips (or, under `STREAMLIB_REQUIRE_ALL=1`, fails) GPU tests without one, random frames and
 * their comparison. Not published.
 *
 * @module
 */

import {
  Actor,
  type Contract,
  createVideoFrame,
  type TimedTick,
  type VideoFrame,
  type VideoPixelFormat,
} from "@streamlib/core";
import { needs } from "../../tests/_needs.ts";
import { type Gpu, requestGpu } from "./device.ts";

/** The shared GPU, or `undefined` when this machine has no adapter. */
export const gpu: Gpu | undefined = await requestGpu().catch(() => undefined);

/** A test that needs a WebGPU adapter: skipped without one, failing under REQUIRE_ALL. */
export function gpuTest(name: string, fn: (gpu: Gpu) => Promise<void> | void): void {
  Deno.test(
    needs(
      "a WebGPU adapter",
      gpu !== undefined,
      "apt-get install mesa-vulkan-drivers libvulkan1 (Mesa's software Vulkan driver)",
    )({ name, fn: () => fn(gpu!), sanitizeResources: false, sanitizeOps: false }),
  );
}

/** A seeded generator of 32-bit values (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** A frame of random bytes (all of them: alpha too), with timing of frame `n` at 25 fps. */
export function randomFrame(
  format: VideoPixelFormat,
  width: number,
  height: number,
  seed: number,
): VideoFrame {
  const frame = createVideoFrame({
    format,
    codedWidth: width,
    codedHeight: height,
    timestamp: seed * 40_000,
    duration: 40_000,
    position: seed,
    clockId: "test",
  });
  const next = random(seed);
  for (let i = 0; i < frame.data.length; i++) frame.data[i] = next() & 255;
  return frame;
}

/**
 * The largest difference between two frames' bytes, and where (index, both values); only where
 * `include(i)` says so when given.
 */
export function maxDiff(
  a: VideoFrame,
  b: VideoFrame,
  include?: (i: number) => boolean,
): { max: number; at: number; a: number; b: number; count: number } {
  if (a.data.length !== b.data.length) {
    throw new Error(`sizes differ: ${a.data.length} and ${b.data.length}`);
  }
  let max = 0;
  let at = -1;
  let count = 0;
  for (let i = 0; i < a.data.length; i++) {
    if (include !== undefined && !include(i)) continue;
    const d = Math.abs(a.data[i]! - b.data[i]!);
    if (d !== 0) count++;
    if (d > max) {
      max = d;
      at = i;
    }
  }
  return { max, at, a: a.data[at] ?? 0, b: b.data[at] ?? 0, count };
}

const replayContract = {
  type: "replay",
  outputs: { out: { kind: "video", formats: ["RGBA", "BGRA", "I420", "NV12"] } },
} as const satisfies Contract;

/** Sends the given CPU frames, one a tick, then ends. */
export class Replay extends Actor<typeof replayContract> {
  static override contract = replayContract;
  readonly frames: readonly VideoFrame[];
  constructor(frames: readonly VideoFrame[]) {
    super();
    this.frames = frames;
  }
  process(tick: TimedTick): void {
    const frame = this.frames[tick.frameNumber];
    if (frame !== undefined) this.outputs.out.write(frame);
    if (tick.frameNumber + 1 >= this.frames.length) this.end();
  }
}

/**
 * `count` random frames of one format and size at 25 fps from 0, seeds from `seed`, alpha set by
 * `alpha`.
 */
export function randomFrames(
  format: VideoPixelFormat,
  width: number,
  height: number,
  count: number,
  seed: number,
  alpha?: (value: number) => number,
): VideoFrame[] {
  return Array.from({ length: count }, (_, n) => {
    const random = randomFrame(format, width, height, seed + n);
    const frame = { ...random, timestamp: n * 40_000, position: n };
    if (alpha !== undefined) {
      for (let i = 3; i < frame.data.length; i += 4) frame.data[i] = alpha(frame.data[i]!);
    }
    return frame;
  });
}
