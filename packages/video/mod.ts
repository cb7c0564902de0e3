/**
 * `@streamlib/video`: video actors for streamlib pipelines — test patterns, a compositor,
 * Canvas 2D drawing, filters, pixel-format conversion, ffmpeg file reading and writing, and PNG
 * snapshots. Every actor type is listed in the package's `manifest.json`, so the catalogue and
 * the `streamlib` command line can describe them without importing this code.
 *
 * @example Colour bars through a blur, written to an MP4 (ffmpeg is found or downloaded)
 * ```ts ignore
 * import { Pipeline } from "@streamlib/core";
 * import { Blur, FileWriter, TestPattern } from "@streamlib/video";
 *
 * await new Pipeline({ mode: "offline" })
 *   .pipe(
 *     new TestPattern({ pattern: "smpte", width: 640, height: 360, frames: 90 }),
 *     new Blur({ sigma: 2 }),
 *     new FileWriter({ location: "bars.mp4" }),
 *   )
 *   .run();
 * ```
 *
 * @example
 * ```ts
 * import { parseColor } from "@streamlib/video";
 * console.assert(parseColor("#000").join() === "0,0,0,255");
 * ```
 *
 * @module
 */

export * from "./color.ts";
export * from "./convert.ts";
export * from "./test_pattern.ts";
export * from "./compositor.ts";
export * from "./draw.ts";
export * from "./draw_context.ts";
export * from "./blur.ts";
export * from "./scale.ts";
export * from "./crop.ts";
export * from "./flip.ts";
export * from "./balance.ts";
export * from "./png.ts";
export * from "./snapshot.ts";
export * from "./ffmpeg.ts";
export * from "./ffmpeg_process.ts";
export { type MediaInfo, probeMedia } from "./probe.ts";
export * from "./file_reader.ts";
export { FileWriter, fileWriterContract } from "./file_writer.ts";
