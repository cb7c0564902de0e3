import type { Clock } from "./clock.ts";
import { _abortReason, _clockId } from "./_clock_helpers.ts";
import { _macrotask } from "../_yield.ts";
import { _waitPrecisely } from "./_precise_wait.ts";
import { StreamlibError } from "../errors.ts";

/**
 * Options of {@linkcode SoftwareClock}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { SoftwareClockOptions } from "@streamlib/core";
 * const options: SoftwareClockOptions = { id: "studio", preciseMs: 2 };
 * assert.ok(options.id === "studio");
 * ```
 */
export interface SoftwareClockOptions {
  /** Clock id (default `software-N`). */
  id?: string;
  /** Milliseconds source, default `performance.now`. */
  nowMs?: () => number;
  /**
   * How many of a sleep's last milliseconds are waited precisely rather than on a timer
   * (default 2; 0: timers alone). Timers fire in whole milliseconds, most often one or more
   * late. The precise wait blocks the thread in slices of at most 0.2 ms (`Atomics.wait`, so
   * it sleeps and the system wakes it on time), the event loop turning between slices; where a
   * thread may not block (a browser's main thread) it checks the time on each turn instead.
   */
  preciseMs?: number;
}

/**
 * The system's monotonic clock (`performance.now()`), in µs since the clock was made. A sleep
 * waits on a timer until `preciseMs` before its time, then precisely: it never resolves early,
 * and on a quiet system seldom more than a tenth of a millisecond late.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SoftwareClock } from "@streamlib/core";
 * const clock = new SoftwareClock();
 * const start = clock.now();
 * await clock.sleepUntil(start + 2_000);
 * assert.ok(clock.now() >= start + 2_000);
 * ```
 */
export class SoftwareClock implements Clock {
  /** The clock id. */
  readonly id: string;
  readonly #nowMs: () => number;
  readonly #origin: number;
  /** From this many µs before its time, a sleep waits precisely instead of on a timer. */
  readonly #preciseUs: number;

  /**
   * Creates a software clock starting at 0 µs.
   *
   * @param options Optional id, milliseconds source and precise stretch.
   */
  constructor(options: SoftwareClockOptions = {}) {
    this.id = options.id ?? _clockId("software");
    this.#nowMs = options.nowMs ?? (() => performance.now());
    this.#origin = this.#nowMs();
    const preciseMs = options.preciseMs ?? 2;
    if (!(preciseMs >= 0 && preciseMs <= 1_000)) {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `preciseMs is 0 to 1000 milliseconds, not ${JSON.stringify(preciseMs)}`,
      );
    }
    this.#preciseUs = preciseMs * 1000;
  }

  /**
   * Microseconds since the clock was made.
   *
   * @returns The current time in µs.
   */
  now(): number {
    return Math.round((this.#nowMs() - this.#origin) * 1000);
  }

  /**
   * Resolves once the clock reaches `time`.
   *
   * @param time The time to wait for, in µs.
   * @param signal Aborts the wait.
   * @returns A promise that resolves at (or just after) `time`.
   */
  sleepUntil(time: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(_abortReason(signal));
    if (this.now() >= time) return Promise.resolve();
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      let aborted = false;
      const onAbort = (): void => {
        aborted = true;
        clearTimeout(timer);
        reject(_abortReason(signal!));
      };
      const check = (): void => {
        if (aborted) return;
        const remaining = time - this.now();
        if (remaining <= 0) {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        } else if (remaining <= this.#preciseUs) {
          _waitPrecisely(remaining);
          _macrotask(check);
        } else if (this.#preciseUs === 0) {
          timer = setTimeout(check, Math.max(1, Math.ceil(remaining / 1000)));
        } else {
          // Early rather than late: the precise wait takes it from there.
          timer = setTimeout(check, Math.floor((remaining - this.#preciseUs) / 1000));
        }
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      check();
    });
  }
}
