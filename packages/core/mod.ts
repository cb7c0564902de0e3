/**
 * `@streamlib/core`: small, composable realtime stream primitives. Actors with named, typed
 * ports are wired into pipelines like Unix pipes; messages (video frames, audio buffers, events,
 * data) pass by reference; every input picks its delivery policy (newest-only ring or bounded
 * queue with backpressure); clocks are injected; end-of-stream, supervision, stats, an
 * `actor://` registry and Web Streams interop are built in. No runtime dependencies, no
 * Deno-only APIs: it runs in Deno, Node and browsers.
 *
 * @example A custom actor between a source and a sink
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   Actor, Collect, type DataMessage, DataSource, defineContract, Pipeline, type TimedTick,
 * } from "@streamlib/core";
 *
 * const contract = defineContract({
 *   type: "square",
 *   inputs: { in: { kind: "data" } },
 *   outputs: { out: { kind: "data" } },
 * });
 * class Square extends Actor<typeof contract> {
 *   static override contract = contract;
 *   process(_tick: TimedTick): void {
 *     const m = this.inputs.in.read();
 *     if (m) this.outputs.out.write({ ...m, value: (m.value as number) ** 2 });
 *   }
 * }
 *
 * const sink = new Collect<DataMessage>();
 * await new Pipeline({ mode: "offline" }).pipe(new DataSource({ count: 4 }), new Square(), sink).run();
 * assert.ok(sink.messages.map((m) => m.value).join() === "0,1,4,9");
 * ```
 *
 * @module
 */

export * from "./errors.ts";
export * from "./messages.ts";
export * from "./create_messages.ts";
export * from "./wasm_kernels.ts";
export * from "./packed_frame_data.ts";
export * from "./clock/clock.ts";
export * from "./clock/software_clock.ts";
export * from "./clock/manual_clock.ts";
export * from "./clock/upstream_clock.ts";
export * from "./delivery/latest_ring.ts";
export * from "./delivery/bounded_queue.ts";
export * from "./threads/shared_ring.ts";
export * from "./threads/shared_queue.ts";
export * from "./threads/shared_pool.ts";
export * from "./threads/worker_pool.ts";
export * from "./threads/worker_permissions.ts";
export * from "./delivery/policy.ts";
export * from "./graph/params.ts";
export * from "./graph/spec.ts";
export * from "./graph/contract.ts";
export * from "./describe/manifest.ts";
export * from "./describe/validate_manifest.ts";
export * from "./describe/satisfies_version.ts";
export * from "./graph/caps.ts";
export * from "./graph/ports.ts";
export * from "./graph/names.ts";
export * from "./graph/actor.ts";
export * from "./runtime/supervision.ts";
export * from "./runtime/stats.ts";
export * from "./runtime/bus.ts";
export * from "./runtime/registry.ts";
export * from "./runtime/remote.ts";
export * from "./runtime/pipeline.ts";
export * from "./runtime/pipeline_types.ts";
export * from "./runtime/transfers.ts";
export * from "./describe/pipeline_spec.ts";
export * from "./describe/parse_pipeline.ts";
export * from "./describe/point_at.ts";
export * from "./describe/format_pipeline.ts";
export * from "./describe/convert_quantity.ts";
export * from "./describe/catalogue.ts";
export * from "./control/control_types.ts";
export * from "./control/pipeline_control.ts";
export * from "./async/delay.ts";
export * from "./async/deadline.ts";
export * from "./async/merge.ts";
export * from "./actors/data_source.ts";
export * from "./actors/collect.ts";
export * from "./actors/null_sink.ts";
export * from "./actors/identity.ts";
export * from "./actors/logger.ts";
export * from "./actors/tee.ts";
export * from "./actors/queue.ts";
export * from "./actors/rate_limit.ts";
