import { Actor } from "../graph/actor.ts";
import type { TimedTick } from "../clock/clock.ts";
import type { Contract } from "../graph/spec.ts";

/**
 * The contract of {@linkcode Identity}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { identityContract } from "@streamlib/core";
 * assert.ok(identityContract.type === "identity");
 * ```
 */
export const identityContract = {
  type: "identity",
  description: "Passes every message through unchanged (GStreamer's identity)",
  classification: "Filter/Any",
  inputs: { in: { kind: "any" } },
  outputs: { out: { kind: "any", formatFrom: "in" } },
} as const satisfies Contract;

/**
 * Passes messages through unchanged, by reference: a placeholder in a graph, a point to
 * watch stats at, or a queue when its input gets a queue policy.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Collect, DataSource, Identity, Pipeline } from "@streamlib/core";
 * const sink = new Collect();
 * await new Pipeline({ mode: "offline" })
 *   .pipe(new DataSource({ count: 3 }), new Identity(), sink)
 *   .run();
 * assert.ok(sink.messages.length === 3);
 * ```
 */
export class Identity extends Actor<typeof identityContract> {
  /** Ports. */
  static override contract: typeof identityContract = identityContract;

  /**
   * Forwards one message.
   *
   * @param _tick Unused.
   */
  process(_tick: TimedTick): void {
    const message = this.inputs.in.read();
    // One write per call: when it has to wait, the runtime holds this actor back until it lands.
    if (message !== undefined) this.outputs.out.write(message);
  }
}
