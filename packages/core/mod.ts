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
 * console.assert(sink.messages.map((m) => m.value).join() === "0,1,4,9");
 * ```
 *
 * @module
 */

export * from "./errors.ts";
export * from "./messages.ts";
export * from "./clock.ts";
export * from "./software_clock.ts";
export * from "./manual_clock.ts";
export * from "./upstream_clock.ts";
export * from "./latest_ring.ts";
export * from "./bounded_queue.ts";
export * from "./shared_ring.ts";
export * from "./shared_queue.ts";
export * from "./shared_pool.ts";
export * from "./worker_pool.ts";
export * from "./policy.ts";
export * from "./params.ts";
export * from "./contract.ts";
export * from "./manifest.ts";
export * from "./caps.ts";
export * from "./input.ts";
export * from "./output.ts";
export * from "./actor.ts";
export * from "./supervision.ts";
export * from "./stats.ts";
export * from "./bus.ts";
export * from "./registry.ts";
export * from "./pipeline.ts";
export * from "./graph_export.ts";
export * from "./pipeline_spec.ts";
export * from "./parse_pipeline.ts";
export * from "./format_pipeline.ts";
export * from "./catalogue.ts";
export * from "./web_streams.ts";
export * from "./delay.ts";
export * from "./deadline.ts";
export * from "./merge.ts";
export * from "./actors/data_source.ts";
export * from "./actors/collect.ts";
export * from "./actors/null_sink.ts";
export * from "./actors/identity.ts";
export * from "./actors/logger.ts";
export * from "./actors/tee.ts";
export * from "./actors/queue.ts";
export * from "./actors/rate_limit.ts";
