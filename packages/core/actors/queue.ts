import { Actor } from "../graph/actor.ts";
import type { TimedTick } from "../clock/clock.ts";
import type { Contract } from "../graph/spec.ts";
import type { DeliveryPolicy } from "../delivery/policy.ts";

/**
 * The contract of {@linkcode Queue}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { queueContract } from "@streamlib/core";
 * assert.ok(queueContract.params.capacity.default === 8);
 * ```
 */
export const queueContract = {
  type: "queue",
  description: "Buffers messages between two actors; leaky like GStreamer's queue when asked",
  classification: "Filter/Any",
  inputs: { in: { kind: "any" } },
  outputs: { out: { kind: "any", formatFrom: "in" } },
  params: {
    capacity: { type: "integer", default: 8, minimum: 1, description: "Messages it holds" },
    leaky: {
      type: "string",
      enum: ["no", "upstream", "downstream"],
      default: "no",
      description:
        "When full: no = hold the writer back; upstream = drop the new message; downstream = drop the oldest",
    },
  },
} as const satisfies Contract;

/**
 * A buffer between two actors, named as in GStreamer: `leaky=no` holds the upstream back when
 * full (lossless), `leaky=upstream` drops incoming messages, `leaky=downstream` drops the
 * oldest. Equivalent to giving the next actor's input a `queue:<capacity>:<full>` policy, as a
 * step of its own in a pipeline text: `camera ! queue capacity=30 leaky=downstream ! encoder`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Collect, DataSource, Pipeline, Queue } from "@streamlib/core";
 * const pipeline = new Pipeline({ mode: "offline" });
 * const queue = new Queue({ capacity: 2 });
 * const sink = new Collect();
 * pipeline.pipe(new DataSource({ count: 5 }), queue, sink);
 * await pipeline.run();
 * assert.ok(queue.inputs.in.policy === "queue:2:block" && sink.messages.length === 5);
 * ```
 */
export class Queue extends Actor<typeof queueContract> {
  /** Ports and parameters. */
  static override contract: typeof queueContract = queueContract;

  /**
   * The input's policy, from `capacity` and `leaky`.
   *
   * @returns A queue policy.
   */
  override inputPolicy(): DeliveryPolicy {
    const full = { no: "block", upstream: "drop-newest", downstream: "drop-oldest" } as const;
    return { type: "queue", capacity: this.params.capacity, full: full[this.params.leaky] };
  }

  /**
   * Forwards one message.
   *
   * @param _tick Unused.
   */
  process(_tick: TimedTick): void {
    const message = this.inputs.in.read();
    if (message !== undefined) this.outputs.out.write(message);
  }
}
