import type { Clock } from "./clock.ts";
import { _abortReason, _clockId } from "./_clock_helpers.ts";

/**
 * Options of {@linkcode SoftwareClock}.
 *
 * @example
 * ```ts
 * import type { SoftwareClockOptions } from "@streamlib/core";
 * const options: SoftwareClockOptions = { id: "studio" };
 * console.assert(options.id === "studio");
 * ```
 */
export interface SoftwareClockOptions {
  /** Clock id (default `software-N`). */
  id?: string;
  /** Milliseconds source, default `performance.now`. */
  nowMs?: () => number;
}

/**
 * The system's monotonic clock (`performance.now()`), in µs since the clock was made. Sleeps use
 * timers and re-check the time, so they never resolve early.
 *
 * @example
 * ```ts
 * import { SoftwareClock } from "@streamlib/core";
 * const clock = new SoftwareClock();
 * const start = clock.now();
 * await clock.sleepUntil(start + 2_000);
 * console.assert(clock.now() >= start + 2_000);
 * ```
 */
export class SoftwareClock implements Clock {
  /** The clock id. */
  readonly id: string;
  readonly #nowMs: () => number;
  readonly #origin: number;

  /**
   * Creates a software clock starting at 0 µs.
   *
   * @param options Optional id and milliseconds source.
   */
  constructor(options: SoftwareClockOptions = {}) {
    this.id = options.id ?? _clockId("software");
    this.#nowMs = options.nowMs ?? (() => performance.now());
    this.#origin = this.#nowMs();
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
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(_abortReason(signal!));
      };
      const check = (): void => {
        const remaining = time - this.now();
        if (remaining <= 0) {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        } else {
          timer = setTimeout(check, Math.max(1, Math.ceil(remaining / 1000)));
        }
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      check();
    });
  }
}
