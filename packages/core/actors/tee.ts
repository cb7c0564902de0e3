import { Actor } from "../graph/actor.ts";
import type { TimedTick } from "../clock/clock.ts";
import type { Contract } from "../graph/spec.ts";

/**
 * The contract of {@linkcode Tee}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { teeContract } from "@streamlib/core";
 * assert.ok(teeContract.type === "tee");
 * ```
 */
export const teeContract = {
  type: "tee",
  description: "Sends every message to every actor linked to its output (GStreamer's tee)",
  classification: "Filter/Any",
  inputs: { in: { kind: "any" } },
  outputs: {
    out: { kind: "any", formatFrom: "in", description: "Link it to as many actors as you like" },
  },
} as const satisfies Contract;

/**
 * Fan-out, spelled out: every actor linked to `out` gets every message, by reference. Any
 * output can feed several inputs already; `tee` names the branching point in a pipeline text:
 * `testsrc ! tee name=t ! display  t. ! filesink path=out.mp4`. Each branch keeps its own
 * delivery policy, so a slow branch with a `latest` input never holds the others back.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Collect, DataSource, Pipeline, Tee } from "@streamlib/core";
 * const pipeline = new Pipeline({ mode: "offline" });
 * const tee = pipeline.add(new Tee());
 * const a = pipeline.add(new Collect());
 * const b = pipeline.add(new Collect());
 * pipeline.pipe(new DataSource({ count: 3 }), tee, a);
 * pipeline.pipe(tee, b);
 * await pipeline.run();
 * assert.ok(a.messages.length === 3 && b.messages.length === 3);
 * ```
 */
export class Tee extends Actor<typeof teeContract> {
  /** Ports. */
  static override contract: typeof teeContract = teeContract;

  /**
   * Forwards one message to every link.
   *
   * @param _tick Unused.
   */
  process(_tick: TimedTick): void {
    const message = this.inputs.in.read();
    if (message !== undefined) this.outputs.out.write(message);
  }
}
