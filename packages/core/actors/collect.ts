import { Actor } from "../graph/actor.ts";
import type { TimedTick } from "../clock/clock.ts";
import type { Contract } from "../graph/spec.ts";
import type { Message } from "../messages.ts";

/**
 * The contract of {@linkcode Collect}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { collectContract } from "@streamlib/core";
 * assert.ok(collectContract.inputs.in.kind === "any");
 * ```
 */
export const collectContract = {
  type: "collect",
  description: "Keeps every message it receives in memory, for tests and scripts",
  classification: "Sink/Any",
  inputs: { in: { kind: "any", description: "Messages to keep" } },
  params: {
    limit: {
      type: "integer",
      default: 0,
      minimum: 0,
      description: "Keep only the newest this many messages; 0 keeps all",
    },
  },
} as const satisfies Contract;

/**
 * A sink that keeps the messages it receives, in arrival order, in `messages`, and resolves
 * `ended` at end-of-stream. Made for tests and scripts that want a pipeline's output as data.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Collect, DataSource, Pipeline } from "@streamlib/core";
 * const sink = new Collect();
 * const pipeline = new Pipeline({ mode: "offline" }).pipe(new DataSource({ count: 2 }), sink);
 * await pipeline.start();
 * const messages = await sink.ended;
 * assert.ok(messages.length === 2);
 * ```
 *
 * @typeParam T The message type kept.
 */
export class Collect<T extends Message = Message> extends Actor<typeof collectContract> {
  /** Ports and parameters. */
  static override contract: typeof collectContract = collectContract;
  /** The messages received so far. */
  readonly messages: T[] = [];
  /** Resolves with `messages` when the actor stops: at end-of-stream, or when the pipeline stops. */
  readonly ended: Promise<T[]>;
  #resolve!: (messages: T[]) => void;

  /**
   * Creates the sink.
   *
   * @param params `limit`: how many of the newest messages to keep (0: all).
   */
  constructor(params: { limit?: number } = {}) {
    super(params);
    this.ended = new Promise((resolve) => this.#resolve = resolve);
  }

  /**
   * Keeps every waiting message.
   *
   * @param _tick Unused.
   */
  process(_tick: TimedTick): void {
    const limit = this.params.limit;
    for (let m = this.inputs.in.read(); m !== undefined; m = this.inputs.in.read()) {
      this.messages.push(m as T);
      if (limit !== 0 && this.messages.length > limit) this.messages.shift();
    }
  }

  /** Resolves `ended`. */
  override stop(): void {
    this.#resolve(this.messages);
  }
}
