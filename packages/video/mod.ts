/**
 * `@streamlib/video`: video actors for streamlib pipelines — test patterns, a compositor,
 * Canvas 2D drawing, filters, pixel-format conversion and PNG snapshots. Every actor type is
 * listed in the package's `manifest.json`, so the catalogue and the `streamlib` command line can
 * describe them without importing this code. Reading and writing video files (`filesrc`,
 * `filesink`) is in `@streamlib/ffmpeg`.
 *
 * @example Colour bars through a blur, one frame saved as a PNG
 * ```ts
 * import assert from "node:assert/strict";
 * import { Pipeline } from "@streamlib/core";
 * import { Blur, Snapshot, TestPattern } from "@streamlib/video";
 *
 * const dir = await Deno.makeTempDir();
 * await new Pipeline({ mode: "offline" })
 *   .pipe(
 *     new TestPattern({ pattern: "smpte", width: 640, height: 360, frames: 3 }),
 *     new Blur({ sigma: 2 }),
 *     new Snapshot({ location: `${dir}/bars.png` }),
 *   )
 *   .run();
 * assert.ok((await Deno.stat(`${dir}/bars.png`)).size > 0);
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseColor } from "@streamlib/video";
 * assert.ok(parseColor("#000").join() === "0,0,0,255");
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
