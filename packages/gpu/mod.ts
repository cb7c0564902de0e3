/**
 * `@streamlib/gpu`: WebGPU for streamlib pipelines, on Deno's built-in `navigator.gpu`. Video
 * frames live in GPU memory (pooled textures and storage buffers) on ports with the `gpu`
 * capability and stay there from one GPU actor to the next. Where a `cpu` port meets a `gpu`
 * one, the pipeline inserts `gpuupload` or `gpudownload` by itself, named and shown in
 * `toJSON()`, `stats()` and `toDot()`. Compute actors: `gpublur`, `gpucompositor`,
 * `gpuconvert`, `gpuscale`; and `shader`, which turns one WGSL function into an actor. Without
 * a GPU, Mesa's software Vulkan driver (`apt-get install mesa-vulkan-drivers libvulkan1`) runs
 * all of it on the CPU; without any adapter, GPU actors fail to start with
 * `SL_GPU_UNAVAILABLE`.
 *
 * @example Blur test bars on the GPU: the upload and the download are inserted
 * ```ts
 * import assert from "node:assert/strict";
 * import { Collect, Pipeline, type VideoFrame } from "@streamlib/core";
 * import { TestPattern } from "@streamlib/video";
 * import { GpuBlur, requestGpu } from "@streamlib/gpu";
 *
 * if (await requestGpu().then(() => true, () => false)) {
 *   const pipeline = new Pipeline({ mode: "offline" });
 *   const sink = pipeline.add(new Collect<VideoFrame>());
 *   pipeline.pipe(
 *     new TestPattern({ width: 64, height: 48, format: "RGBA", frames: 2 }),
 *     new GpuBlur({ sigma: 4 }),
 *     sink,
 *   );
 *   await pipeline.run();
 *   assert.ok(sink.messages.length === 2 && sink.messages[0]!.data.length === 64 * 48 * 4);
 *   assert.ok(pipeline.toJSON().actors.filter((a) => a.inserted).length === 2);
 * }
 * ```
 *
 * @module
 */

export * from "./device.ts";
export * from "./gpu_frame.ts";
export * from "./transfer_frames.ts";
export * from "./transfers.ts";
export * from "./blur.ts";
export * from "./compositor.ts";
export * from "./convert.ts";
export * from "./scale.ts";
export * from "./shader.ts";
