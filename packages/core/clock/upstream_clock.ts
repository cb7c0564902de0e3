import type { Clock } from "./clock.ts";
import { _abortReason, _clockId } from "./_clock_helpers.ts";

interface _Waiter {
  time: number;
  resolve: () => void;
}

/**
 * A clock that follows the timestamps of incoming messages instead of the wall: its time is how
 * far the **slowest** tracked upstream has got (the end of its newest message). A tick-driven
 * actor on this clock (a compositor or mixer in an offline run, say) produces frame `n` only once
 * every input has delivered data up to frame `n`'s time.
 *
 * An upstream that ends stops holding time back; with none left, time is the furthest any
 * upstream reached.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UpstreamClock } from "@streamlib/core";
 * const clock = new UpstreamClock();
 * const a = {}, b = {};
 * clock.track(a);
 * clock.track(b);
 * clock.observe(a, 40_000);
 * assert.ok(clock.now() === -Infinity); // b has said nothing yet
 * clock.observe(b, 20_000);
 * assert.ok(clock.now() === 20_000);
 * clock.untrack(b);
 * assert.ok(clock.now() === 40_000);
 * ```
 */
export class UpstreamClock implements Clock {
  /** The clock id. */
  readonly id: string;
  #reached = new Map<object, number>();
  /** Upstreams that ended: a late report still moves the high-water mark, never re-tracks. */
  #ended = new WeakSet<object>();
  #highWater = -Infinity;
  #waiters: _Waiter[] = [];

  /**
   * Creates an upstream clock with no upstreams.
   *
   * @param options Optional id.
   */
  constructor(options: { id?: string } = {}) {
    this.id = options.id ?? _clockId("upstream");
  }

  /**
   * Starts following an upstream; until it reports, time stays at `-Infinity`.
   *
   * @param upstream Any object identifying the upstream (an input port, say).
   */
  track(upstream: object): void {
    this.#ended.delete(upstream);
    if (!this.#reached.has(upstream)) this.#reached.set(upstream, -Infinity);
  }

  /**
   * Records that `upstream` has delivered data up to `time` µs. Times only move forward.
   *
   * @param upstream The upstream (tracked automatically on first report).
   * @param time The end time of its newest message in µs.
   */
  observe(upstream: object, time: number): void {
    if (!this.#ended.has(upstream)) {
      const before = this.#reached.get(upstream) ?? -Infinity;
      this.#reached.set(upstream, Math.max(before, time));
    }
    if (time > this.#highWater) this.#highWater = time;
    this.#wake();
  }

  /**
   * Stops following `upstream` (it ended or was disconnected).
   *
   * @param upstream The upstream to forget.
   */
  untrack(upstream: object): void {
    this.#reached.delete(upstream);
    this.#ended.add(upstream);
    this.#wake();
  }

  /**
   * The time reached by the slowest tracked upstream.
   *
   * @returns The time in µs; `-Infinity` before every upstream has reported.
   */
  now(): number {
    if (this.#reached.size === 0) return this.#highWater;
    let min = Infinity;
    for (const t of this.#reached.values()) if (t < min) min = t;
    return min;
  }

  /**
   * Resolves once every tracked upstream has reached `time`.
   *
   * @param time The time to wait for, in µs.
   * @param signal Aborts the wait.
   * @returns A promise resolved by `observe()` or `untrack()`.
   */
  sleepUntil(time: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(_abortReason(signal));
    if (this.now() >= time) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.#waiters.indexOf(waiter);
        if (i !== -1) this.#waiters.splice(i, 1);
        reject(_abortReason(signal!));
      };
      const waiter: _Waiter = {
        time,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      this.#waiters.push(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  #wake(): void {
    if (this.#waiters.length === 0) return;
    const now = this.now();
    this.#waiters = this.#waiters.filter((w) => {
      if (w.time > now) return true;
      w.resolve();
      return false;
    });
  }
}
