import type { Clock } from "./clock.ts";
import { _abortReason, _clockId } from "./_clock_helpers.ts";
import { _nextMacrotask } from "../_yield.ts";
import { StreamlibError } from "../errors.ts";

interface _Sleeper {
  time: number;
  resolve: () => void;
}

/**
 * A clock that only moves when a test moves it. `advance()` walks through every pending sleep in
 * time order, waking each at its exact time and letting the woken code run before going on, so a
 * pipeline driven by it behaves the same on every run and machine.
 *
 * @example Driving a sleep by hand
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManualClock } from "@streamlib/core";
 * const clock = new ManualClock();
 * let woke = -1;
 * clock.sleepUntil(5_000).then(() => woke = clock.now());
 * await clock.advance(4_999);
 * assert.equal(woke, -1);
 * await clock.advance(1);
 * assert.equal(woke, 5_000);
 * ```
 */
export class ManualClock implements Clock {
  /** The clock id. */
  readonly id: string;
  #now: number;
  #sleepers: _Sleeper[] = [];

  /**
   * Creates a manual clock.
   *
   * @param options Optional id and start time in µs (default 0).
   */
  constructor(options: { id?: string; start?: number } = {}) {
    this.id = options.id ?? _clockId("manual");
    this.#now = options.start ?? 0;
  }

  /**
   * The current time.
   *
   * @returns The time in µs.
   */
  now(): number {
    return this.#now;
  }

  /**
   * How many sleeps are waiting.
   *
   * @returns The number of pending sleeps.
   */
  get pending(): number {
    return this.#sleepers.length;
  }

  /**
   * The time of the earliest pending sleep, or `undefined` when none waits.
   *
   * @returns The next wake-up time in µs.
   */
  get nextWake(): number | undefined {
    return this.#sleepers[0]?.time;
  }

  /**
   * Resolves when a test advances the clock to `time`.
   *
   * @param time The time to wait for, in µs.
   * @param signal Aborts the wait.
   * @returns A promise resolved by `advance()`.
   */
  sleepUntil(time: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(_abortReason(signal));
    if (time <= this.#now) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.#sleepers.indexOf(sleeper);
        if (i !== -1) this.#sleepers.splice(i, 1);
        reject(_abortReason(signal!));
      };
      const sleeper: _Sleeper = {
        time,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const at = this.#sleepers.findIndex((s) => s.time > time);
      this.#sleepers.splice(at === -1 ? this.#sleepers.length : at, 0, sleeper);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /**
   * Moves time forward by `us`, waking sleepers in order. After each wake-up it waits a
   * macrotask so that the woken code (and what it schedules) runs before time moves on.
   *
   * @param us Microseconds to advance (non-negative).
   * @returns A promise that resolves once the clock reads the new time.
   */
  advance(us: number): Promise<void> {
    if (!(us >= 0)) {
      return Promise.reject(
        new StreamlibError("SL_PARAM_INVALID", `advance() needs µs ≥ 0, got ${us}`),
      );
    }
    return this.advanceTo(this.#now + us);
  }

  /**
   * Moves time forward to `time` (never backwards), waking sleepers in order.
   *
   * @param time The target time in µs.
   * @returns A promise that resolves once the clock reads `time`.
   */
  async advanceTo(time: number): Promise<void> {
    if (!(time >= this.#now)) {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `A clock never goes backwards: now ${this.#now} µs, asked for ${time} µs`,
      );
    }
    await _nextMacrotask();
    while (this.#sleepers.length > 0 && this.#sleepers[0]!.time <= time) {
      const due = this.#sleepers[0]!.time;
      this.#now = due;
      while (this.#sleepers.length > 0 && this.#sleepers[0]!.time === due) {
        this.#sleepers.shift()!.resolve();
      }
      await _nextMacrotask();
    }
    this.#now = time;
    await _nextMacrotask();
  }
}
