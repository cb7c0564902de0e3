import { Actor } from "../graph/actor.ts";
import type { TimedTick } from "../clock/clock.ts";
import type { Contract } from "../graph/spec.ts";
import { createDataMessage } from "../create_messages.ts";

/**
 * The contract of {@linkcode DataSource}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dataSourceContract } from "@streamlib/core";
 * assert.ok(dataSourceContract.type === "datasrc");
 * ```
 */
export const dataSourceContract = {
  type: "datasrc",
  description: "Generates data messages on each tick: a counter, a sine wave or seeded noise",
  classification: "Source/Data",
  outputs: { out: { kind: "data", formats: ["number"], description: "One number per tick" } },
  params: {
    count: {
      type: "integer",
      default: 0,
      minimum: 0,
      description: "Messages to send before end-of-stream; 0 for endless",
    },
    fps: {
      type: "number",
      default: 30,
      exclusiveMinimum: 0,
      unit: "Hz",
      description: "Ticks a second",
    },
    pattern: {
      type: "string",
      enum: ["counter", "sine", "random"],
      default: "counter",
      description: "counter: 0, 1, 2…; sine: sin(2π·frequency·t); random: uniform in [0, 1)",
    },
    frequency: { type: "number", default: 1, unit: "Hz", description: "Frequency of the sine" },
    seed: { type: "integer", default: 1, description: "Seed of the random pattern" },
    topic: { type: "string", default: "", description: "Topic of the messages" },
  },
} as const satisfies Contract;

/**
 * A source of data messages, one per tick: a counter, a sine of the tick's timestamp, or
 * reproducible noise. Ends after `count` messages (0: never).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Collect, DataSource, Pipeline } from "@streamlib/core";
 * const sink = new Collect();
 * await new Pipeline({ mode: "offline" })
 *   .pipe(new DataSource({ count: 4, fps: 2 }), sink)
 *   .run();
 * assert.ok(sink.messages.map((m) => m.timestamp).join() === "0,500000,1000000,1500000");
 * ```
 */
export class DataSource extends Actor<typeof dataSourceContract> {
  /** Ports and parameters. */
  static override contract: typeof dataSourceContract = dataSourceContract;
  #state = 1;

  /**
   * Messages sent, of `count` (unknown when endless).
   *
   * @returns Progress.
   */
  override progress(): { done: number; total: number | undefined } {
    return { done: this.outputs.out.written, total: this.params.count || undefined };
  }

  /** Resets the random generator to `seed`. */
  override start(): void {
    this.#state = this.params.seed >>> 0;
  }

  /**
   * Writes one message for `tick`, or ends after `count`.
   *
   * @param tick The tick.
   */
  process(tick: TimedTick): void {
    const { count, pattern, frequency, topic } = this.params;
    // `count` counts messages sent: a live source that fell behind skips ticks, not messages.
    const out = this.outputs.out;
    if (count !== 0 && out.written >= count) {
      this.end();
      return;
    }
    const value = pattern === "counter"
      ? tick.frameNumber
      : pattern === "sine"
      ? Math.sin(2 * Math.PI * frequency * tick.timestamp / 1e6)
      : this.#random();
    this.outputs.out.write(createDataMessage(value, {
      topic,
      timestamp: tick.timestamp,
      duration: tick.duration,
      position: tick.frameNumber,
      clockId: tick.clockId,
    }));
    if (count !== 0 && out.written >= count) this.end();
  }

  /** mulberry32: small, fast and reproducible. */
  #random(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
