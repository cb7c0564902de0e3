/**
 * `@streamlib/net/control`: reach a running pipeline from outside. {@linkcode serveControl}
 * makes a pipeline a *node*: its control API (graph, stats, events, tap, set, patch, connect,
 * disconnect, remove, stop — `PipelineControl` from `@streamlib/core`) over HTTP and JSON, on a
 * Unix socket only its user can open, with a registry entry so that it is found by name;
 * optionally on TCP, with a token off loopback. {@linkcode ControlClient} has one method per
 * operation; {@linkcode listNodes} lists the nodes running. This entry point loads only the
 * control code, for clients and agents; `@streamlib/net` exports the same.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Catalogue } from "@streamlib/core";
 * import { ControlClient, listNodes, serveControl } from "@streamlib/net/control";
 *
 * const dir = await Deno.makeTempDir();
 * const pipeline = await Catalogue.withCore().build("datasrc ! nullsink");
 * await pipeline.start();
 * await using _node = await serveControl(pipeline, { dir, name: "tiny", exitOnSignal: false });
 * assert.deepEqual((await listNodes({ dir })).map((n) => n.name), ["tiny"]);
 * await using client = await ControlClient.connect("tiny", { dir });
 * assert.ok((await client.info()).state === "running");
 * await client.stop({ mode: "abort" });
 * ```
 *
 * @module
 */

export * from "./serve_control.ts";
export * from "./control_client.ts";
export * from "./control_wire.ts";
export * from "./node_entry.ts";
export * from "./reserve_node.ts";
export * from "../access_token.ts";
