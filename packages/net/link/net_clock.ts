import { type Clock, SoftwareClock } from "@streamlib/core";
import type { ClockEstimate } from "./clock_sync.ts";

/**
 * Options of {@linkcode NetClock}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { NetClockOptions } from "@streamlib/net";
 * const o: NetClockOptions = { estimate: () => ({ offsetUs: 5, boundUs: 1, rttUs: 2, samples: 1 }) };
 * assert.ok(o.estimate()?.offsetUs === 5);
 * ```
 */
export interface NetClockOptions {
  /** The master's offset now (its clock − the local one), as a link or a node measures it. */
  readonly estimate: () => ClockEstimate | undefined;
  /** The local clock (default: a new `SoftwareClock`). */
  readonly local?: Clock;
  /** Id (default `net-<n>`). */
  readonly id?: string;
  /**
   * The most a correction moves the clock at once, in µs (default 1,000): larger corrections
   * are spread over following readings, so ticks do not jump.
   */
  readonly maxStepUs?: number;
}

let _count = 0;

/**
 * A clock that follows another node's: the local clock plus the offset a link measured
 * ({@linkcode ClockSync}), so a pipeline on this node ticks in step with a remote master. It
 * never goes backwards, and a correction moves it at most `maxStepUs` a reading. Before the
 * first estimate it reads the local clock.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManualClock } from "@streamlib/core";
 * import { NetClock } from "@streamlib/net";
 * const local = new ManualClock();
 * const clock = new NetClock({
 *   local,
 *   estimate: () => ({ offsetUs: 500, boundUs: 20, rttUs: 40, samples: 4 }),
 * });
 * assert.ok(clock.now() === 500);
 * await local.advance(1_000);
 * assert.ok(clock.now() === 1_500);
 * ```
 */
export class NetClock implements Clock {
  /** The clock's id. */
  readonly id: string;
  readonly #local: Clock;
  readonly #estimate: () => ClockEstimate | undefined;
  readonly #maxStep: number;
  #applied: number | undefined;
  #last = -Infinity;

  /**
   * Creates a clock that follows the estimate.
   *
   * @param options Where the offset comes from, the local clock, id, step limit.
   */
  constructor(options: NetClockOptions) {
    this.#local = options.local ?? new SoftwareClock();
    this.#estimate = options.estimate;
    this.#maxStep = options.maxStepUs ?? 1_000;
    this.id = options.id ?? `net-${++_count}`;
  }

  /**
   * The offset applied now (the master's clock − the local one), in µs.
   *
   * @returns The offset, 0 before the first estimate.
   */
  get offsetUs(): number {
    return this.#applied ?? 0;
  }

  /**
   * The master's time now, in µs.
   *
   * @returns The time.
   */
  now(): number {
    const target = this.#estimate()?.offsetUs;
    if (target !== undefined) {
      // The first estimate is taken as it is; later ones move the clock gradually.
      if (this.#applied === undefined) this.#applied = target;
      else {
        const step = Math.max(-this.#maxStep, Math.min(this.#maxStep, target - this.#applied));
        this.#applied += step;
      }
    }
    const t = Math.round(this.#local.now() + (this.#applied ?? 0));
    this.#last = Math.max(this.#last, t);
    return this.#last;
  }

  /**
   * Sleeps until the master's clock reaches `time`.
   *
   * @param time Master time in µs.
   * @param signal Aborts the sleep.
   * @returns A promise that settles then.
   */
  async sleepUntil(time: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const remaining = time - this.now();
      if (remaining <= 0) return;
      await this.#local.sleepUntil(this.#local.now() + remaining, signal);
    }
  }
}
