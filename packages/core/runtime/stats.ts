/**
 * Numbers about one input port.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { InputStats } from "@streamlib/core";
 * const s: InputStats = { policy: "latest", depth: 0, capacity: 1, received: 10, dropped: 7, links: 1 };
 * assert.ok(s.received - s.dropped === 3);
 * ```
 */
export interface InputStats {
  /** Delivery policy, e.g. `latest` or `queue:8:block`. */
  readonly policy: string;
  /** Messages waiting now, never more than `capacity`. */
  readonly depth: number;
  /**
   * Messages that can wait here at most: `N` for `queue:N`; 1 for `latest`, whose three slots
   * hold the one message waiting, the one the reader took last and the one being written.
   */
  readonly capacity: number;
  /** Messages that entered the buffer. */
  readonly received: number;
  /** Messages discarded (overwritten, leaked, or left when the actor ended). */
  readonly dropped: number;
  /** Connected outputs. */
  readonly links: number;
}

/**
 * Numbers about one output port.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { OutputStats } from "@streamlib/core";
 * const s: OutputStats = { written: 5, links: 2, waiting: 0 };
 * assert.ok(s.links === 2);
 * ```
 */
export interface OutputStats {
  /** Messages written. */
  readonly written: number;
  /** Connected inputs. */
  readonly links: number;
  /** Inputs still to take the last message (backpressure). */
  readonly waiting: number;
}

/**
 * Numbers about one actor.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ActorStats } from "@streamlib/core";
 * function busy(s: ActorStats): boolean {
 *   return s.processingTimeUs.p99 > 10_000;
 * }
 * assert.ok(typeof busy === "function");
 * ```
 */
export interface ActorStats {
  /** `actor://` address. */
  readonly address: string;
  /** Name in the pipeline. */
  readonly name: string;
  /** Contract type. */
  readonly type: string;
  /** Lifecycle state. */
  readonly state: "idle" | "starting" | "running" | "blocked" | "restarting" | "finished";
  /** Completed `process` calls. */
  readonly processed: number;
  /** Messages lost at this actor: input drops plus messages skipped after errors. */
  readonly dropped: number;
  /** Errors thrown by the actor. */
  readonly errors: number;
  /** Process calls whose messages were dropped by the `skip` policy. */
  readonly skipped: number;
  /** Restarts by the `restart` policy. */
  readonly restarts: number;
  /** Ticks delivered late (`late: "flag"`). */
  readonly lateTicks: number;
  /** Ticks skipped because they were late (`late: "skip"`). */
  readonly skippedTicks: number;
  /** Processing time of sampled `process` calls, in µs. */
  readonly processingTimeUs: {
    readonly p50: number;
    readonly p99: number;
    readonly samples: number;
  };
  /** Per input port. */
  readonly inputs: Readonly<Record<string, InputStats>>;
  /** Per output port. */
  readonly outputs: Readonly<Record<string, OutputStats>>;
  /** What the actor reports of its progress (`Actor.progress()`), when it does. */
  readonly progress?: { readonly done: number; readonly total: number | undefined };
  /**
   * For an actor added with a Worker `dispatch`: the number of the Worker it runs in (absent
   * while it has none, between a Worker's death and the restart). `processingTimeUs` of such
   * an actor includes the hop to the Worker and back.
   */
  readonly worker?: number;
}

/**
 * A snapshot of a whole pipeline.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PipelineStats } from "@streamlib/core";
 * function drops(s: PipelineStats): number {
 *   return s.actors.reduce((n, a) => n + a.dropped, 0);
 * }
 * assert.ok(typeof drops === "function");
 * ```
 */
export interface PipelineStats {
  /** Pipeline state. */
  readonly state: string;
  /** `live` or `offline`. */
  readonly mode: "live" | "offline";
  /** Running time in µs when the snapshot was taken. */
  readonly runningTime: number;
  /** Per actor, in the order they were added. */
  readonly actors: readonly ActorStats[];
}
