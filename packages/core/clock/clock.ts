import type { Timing } from "../messages.ts";

/**
 * A source of time in **microseconds**. Actors never read `Date.now()` or `performance.now()`;
 * they get a clock from their pipeline, so tests can swap in a {@linkcode ManualClock}.
 *
 * @example A clock that is always at 42 µs
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Clock } from "@streamlib/core";
 * const fixed: Clock = {
 *   id: "fixed",
 *   now: () => 42,
 *   sleepUntil: () => Promise.resolve(),
 * };
 * assert.ok(fixed.now() === 42);
 * ```
 */
export interface Clock {
  /** Identifies the clock; messages stamped by it carry this id. */
  readonly id: string;
  /** The current time in µs. Monotonic: never goes backwards. */
  now(): number;
  /**
   * Resolves once `now() >= time`; rejects with the signal's reason when `signal` aborts first.
   */
  sleepUntil(time: number, signal?: AbortSignal): Promise<void>;
}

/**
 * What a source actor's `process(tick)` receives on each tick, as in the seed design.
 *
 * `timestamp` is running time: tick `n` of a `fps` stream is at `round(n × 10⁶ / fps)` µs, in
 * live and offline runs alike, so timestamps never accumulate error. `late` is set when the tick
 * is delivered a whole period or more after it was due (see the `late` option of `Pipeline.add`).
 *
 * Actors that run on input receive a tick too: its `timestamp` is the pipeline's current running
 * time and its `frameNumber` counts the actor's `process` calls.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { TimedTick } from "@streamlib/core";
 * const tick: TimedTick = {
 *   timestamp: 1_000_000, duration: 33_333, frameNumber: 30, clockId: "sw", fps: 30, late: false,
 * };
 * assert.ok(tick.frameNumber / tick.fps === 1);
 * ```
 */
export interface TimedTick {
  /** Running time of the tick in µs. */
  readonly timestamp: number;
  /** Time until the next tick in µs (0 for input-driven actors). */
  readonly duration: number;
  /** Tick number, from 0. */
  readonly frameNumber: number;
  /** Id of the clock driving the ticks. */
  readonly clockId: string;
  /** Ticks a second (0 for input-driven actors). */
  readonly fps: number;
  /** The tick was delivered a period or more after it was due. */
  readonly late: boolean;
}

/**
 * Running time of tick `n` at `fps` ticks a second: `round(n × 10⁶ / fps)` µs. Computed from
 * `n` each time, never by adding periods, so error never accumulates.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tickTime } from "@streamlib/core";
 * assert.ok(tickTime(3, 30) === 100_000);
 * assert.ok(tickTime(1_000_000, 29.97) === 33_366_700_033);
 * ```
 *
 * @param n The tick number.
 * @param fps Ticks a second.
 * @returns The tick's running time in µs.
 */
export function tickTime(n: number, fps: number): number {
  return Math.round(n * 1e6 / fps);
}

/**
 * The timing fields of a message stamped on `tick`: spread it into a new message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { timingOf, type TimedTick } from "@streamlib/core";
 * const tick: TimedTick = {
 *   timestamp: 40_000, duration: 40_000, frameNumber: 1, clockId: "sw0", fps: 25, late: false,
 * };
 * const message = { kind: "data", topic: "", value: 1, ...timingOf(tick) } as const;
 * assert.ok(message.position === 1 && message.timestamp === 40_000);
 * ```
 *
 * @param tick The tick the message belongs to.
 * @returns `timestamp`, `duration`, `position` (the frame number) and `clockId` of the tick.
 */
export function timingOf(tick: TimedTick): Timing {
  return {
    timestamp: tick.timestamp,
    duration: tick.duration,
    position: tick.frameNumber,
    clockId: tick.clockId,
  };
}
