import { Actor } from "../graph/actor.ts";
import type { TimedTick } from "../clock/clock.ts";
import type { Contract } from "../graph/spec.ts";

/**
 * The contract of {@linkcode RateLimit}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rateLimitContract } from "@streamlib/core";
 * assert.ok(rateLimitContract.type === "ratelimit");
 * ```
 */
export const rateLimitContract = {
  type: "ratelimit",
  description: "Passes at most `rate` messages a second, judged by their timestamps",
  classification: "Filter/Any",
  inputs: { in: { kind: "any" } },
  outputs: { out: { kind: "any", formatFrom: "in" } },
  params: {
    rate: {
      type: "number",
      default: 10,
      exclusiveMinimum: 0,
      unit: "Hz",
      description: "Messages a second at most",
    },
  },
} as const satisfies Contract;

/**
 * Passes at most `rate` messages a second of stream time: time is cut into slots of 1/rate
 * seconds (from timestamp 0, so it never drifts) and the first message of each slot passes; the
 * rest are dropped and counted in `discarded`. Works the same live and offline, since it looks
 * at timestamps, not at the wall.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Collect, DataSource, Pipeline, RateLimit } from "@streamlib/core";
 * const limit = new RateLimit({ rate: 10 });
 * const sink = new Collect();
 * await new Pipeline({ mode: "offline" })
 *   .pipe(new DataSource({ count: 30, fps: 30 }), limit, sink)
 *   .run();
 * assert.ok(sink.messages.length === 10 && limit.discarded === 20);
 * ```
 */
export class RateLimit extends Actor<typeof rateLimitContract> {
  /** Ports and parameters. */
  static override contract: typeof rateLimitContract = rateLimitContract;
  /** Messages dropped for coming too soon. */
  discarded = 0;
  #lastSlot = -Infinity;

  /** Forgets the last slot. */
  override start(): void {
    this.#lastSlot = -Infinity;
  }

  /**
   * Passes the message if it opens a new slot.
   *
   * @param _tick Unused.
   */
  process(_tick: TimedTick): void {
    const message = this.inputs.in.read();
    if (message === undefined) return;
    const slot = Math.floor(message.timestamp * this.params.rate / 1e6 + 1e-9);
    if (slot > this.#lastSlot) {
      this.#lastSlot = slot;
      this.outputs.out.write(message);
    } else {
      this.discarded++;
    }
  }
}
