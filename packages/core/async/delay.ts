import { _abortReason } from "../clock/_clock_helpers.ts";

/**
 * Resolves after `ms` milliseconds of wall time, or rejects with the signal's reason when it
 * aborts first (the timer is cleared). For actor timing use the pipeline's clock instead.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { delay } from "@streamlib/core";
 * const controller = new AbortController();
 * const waiting = delay(60_000, { signal: controller.signal });
 * controller.abort(new Error("cancelled"));
 * await waiting.catch((error) => assert.ok(error.message === "cancelled"));
 * ```
 *
 * @param ms Milliseconds to wait.
 * @param options An abort signal.
 * @returns A promise that resolves after the delay.
 */
export function delay(ms: number, options: { signal?: AbortSignal } = {}): Promise<void> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(_abortReason(signal));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(_abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
