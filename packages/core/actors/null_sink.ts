import { Actor } from "../graph/actor.ts";
import type { TimedTick } from "../clock/clock.ts";
import type { Contract } from "../graph/spec.ts";

/**
 * The contract of {@linkcode NullSink}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nullSinkContract } from "@streamlib/core";
 * assert.ok(nullSinkContract.type === "nullsink");
 * ```
 */
export const nullSinkContract = {
  type: "nullsink",
  description: "Reads and discards every message (GStreamer's fakesink)",
  classification: "Sink/Any",
  inputs: { in: { kind: "any", description: "Messages to discard" } },
} as const satisfies Contract;

/**
 * A sink that reads and discards everything; its `received` count and the pipeline stats say
 * how much went by.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DataSource, NullSink, Pipeline } from "@streamlib/core";
 * const sink = new NullSink();
 * await new Pipeline({ mode: "offline" }).pipe(new DataSource({ count: 100 }), sink).run();
 * assert.ok(sink.received === 100);
 * ```
 */
export class NullSink extends Actor<typeof nullSinkContract> {
  /** Ports. */
  static override contract: typeof nullSinkContract = nullSinkContract;
  /** Messages discarded. */
  received = 0;

  /**
   * Discards every waiting message.
   *
   * @param _tick Unused.
   */
  process(_tick: TimedTick): void {
    while (this.inputs.in.read() !== undefined) this.received++;
  }
}
