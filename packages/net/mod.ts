/**
 * `@streamlib/net`: streamlib's network actors. Deno has no windows of its own, so the browser
 * is streamlib's display: `display` serves a page that shows its input live (H.264 decoded with
 * WebCodecs, or JPEG), plays its audio through WebAudio and sends keyboard and mouse back into
 * the pipeline in video pixels; `hlssink` serves live HLS (H.264 + AAC through ffmpeg's HLS
 * muxer) with an hls.js player page. Both serve with hono on `Deno.serve`, bind 127.0.0.1 by
 * default and require an access token anywhere else. `serveFolder` is the file handler behind
 * the HLS sink, safe against path traversal. Every actor type is listed in the package's
 * `manifest.json`. `serveControl` makes a running pipeline a node reachable from outside (its
 * control API on a private Unix socket), and `ControlClient` talks to one; they are also at
 * `@streamlib/net/control`.
 *
 * @example Watch test bars in the browser, and read the keys pressed there
 * ```ts
 * import assert from "node:assert/strict";
 * import { Collect, type KeyEvent, Pipeline } from "@streamlib/core";
 * import { TestPattern } from "@streamlib/video";
 * import { Display } from "@streamlib/net";
 *
 * const pipeline = new Pipeline({ mode: "offline" });
 * const display = pipeline.add(new Display({ port: 0 }));
 * const keys = pipeline.add(new Collect<KeyEvent>());
 * pipeline.link(pipeline.add(new TestPattern({ pattern: "smpte", frames: 3 })), display);
 * pipeline.connect(display.outputs.keyboard, keys.inputs.in);
 * await pipeline.run(); // open display.url while it runs to watch
 * assert.ok(display.stats.encoded === 0); // nobody watched, so nothing was encoded
 * ```
 *
 * @module
 */

export * from "./display.ts";
export * from "./hls_sink.ts";
export * from "./serve_folder.ts";
export * from "./access_token.ts";
export * from "./control/serve_control.ts";
export * from "./control/control_client.ts";
export * from "./control/control_wire.ts";
export * from "./control/node_entry.ts";
export * from "./control/reserve_node.ts";
export * from "./link/mod.ts";
